"""Reaction tables and split orders as the rest of the package sees them.

A reaction is a *set* of reactant-side molecules plus one product. The shipped reaction SMILES write
the Pd precatalyst / Pd(OAc)2 with the SMARTS "any" bond `~`; like Kwon et al. and the UAM code we read
it as a single bond, so that every molecule is an ordinary RDKit molecule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


def normalize_smiles(smiles: str) -> str:
    """The form of a molecule's SMILES used for featurization (`~` read as a single bond)."""
    return smiles.replace("~", "-")


def split_molecules(rxn_smiles: str) -> tuple[tuple[str, ...], str]:
    """Reactant-side molecules (reactants, reagents, catalysts, solvents) and the product of a reaction."""
    left, _, product = rxn_smiles.partition(">>")
    reactants = tuple(normalize_smiles(m) for m in left.split(".") if m)
    return reactants, normalize_smiles(product)


@dataclass(frozen=True)
class ReactionSet:
    """All reactions of one dataset, in file order; `ids` are the dataset's own reaction ids."""

    name: str
    ids: np.ndarray
    yields: np.ndarray
    reactants: tuple[tuple[str, ...], ...]
    products: tuple[str, ...]
    table: pd.DataFrame

    def __len__(self) -> int:
        return len(self.ids)

    def positions(self, ids) -> np.ndarray:
        """Row positions of the given reaction ids."""
        lookup = pd.Series(np.arange(len(self.ids)), index=self.ids)
        return lookup.loc[np.asarray(ids)].to_numpy()


def load_reactions(name: str, spec: dict, root: Path = Path(".")) -> ReactionSet:
    """Read a dataset's reaction CSV (validated beforehand by `rxnyield.data.validate`)."""
    return reactions_from_table(name, pd.read_csv(root / spec["reactions"]), spec)


def reactions_from_table(name: str, table: pd.DataFrame, spec: dict) -> ReactionSet:
    """A reaction set from a table with the dataset's columns (a yield of NaN: not measured)."""
    parsed = [split_molecules(s) for s in table["rxn_smiles"]]
    return ReactionSet(
        name=name,
        ids=table[spec["id_column"]].to_numpy(dtype=np.int64),
        yields=table["yield_pct"].to_numpy(dtype=np.float64),
        reactants=tuple(r for r, _ in parsed),
        products=tuple(p for _, p in parsed),
        table=table,
    )


def load_split(spec: dict, split: str, reactions: ReactionSet, root: Path = Path(".")) -> tuple[np.ndarray, np.ndarray]:
    """Row positions (into `reactions`) of the training and test sets of one shipped split, in split order.

    The training order matters: reduced-data experiments take its first rows.
    """
    orders = pd.read_csv(root / spec["split_orders"])
    rows = orders[orders["split"] == split].sort_values("position")
    if rows.empty:
        raise KeyError(f"{spec['split_orders']}: no split named {split!r}")
    id_column = spec["id_column"]
    train = reactions.positions(rows.loc[rows["subset"] == "train", id_column])
    test = reactions.positions(rows.loc[rows["subset"] == "test", id_column])
    return train, test
