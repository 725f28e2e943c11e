"""Opt-in (`RXNYIELD_TEST_SLURM=1`): a quick build through a real SLURM cluster equals the local build.

It starts a one-node cluster on this machine (scripts/slurm/start_localhost_cluster.sh: installs Debian's
slurm-wlm, slurmdbd and MariaDB; needs root or sudo) and leaves it running; `make slurm` does the same.
"""

import importlib.util
import os
import subprocess

import pytest

from rxnyield.reproduce import reproduce
from conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    os.environ.get("RXNYIELD_TEST_SLURM") != "1",
    reason="opt-in: set RXNYIELD_TEST_SLURM=1 to start a SLURM cluster on this machine and build through it")]


def test_a_quick_build_through_slurm_is_byte_identical_to_the_local_one(tmp_path):
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        pytest.fail("the SLURM executor plugin is missing: .venv/bin/pip install -e '.[slurm]'")
    subprocess.run(["bash", str(ROOT / "scripts/slurm/start_localhost_cluster.sh")], check=True)
    assert reproduce("quick", tmp_path, ROOT, slurm=True) == []
    assert "SLURM" in (tmp_path / "build_b.log").read_text()
