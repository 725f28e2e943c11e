"""The workflow itself: Snakemake's linter has nothing to say about it."""

import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_snakemake_lint_is_clean():
    snakemake = Path(sys.executable).parent / "snakemake"
    result = subprocess.run([str(snakemake), "--lint", "--profile", "profiles/quick"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0 and "Congratulations" in result.stdout + result.stderr, result.stdout[-3000:]
