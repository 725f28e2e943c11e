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


def test_the_workflow_plans_without_the_numeric_packages():
    """What the Snakefile imports must not need scipy, torch, matplotlib, scikit-learn, RDKit or XGBoost: under
    `showyourwork build` they are not installed in Snakemake's environment, and each Snakemake start would pay
    for them (the report catalog once imported scipy through the aggregate module)."""
    check = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("scipy", "torch", "matplotlib", "sklearn", "rdkit", "xgboost", "transformers"):
            raise ImportError("blocked " + name)
sys.meta_path.insert(0, Block())
from rxnyield.config import load_config, runs
from rxnyield.provenance import train_provenance
from rxnyield.report.catalog import PRODUCTS
import rxnyield.cache
config = load_config("config/config.yaml", "config/quick.yaml")
assert all(product.outputs(config) for product in PRODUCTS)
train_provenance(config, *runs(config)[0])
"""
    result = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
