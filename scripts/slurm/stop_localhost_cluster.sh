#!/usr/bin/env bash
# Stop the one-node Slurm cluster started by start_localhost_cluster.sh:
# slurmd, slurmctld, slurmdbd, mariadbd and munged, in that order, each through
# the pid file it was started with (no process is matched by name).
#   bash scripts/slurm/stop_localhost_cluster.sh           # stop all five
#   KEEP_DATABASE=1 bash scripts/slurm/stop_localhost_cluster.sh   # leave mariadbd and munged
# Configuration, job state and the accounting database stay on disk; running
# start_localhost_cluster.sh again brings the cluster back.
set -euo pipefail

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi
as_root() { "${SUDO[@]}" "$@"; }
log() { printf '[slurm-local] %s\n' "$*"; }

# stop_pidfile NAME PIDFILE: SIGTERM, wait up to 30 s, then SIGKILL.
stop_pidfile() {
    local name=$1 pidfile=$2 pid i
    if ! as_root test -s "$pidfile"; then
        log "$name: no pid file ($pidfile), not running"
        return 0
    fi
    pid=$(as_root cat "$pidfile")
    if ! [[ $pid =~ ^[0-9]+$ ]] || ! as_root kill -0 "$pid" 2>/dev/null; then
        log "$name: not running (stale pid file)"
        as_root rm -f "$pidfile"
        return 0
    fi
    log "stopping $name (pid $pid)"
    as_root kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 30; i++)); do
        as_root kill -0 "$pid" 2>/dev/null || break
        sleep 1
    done
    if as_root kill -0 "$pid" 2>/dev/null; then
        log "$name did not exit after 30 s; sending SIGKILL"
        as_root kill -KILL "$pid" 2>/dev/null || true
    fi
    as_root rm -f "$pidfile"
}

stop_pidfile slurmd /run/slurm/slurmd.pid
stop_pidfile slurmctld /run/slurm/slurmctld.pid
stop_pidfile slurmdbd /run/slurm/slurmdbd.pid
if [ "${KEEP_DATABASE:-0}" != 1 ]; then
    stop_pidfile mariadbd /run/mysqld/mysqld.pid
    stop_pidfile munged /run/munge/munged.pid
fi
log "stopped"
