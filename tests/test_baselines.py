"""Issue-4 baselines: one-hot, DRFP and random-descriptor features; forest column handling; MC dropout;
YieldGNN and Yield-BERT (invariance, overfit, pretrained weights really loaded)."""

import numpy as np
import pandas as pd
import pytest
import torch

from rxnyield.data.reactions import split_molecules
from rxnyield.featurizers.bundle import featurize
from rxnyield.featurizers.descriptors import ahneman_dft
from rxnyield.featurizers.reaction import drfp, one_hot
from rxnyield.featurizers.smiles import reaction_sequence
from rxnyield.models import REGISTRY, build_model
from rxnyield.models.yieldbert import BertVocabulary, pretrained_bert_dir
from rxnyield.stats import regression_metrics
from conftest import ROOT, assert_matches_golden, astuple, subset
from test_models import SEEDS, shuffled_reactants

TINY_YIELDGNN = {"type": "yieldgnn", "label": "tiny", "features": "dft", "hidden": 32, "steps": 2,
                 "feature_out": 8, "head_hidden": 64, "dropout": 0.0, "epochs": 300, "batch_size": 16,
                 "lr": 0.003, "weight_decay": 0.0}


@pytest.fixture(scope="module")
def small(bh):
    return subset(bh, range(0, 3955, 49)[:80])


@pytest.fixture(scope="module")
def small_bundle(small, config):
    return featurize(small, config["datasets"]["bh"], ROOT)


def test_one_hot_marks_the_molecules_of_each_reactant_set():
    pairs = np.array([[0, 0], [0, 2], [1, 1], [1, 2], [2, 0]])  # molecule 3 is used by no reaction
    assert one_hot(pairs, 3, 4).tolist() == [[1, 0, 1], [0, 1, 1], [1, 0, 0]]


def test_drfp_is_the_same_for_any_reactant_order_and_differs_between_reactions():
    first, swapped, other = drfp(["CC(=O)O.OCC>>CC(=O)OCC", "OCC.CC(=O)O>>CC(=O)OCC", "CC(=O)O.OC>>CC(=O)OC"])
    assert first.shape == (2048,) and set(np.unique(first)) == {0.0, 1.0}
    np.testing.assert_array_equal(first, swapped)
    assert not np.array_equal(first, other)
    # Frozen with drfp 0.3.7: the folded bits of the esterification's substructure difference (a change in
    # the package's shingling or hashing shows up here before it silently changes the DRFP forest).
    assert np.flatnonzero(first).tolist() == [238, 612, 874, 964, 1019, 1036, 1199, 1439, 1626, 1793, 1894, 2038]


def test_drfp_with_shingles_per_molecule_equals_the_drfp_encoder(bh):
    """The cached encoding gives DrfpEncoder.encode's bits: on real BH reactions, with agents, and with a
    molecule RDKit cannot parse (drfp skips it)."""
    from drfp import DrfpEncoder

    sample = subset(bh, range(0, 3955, 20))
    reactions = [reaction_sequence(r, p) for r, p in zip(sample.reactants, sample.products)]
    reactions += ["CC(=O)O.OCC>[H+]>CC(=O)OCC", "CC(=O)O.C1CC>>CC(=O)O"]
    expected = np.asarray(DrfpEncoder.encode(reactions, n_folded_length=2048, radius=3, rings=True), dtype=float)
    np.testing.assert_array_equal(drfp(reactions), expected)


def test_random_descriptor_control_keeps_shape_and_identity_but_not_values(bh, config):
    tables = config["datasets"]["bh"]["descriptor_tables"]
    reactions = bh.table.iloc[:200]
    real = ahneman_dft(reactions, tables, ROOT)
    control = ahneman_dft(reactions, tables, ROOT, random_seed=0)
    assert control.shape == real.shape
    np.testing.assert_array_equal(control, ahneman_dft(reactions, tables, ROOT, random_seed=0))
    assert not np.array_equal(control, ahneman_dft(reactions, tables, ROOT, random_seed=1))
    # Two reactions share a column block exactly where they share that component's molecule.
    same_real = np.isclose(real[:, None, :], real[None, :, :]).all(-1)
    same_control = np.isclose(control[:, None, :], control[None, :, :]).all(-1)
    np.testing.assert_array_equal(same_real, same_control)
    assert not np.isclose(real, control).any(axis=0).all()


def test_forest_drops_constant_and_repeated_columns(small_bundle):
    bundle = small_bundle
    features = bundle.human["dft"]
    extended = np.hstack([features, features[:, :5], np.ones((len(features), 3))])
    bundle = type(bundle)(**{**bundle.__dict__, "human": {"dft": extended}})
    model = build_model({"type": "random_forest", "label": "rf", "features": "dft", "n_estimators": 10,
                         "max_features": 0.5, "min_samples_leaf": 1}, SEEDS, threads=1)
    summary = model.fit(bundle, np.arange(64))
    varying = int((np.ptp(features[:64], axis=0) > 0).sum())
    assert summary["features_used"] == model.forest.n_features_in_ == varying


def test_mc_dropout_splits_sigma_into_aleatoric_and_epistemic(small_bundle):
    from test_models import TINY_MPNN

    params = dict(TINY_MPNN, epochs=3, dropout=0.2, mc_samples=8)
    runs = []
    for _ in range(2):
        model = build_model(params, SEEDS, threads=1)
        model.fit(small_bundle, np.arange(64))
        runs.append(model.predict(small_bundle, np.arange(64, 80)))
    first = runs[0]
    np.testing.assert_allclose(first.sigma ** 2, first.aleatoric ** 2 + first.epistemic ** 2, rtol=1e-12)
    assert (first.epistemic > 0).all()
    np.testing.assert_array_equal(first.mean, runs[1].mean)
    np.testing.assert_array_equal(first.sigma, runs[1].sigma)
    plain = build_model(dict(params, mc_samples=0), SEEDS, threads=1)
    plain.fit(small_bundle, np.arange(64))
    single = plain.predict(small_bundle, np.arange(64, 80))
    assert single.epistemic is None and single.sigma is not None


def test_every_registered_model_has_its_keys_in_the_schema_and_a_class_stating_the_protocol():
    import yaml

    from rxnyield.config.loading import SCHEMA_PATH
    from rxnyield.models.protocol import YieldModel

    assert set(yaml.safe_load(SCHEMA_PATH.read_text())["$defs"]["model_types"]) == set(REGISTRY)
    for entry in REGISTRY.values():
        assert YieldModel in entry.load().__mro__, entry.target  # states the protocol


TINY_XGBOOST = {"type": "xgboost", "label": "tiny", "features": "drfp", "n_estimators": 500, "learning_rate": 0.3,
                "max_depth": 4, "min_child_weight": 1, "colsample_bytree": 0.6, "subsample": 0.8,
                "early_stopping_rounds": 5, "validation_fraction": 0.1}


def test_xgboost_stops_early_on_its_held_out_slice_and_is_frozen(small_bundle):
    model = build_model(TINY_XGBOOST, SEEDS, threads=1)
    summary = model.fit(small_bundle, np.arange(64))
    assert summary["validation_reactions"] == 6 and summary["best_iteration"] < 500 - 5
    prediction = model.predict(small_bundle, np.arange(64, 80))
    assert prediction.sigma is None and (prediction.mean >= 0).all()
    assert_matches_golden(model, small_bundle, np.arange(64, 80), "xgboost_drfp_predictions.csv")


def test_xgboost_prediction_does_not_depend_on_reactant_order(small, small_bundle, config):
    model = build_model(TINY_XGBOOST, SEEDS, threads=1)
    model.fit(small_bundle, np.arange(64))
    mean = model.predict(small_bundle, np.arange(80)).mean
    permuted = featurize(shuffled_reactants(small, 0), config["datasets"]["bh"], ROOT)
    np.testing.assert_array_equal(model.predict(permuted, np.arange(80)).mean, mean)


def test_yieldgnn_prediction_does_not_depend_on_reactant_order(small, small_bundle, config):
    model = build_model(dict(TINY_YIELDGNN, epochs=3), SEEDS, threads=1)
    model.fit(small_bundle, np.arange(64))
    mean, _ = astuple(model.predict(small_bundle, np.arange(80)))
    for seed in range(2):
        permuted = featurize(shuffled_reactants(small, seed), config["datasets"]["bh"], ROOT)
        np.testing.assert_array_equal(astuple(model.predict(permuted, np.arange(80)))[0], mean)


def test_tiny_yieldgnn_overfits_32_reactions(small_bundle):
    model = build_model(TINY_YIELDGNN, SEEDS, threads=1)
    model.fit(small_bundle, np.arange(32))
    mean, sigma = astuple(model.predict(small_bundle, np.arange(32)))
    assert sigma is None
    assert regression_metrics(small_bundle.yields[:32], mean)["r2"] >= 0.95


@pytest.mark.parametrize("dataset", ["bh", "sm"])
def test_rxnfp_vocabulary_covers_every_reaction_of_the_dataset(config, dataset):
    vocabulary = BertVocabulary(pretrained_bert_dir() / "vocab.txt")
    table = pd.read_csv(ROOT / config["datasets"][dataset]["reactions"])
    sequences = {reaction_sequence(*split_molecules(s)) for s in table["rxn_smiles"]}
    assert set().union(*(vocabulary.unknown_tokens(s) for s in sequences)) == set()
    ids = vocabulary.encode("CC.O>>CCO")
    assert [vocabulary.tokens[i] for i in ids] == ["[CLS]", "C", "C", ".", "O", ">>", "C", "C", "O", "[SEP]"]


def test_yieldbert_starts_from_rxnfps_pretrained_weights_and_overfits(small_bundle):
    params = {"type": "yieldbert", "label": "tiny", "layers": 2, "dropout": 0.0, "epochs": 40, "batch_size": 8,
              "lr": 0.001, "weight_decay": 0.0}
    model = build_model(params, SEEDS, threads=2)
    model.network = model.build(small_bundle, np.arange(8))
    shipped = torch.load(pretrained_bert_dir() / "pytorch_model.bin", map_location="cpu", weights_only=True)
    embeddings = model.network.bert.embeddings.word_embeddings.weight.detach()
    torch.testing.assert_close(embeddings, shipped["bert.embeddings.word_embeddings.weight"], rtol=0, atol=0)
    torch.testing.assert_close(model.network.bert.pooler.dense.weight.detach(), shipped["bert.pooler.dense.weight"],
                               rtol=0, atol=0)
    kept = model.network.bert.encoder.layer[1].output.dense.weight.detach()
    torch.testing.assert_close(kept, shipped["bert.encoder.layer.1.output.dense.weight"], rtol=0, atol=0)
    assert len(model.network.bert.encoder.layer) == 2

    model.fit(small_bundle, np.arange(8))
    mean, sigma = astuple(model.predict(small_bundle, np.arange(8)))
    assert sigma is None
    assert regression_metrics(small_bundle.yields[:8], mean)["r2"] >= 0.95


@pytest.mark.parametrize("features", ["dft", "dft_random", "onehot", "mordred", "drfp"])
def test_each_forest_fits_its_training_reactions(small_bundle, features):
    model = build_model({"type": "random_forest", "label": features, "features": features, "n_estimators": 50,
                         "max_features": 0.33, "min_samples_leaf": 1}, SEEDS, threads=1)
    model.fit(small_bundle, np.arange(32))
    fitted = model.predict(small_bundle, np.arange(32)).mean
    # Bootstrap leaves each tree without a third of the reactions, so a forest stays below R² = 1 on its
    # own training set; features that cannot tell the reactions apart would give about 0.
    assert regression_metrics(small_bundle.yields[:32], fitted)["r2"] >= 0.85


def test_yieldbert_drops_out_inside_bert_as_its_authors_do():
    """rxn_yields sets BERT's hidden_dropout_prob to 0.7987; without `bert_dropout` BERT keeps its own 0.1."""
    from rxnyield.models.yieldbert import BertRegressor

    def hidden_dropouts(model) -> set[float]:
        bert = model.bert
        return {bert.embeddings.dropout.p, bert.encoder.layer[0].attention.output.dropout.p,
                bert.encoder.layer[0].output.dropout.p}

    assert hidden_dropouts(BertRegressor(pretrained_bert_dir(), 0.5, layers=1, bert_dropout=0.7987)) == {0.7987}
    assert hidden_dropouts(BertRegressor(pretrained_bert_dir(), 0.5, layers=1)) == {0.1}
