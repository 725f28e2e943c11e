"""The fork server runs an `rxnyield` command as a plain process would: same outputs, messages and exit status,
in the caller's working directory. (Byte-identical training runs: the end-to-end quick builds, whose first build
runs every job through the server and is compared with runs trained in plain processes.)"""

import os
import subprocess
import sys
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
