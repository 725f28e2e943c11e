"""Shared fixtures: the repository's config and small slices of the shipped data."""

from __future__ import annotations

from pathlib import Path

import pytest

from rxnyield.config import load_config
from rxnyield.data.reactions import ReactionSet, load_reactions

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def config() -> dict:
    return load_config(ROOT / "config" / "config.yaml")


@pytest.fixture(scope="session")
def bh(config) -> ReactionSet:
    return load_reactions("bh", config["datasets"]["bh"], ROOT)


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
