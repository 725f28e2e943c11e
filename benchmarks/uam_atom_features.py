"""UAM with its authors' atom and bond features, which the pipeline cannot switch without re-training every cached UAM
and MPNN run (the graph features sit in code both are keyed by).

The authors' dataset/utils.py builds each molecule's graph with OGB's `atom_to_feature_vector` and
`bond_to_feature_vector` (the `ogb` package, snap-stanford/ogb `ogb/utils/features.py`): nine integer codes per atom
(atomic number, chiral tag, total degree, formal charge, total hydrogens, radical electrons, hybridization, aromatic,
in a ring) and three per bond (type, stereo, conjugated), each the index of the value in OGB's list (its last, "misc",
slot for a value outside it). Their MolEncoder casts the codes to floats and feeds them to its first linear layer as
they are: no one-hot, no embedding. The pipeline's UAM reads the repository's one-hot atom and bond features
(`rxnyield.featurizers.graph`).

This script trains a paper-profile UAM entry with the bundle's atom and bond rows replaced by those codes, on the same
graphs (`--features authors`), or with the pipeline's own rows on this machine (`--features pipeline`, a
same-machine reference); the runs go to `src/data/measured/uam_atom_features.json` (benchmarks/outside_build.py).
The graph view alone (`uam_graph_view_only`) isolates the features; `uam` is the released form. E.g.
    .venv/bin/python benchmarks/uam_atom_features.py --model uam_graph_view_only --splits FullCV_01 FullCV_02
"""

from dataclasses import replace
from pathlib import Path
from unittest import mock

import numpy as np
from rdkit import Chem

import rxnyield.job
from outside_build import arguments, measure, unchanged
from rxnyield.featurizers.bundle import FeatureBundle

OUT = Path("src/data/measured/uam_atom_features.json")
FEATURES = ("authors", "pipeline")

# OGB's lists of allowed values (ogb/utils/features.py, `allowable_features`); a code is an index into one. Where a
# list ends in MISC, a value outside it takes that last index; the others must hold the value.
MISC = "misc"
ATOMIC_NUMBERS = (*range(1, 119), MISC)
CHIRAL_TAGS = ("CHI_UNSPECIFIED", "CHI_TETRAHEDRAL_CW", "CHI_TETRAHEDRAL_CCW", "CHI_OTHER", MISC)
DEGREES = (*range(11), MISC)
FORMAL_CHARGES = (*range(-5, 6), MISC)
HYDROGENS = (*range(9), MISC)
RADICAL_ELECTRONS = (*range(5), MISC)
HYBRIDIZATIONS = ("SP", "SP2", "SP3", "SP3D", "SP3D2", MISC)
FLAGS = (False, True)
BOND_TYPES = ("SINGLE", "DOUBLE", "TRIPLE", "AROMATIC", MISC)
BOND_STEREO = ("STEREONONE", "STEREOZ", "STEREOE", "STEREOCIS", "STEREOTRANS", "STEREOANY")


def code(value, allowed: tuple) -> int:
    """The index of `value` in `allowed`, or of its last ("misc") slot; a list without one must hold the value."""
    if value in allowed:
        return allowed.index(value)
    if allowed[-1] != MISC:
        raise ValueError(f"{value!r} is none of OGB's {list(allowed)}")
    return len(allowed) - 1


def atom_codes(atom: Chem.Atom) -> list[int]:
    return [code(atom.GetAtomicNum(), ATOMIC_NUMBERS), code(str(atom.GetChiralTag()), CHIRAL_TAGS),
            code(atom.GetTotalDegree(), DEGREES), code(atom.GetFormalCharge(), FORMAL_CHARGES),
            code(atom.GetTotalNumHs(), HYDROGENS), code(atom.GetNumRadicalElectrons(), RADICAL_ELECTRONS),
            code(str(atom.GetHybridization()), HYBRIDIZATIONS), code(atom.GetIsAromatic(), FLAGS),
            code(atom.IsInRing(), FLAGS)]


def bond_codes(bond: Chem.Bond) -> list[int]:
    return [code(str(bond.GetBondType()), BOND_TYPES), code(str(bond.GetStereo()), BOND_STEREO),
            code(bond.GetIsConjugated(), FLAGS)]


def with_authors_features(bundle: FeatureBundle) -> FeatureBundle:
    """The bundle with OGB's codes, as floats, in place of its atom and bond rows, on the same graphs (each bond's
    codes for both of its directed edges, as `GraphFeaturizer` orders them)."""
    atoms, bonds = [], []
    for smiles in bundle.molecules:
        mol = Chem.MolFromSmiles(str(smiles))
        atoms += [atom_codes(atom) for atom in mol.GetAtoms()]
        bonds += [codes for bond in mol.GetBonds() for codes in (bond_codes(bond),) * 2]
    atoms = np.array(atoms, dtype=np.float32).reshape(-1, 9)
    bonds = np.array(bonds, dtype=np.float32).reshape(-1, 3)
    # The repository's bond rows start with the one-hot of single, double, triple, aromatic: OGB's first four types.
    if (len(atoms) != len(bundle.atoms) or len(bonds) != len(bundle.bonds)
            or not np.array_equal(bonds[:, 0], np.argmax(bundle.bonds[:, :4], axis=1))):
        raise ValueError(f"OGB's graphs ({len(atoms)} atoms, {len(bonds)} directed bonds) do not align with the "
                         f"bundle's ({len(bundle.atoms)}, {len(bundle.bonds)})")
    return replace(bundle, atoms=atoms, bonds=bonds)


class WithAuthorsFeatures:
    """Stands in for `FeatureBundle` where the training job loads its features."""

    @staticmethod
    def load(path: Path) -> FeatureBundle:
        return with_authors_features(FeatureBundle.load(path))


def features_of(kind: str):
    """The pipeline's atom and bond features (`pipeline`), or the authors' OGB codes (`authors`)."""
    return unchanged() if kind == "pipeline" else mock.patch.object(rxnyield.job, "FeatureBundle", WithAuthorsFeatures)


if __name__ == "__main__":
    measure(arguments(__doc__.splitlines()[0], OUT, "features", FEATURES, "authors",
                      "authors: OGB's integer codes (default); pipeline: the repository's features, trained here"),
            "features", features_of)
