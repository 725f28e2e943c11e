"""A build killed hard (SIGKILL, power loss) recovers with the same `make paper`: no `--unlock`, no
`--rerun-incomplete` to pass by hand."""

import os
import signal
import subprocess
import time

import pytest

from rxnyield.reproduce import clean_copy
from conftest import ROOT

TARGET = "ARGS=results/quick/features/sm/features.npz"  # validate + featurize of SM: seconds


def make_paper(directory):
    # `-o install`: use this checkout's environment as it is (never reinstall it from the copy)
    command = ["make", "-o", "install", "paper", "PROFILE=quick", f"VENV={ROOT / '.venv'}", TARGET]
    return subprocess.Popen(command, cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, env=dict(os.environ, PYTHONPATH=str(directory / "src")))


@pytest.mark.slow
def test_make_paper_recovers_after_the_build_was_killed_mid_job(tmp_path):
    clean_copy(ROOT, tmp_path)
    build = make_paper(tmp_path)
    features_log = tmp_path / "results/quick/logs/featurize/sm.log"
    deadline = time.time() + 240
    while not features_log.exists() and time.time() < deadline:  # featurize has started
        time.sleep(0.5)
    assert features_log.exists(), build.communicate()[0][-2000:]
    os.killpg(build.pid, signal.SIGKILL)
    build.wait()
    assert list((tmp_path / ".snakemake" / "locks").iterdir())  # the killed run left its lock
    # ... and, had it been killed while writing, a partial output that Snakemake marks incomplete
    (tmp_path / "results/quick/features/sm/features.npz").write_bytes(b"partial")

    output, _ = make_paper(tmp_path).communicate(timeout=600)
    assert "Directory cannot be locked" not in output and "IncompleteFilesException" not in output, output[-3000:]
    assert (tmp_path / "results/quick/features/sm/features.npz").read_bytes()[:2] == b"PK", output[-3000:]  # an npz


def test_a_build_in_another_directory_does_not_keep_this_ones_stale_lock(tmp_path):
    """`make unlock` (run by `make paper`) lifts a stale lock unless a Snakemake build runs in this very
    directory: a build of another checkout on the same machine used to keep it (found while a paper build ran
    next to the test suite)."""
    repo, elsewhere = tmp_path / "repo", tmp_path / "elsewhere"
    clean_copy(ROOT, repo)
    elsewhere.mkdir()
    lock = repo / ".snakemake" / "locks" / "0.output.lock"

    def stale_lock():
        lock.parent.mkdir(parents=True, exist_ok=True)
        lock.write_text(f"{repo / 'results/quick/aggregate/summary.csv'}\n")

    def unlock():
        subprocess.run(["make", "-o", "install", "unlock", "PROFILE=quick", f"VENV={ROOT / '.venv'}"], cwd=repo,
                       check=True, capture_output=True, env=dict(os.environ, PYTHONPATH=str(repo / "src")))

    def build_in(directory):  # a process that looks like a running build, working in `directory`
        return subprocess.Popen(["bash", "-c", 'exec -a "snakemake --profile profiles/quick" sleep 120'],
                                cwd=directory)

    stale_lock()
    other = build_in(elsewhere)
    try:
        unlock()
        assert not lock.exists()
        stale_lock()
        here = build_in(repo)
        try:
            unlock()
            assert lock.exists()  # a build running here keeps its lock
        finally:
            here.kill()
    finally:
        other.kill()
