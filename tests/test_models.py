"""Models: reactant-order invariance, a tiny model that must overfit, determinism, frozen predictions."""

import random

import numpy as np
import pytest
import torch

from rxnyield.data.reactions import ReactionSet
from rxnyield.featurizers.bundle import featurize
from rxnyield.models import build_model
from rxnyield.models.mpnn import ReactionMPNN
from rxnyield.nn.mpnn import graph_inputs
from rxnyield.stats import regression_metrics
from conftest import ROOT, assert_matches_golden, astuple, subset

TINY_MPNN = {"type": "mpnn", "label": "tiny", "hidden": 16, "edge_hidden": 8, "steps": 2, "set2set_steps": 2,
             "head_hidden": 32, "dropout": 0.0, "epochs": 300, "batch_size": 16, "lr": 0.003, "weight_decay": 0.0,
             "mse_weight": 0.9, "uncertainty_weight": 0.1}
SEEDS = {"data": 0, "torch": 0, "model": 0}
# Kwon et al.'s form (seokhokang/reaction_yield_nn), tiny: DGL's NNConv with a linear edge network, Set2Set over
# [h0 || hT], a PReLU projection, one encoder for reactants and product, a PReLU head; Adam, multi-step
# schedule, full batches only, predictions clipped to [0, 100]; their atom and bond features.
TINY_KWON = {**TINY_MPNN, "graph_features": "kwon", "edge_hidden": 0, "root_weight": False, "readout_input": "initial_and_final",
             "sparsify": 24, "shared_encoder": True, "head_activation": "prelu", "dropout": 0.1, "optimizer": "adam",
             "lr_schedule": "multistep", "lr_milestones": [40, 45], "lr_gamma": 0.1, "drop_last": True,
             "clip_predictions": [0, 100], "mc_samples": 4, "epochs": 50}


@pytest.fixture(scope="module")
def small(bh):
    """80 BH reactions spread over the plate (every 49th), so that yields vary."""
    return subset(bh, range(0, 3955, 49)[:80])


def shuffled_reactants(reactions: ReactionSet, seed: int) -> ReactionSet:
    rng = random.Random(seed)
    return ReactionSet(reactions.name, reactions.ids, reactions.yields,
                       tuple(tuple(rng.sample(r, len(r))) for r in reactions.reactants),
                       reactions.products, reactions.table)


@pytest.mark.parametrize("form", [TINY_MPNN, TINY_KWON], ids=["first-design", "kwon"])
def test_prediction_does_not_depend_on_reactant_order(small, config, form):
    spec = config["datasets"]["bh"]
    bundle = featurize(small, spec, ROOT)
    model = build_model(dict(form, epochs=3), SEEDS, threads=1)
    model.fit(bundle, np.arange(64))
    mean, sigma = astuple(model.predict(bundle, np.arange(80)))
    for seed in range(3):
        permuted = featurize(shuffled_reactants(small, seed), spec, ROOT)
        assert not np.array_equal(permuted.reactant_pairs, bundle.reactant_pairs)
        mean_p, sigma_p = astuple(model.predict(permuted, np.arange(80)))
        np.testing.assert_array_equal(mean_p, mean)
        np.testing.assert_array_equal(sigma_p, sigma)


def test_reactant_sum_equals_summing_embeddings_in_any_order(small, config):
    """ρ(Σφ(x)) at the network level: the count-matrix product equals an explicit sum in shuffled order."""
    bundle = featurize(small, config["datasets"]["bh"], ROOT)
    torch.manual_seed(0)
    network = ReactionMPNN(bundle.atoms.shape[1], bundle.bonds.shape[1], TINY_MPNN).eval()
    graph, counts, _ = graph_inputs(bundle)
    with torch.no_grad():
        molecules = network.encoder.reactant_encoder(graph)
        summed = counts @ molecules
        rng = np.random.default_rng(1)
        for reaction in range(5):
            members = bundle.reactant_pairs[bundle.reactant_pairs[:, 0] == reaction, 1]
            explicit = sum(molecules[m] for m in rng.permutation(members))
            torch.testing.assert_close(summed[reaction], explicit, rtol=1e-5, atol=1e-6)


def test_tiny_mpnn_overfits_32_reactions(small, config):
    bundle = featurize(small, config["datasets"]["bh"], ROOT)
    train = np.arange(32)
    model = build_model(TINY_MPNN, SEEDS, threads=1)
    model.fit(bundle, train)
    mean, sigma = astuple(model.predict(bundle, train))
    assert regression_metrics(bundle.yields[train], mean)["r2"] >= 0.95
    assert (sigma > 0).all()


def test_training_is_deterministic(small, config):
    bundle = featurize(small, config["datasets"]["bh"], ROOT)
    runs = []
    for _ in range(2):
        model = build_model(dict(TINY_MPNN, epochs=5), SEEDS, threads=2)
        model.fit(bundle, np.arange(64))
        runs.append(astuple(model.predict(bundle, np.arange(64, 80))))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    other = build_model(dict(TINY_MPNN, epochs=5), dict(SEEDS, torch=1), threads=2)
    other.fit(bundle, np.arange(64))
    assert not np.array_equal(other.predict(bundle, np.arange(64, 80)).mean, runs[0][0])


def test_frozen_predictions(small, config):
    bundle = featurize(small, config["datasets"]["bh"], ROOT)
    model = build_model(dict(TINY_MPNN, epochs=60), SEEDS, threads=1)
    model.fit(bundle, np.arange(64))
    assert_matches_golden(model, bundle, np.arange(64, 80), "mpnn_tiny_predictions.csv")


def test_kwon_form_shares_one_encoder_and_is_frozen(small, config):
    bundle = featurize(small, config["datasets"]["bh"], ROOT)
    network = ReactionMPNN(bundle.atoms.shape[1], bundle.bonds.shape[1], TINY_KWON)
    assert network.encoder.product_encoder is None and network.encoder.out_features == 2 * 24
    encoder = network.encoder.reactant_encoder
    assert encoder.conv.root is None and isinstance(encoder.conv.edge_net, torch.nn.Linear)
    assert encoder.readout.hidden == 2 * TINY_MPNN["hidden"]  # Set2Set over [h0 || hT]
    model = build_model(TINY_KWON, SEEDS, threads=1)
    model.fit(bundle, np.arange(64))
    prediction = model.predict(bundle, np.arange(64, 80))
    assert ((prediction.mean >= 0) & (prediction.mean <= 100)).all() and prediction.epistemic is not None
    assert_matches_golden(model, bundle, np.arange(64, 80), "mpnn_kwon_tiny_predictions.csv")


def test_kwon_training_settings_adam_multistep_full_batches_and_clipping():
    from rxnyield.models.torch_trainer import TrainingSettings

    settings = TrainingSettings.from_params(TINY_KWON)
    assert [len(b) for b in settings.batches(torch.arange(40))] == [16, 16]  # drop_last
    assert [len(b) for b in TrainingSettings.from_params(TINY_MPNN).batches(torch.arange(40))] == [16, 16, 8]
    assert [len(b) for b in settings.batches(torch.arange(10))] == [10]  # fewer than a batch: one
    weight = torch.nn.Parameter(torch.zeros(1))
    optimiser = settings.optimiser([weight])
    assert type(optimiser) is torch.optim.Adam and optimiser.defaults["weight_decay"] == TINY_KWON["weight_decay"]
    schedule = settings.schedule(optimiser)
    rates = []
    for _ in range(50):
        rates.append(optimiser.param_groups[0]["lr"])
        optimiser.step()
        schedule.step()
    assert rates[39] == pytest.approx(0.003) and rates[40] == pytest.approx(0.0003) and rates[45] == pytest.approx(3e-5)


def test_random_forest_is_deterministic_and_uses_the_named_features(small, config):
    bundle = featurize(small, config["datasets"]["bh"], ROOT)
    params = {"type": "random_forest", "label": "rf", "features": "dft", "n_estimators": 20, "max_features": 0.5,
              "min_samples_leaf": 1}
    predictions = []
    for _ in range(2):
        model = build_model(params, SEEDS, threads=2)
        model.fit(bundle, np.arange(64))
        mean, sigma = astuple(model.predict(bundle, np.arange(64, 80)))
        predictions.append(mean)
    assert sigma is None
    np.testing.assert_array_equal(predictions[0], predictions[1])
    assert model.forest.n_features_in_ == 120


def test_the_device_follows_rxnyield_device_and_refuses_a_missing_gpu(monkeypatch):
    from rxnyield.nn.device import torch_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.delenv("RXNYIELD_DEVICE", raising=False)
    assert torch_device() == torch.device("cpu")
    monkeypatch.setenv("RXNYIELD_DEVICE", "cuda")
    with pytest.raises(RuntimeError, match="RXNYIELD_DEVICE=cuda, but torch sees no CUDA device"):
        torch_device()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert torch_device() == torch.device("cuda")
    monkeypatch.setenv("RXNYIELD_DEVICE", "auto")
    assert torch_device() == torch.device("cuda")
    monkeypatch.setenv("RXNYIELD_DEVICE", "cpu")
    assert torch_device() == torch.device("cpu")  # forced CPU on a GPU machine


def test_the_schema_allows_exactly_the_graph_feature_sets_of_the_mpnn():
    from rxnyield.config.loading import load_schema
    from rxnyield.models.mpnn import GRAPH_FEATURES

    mpnn = load_schema()["$defs"]["model_types"]["mpnn"]["properties"]
    assert mpnn["graph_features"]["enum"] == list(GRAPH_FEATURES)
