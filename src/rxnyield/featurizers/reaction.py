"""Reaction-level encodings that need no chemistry beyond identity or substructure hashing.

* `one_hot`: which reactant-side molecules a reaction uses (Ahneman et al.'s one-hot baseline). Written
  as a multi-hot vector over the dataset's molecules, so it describes the reactant *set*.
* `drfp`: the differential reaction fingerprint of Probst, Schwaller & Reymond (Digital Discovery 2022),
  computed by the `drfp` package from the reaction SMILES (its shingles form a set: order-free too).
"""

from __future__ import annotations

import numpy as np


def one_hot(reactant_pairs: np.ndarray, n_reactions: int, n_molecules: int) -> np.ndarray:
    """(n_reactions, n_molecules) 0/1 matrix; columns of molecules used by no reaction are dropped."""
    encoded = np.zeros((n_reactions, n_molecules))
    encoded[reactant_pairs[:, 0], reactant_pairs[:, 1]] = 1.0
    return encoded[:, encoded.any(axis=0)]


def drfp(reaction_smiles: list[str], bits: int = 2048, radius: int = 3) -> np.ndarray:
    """DRFP bit vectors (folded to `bits`) of reaction SMILES `reactants>>product`."""
    from drfp import DrfpEncoder

    return np.asarray(DrfpEncoder.encode(reaction_smiles, n_folded_length=bits, radius=radius, rings=True),
                      dtype=np.float64)
