"""Shared fixtures: the repository's config and small slices of the shipped data."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rxnyield.config import load_config, profile_config_files
from rxnyield.data.reactions import ReactionSet, load_reactions
from rxnyield.data.validate import MANIFEST_NAME, sha256
from rxnyield.featurizers import descriptors
from rxnyield.provenance import machine_cpu_class

ROOT = Path(__file__).resolve().parents[1]
# The profile the end-to-end test builds twice, from scratch and from its committed run cache.
END_TO_END_PROFILE = "quick"


class OncePerMolecule:
    """A molecule descriptor function that computes each molecule's row once: rows of such a function depend on
    their molecule alone (test_featurizers checks it for Mordred), and many tests featurize the same BH molecules,
    where Mordred's 1613 descriptors take ~0.3 s a molecule and most of such a test's time."""

    def __init__(self, describe):
        self.describe = describe
        self.rows: dict[str, pd.DataFrame] = {}

    def __call__(self, smiles_list: list[str]) -> pd.DataFrame:
        missing = [smiles for smiles in dict.fromkeys(smiles_list) if smiles not in self.rows]
        if missing:
            table = self.describe(missing)
            self.rows.update((smiles, table.loc[[smiles]]) for smiles in missing)
        return pd.concat([self.rows[smiles] for smiles in smiles_list])


@pytest.fixture(scope="session", autouse=True)
def mordred_once_per_molecule():
    """Featurization in the tests' own process computes Mordred's descriptors once per molecule and session."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(descriptors.MOLECULE_DESCRIPTORS, "mordred", OncePerMolecule(descriptors.mordred2d))
        yield


@pytest.fixture(scope="session")
def config() -> dict:
    return load_config(ROOT / "config" / "config.yaml")


@pytest.fixture(scope="session")
def quick() -> dict:
    """The resolved config of the quick profile (the base config with its overrides)."""
    return load_config(*(ROOT / name for name in profile_config_files("quick")))


@pytest.fixture(scope="session")
def bh(config) -> ReactionSet:
    return load_reactions("bh", config["datasets"]["bh"], ROOT)


@pytest.fixture
def data(tmp_path):
    """A private copy of src/data under tmp_path (the repository's own copy is never touched)."""
    shutil.copytree(ROOT / "src" / "data", tmp_path / "src" / "data")
    return tmp_path


def reseal(root):
    """Rewrite the manifest so that only the deliberate breakage is left to find."""
    data_dir = root / "src" / "data"
    lines = []
    for line in (data_dir / MANIFEST_NAME).read_text().splitlines():
        name = line.split("  ", 1)[1]
        lines.append(f"{sha256(data_dir / name)}  {name}")
    (data_dir / MANIFEST_NAME).write_text("\n".join(lines) + "\n")


def subset(reactions: ReactionSet, rows) -> ReactionSet:
    """The given rows of a reaction set, as a reaction set of its own."""
    rows = list(rows)
    return ReactionSet(
        name=reactions.name,
        ids=reactions.ids[rows],
        yields=reactions.yields[rows],
        reactants=tuple(reactions.reactants[r] for r in rows),
        products=tuple(reactions.products[r] for r in rows),
        table=reactions.table.iloc[rows].reset_index(drop=True),
    )


def astuple(prediction) -> tuple:
    """(mean, σ) of a model's `Prediction`."""
    return prediction.mean, prediction.sigma


# The CPU class (rxnyield.provenance.cpu_class) the files in tests/golden/ were frozen on (AMD EPYC, AVX-512). On an
# Intel Xeon the tiny MPNN and UAM train to other predictions (up to 21 yield points, 2026-12-01): a file frozen on
# another class, where its predictions differ, lives in tests/golden/<class>/ (`golden_dir`).
GOLDEN_CPU_CLASS = "avx512"
GOLDEN = ROOT / "tests" / "golden"


def golden_dir(cpu_class: str) -> Path:
    """Where the frozen files of a CPU class live: tests/golden/ for GOLDEN_CPU_CLASS, else a subdirectory named
    after the class (`avx512 (GenuineIntel)` → `avx512-genuineintel`)."""
    if cpu_class == GOLDEN_CPU_CLASS:
        return GOLDEN
    return GOLDEN / re.sub(r"[^a-z0-9]+", "-", cpu_class.lower()).strip("-")


def assert_matches_golden(model, bundle, idx, golden_name: str) -> None:
    """A fixed tiny model's predictions of reactions `idx`, against the file frozen in tests/golden/ for this
    machine's CPU class (else the one of GOLDEN_CPU_CLASS, skipped where it differs: other kernels, other training
    trajectory); regenerate with UPDATE_GOLDEN=1 only for an intended change, on each class that has a file."""
    mean, sigma = astuple(model.predict(bundle, idx))
    frame = pd.DataFrame({"reaction_id": bundle.ids[idx], "y_pred": mean,
                          "y_sigma": np.nan if sigma is None else sigma})  # NaN: a model without σ
    here = machine_cpu_class()
    own = golden_dir(here) / golden_name
    if os.environ.get("UPDATE_GOLDEN"):
        own.parent.mkdir(exist_ok=True)
        frame.to_csv(own, index=False, float_format="%.10g")
    golden = own if own.exists() else GOLDEN / golden_name
    expected = pd.read_csv(golden)
    np.testing.assert_array_equal(frame["reaction_id"], expected["reaction_id"])
    try:
        np.testing.assert_allclose(frame["y_pred"], expected["y_pred"], rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(frame["y_sigma"], expected["y_sigma"], rtol=1e-6, atol=1e-6)
    except AssertionError:
        if golden != own:  # frozen on another class only
            pytest.skip(f"{golden_name} was frozen on CPU class {GOLDEN_CPU_CLASS!r}, this one is {here!r}: "
                        f"UPDATE_GOLDEN=1 freezes it in {own.parent.relative_to(ROOT)}/")
        raise
