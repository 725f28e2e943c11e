#!/usr/bin/env bash
# Start a one-node Slurm cluster on this host, with job accounting, so that
# Snakemake's SLURM executor plugin (which asks `sacct` for job states) can be
# tried for real:  bash scripts/slurm/start_localhost_cluster.sh
#
#   * installs Debian's slurm-wlm, slurmdbd, munge and mariadb-server (apt);
#   * writes /etc/slurm/slurm.conf and /etc/slurm/slurmdbd.conf for ONE node,
#     this host (`hostname -s`), with its CPUs (nproc) and memory (free -m less
#     a margin), and one default partition;
#   * starts munged, mariadbd, slurmdbd, slurmctld and slurmd in the background
#     (no systemd needed) and registers the cluster, an account and the user in
#     the accounting database;
#   * waits until `sinfo` shows the node idle and `sacct` answers.
#
# Running it again is safe: installed packages, a running daemon and existing
# database rows are left alone. A changed configuration only takes effect in a
# daemon started afterwards: run stop_localhost_cluster.sh first to apply it.
#
# Settings (environment variables):
#   SLURM_CLUSTER_NAME   accounting cluster name          (default: localcluster)
#   SLURM_PARTITION      name of the single partition     (default: debug)
#   SLURM_ACCOUNT        account created for the users    (default: local)
#   SLURM_MEM_MARGIN_MB  memory kept back from Slurm, MiB (default: 1024)
#   SLURM_SKIP_INSTALL=1 do not call apt-get
#
# Stop the daemons with scripts/slurm/stop_localhost_cluster.sh. Logs are in
# /var/log/slurm/ and /var/log/munge/.
set -euo pipefail

CLUSTER_NAME=${SLURM_CLUSTER_NAME:-localcluster}
PARTITION=${SLURM_PARTITION:-debug}
ACCOUNT=${SLURM_ACCOUNT:-local}
MEM_MARGIN_MB=${SLURM_MEM_MARGIN_MB:-1024}

CONF_DIR=/etc/slurm
RUN_DIR=/run/slurm
LOG_DIR=/var/log/slurm
CTLD_SPOOL=/var/spool/slurmctld
SLURMD_SPOOL=/var/spool/slurmd
MYSQL_RUN=/run/mysqld

log() { printf '[slurm-local] %s\n' "$*"; }
die() { printf '[slurm-local] ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "run as root or install sudo"
    SUDO=(sudo)
fi
as_root() { "${SUDO[@]}" "$@"; }

# True when the pid file names a live process.
pid_alive() {
    local pidfile=$1 pid
    as_root test -s "$pidfile" || return 1
    pid=$(as_root cat "$pidfile")
    [[ $pid =~ ^[0-9]+$ ]] && as_root kill -0 "$pid" 2>/dev/null
}

# wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND once a second.
wait_for() {
    local limit=$1 what=$2 i
    shift 2
    for ((i = 0; i < limit; i++)); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 1
    done
    die "timed out after ${limit}s waiting for: $what"
}

# --- 1. packages --------------------------------------------------------------
install_packages() {
    local pkgs=(slurm-wlm slurmdbd slurm-client munge mariadb-server)
    local p missing=0
    for p in "${pkgs[@]}"; do
        if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
            missing=1
        fi
    done
    if [ "$missing" -eq 1 ]; then
        log "installing ${pkgs[*]} with apt-get"
        # Keep the packages' maintainer scripts from starting services: this
        # script starts the daemons itself, with its own configuration.
        local made_policy=0
        if ! as_root test -e /usr/sbin/policy-rc.d; then
            printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
            as_root chmod 755 /usr/sbin/policy-rc.d
            made_policy=1
        fi
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends "${pkgs[@]}"
        if [ "$made_policy" -eq 1 ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
    else
        log "packages already installed"
    fi
}

# --- 2. configuration -----------------------------------------------------------
write_if_changed() { # write_if_changed PATH MODE OWNER  (content on stdin)
    local path=$1 mode=$2 owner=$3 tmp
    tmp=$(mktemp)
    cat >"$tmp"
    if ! as_root cmp -s "$tmp" "$path" 2>/dev/null; then
        as_root install -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$tmp" "$path"
        log "wrote $path"
    fi
    rm -f "$tmp"
}

db_password() {
    # Reuse the password of an existing slurmdbd.conf so that reruns agree
    # with the database user made before; make a random one otherwise.
    local pw=""
    if as_root test -f "$CONF_DIR/slurmdbd.conf"; then
        pw=$(as_root sed -n 's/^StoragePass=//p' "$CONF_DIR/slurmdbd.conf" | head -n 1)
    fi
    if [ -z "$pw" ]; then
        pw=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
    fi
    printf '%s' "$pw"
}

write_config() {
    HOST=$(hostname -s)
    CPUS=$(nproc)
    local total_mb
    total_mb=$(free -m | awk '/^Mem:/ {print $2}')
    REAL_MEM=$((total_mb - MEM_MARGIN_MB))
    if [ "$REAL_MEM" -lt 256 ]; then REAL_MEM=$((total_mb * 9 / 10)); fi
    DEF_MEM_PER_CPU=$((REAL_MEM / CPUS))
    getent hosts "$HOST" >/dev/null || die "host name '$HOST' does not resolve; add it to /etc/hosts"

    as_root install -d -m 755 -o slurm -g slurm "$RUN_DIR" "$LOG_DIR" "$CTLD_SPOOL"
    as_root install -d -m 755 -o root -g root "$SLURMD_SPOOL" "$CONF_DIR"

    write_if_changed "$CONF_DIR/slurm.conf" 644 root:root <<EOF
# Written by scripts/slurm/start_localhost_cluster.sh: one node, this host.
ClusterName=$CLUSTER_NAME
SlurmctldHost=$HOST
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
ReturnToService=2

SlurmctldPidFile=$RUN_DIR/slurmctld.pid
SlurmdPidFile=$RUN_DIR/slurmd.pid
StateSaveLocation=$CTLD_SPOOL
SlurmdSpoolDir=$SLURMD_SPOOL
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info

# No cgroup plugins: processes are tracked through /proc and tasks are not
# confined, which works inside containers and VMs without a delegated cgroup.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=30

SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$DEF_MEM_PER_CPU

# Accounting through slurmdbd, so that sacct reports finished jobs.
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
JobCompType=jobcomp/none

NodeName=$HOST NodeAddr=$HOST CPUs=$CPUS RealMemory=$REAL_MEM State=UNKNOWN
PartitionName=$PARTITION Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF

    DB_PASS=$(db_password)
    # slurmdbd refuses a slurmdbd.conf that others can read.
    write_if_changed "$CONF_DIR/slurmdbd.conf" 600 slurm:slurm <<EOF
# Written by scripts/slurm/start_localhost_cluster.sh.
AuthType=auth/munge
DbdHost=localhost
SlurmUser=slurm
PidFile=$RUN_DIR/slurmdbd.pid
LogFile=$LOG_DIR/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=$DB_PASS
StorageLoc=slurm_acct_db
EOF
}

# --- 3. daemons -----------------------------------------------------------------
start_munge() {
    as_root install -d -m 755 -o munge -g munge /run/munge /var/log/munge /var/lib/munge
    as_root install -d -m 700 -o munge -g munge /etc/munge
    if ! as_root test -s /etc/munge/munge.key; then
        log "creating /etc/munge/munge.key"
        as_root mungekey --create --keyfile=/etc/munge/munge.key
    fi
    as_root chown munge:munge /etc/munge/munge.key
    as_root chmod 400 /etc/munge/munge.key
    if pid_alive /run/munge/munged.pid; then
        log "munged already running"
    else
        log "starting munged"
        as_root runuser -u munge -- /usr/sbin/munged
    fi
    wait_for 30 "munge credentials" bash -c 'munge -n | unmunge'
}

start_mariadb() {
    as_root install -d -m 755 -o mysql -g mysql "$MYSQL_RUN"
    as_root install -d -m 2750 -o mysql -g adm /var/log/mysql
    if ! as_root test -d /var/lib/mysql/mysql; then
        log "initialising the MariaDB data directory"
        as_root mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
    fi
    if pid_alive "$MYSQL_RUN/mysqld.pid"; then
        log "mariadbd already running"
    else
        log "starting mariadbd"
        as_root setsid /usr/sbin/mariadbd --user=mysql --datadir=/var/lib/mysql \
            --socket="$MYSQL_RUN/mysqld.sock" --pid-file="$MYSQL_RUN/mysqld.pid" \
            --bind-address=127.0.0.1 --log-error=/var/log/mysql/error.log \
            --innodb-buffer-pool-size=256M --innodb-lock-wait-timeout=900 \
            </dev/null >/dev/null 2>&1 &
    fi
    wait_for 60 "mariadbd" as_root mariadb-admin --socket="$MYSQL_RUN/mysqld.sock" ping
    # The database user for slurmdbd; root logs in through the Unix socket.
    as_root mariadb --socket="$MYSQL_RUN/mysqld.sock" <<EOF
CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$DB_PASS';
ALTER USER 'slurm'@'localhost' IDENTIFIED BY '$DB_PASS';
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
GRANT ALL PRIVILEGES ON slurm_acct_db.* TO 'slurm'@'localhost';
FLUSH PRIVILEGES;
EOF
}

start_slurmdbd() {
    if pid_alive "$RUN_DIR/slurmdbd.pid"; then
        log "slurmdbd already running"
    else
        log "starting slurmdbd"
        as_root /usr/sbin/slurmdbd
    fi
    wait_for 60 "slurmdbd (sacctmgr list cluster)" as_root sacctmgr -n list cluster
}

# Register the cluster, an account and the users, once each.
register_accounting() {
    if ! as_root sacctmgr -n -P list cluster format=cluster | grep -qx "$CLUSTER_NAME"; then
        log "registering cluster $CLUSTER_NAME"
        as_root sacctmgr -i add cluster "$CLUSTER_NAME" >/dev/null
    fi
    if ! as_root sacctmgr -n -P list account format=account | grep -qx "$ACCOUNT"; then
        log "adding account $ACCOUNT"
        as_root sacctmgr -i add account "$ACCOUNT" Cluster="$CLUSTER_NAME" \
            Description="local jobs" Organization=local >/dev/null
    fi
    local users=(root) u
    if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then users+=("$SUDO_USER"); fi
    if [ "$(id -un)" != root ]; then users+=("$(id -un)"); fi
    for u in "${users[@]}"; do
        if ! as_root sacctmgr -n -P list assoc user="$u" account="$ACCOUNT" \
            cluster="$CLUSTER_NAME" format=user | grep -qx "$u"; then
            log "adding user $u to account $ACCOUNT"
            as_root sacctmgr -i add user "$u" Account="$ACCOUNT" \
                DefaultAccount="$ACCOUNT" Cluster="$CLUSTER_NAME" >/dev/null
        fi
    done
}

start_slurmctld() {
    if pid_alive "$RUN_DIR/slurmctld.pid"; then
        log "slurmctld already running"
    else
        log "starting slurmctld"
        as_root /usr/sbin/slurmctld
    fi
    wait_for 60 "slurmctld (scontrol ping)" bash -c 'scontrol ping | grep -q UP'
}

start_slurmd() {
    if pid_alive "$RUN_DIR/slurmd.pid"; then
        log "slurmd already running"
    else
        log "starting slurmd"
        as_root /usr/sbin/slurmd
    fi
}

node_state() { sinfo -h -n "$HOST" -o '%T' 2>/dev/null | head -n 1; }

wait_node_idle() {
    local i state=""
    for ((i = 0; i < 90; i++)); do
        state=$(node_state)
        case "$state" in
            idle | mixed | allocated | completing) return 0 ;;
            down* | drain*)
                # e.g. after an unclean stop: bring the node back once slurmd answers.
                if pid_alive "$RUN_DIR/slurmd.pid"; then
                    as_root scontrol update NodeName="$HOST" State=RESUME >/dev/null 2>&1 || true
                fi
                ;;
        esac
        sleep 1
    done
    die "node $HOST is not idle (state: '${state:-none}'); see $LOG_DIR/slurmctld.log and slurmd.log"
}

summary() {
    log "cluster '$CLUSTER_NAME' is up: node $HOST ($CPUS CPUs, ${REAL_MEM} MB), partition '$PARTITION'"
    sinfo
    log "accounting: sacct works ($(sacct -V)); account '$ACCOUNT'"
    log "try: sbatch -p $PARTITION --cpus-per-task=1 --mem=100 --wrap 'hostname'"
}

install_packages
write_config
start_munge
start_mariadb
start_slurmdbd
register_accounting
start_slurmctld
start_slurmd
wait_node_idle
wait_for 30 "sacct" sacct -n -X -S now-1hours
summary
