"""Golden values: hand-derived from the fixed vocabularies in rxnyield.featurizers.graph.

Atom vector layout (43): element 0-17 (C=2, O=4, Na=13, other=17), degree 18-24, charge 25-28
(-1, 0, +1, other), hybridization 29-35 (S, SP, SP2, SP3, ...), aromatic 36, H count 37-41, ring 42.
"""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from rxnyield.data.reactions import split_molecules
from rxnyield.featurizers.bundle import featurize
from rxnyield.featurizers.descriptors import ahneman_dft, mordred2d, rdkit2d
from rxnyield.featurizers.graph import GraphFeaturizer
from rxnyield.featurizers.kwon import KwonFeaturizer, with_kwon_features
from rxnyield.featurizers.reaction import ecfp
from conftest import ROOT, OncePerMolecule, subset
from test_models import shuffled_reactants

featurize_graph = GraphFeaturizer()


def hot(vector) -> list[int]:
    return np.flatnonzero(vector).tolist()


def test_atom_features_of_ethanol():
    graph = featurize_graph("CCO")
    assert graph.atoms.shape == (3, 43)
    assert hot(graph.atoms[0]) == [2, 19, 26, 32, 40]  # CH3: C, degree 1, neutral, sp3, 3 H
    assert hot(graph.atoms[1]) == [2, 20, 26, 32, 39]  # CH2: degree 2, 2 H
    assert hot(graph.atoms[2]) == [4, 19, 26, 32, 38]  # OH: O, degree 1, sp3, 1 H


def test_aromatic_ring_atoms_and_bonds():
    graph = featurize_graph("c1ccccc1")
    assert hot(graph.atoms[0]) == [2, 20, 26, 31, 36, 38, 42]  # sp2, aromatic, 1 H, in ring
    assert graph.bonds.shape == (12, 7)  # 6 bonds, both directions
    assert graph.bonds[0].tolist() == [0, 0, 0, 1, 0, 1, 1]  # aromatic, conjugated, in ring


def test_ions_have_charges_and_no_edges():
    sodium, hydroxide = featurize_graph("[Na+]"), featurize_graph("[OH-]")
    assert hot(sodium.atoms[0]) == [13, 18, 27, 29, 37]
    assert hot(hydroxide.atoms[0]) == [4, 18, 25, 32, 38]
    assert sodium.edge_index.shape == (2, 0)


def test_edges_come_in_both_directions():
    graph = featurize_graph("CC=O")
    assert graph.edge_index.T.tolist() == [[0, 1], [1, 0], [1, 2], [2, 1]]
    assert graph.bonds[2].tolist() == [0, 1, 0, 0, 0, 0, 0]  # C=O double, not conjugated


def test_unparsable_smiles_is_refused():
    with pytest.raises(ValueError, match="cannot parse"):
        featurize_graph("C1CC")


def test_rdkit_descriptors_of_ethanol():
    table = rdkit2d(["CCO"])
    assert table.loc["CCO", "MolWt"] == pytest.approx(46.069, abs=1e-3)
    assert table.loc["CCO", "NumHDonors"] == 1
    assert table.loc["CCO", "TPSA"] == pytest.approx(20.23)
    assert np.isfinite(table.to_numpy()).all()


def test_mordred_descriptors_of_ethanol_and_an_ion():
    table = mordred2d(["CCO", "[Na+]"])
    assert table.shape == (2, 1613)
    assert table.loc["CCO", ["nHeavyAtom", "nC", "nO", "nHBDon"]].tolist() == [3, 2, 1, 1]
    assert table.loc["CCO", "MW"] == pytest.approx(46.0419, abs=1e-4)  # monoisotopic mass
    assert np.isfinite(table.to_numpy()).all()  # descriptors Mordred cannot compute for Na+ are 0


def test_a_mordred_row_depends_on_its_molecule_alone_so_the_tests_compute_each_once(bh):
    """What the tests' OncePerMolecule relies on: the table of a list of molecules is the rows of each molecule
    computed alone (an ion, a palladium complex and organics among them), in the list's order."""
    molecules = sorted({*bh.reactants[0], bh.products[0], "[Na+]"})
    whole = mordred2d(molecules)
    pd.testing.assert_frame_equal(pd.concat([mordred2d([m]) for m in molecules]), whole, check_exact=True)
    once = OncePerMolecule(mordred2d)
    pd.testing.assert_frame_equal(once(molecules[1:]), whole.iloc[1:], check_exact=True)
    pd.testing.assert_frame_equal(once(molecules[::-1] + molecules[:1]), whole.iloc[[*range(len(molecules))[::-1], 0]],
                                  check_exact=True)


def test_tilde_bonds_are_read_as_single_bonds():
    reactants, product = split_molecules("CC(=O)O~[Pd].CCO>>CC")
    assert reactants == ("CC(=O)O-[Pd]", "CCO") and product == "CC"


def test_dft_features_concatenate_component_rows_by_role(config):
    spec = config["datasets"]["bh"]
    table = pd.read_csv(ROOT / spec["reactions"]).head(3)
    features = ahneman_dft(table, spec["descriptor_tables"], ROOT)
    ligand = pd.read_csv(ROOT / spec["descriptor_tables"]["ligand"]).set_index("name")
    widths = [pd.read_csv(ROOT / p).shape[1] - 1 for p in spec["descriptor_tables"].values()]
    assert features.shape == (3, sum(widths)) == (3, 120)
    start = widths[0]
    np.testing.assert_array_equal(features[1, start:start + widths[1]], ligand.loc[table["ligand_name"][1]])


def test_bundle_holds_each_molecule_once_and_reactant_sets(bh, config):
    reactions = subset(bh, range(20))
    bundle = featurize(reactions, config["datasets"]["bh"], ROOT)
    assert len(set(bundle.molecules)) == len(bundle.molecules)
    first = {bundle.molecules[m] for r, m in bundle.reactant_pairs if r == 0}
    assert first == set(reactions.reactants[0]) and len(reactions.reactants[0]) == 6
    assert bundle.molecules[bundle.product_index[0]] == reactions.products[0]
    assert bundle.human["dft"].shape == (20, 120)
    assert bundle.human["mordred"].shape == (20, 2 * 1613)
    assert bundle.human["ecfp"].shape == (20, 1024)


BENZENE_BITS = [64, 389, 849]  # RDKit Morgan radius 2, 1024 bits (the same from GetMorganFingerprintAsBitVect)
BROMOBENZENE_BITS = [64, 175, 356, 389, 485, 607, 625, 726, 728, 849, 909]


def test_ecfp_sums_the_bits_of_reactants_and_product():
    """Reaction 0: benzene + bromobenzene >> benzene; reaction 1: bromobenzene >> benzene."""
    summed = ecfp(["Brc1ccccc1", "c1ccccc1"], np.array([[0, 1], [0, 0], [1, 0]]), np.array([1, 1]))
    assert hot(summed[1]) == BROMOBENZENE_BITS
    expected = np.zeros(1024)
    expected[BENZENE_BITS] += 2
    expected[BROMOBENZENE_BITS] += 1
    np.testing.assert_array_equal(summed[0], expected)
    assert summed[0, 64] == 3  # a bit of all three molecules counts three times


def test_reactant_order_changes_no_feature(bh, config):
    """Integer-valued sets exactly; the float descriptor sums (rdkit2d, mordred) up to summation order."""
    reactions = subset(bh, range(20))
    bundle = featurize(reactions, config["datasets"]["bh"], ROOT)
    shuffled = shuffled_reactants(reactions, 0)
    assert shuffled.reactants != reactions.reactants
    permuted = featurize(shuffled, config["datasets"]["bh"], ROOT)
    np.testing.assert_array_equal(permuted.human["ecfp"], bundle.human["ecfp"])
    for name, table in bundle.human.items():
        np.testing.assert_allclose(permuted.human[name], table, rtol=1e-12, atol=0, err_msg=name)


# Kwon et al.'s layout for the elements (C, N, O): element 0-2, charge +1/+2/-1 3-5 (0: none), degree 1-4 6-9
# (0: none), SP/SP2/SP3/SP3D/SP3D2 10-14 (S: none), 1-3 H 15-17, valence 1-6 18-23, donor 24, acceptor 25,
# aromatic 26, ring 27, ring of size 3-8 28-33, CW 34, CCW 35. Bonds: single/double/triple/aromatic 0-3, ring 4,
# conjugated 5, cis 6, trans 7.
kwon = KwonFeaturizer(("C", "N", "O"))


def test_kwon_atom_features_of_ethanol_and_pyridine():
    atoms, bonds = kwon.molecule("CCO")
    assert atoms.shape == (3, 36) and bonds.shape == (2, 8)
    assert [hot(a) for a in atoms] == [[0, 6, 12, 17, 21],  # CH3: degree 1, sp3, 3 H, valence 4
                                       [0, 7, 12, 16, 21],  # CH2: degree 2, 2 H
                                       [2, 6, 12, 15, 19, 24, 25]]  # OH: 1 H, valence 2, donor and acceptor
    atoms, bonds = kwon.molecule("c1ccncc1")
    assert hot(atoms[0]) == [0, 7, 11, 15, 21, 26, 27, 31]  # aromatic CH in a 6-ring
    assert hot(atoms[3]) == [1, 7, 11, 20, 25, 26, 27, 31]  # N: no H, valence 3, acceptor
    assert hot(bonds[0]) == [3, 4, 5]


def test_kwon_features_read_specified_stereo_and_ring_sizes():
    assert hot(kwon.molecule("C[C@H](N)O")[0][1])[-1] == 35  # counter-clockwise
    assert hot(kwon.molecule("C[C@@H](N)O")[0][1])[-1] == 34
    assert hot(kwon.molecule("CC(N)O")[0][1]) == [0, 8, 12, 15, 21]  # unspecified: neither
    assert hot(kwon.molecule("C/C=C/C")[1][1]) == [1, 7]  # trans
    assert hot(kwon.molecule("C/C=C\\C")[1][1]) == [1, 6]  # cis
    assert hot(kwon.molecule("C1CC1")[0][0]) == [0, 7, 12, 16, 21, 27, 28]


def test_kwon_features_refuse_what_their_lists_lack():
    with pytest.raises(ValueError, match="CCS: element 'S'"):
        kwon.molecule("CCS")
    with pytest.raises(ValueError, match=r"\[NH4\+\]: hydrogen count 4"):
        KwonFeaturizer(("N",)).molecule("[NH4+]")


def test_kwon_features_replace_a_bundles_rows_on_the_same_graphs(bh, config):
    bundle = featurize(subset(bh, range(40)), config["datasets"]["bh"], ROOT)
    kwon_bundle = with_kwon_features(bundle)
    featurizer = KwonFeaturizer.for_molecules(bundle.molecules)
    assert featurizer.elements == ("C", "N", "O", "F", "P", "S", "Cl", "Br", "Pd", "I")  # Kwon's BH list
    assert kwon_bundle.atoms.shape == (len(bundle.atoms), featurizer.atom_size)
    assert kwon_bundle.bonds.shape == (len(bundle.bonds), 8)
    np.testing.assert_array_equal(kwon_bundle.edge_index, bundle.edge_index)
    np.testing.assert_array_equal(kwon_bundle.bonds[:, :4], bundle.bonds[:, :4])
    with pytest.raises(ValueError, match="do not align"):
        with_kwon_features(replace(bundle, bonds=bundle.bonds[::-1]))
