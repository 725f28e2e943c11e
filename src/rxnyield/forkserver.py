"""The `rxnyield` command, optionally run by a fork server.

Each job of the workflow is one `rxnyield` process, and at the quick profile's sizes most of a job's time is its
start-up: importing torch, scikit-learn, pandas and the library takes seconds, the training itself often less.
A fork server imports all of that once; a command run with RXNYIELD_FORKSERVER set to the server's socket sends
its arguments, working directory, environment and standard streams there, and the server forks a process that
runs the same `rxnyield.cli.main` in that state and returns its exit status. The code that runs is the same
(the key of a run names the modules a job imports, not how the process started); what differs is what the
server imported before the fork, which the tests of the quick builds compare byte for byte with runs trained
in plain processes (`rxnyield.reproduce`).

Only the builds of `rxnyield.reproduce` start a server (the tests' end-to-end quick builds, `make reproduce`);
`make paper` runs plain processes. A Snakemake `benchmark:` of a forked job measures the job's wall time
correctly but the memory and CPU time of the forwarding command only.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import pkgutil
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

SOCKET_VARIABLE = "RXNYIELD_FORKSERVER"
STREAMS = (0, 1, 2)
LENGTH = struct.Struct("!Q")
STATUS = struct.Struct("!i")
# What the workflow's jobs import, imported once by the server: the CLI, a training job, pre-training and every
# model (the registry imports a model's module only when a job asks for it).
PRELOADED = ("rxnyield.cli", "rxnyield.job", "rxnyield.pretrain")
# What Snakemake sets to a job's `threads` (snakemake.shell), read by numpy's, scipy's and torch's thread pools when
# they load: the server loads them with a job's values, and runs only commands that have the same.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "GOTO_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def command() -> int:
    """The `rxnyield` console script: forwarded to the fork server RXNYIELD_FORKSERVER names, else run here."""
    socket_path = os.environ.get(SOCKET_VARIABLE)
    if socket_path:
        return run_in_server(socket_path, sys.argv[1:])
    from rxnyield.cli import main
    return main()


def run_in_server(socket_path: str, argv: list[str]) -> int:
    """Run `rxnyield argv` in a process forked by the server at `socket_path`, with this process's working
    directory, environment and standard streams; forward SIGINT and SIGTERM to it; return its exit status. A signal
    that cannot be forwarded (SIGKILL) closes the connection, and the server kills the command then."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(socket_path)
    except OSError as error:
        print(f"rxnyield: no fork server at {socket_path} ({SOCKET_VARIABLE}): {error.strerror}", file=sys.stderr)
        return 2
    with connection:
        request = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
        socket.send_fds(connection, [LENGTH.pack(len(request))], list(STREAMS))
        connection.sendall(request)
        pid = STATUS.unpack(receive_exactly(connection, STATUS.size))[0]
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda received, _frame: os.kill(pid, received))
        status = receive_exactly(connection, STATUS.size)
    return STATUS.unpack(status)[0]


def receive_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the fork server closed the connection")
        data += chunk
    return data


def preload() -> None:
    for name in PRELOADED:
        importlib.import_module(name)
    import rxnyield.models
    for module in pkgutil.iter_modules(rxnyield.models.__path__, "rxnyield.models."):
        importlib.import_module(module.name)


def serve(socket_path: str) -> None:
    """Import what the jobs import, then fork one process per connection. Nothing here may start a thread (an
    OpenMP pool would not survive the fork): `running` checks that the server has one thread."""
    preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the connection handlers
    print("ready", flush=True)
    while True:
        connection, _ = listener.accept()
        sys.stdout.flush()
        sys.stderr.flush()
        if os.fork() == 0:
            code = 1
            try:
                listener.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                code = handle(connection)
            finally:  # never back into the accept loop
                os._exit(code)
        connection.close()


def handle(connection: socket.socket) -> int:
    """Receive one command, run it in a forked process, send back that process's pid, then its exit status."""
    header, fds, _, _ = socket.recv_fds(connection, LENGTH.size, len(STREAMS))
    request = json.loads(receive_exactly(connection, LENGTH.unpack(header)[0]))
    pid = os.fork()
    if pid == 0:
        connection.close()
        os._exit(run_command(request, fds))
    for fd in fds:
        os.close(fd)
    connection.sendall(STATUS.pack(pid))
    client_gone = wait_for_command_or_client(pid, connection)
    if client_gone:  # killed beyond forwarding (SIGKILL): its job must not run on unseen
        os.kill(pid, signal.SIGKILL)
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if not client_gone:
        connection.sendall(STATUS.pack(code if code >= 0 else 128 - code))  # killed by a signal: 128 + its number
    return 0


def wait_for_command_or_client(pid: int, connection: socket.socket) -> bool:
    """Block until the forked command ends or its client's end of the connection closes (the client sends
    nothing after its request: the connection turns readable only at its end); True if the client went first."""
    command_done = os.pidfd_open(pid)
    try:
        ready, _, _ = select.select([command_done, connection], [], [])
    finally:
        os.close(command_done)
    return command_done not in ready and connection.recv(1) == b""


def run_command(request: dict, fds: list[int]) -> int:
    """The forked command: the client's streams, directory, environment and arguments, then `rxnyield.cli.main`."""
    for stream, fd in zip(STREAMS, fds):
        os.dup2(fd, stream)
        os.close(fd)
    try:
        differing = [name for name in THREAD_VARIABLES if request["env"].get(name) != os.environ.get(name)]
        if differing:
            print(f"rxnyield: the fork server's libraries were loaded with {', '.join(differing)} "
                  f"{', '.join(str(os.environ.get(name)) for name in differing)}, this command sets "
                  f"{', '.join(str(request['env'].get(name)) for name in differing)}: run it without "
                  f"{SOCKET_VARIABLE}", file=sys.stderr)
            return 2
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["rxnyield", *request["argv"]]
        from rxnyield.cli import main
        code = main(request["argv"])
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    return code


@contextlib.contextmanager
def running(env: dict[str, str], log, threads: int):
    """A fork server for the duration of the block, started with `env` (its import path decides which code the
    forked commands run) and the thread counts of jobs of `threads`, its output to `log`; yields `env` with
    RXNYIELD_FORKSERVER set to its socket."""
    env = dict(env, **dict.fromkeys(THREAD_VARIABLES, str(threads)))
    with tempfile.TemporaryDirectory(prefix="rxnyield-fork-") as folder:
        socket_path = str(Path(folder) / "socket")
        # started elsewhere than any build: a command runs in its caller's directory, never in the server's
        server = subprocess.Popen([sys.executable, "-m", "rxnyield.forkserver", socket_path], cwd=folder, env=env,
                                  stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            if server.stdout.readline().strip() != "ready":
                raise RuntimeError(f"the fork server did not start (exit status {server.wait()}; see {log.name})")
            server_threads = len(os.listdir(f"/proc/{server.pid}/task"))
            if server_threads != 1:
                raise RuntimeError(f"the fork server runs {server_threads} threads after its imports: "
                                   "forking is unsafe")
            yield dict(env, **{SOCKET_VARIABLE: socket_path})
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    serve(sys.argv[1])
