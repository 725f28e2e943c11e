"""Departures measured outside the build (benchmarks/outside_build.py): the authors' OGB atom and bond codes, and the
patches that switch a departure into the pipeline's own training job."""
import sys
from dataclasses import replace

import numpy as np
import pytest
from rdkit import Chem

import rxnyield.job
from conftest import ROOT, subset
from rxnyield.featurizers.bundle import featurize
from rxnyield.featurizers.graph import ELEMENTS
from rxnyield.models import torch_trainer

sys.path.insert(0, str(ROOT / "benchmarks"))
import uam_atom_features as atom_features  # noqa: E402
import uam_schedule  # noqa: E402


def test_ogb_codes_of_the_molecule_ogb_documents():
    """OGB's own example (ogb/utils/features.py): the chiral carbon and the E double bond of Cl[C@H](/C=C/C)Br."""
    mol = Chem.MolFromSmiles("Cl[C@H](/C=C/C)Br")
    assert atom_features.atom_codes(mol.GetAtomWithIdx(1)) == [5, 2, 4, 5, 1, 0, 2, 0, 0]
    assert atom_features.bond_codes(mol.GetBondWithIdx(2)) == [1, 2, 0]
    assert atom_features.atom_codes(Chem.MolFromSmiles("[Pd]").GetAtomWithIdx(0))[0] == 45  # Z - 1


def test_a_value_outside_ogbs_lists_takes_the_misc_slot_where_there_is_one():
    assert atom_features.code(11, atom_features.DEGREES) == 11
    assert atom_features.code("S", atom_features.HYBRIDIZATIONS) == 5  # RDKit's S hybridization: misc
    with pytest.raises(ValueError, match="STEREOATROPCW"):
        atom_features.code("STEREOATROPCW", atom_features.BOND_STEREO)


@pytest.fixture(scope="module")
def bundle(bh, config):
    return featurize(subset(bh, range(40)), config["datasets"]["bh"], ROOT)


def test_the_authors_codes_replace_a_bundles_rows_on_the_same_graphs(bundle):
    authors = atom_features.with_authors_features(bundle)
    assert authors.atoms.shape == (len(bundle.atoms), 9) and authors.bonds.shape == (len(bundle.bonds), 3)
    np.testing.assert_array_equal(authors.edge_index, bundle.edge_index)
    np.testing.assert_array_equal(authors.atoms, np.round(authors.atoms))  # integer codes, fed as floats
    # element codes are atomic numbers - 1, in the repository's element one-hot order
    elements = np.array(atom_features.ATOMIC_NUMBERS[:-1])[authors.atoms[:, 0].astype(int)]
    symbols = [Chem.GetPeriodicTable().GetElementSymbol(int(z)) for z in elements]

    assert symbols == [ELEMENTS[i] for i in np.argmax(bundle.atoms[:, :len(ELEMENTS)], axis=1)]
    with pytest.raises(ValueError, match="do not align"):
        atom_features.with_authors_features(replace(bundle, bonds=bundle.bonds[::-1]))


def test_each_departure_is_patched_into_the_training_job_only_inside_its_context(bundle, tmp_path):
    path = tmp_path / "features.npz"
    bundle.save(path)
    with atom_features.features_of("authors"):
        assert rxnyield.job.FeatureBundle.load(path).atoms.shape[1] == 9
    assert rxnyield.job.FeatureBundle.load(path).atoms.shape[1] == bundle.atoms.shape[1]
    with atom_features.features_of("pipeline"):
        assert rxnyield.job.FeatureBundle.load(path).atoms.shape[1] == bundle.atoms.shape[1]
    with uam_schedule.schedule_of("batch"):
        assert torch_trainer.TrainingSettings is uam_schedule.PerBatchSchedule
    with uam_schedule.schedule_of("epoch"):
        assert torch_trainer.TrainingSettings is not uam_schedule.PerBatchSchedule
