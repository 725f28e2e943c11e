"""RDKit molecular graphs: small, fixed (data-independent) atom and bond feature sets.

The vocabularies are fixed lists rather than learnt from the data, so a feature vector means the same
thing in every dataset and the golden values in the tests stay valid. Values outside a list fall into
its last ("other") slot.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from rdkit import Chem

ELEMENTS = ("H", "B", "C", "N", "O", "F", "Si", "P", "S", "Cl", "Br", "I", "Li", "Na", "K", "Cs", "Pd")
HYBRIDIZATIONS = (
    Chem.HybridizationType.S,
    Chem.HybridizationType.SP,
    Chem.HybridizationType.SP2,
    Chem.HybridizationType.SP3,
    Chem.HybridizationType.SP3D,
    Chem.HybridizationType.SP3D2,
)
BOND_TYPES = (Chem.BondType.SINGLE, Chem.BondType.DOUBLE, Chem.BondType.TRIPLE, Chem.BondType.AROMATIC)


def one_hot(value, choices) -> list[float]:
    """One-hot over `choices` plus a final slot for anything else."""
    vector = [0.0] * (len(choices) + 1)
    vector[choices.index(value) if value in choices else len(choices)] = 1.0
    return vector


@dataclass(frozen=True)
class AtomFeaturizer:
    """Element, heavy-atom degree, formal charge, hybridization, aromaticity, attached H count, ring membership."""

    elements: tuple[str, ...] = ELEMENTS
    degrees: tuple[int, ...] = (0, 1, 2, 3, 4, 5)
    charges: tuple[int, ...] = (-1, 0, 1)
    hydrogens: tuple[int, ...] = (0, 1, 2, 3)

    @property
    def size(self) -> int:
        return (len(self.elements) + 1 + len(self.degrees) + 1 + len(self.charges) + 1
                + len(HYBRIDIZATIONS) + 1 + 1 + len(self.hydrogens) + 1 + 1)

    def __call__(self, atom: Chem.Atom) -> list[float]:
        return (one_hot(atom.GetSymbol(), self.elements)
                + one_hot(atom.GetDegree(), self.degrees)
                + one_hot(atom.GetFormalCharge(), self.charges)
                + one_hot(atom.GetHybridization(), HYBRIDIZATIONS)
                + [float(atom.GetIsAromatic())]
                + one_hot(atom.GetTotalNumHs(), self.hydrogens)
                + [float(atom.IsInRing())])


@dataclass(frozen=True)
class BondFeaturizer:
    """Bond order, conjugation and ring membership."""

    @property
    def size(self) -> int:
        return len(BOND_TYPES) + 1 + 2

    def __call__(self, bond: Chem.Bond) -> list[float]:
        return one_hot(bond.GetBondType(), BOND_TYPES) + [float(bond.GetIsConjugated()), float(bond.IsInRing())]


@dataclass(frozen=True)
class MolGraph:
    """Heavy-atom graph of one molecule; every bond appears as two directed edges."""

    atoms: np.ndarray       # (n_atoms, atom features), float32
    edge_index: np.ndarray  # (2, n_edges), int64: source, target
    bonds: np.ndarray       # (n_edges, bond features), float32


@dataclass(frozen=True)
class GraphFeaturizer:
    atom: AtomFeaturizer = field(default_factory=AtomFeaturizer)
    bond: BondFeaturizer = field(default_factory=BondFeaturizer)

    def __call__(self, smiles: str) -> MolGraph:
        mol = Chem.MolFromSmiles(smiles)
        if mol is None:
            raise ValueError(f"RDKit cannot parse SMILES {smiles!r}")
        atoms = np.array([self.atom(a) for a in mol.GetAtoms()], dtype=np.float32)
        sources, targets, bonds = [], [], []
        for bond in mol.GetBonds():
            begin, end, features = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx(), self.bond(bond)
            sources += [begin, end]
            targets += [end, begin]
            bonds += [features, features]
        edge_index = np.array([sources, targets], dtype=np.int64).reshape(2, -1)
        bond_array = np.array(bonds, dtype=np.float32).reshape(-1, self.bond.size)
        return MolGraph(atoms=atoms, edge_index=edge_index, bonds=bond_array)
