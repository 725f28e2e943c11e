"""The fork server runs an `rxnyield` command as a plain process would: same outputs, messages and exit status,
in the caller's working directory. (Byte-identical training runs: the end-to-end quick builds, whose first build
runs every job through the server and is compared with runs trained in plain processes.)"""

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rxnyield import forkserver
from conftest import ROOT

RXNYIELD = str(Path(sys.executable).parent / "rxnyield")


@pytest.fixture(scope="module")
def forked_env(tmp_path_factory):
    with open(tmp_path_factory.mktemp("forkserver") / "server.log", "w") as log:
        with forkserver.running(dict(os.environ), log, threads=1) as env:
            yield env


def run(arguments: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([RXNYIELD, *arguments], cwd=ROOT, env=env, capture_output=True, text=True)


def test_a_command_forked_by_the_server_writes_prints_and_exits_as_a_plain_one(forked_env, tmp_path):
    plain_env = {k: v for k, v in forked_env.items() if k != forkserver.SOCKET_VARIABLE}
    done = {}
    for name, env in (("plain", plain_env), ("forked", forked_env)):
        # relative paths: the command runs in the caller's directory, not the server's
        done[name] = run(["validate", "--config", "config/config.yaml", "--dataset", "sm",
                          "--out", str(tmp_path / f"{name}.json")], env)
    assert done["forked"].returncode == done["plain"].returncode == 0
    assert done["forked"].stdout == done["plain"].stdout != ""
    assert (tmp_path / "forked.json").read_bytes() == (tmp_path / "plain.json").read_bytes()
    failed = {name: run(["train", "--config", "config/config.yaml"], env)
              for name, env in (("plain", plain_env), ("forked", forked_env))}
    assert failed["forked"].returncode == failed["plain"].returncode == 2
    assert failed["forked"].stderr == failed["plain"].stderr != ""


def test_the_server_refuses_a_command_that_sets_other_thread_counts_than_its_libraries_were_loaded_with(forked_env):
    done = run(["validate", "--config", "config/config.yaml"], dict(forked_env, OMP_NUM_THREADS="2"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "OMP_NUM_THREADS 1" in done.stderr and "sets 2" in done.stderr


def test_a_command_without_its_fork_server_says_so_in_one_line(tmp_path):
    socket_path = str(tmp_path / "no-server")
    done = run(["validate", "--config", "config/config.yaml"],
               dict(os.environ, **{forkserver.SOCKET_VARIABLE: socket_path}))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and socket_path in done.stderr and forkserver.SOCKET_VARIABLE in done.stderr


@pytest.fixture
def blocked_command(forked_env, tmp_path):
    """A forked command blocked reading its config from a FIFO whose write end the test holds: (client, write end).
    Writing to that end raises BrokenPipeError once the command is gone (its reading end closed)."""
    fifo = tmp_path / "config.yaml"
    os.mkfifo(fifo)
    client = subprocess.Popen([RXNYIELD, "validate", "--config", str(fifo), "--out", str(tmp_path / "out.json")], cwd=ROOT, env=forked_env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while True:  # open without blocking succeeds once the command has opened the FIFO to read it
        try:
            write_end = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as error:
            assert error.errno == errno.ENXIO and time.monotonic() < deadline and client.poll() is None
            time.sleep(0.05)
    yield client, write_end
    client.kill()
    client.wait()
    os.close(write_end)


def command_is_gone(write_end: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.write(write_end, b"#")  # a YAML comment: the command, if alive, keeps reading
        except BrokenPipeError:
            return True
        time.sleep(0.05)
    return False


def test_a_signal_to_the_client_reaches_the_forked_command(blocked_command):
    client, write_end = blocked_command
    client.send_signal(signal.SIGTERM)
    assert client.wait(timeout=30) == 128 + signal.SIGTERM  # the command's status, forwarded
    assert command_is_gone(write_end)


def test_a_client_killed_outright_takes_its_forked_command_with_it(blocked_command):
    client, write_end = blocked_command
    client.kill()  # SIGKILL: nothing to forward; the server sees the connection close
    assert client.wait(timeout=30) == -signal.SIGKILL
    assert command_is_gone(write_end)
