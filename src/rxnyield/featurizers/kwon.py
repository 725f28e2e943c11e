"""Kwon et al.'s atom and bond features (seokhokang/reaction_yield_nn, `data/get_data.py`), for their MPNN.

Read from their code (not copied): per heavy atom, the element (one slot per element of the dataset: their
lists are per dataset and in atomic-number order), formal charge, heavy-atom degree, hybridization, hydrogen
count (neighbours included), total valence, H-bond donor and acceptor (RDKit's BaseFeatures.fdef), aromatic,
in a ring, in a ring of each size 3-8, and CW/CCW tetrahedral chirality where the SMILES specifies it; per
bond, its type, in a ring, conjugated, and cis/trans where specified. Every one-hot but the element's and
the bond type's drops its last category (which reads as all zeros), as theirs does; a value outside their
lists stops featurization with the molecule named (theirs raises there too).

The graph itself (atoms, bonds, their order) is the repository's (`rxnyield.featurizers.graph`): only the
feature rows differ, so a bundle's graphs can be given these features without re-featurizing the dataset.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
from rdkit import Chem, RDConfig
from rdkit.Chem import ChemicalFeatures

CHARGES = (1, 2, -1, 0)
DEGREES = (1, 2, 3, 4, 0)
HYBRIDIZATIONS = ("SP", "SP2", "SP3", "SP3D", "SP3D2", "S")
HYDROGENS = (1, 2, 3, 0)
VALENCES = (1, 2, 3, 4, 5, 6, 0)
RING_SIZES = (3, 4, 5, 6, 7, 8)
BOND_TYPES = ("SINGLE", "DOUBLE", "TRIPLE", "AROMATIC")


def listed(value, choices: tuple, what: str, smiles: str, drop_last: bool = True) -> list[float]:
    """One-hot of `value` over `choices`, without the last slot where `drop_last`."""
    if value not in choices:
        raise ValueError(f"{smiles}: {what} {value!r} is not one of Kwon et al.'s {list(choices)}")
    vector = [0.0] * len(choices)
    vector[choices.index(value)] = 1.0
    return vector[:-1] if drop_last else vector


def specified_stereo(mol: Chem.Mol) -> tuple[dict[int, str], dict[int, str]]:
    """(atom index → Tet_CW/Tet_CCW, bond index → Bond_Cis/Bond_Trans) of the stereo the SMILES specifies."""
    atoms, bonds = {}, {}
    for element in Chem.FindPotentialStereo(mol):
        if str(element.specified) != "Specified":
            continue
        if str(element.type) == "Atom_Tetrahedral":
            atoms[element.centeredOn] = str(element.descriptor)
        elif str(element.type) == "Bond_Double":
            bonds[element.centeredOn] = str(element.descriptor)
    return atoms, bonds


@dataclass(frozen=True)
class KwonFeaturizer:
    elements: tuple[str, ...]  # the dataset's elements, in atomic-number order

    @classmethod
    def for_molecules(cls, molecules) -> "KwonFeaturizer":
        """With the elements of these molecules, as Kwon et al. list a dataset's."""
        numbers = {atom.GetSymbol(): atom.GetAtomicNum() for smiles in molecules
                   for atom in Chem.MolFromSmiles(smiles).GetAtoms()}
        return cls(tuple(sorted(numbers, key=numbers.get)))

    @cached_property
    def chemical_features(self):
        return ChemicalFeatures.BuildFeatureFactory(os.path.join(RDConfig.RDDataDir, "BaseFeatures.fdef"))

    @property
    def atom_size(self) -> int:
        return (len(self.elements) + len(CHARGES) + len(DEGREES) + len(HYBRIDIZATIONS) + len(HYDROGENS)
                + len(VALENCES) - 5 + 2 + 2 + len(RING_SIZES) + 2)

    bond_size = len(BOND_TYPES) + 2 + 2

    def molecule(self, smiles: str) -> tuple[np.ndarray, np.ndarray]:
        """(atom rows, bond rows) of one molecule, atoms and bonds in RDKit's order."""
        mol = Chem.MolFromSmiles(smiles)
        if mol is None:
            raise ValueError(f"RDKit cannot parse SMILES {smiles!r}")
        chirality, stereo = specified_stereo(mol)
        donors, acceptors = set(), set()
        for feature in self.chemical_features.GetFeaturesForMol(mol):
            if feature.GetFamily() == "Donor":
                donors.add(feature.GetAtomIds()[0])
            elif feature.GetFamily() == "Acceptor":
                acceptors.add(feature.GetAtomIds()[0])
        atoms = [listed(a.GetSymbol(), self.elements, "element", smiles, drop_last=False)
                 + listed(a.GetFormalCharge(), CHARGES, "formal charge", smiles)
                 + listed(a.GetDegree(), DEGREES, "degree", smiles)
                 + listed(str(a.GetHybridization()), HYBRIDIZATIONS, "hybridization", smiles)
                 + listed(a.GetTotalNumHs(includeNeighbors=True), HYDROGENS, "hydrogen count", smiles)
                 + listed(a.GetTotalValence(), VALENCES, "valence", smiles)
                 + [float(a.GetIdx() in donors), float(a.GetIdx() in acceptors)]
                 + [float(a.GetIsAromatic()), float(a.IsInRing())]
                 + [float(a.IsInRingSize(size)) for size in RING_SIZES]
                 + [float(chirality.get(a.GetIdx()) == "Tet_CW"), float(chirality.get(a.GetIdx()) == "Tet_CCW")]
                 for a in mol.GetAtoms()]
        bonds = [listed(str(b.GetBondType()), BOND_TYPES, "bond type", smiles, drop_last=False)
                 + [float(b.IsInRing()), float(b.GetIsConjugated())]
                 + [float(stereo.get(b.GetIdx()) == "Bond_Cis"), float(stereo.get(b.GetIdx()) == "Bond_Trans")]
                 for b in mol.GetBonds()]
        return (np.array(atoms, dtype=np.float32).reshape(-1, self.atom_size),
                np.array(bonds, dtype=np.float32).reshape(-1, self.bond_size))


def with_kwon_features(bundle):
    """The bundle with Kwon et al.'s atom and bond rows in place of the repository's, on the same graphs (each
    bond's row for both of its directed edges, as `GraphFeaturizer` orders them)."""
    featurizer = KwonFeaturizer.for_molecules(bundle.molecules)
    atoms, bonds = [], []
    for smiles in bundle.molecules:
        atom_rows, bond_rows = featurizer.molecule(str(smiles))
        atoms.append(atom_rows)
        bonds.append(np.repeat(bond_rows, 2, axis=0))
    atoms, bonds = np.concatenate(atoms), np.concatenate(bonds).reshape(-1, featurizer.bond_size)
    # Both bond featurizers start with the one-hot of single, double, triple, aromatic: the rows must align.
    if (len(atoms) != len(bundle.atoms) or len(bonds) != len(bundle.bonds)
            or not np.array_equal(bonds[:, :len(BOND_TYPES)], bundle.bonds[:, :len(BOND_TYPES)])):
        raise ValueError(f"Kwon et al.'s graphs ({len(atoms)} atoms, {len(bonds)} directed bonds) do not align "
                         f"with the bundle's ({len(bundle.atoms)}, {len(bundle.bonds)})")
    return replace(bundle, atoms=atoms, bonds=bonds)
