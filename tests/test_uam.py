"""UAM parts: tokenizer, InfoNCE, mixtures of experts, pre-trained checkpoint loading, the released end-to-end
form, checkpoint selection on held-out rows, invariance, overfit."""

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from rxnyield.data.reactions import split_molecules
from rxnyield.featurizers.bundle import featurize
from rxnyield.featurizers.smiles import SmilesTokenizer, reaction_sequence, tokenize
from rxnyield.models import build_model
from rxnyield.nn.losses import info_nce
from rxnyield.models.torch_trainer import TrainingSettings
from rxnyield.nn.moe import MixtureOfExperts, StackedFeatures, top_two_routing
from rxnyield.nn.transformer import SequenceEncoderSettings, SmilesEncoder
from rxnyield.pretrain import (EncoderInputs, bundle_sequences, load_checkpoint, pretrain, pretraining_rows,
                              save_checkpoint)
from rxnyield.stats import regression_metrics
from conftest import ROOT, assert_matches_golden, astuple, subset
from test_models import SEEDS, shuffled_reactants

ENCODERS = {"graph": {"hidden": 8, "edge_hidden": 4, "steps": 2, "set2set_steps": 2},
            "sequence": {"embedding": 8, "layers": 1, "heads": 2, "feedforward": 16, "dropout": 0.0},
            "out_features": 8, "temperature": 0.1, "epochs": 1, "batch_size": 32, "lr": 0.001,
            "weight_decay": 0.0, "validation_fraction": 0.1}
TINY_UAM = {"type": "uam", "label": "tiny", "views": ["graph", "sequence", "human"], "features": "dft",
            "pretrained": True, "freeze_encoders": True, "feature_encoder": "mixture", "moe": True, "experts": 3, "top_k": 0, "expert_hidden": 16,
            "human_out": 8, "head_hidden": 32, "dropout": 0.0, "uncertainty": True, "epochs": 200, "batch_size": 16,
            "lr": 0.003, "weight_decay": 0.0, "mse_weight": 0.9, "uncertainty_weight": 0.1, "aux_weight": 0.01,
            "encoders": ENCODERS}
# The released form (the authors' code), tiny: Σ ECFP unscaled, stacked sparse-MoE features, PReLU head,
# every weight trained from random initialisation.
TINY_RELEASED = dict(TINY_UAM, features="ecfp", scale_features=False, pretrained=False, freeze_encoders=False,
                     feature_encoder="stacked", sparse_layers=1, dense_layers=1, second_threshold=0.2,
                     feature_dropout=0.0, head_activation="prelu", lr=0.001,
                     encoders=dict(ENCODERS, graph={"hidden": 8, "edge_hidden": 0, "steps": 2, "set2set_steps": 2,
                                                    "readout_input": "initial_and_final", "sparsify": 16,
                                                    "shared_encoder": True},
                                   sequence=dict(ENCODERS["sequence"], dropout=0.1, activation="gelu",
                                                 initialisation="authors")))


@pytest.mark.parametrize("dataset", ["bh", "sm"])
def test_tokenizer_round_trips_every_smiles_of_the_dataset(config, dataset):
    table = pd.read_csv(ROOT / config["datasets"][dataset]["reactions"])
    sequences = [reaction_sequence(*split_molecules(s)) for s in table["rxn_smiles"]]
    tokenizer = SmilesTokenizer.build(sequences)
    for sequence in sequences:
        ids = tokenizer.encode(sequence)
        assert ids[0] == tokenizer.index["[CLS]"] and ids[-1] == tokenizer.index["[SEP]"]
        assert tokenizer.decode(ids) == sequence
    molecules = {m for s in table["rxn_smiles"] for m in s.replace(">>", ".").split(".")}
    assert all("".join(tokenize(m)) == m for m in molecules)


def test_tokenizer_splits_bracket_atoms_halogens_and_ring_closures():
    assert tokenize("Brc1ccc(Cl)cc1.[Na+]>>C%12") == ["Br", "c", "1", "c", "c", "c", "(", "Cl", ")", "c", "c", "1",
                                                     ".", "[Na+]", ">", ">", "C", "%12"]
    tokenizer = SmilesTokenizer.build(["CCO"])
    assert tokenizer.unknown_tokens("CCN") == ["N"]
    assert tokenizer.decode(tokenizer.encode("CCN")) == "CC"  # N is [UNK], which decodes to nothing


def test_info_nce_matches_a_hand_computed_3x3_value():
    first = torch.eye(3)
    second = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])  # row 3 normalises to (1,0,1)/√2
    tau = 0.5
    c = 1 / math.sqrt(2)
    logits = [[1 / tau, 0, c / tau], [0, 1 / tau, 0], [0, 0, c / tau]]  # cosine(first_i, second_j) / τ

    def cross_entropy(rows):
        return sum(math.log(sum(math.exp(v) for v in row)) - row[i] for i, row in enumerate(rows)) / 3

    columns = [list(col) for col in zip(*logits)]
    expected = 0.5 * (cross_entropy(logits) + cross_entropy(columns))
    assert info_nce(first, second, tau).item() == pytest.approx(expected, rel=1e-6)


def test_moe_gates_sum_to_one_and_top_k_keeps_k():
    torch.manual_seed(0)
    x = torch.randn(10, 6)
    for top_k, nonzero in ((0, 4), (2, 2)):
        moe = MixtureOfExperts(6, 8, 5, experts=4, top_k=top_k, dropout=0.0)
        gates = moe.gates(x)
        torch.testing.assert_close(gates.sum(-1), torch.ones(10))
        assert ((gates > 0).sum(-1) == nonzero).all()
        output, balance = moe(x)
        expected = sum(gates[:, i:i + 1] * moe.experts[i](x) for i in range(4))
        torch.testing.assert_close(output, expected)
        assert balance.item() >= 0


def test_balanced_gates_have_zero_load_balancing_loss():
    moe = MixtureOfExperts(6, 8, 5, experts=4, top_k=0, dropout=0.0)
    torch.nn.init.zeros_(moe.gate.weight)  # uniform gates
    _, balance = moe(torch.randn(7, 6))
    assert balance.item() == pytest.approx(0.0, abs=1e-12)


def test_top_two_routing_matches_hand_computed_gates_and_balance_loss():
    probabilities = torch.tensor([[0.5, 0.3, 0.2, 0.0], [0.04, 0.06, 0.85, 0.05]])
    weights, balance = top_two_routing(probabilities, threshold=0.2, sample=False)
    # row 1: 0.5 and 0.3 → 0.625 and 0.375 (≥ threshold: always kept); row 2: 0.85 and 0.06 → 0.85/0.91 and
    # 0.06/0.91 = 0.0659, kept with probability 0.0659/0.2 = 0.3297, so its expected weight is 0.0217
    second = 0.06 / 0.91
    expected = torch.tensor([[0.625, 0.375, 0.0, 0.0], [0.0, second * second / 0.2, 0.85 / 0.91, 0.0]])
    torch.testing.assert_close(weights, expected)
    # E² · mean over rows and experts of p·[best expert] = 16 · (0.5 + 0.85) / 8 = E · mean p₁ = 2.7
    assert balance.item() == pytest.approx(2.7, rel=1e-6)
    torch.manual_seed(0)
    drawn = torch.stack([top_two_routing(probabilities, 0.2, sample=True)[0] for _ in range(4000)])
    assert drawn[:, 1, 1].unique().tolist() == pytest.approx([0.0, second])  # the runner-up kept or not
    assert drawn[:, 1, 1].mean().item() == pytest.approx(expected[1, 1].item(), rel=0.1)  # as often as expected
    torch.testing.assert_close(drawn[:, 0], expected[0].expand(4000, 4))


def test_stacked_features_sum_the_sparse_layers_balance_losses():
    torch.manual_seed(0)
    encoder = StackedFeatures(10, 8, 5, sparse_layers=2, dense_layers=1, experts=3, threshold=0.2, dropout=0.0)
    encoder.eval()
    x = torch.randn(6, 10)
    output, balance = encoder(x)
    assert output.shape == (6, 5)
    h, expected = encoder.input(x), 0.0
    for layer in encoder.sparse:
        h, loss = layer(h)
        expected += loss.item()
    assert balance.item() == pytest.approx(expected) and 2 <= balance.item() <= 2 * 3  # each in [1, E]
    assert StackedFeatures(10, 8, 5, 0, 1, 3, 0.2, 0.0)(x)[1].item() == 0.0


@pytest.fixture(scope="module")
def small_bundle(bh, config):
    return featurize(subset(bh, range(0, 3955, 49)[:80]), config["datasets"]["bh"], ROOT)


@pytest.fixture(scope="module")
def checkpoint_path(small_bundle, tmp_path_factory):
    path = tmp_path_factory.mktemp("pretrain") / "encoders.pt"
    save_checkpoint(pretrain(small_bundle, ENCODERS, SEEDS, threads=1), path)
    return path


def test_pretraining_reduces_the_contrastive_loss(small_bundle):
    history = pretrain(small_bundle, dict(ENCODERS, epochs=40, lr=0.005), SEEDS, threads=1)["history"]
    assert history["train_loss"][-1] < 0.8 * history["train_loss"][0]


def test_pretraining_on_a_split_sees_only_its_training_reactions(small_bundle, monkeypatch, tmp_path):
    """Held out here: every reaction with an aromatic sulfur (the thiophene additives; Test1's unseen token)."""
    held_out = [i for i, s in enumerate(bundle_sequences(small_bundle)) if "s" in tokenize(s)]
    rows = np.setdiff1d(np.arange(small_bundle.n_reactions), held_out)
    assert held_out and len(rows) > 40
    seen: set[int] = set()
    graph_embedding = EncoderInputs.graph_embedding

    def spy(self, encoders, idx):
        seen.update(idx.tolist())
        return graph_embedding(self, encoders, idx)

    monkeypatch.setattr(EncoderInputs, "graph_embedding", spy)
    scoped = pretrain(small_bundle, ENCODERS, SEEDS, threads=1, rows=rows)
    assert seen == set(rows.tolist())  # its training and validation batches, no held-out reaction
    assert scoped["reactions"] == len(rows) and "s" not in scoped["vocabulary"]
    seen.clear()
    everything = pretrain(small_bundle, ENCODERS, SEEDS, threads=1)
    assert seen == set(range(small_bundle.n_reactions))
    assert everything["reactions"] == small_bundle.n_reactions and "s" in everything["vocabulary"]
    # a model on the scoped encoders still encodes the held-out reactions (their new token as [UNK])
    assert scoped["max_length"] == everything["max_length"]
    save_checkpoint(scoped, tmp_path / "scoped.pt")
    model = build_model(dict(TINY_UAM, epochs=1, checkpoint=str(tmp_path / "scoped.pt")), SEEDS, threads=1)
    model.fit(small_bundle, rows)
    assert np.isfinite(model.predict(small_bundle, np.asarray(held_out)).mean).all()


def test_a_split_scoped_pretraining_reads_that_splits_training_reactions(config, bh):
    from types import SimpleNamespace

    from rxnyield.config import ALL_REACTIONS, pretrain_settings
    from rxnyield.data.reactions import load_split

    bundle = SimpleNamespace(ids=bh.ids)  # all the rows need of the features
    assert pretraining_rows(pretrain_settings(config, "bh", ALL_REACTIONS), bundle, ROOT) is None
    rows = pretraining_rows(pretrain_settings(config, "bh_tests", "Test2"), bundle, ROOT)
    train, test = load_split(config["datasets"]["bh_tests"], "Test2", bh, ROOT)
    assert sorted(rows) == sorted(train) and len(rows) + len(test) == len(bh)
    additives = bh.table["additive_smiles"]
    assert not set(additives.iloc[rows]) & set(additives.iloc[test])  # the unseen additives stay unseen


def test_pretrained_weights_are_loaded_and_stay_frozen(small_bundle, checkpoint_path):
    saved = load_checkpoint(checkpoint_path)["state"]
    model = build_model(dict(TINY_UAM, epochs=3, checkpoint=str(checkpoint_path)), SEEDS, threads=1)
    model.fit(small_bundle, np.arange(64))
    loaded = model.encoders.state_dict()
    assert set(loaded) == set(saved)
    for name, tensor in saved.items():
        torch.testing.assert_close(loaded[name], tensor, rtol=0, atol=0, msg=name)
    fresh = build_model(dict(TINY_UAM, epochs=1, pretrained=False), SEEDS, threads=1)
    fresh.fit(small_bundle, np.arange(64))
    assert any(not torch.equal(fresh.encoders.state_dict()[n], t) for n, t in saved.items())


def test_fine_tuning_changes_the_encoders(small_bundle, checkpoint_path):
    saved = load_checkpoint(checkpoint_path)["state"]
    model = build_model(dict(TINY_UAM, epochs=2, freeze_encoders=False, checkpoint=str(checkpoint_path)), SEEDS, 1)
    model.fit(small_bundle, np.arange(64))
    assert any(not torch.equal(model.encoders.state_dict()[n], t) for n, t in saved.items())


def test_uam_prediction_does_not_depend_on_reactant_order(bh, config, small_bundle, checkpoint_path):
    model = build_model(dict(TINY_UAM, epochs=3, checkpoint=str(checkpoint_path)), SEEDS, threads=1)
    model.fit(small_bundle, np.arange(64))
    mean, sigma = astuple(model.predict(small_bundle, np.arange(80)))
    reactions = subset(bh, range(0, 3955, 49)[:80])
    for seed in range(3):
        permuted = featurize(shuffled_reactants(reactions, seed), config["datasets"]["bh"], ROOT)
        assert bundle_sequences(permuted) == bundle_sequences(small_bundle)
        mean_p, sigma_p = astuple(model.predict(permuted, np.arange(80)))
        np.testing.assert_array_equal(mean_p, mean)
        np.testing.assert_array_equal(sigma_p, sigma)


@pytest.mark.parametrize("released", [False, True], ids=["described", "released"])
def test_tiny_uam_overfits_32_reactions(small_bundle, checkpoint_path, released):
    train = np.arange(32)
    model = build_model(TINY_RELEASED if released else dict(TINY_UAM, checkpoint=str(checkpoint_path)), SEEDS, 1)
    model.fit(small_bundle, train)
    mean, sigma = astuple(model.predict(small_bundle, train))
    assert regression_metrics(small_bundle.yields[train], mean)["r2"] >= 0.95
    assert (sigma > 0).all()


def test_uam_training_is_deterministic(small_bundle, checkpoint_path):
    results = []
    for _ in range(2):
        model = build_model(dict(TINY_UAM, epochs=5, checkpoint=str(checkpoint_path)), SEEDS, threads=2)
        model.fit(small_bundle, np.arange(64))
        results.append(astuple(model.predict(small_bundle, np.arange(64, 80))))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_frozen_uam_predictions(small_bundle, checkpoint_path):
    """Predictions pass the frozen encoders in evaluation mode: a change of their numerics (torch's device
    context once switched off the transformer's fused inference path) changes the paper's numbers."""
    model = build_model(dict(TINY_UAM, epochs=60, checkpoint=str(checkpoint_path)), SEEDS, threads=1)
    model.fit(small_bundle, np.arange(64))
    assert_matches_golden(model, small_bundle, np.arange(64, 80), "uam_tiny_predictions.csv")


def test_frozen_released_uam_predictions(small_bundle):
    """The released form end to end (the authors' GELU and initialisation, dropout on): the paper's headline
    UAM numbers move with any change of its numerics."""
    model = build_model(dict(TINY_RELEASED, epochs=30), SEEDS, threads=1)
    model.fit(small_bundle, np.arange(64))
    assert_matches_golden(model, small_bundle, np.arange(64, 80), "uam_released_tiny_predictions.csv")


def test_the_authors_initialisation_draws_their_scales_and_a_separate_draw_per_layer():
    """Their `initialize_parameters`: embeddings N(0, 0.02²) and N(0, 0.01²), Xavier-uniform matrices. PyTorch's
    default clones one layer, so two layers start equal; the authors' draws each layer anew."""
    torch.manual_seed(0)
    settings = SequenceEncoderSettings(embedding=64, layers=2, heads=2, feedforward=128, dropout=0.1)
    default = SmilesEncoder(400, 300, settings, 16)
    authors = SmilesEncoder(400, 300, replace(settings, activation="gelu", initialisation="authors"), 16)
    first, second = (layer.linear1.weight for layer in default.encoder.layers)
    assert torch.equal(first, second)
    first, second = (layer.linear1.weight for layer in authors.encoder.layers)
    assert not torch.equal(first, second)
    bound = math.sqrt(6 / (64 + 128))
    assert first.abs().max() <= bound and first.abs().max() > 0.9 * bound
    assert authors.tokens.weight[1:].std().item() == pytest.approx(0.02, rel=0.05)
    assert authors.positions.weight.std().item() == pytest.approx(0.01, rel=0.05)
    assert not authors.tokens.weight[0].any()
    assert default.tokens.weight[1:].std().item() == pytest.approx(1.0, rel=0.05)
    assert authors.encoder.layers[0].activation is torch.nn.functional.gelu


def test_attention_dropout_is_its_own_rate():
    """`dropout` acts on the residual and feed-forward paths; the attention weights take `attention_dropout`."""
    settings = SequenceEncoderSettings(embedding=8, layers=1, heads=2, feedforward=16, dropout=0.1)
    assert SmilesEncoder(40, 30, settings, 8).encoder.layers[0].self_attn.dropout == 0.0
    with_attention = SmilesEncoder(40, 30, replace(settings, attention_dropout=0.1), 8)
    assert with_attention.encoder.layers[0].self_attn.dropout == 0.1


def test_without_uncertainty_there_is_no_sigma(small_bundle, checkpoint_path):
    model = build_model(dict(TINY_UAM, epochs=2, uncertainty=False, mse_weight=1.0,
                             checkpoint=str(checkpoint_path)), SEEDS, threads=1)
    model.fit(small_bundle, np.arange(64))
    assert model.predict(small_bundle, np.arange(64, 80)).sigma is None


@pytest.mark.parametrize("views, moe", [(["graph", "human"], True), (["sequence", "human"], True),
                                        (["graph", "sequence"], True), (["graph", "sequence", "human"], False)])
def test_each_view_ablation_feeds_the_head_only_what_it_keeps(small_bundle, checkpoint_path, views, moe):
    """w/o Seq, w/o Graph, w/o H and w/o MoE: the head's input width is the sum of the kept views."""
    params = dict(TINY_UAM, epochs=2, views=views, moe=moe, checkpoint=str(checkpoint_path))
    model = build_model(params, SEEDS, threads=1)
    model.fit(small_bundle, np.arange(64))
    widths = {"graph": model.encoders.graph.out_features, "sequence": model.encoders.sequence.out_features,
              "human": params["human_out"]}
    head_input = model.network["head"][0].in_features
    assert head_input == sum(widths[v] for v in views)
    features = model.network["features"]
    assert isinstance(features, MixtureOfExperts) == (moe and "human" in views)
    assert np.isfinite(model.predict(small_bundle, np.arange(64, 80)).mean).all()


def test_released_uam_trains_every_weight_and_ignores_reactant_order(bh, config, small_bundle):
    model = build_model(dict(TINY_RELEASED, epochs=3), SEEDS, threads=1)
    model.fit(small_bundle, np.arange(64))
    assert all(p.requires_grad for p in model.network.parameters()) and model.cache is None
    assert isinstance(model.network["features"], StackedFeatures)
    mean, sigma = astuple(model.predict(small_bundle, np.arange(80)))
    reactions = subset(bh, range(0, 3955, 49)[:80])
    for seed in range(2):
        permuted = featurize(shuffled_reactants(reactions, seed), config["datasets"]["bh"], ROOT)
        mean_p, sigma_p = astuple(model.predict(permuted, np.arange(80)))
        np.testing.assert_array_equal(mean_p, mean)
        np.testing.assert_array_equal(sigma_p, sigma)


def test_released_uam_without_the_sequence_view_never_reads_the_smiles(small_bundle):
    """`uam_no_sequence_view`: the head sees the graph and fingerprint views only, so no weight of the (built,
    unused) SMILES encoder moves, and redrawing them changes no prediction."""
    model = build_model(dict(TINY_RELEASED, epochs=3, views=["graph", "human"]), SEEDS, threads=1)
    model.fit(small_bundle, np.arange(64))
    assert model.network["head"][0].in_features == model.encoders.graph.out_features + TINY_RELEASED["human_out"]
    assert all(p.grad is None for p in model.encoders.sequence.parameters())
    before = astuple(model.predict(small_bundle, np.arange(80)))
    with torch.no_grad():
        for weight in model.encoders.sequence.parameters():
            weight.add_(torch.randn_like(weight))
    for old, new in zip(before, astuple(model.predict(small_bundle, np.arange(80)))):
        np.testing.assert_array_equal(new, old)


def test_selection_keeps_the_epoch_with_the_best_validation_r2(small_bundle, checkpoint_path):
    """A lr too high for the last epochs to be the best: the kept weights score the best epoch's R² on the
    held-out rows, not the last one's."""
    params = dict(TINY_UAM, epochs=12, lr=0.05, checkpoint=str(checkpoint_path), select_on_validation=True,
                  validation_fraction=0.25)
    train = np.arange(64)
    model = build_model(params, SEEDS, threads=1)
    summary = model.fit(small_bundle, train)
    scores = summary["validation_r2"]
    assert len(scores) == 12 and summary["selected_epoch"] == int(np.argmax(scores)) + 1 < 12
    assert max(scores) > scores[-1]
    fitted, validation = TrainingSettings.from_params(params).held_out(train, np.random.default_rng(SEEDS["data"]))
    assert len(validation) == 16 and not set(fitted) & set(validation)
    assert model.validation_score(small_bundle, validation) == pytest.approx(max(scores), abs=1e-12)
