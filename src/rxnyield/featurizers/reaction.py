"""Reaction-level encodings that need no chemistry beyond identity or substructure hashing.

* `one_hot`: which reactant-side molecules a reaction uses (Ahneman et al.'s one-hot baseline). Written
  as a multi-hot vector over the dataset's molecules, so it describes the reactant *set*.
* `drfp`: the differential reaction fingerprint of Probst, Schwaller & Reymond (Digital Discovery 2022),
  computed by the `drfp` package from the reaction SMILES (its shingles form a set: order-free too).
* `ecfp`: Morgan bit vectors of every molecule of a reaction, summed (a sum is order-free): the human view
  of UAM's released code.
"""

from __future__ import annotations

from functools import cache

import numpy as np


def one_hot(reactant_pairs: np.ndarray, n_reactions: int, n_molecules: int) -> np.ndarray:
    """(n_reactions, n_molecules) 0/1 matrix; columns of molecules used by no reaction are dropped."""
    encoded = np.zeros((n_reactions, n_molecules))
    encoded[reactant_pairs[:, 0], reactant_pairs[:, 1]] = 1.0
    return encoded[:, encoded.any(axis=0)]


def drfp(reaction_smiles: list[str], bits: int = 2048, radius: int = 3) -> np.ndarray:
    """DRFP bit vectors (folded to `bits`) of reaction SMILES `reactants>>product`.

    The same bits as `DrfpEncoder.encode(..., rings=True)`, which shingles every molecule of every reaction
    again: an HTE set reuses ~60 molecules in thousands of reactions, so each molecule's shingles are
    computed once here (drfp's own `shingling_from_mol`, `hash` and `fold`), ~50x faster on BH.
    """
    from drfp import DrfpEncoder
    from rdkit import Chem

    @cache
    def shingles(smiles: str) -> frozenset:
        molecule = Chem.MolFromSmiles(smiles)
        return frozenset(DrfpEncoder.shingling_from_mol(molecule, radius=radius, rings=True)) if molecule \
            else frozenset()  # drfp skips what RDKit cannot parse

    def side(molecules: str) -> set:
        return set().union(*(shingles(m) for m in molecules.split(".")))

    encoded = np.zeros((len(reaction_smiles), bits))
    for row, smiles in enumerate(reaction_smiles):
        reactants, agents, products = smiles.split(">")
        left = f"{reactants}.{agents}" if agents else reactants  # agents count as reactants, as in drfp
        difference = side(left).symmetric_difference(side(products))
        encoded[row] = DrfpEncoder.fold(DrfpEncoder.hash(list(difference)), length=bits)[0]
    return encoded


def ecfp(molecules: list[str], reactant_pairs: np.ndarray, product_index: np.ndarray, bits: int = 1024,
         radius: int = 2) -> np.ndarray:
    """(n_reactions, bits) per-bit counts: the Morgan bit vectors (ECFP4, `bits` long) of a reaction's
    reactants *and* product, summed. UAM's released human view (The-Real-JerryChen/reaction_yield_prediction,
    dataset/utils.py `get_ECFP`, summed over `reactants + products` in dataset/rxndataset.py `collate_fn`).
    RDKit's Morgan generator gives the same bits as the `GetMorganFingerprintAsBitVect` they call."""
    from rdkit import Chem
    from rdkit.Chem import rdFingerprintGenerator

    generator = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=bits)
    vectors = np.array([generator.GetFingerprintAsNumPy(Chem.MolFromSmiles(s)) for s in molecules], dtype=np.float64)
    summed = vectors[product_index].copy()
    np.add.at(summed, reactant_pairs[:, 0], vectors[reactant_pairs[:, 1]])
    return summed
