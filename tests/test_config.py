import copy
from dataclasses import fields

import pytest
import yaml

from rxnyield.config import (ConfigError, load_config, model_seeds, pretrain_settings, run_config, run_dir, runs,
                             validate_config)
from conftest import ROOT


# the four settings of Kwon et al.'s training loop, each moved alone into the graph view's UAM loop
LOOP_SWITCHES = ("uam_graph_view_only_kwon_batches", "uam_graph_view_only_kwon_optimizer",
                 "uam_graph_view_only_kwon_schedule", "uam_graph_view_only_last_epoch")


def bh_settings(config, model):
    """A model's resolved settings on the first BH split, seed 0."""
    return run_config(config, "bh", model, "FullCV_01", 0)["model_params"]


def changed_settings(a, b):
    """The settings whose values differ between two resolved settings (or that only one of them has)."""
    return {k for k in {*a, *b} if a.get(k) != b.get(k)}


def test_quick_profile_only_overrides_values(config, quick):
    def entries(c):  # the learning-curve entries follow the profile's fractions
        return {m for m, spec in c["models"].items() if "curve_of" not in spec}
    assert entries(quick) == entries(config)
    assert set(quick["datasets"]) == set(config["datasets"])
    assert len(runs(quick)) < len(runs(config))


def test_a_misspelt_key_names_its_path_and_the_likely_intent(config):
    broken = copy.deepcopy(config)
    broken["models"]["mpnn"]["epoch"] = 3
    with pytest.raises(ConfigError, match=r"models\.mpnn: unknown key 'epoch' \(did you mean 'epochs'\?\)"):
        validate_config(broken)


def test_a_wrong_type_names_its_path(config):
    broken = copy.deepcopy(config)
    broken["models"]["onehot_rf"]["n_estimators"] = "many"
    with pytest.raises(ConfigError, match=r"models\.onehot_rf\.n_estimators: 'many' is not of type 'integer'"):
        validate_config(broken)


def test_a_model_restricted_to_an_unknown_dataset_is_refused(config):
    broken = copy.deepcopy(config)
    broken["models"]["dft_rf"]["datasets"] = ["acr"]
    with pytest.raises(ConfigError, match="unknown dataset 'acr'"):
        validate_config(broken)


def test_dft_features_on_a_dataset_without_descriptor_tables_are_refused(config):
    broken = copy.deepcopy(config)
    broken["models"]["random_rf"]["datasets"] = ["bh", "sm"]
    with pytest.raises(ConfigError, match=r"models\.random_rf\.features: 'dft_random' needs the descriptor_tables "
                                          r"that dataset 'sm' lacks"):
        validate_config(broken)


def test_full_profile_uses_the_authors_quoted_sizes():
    import pandas as pd

    full = load_config(ROOT / "config" / "config.yaml", ROOT / "config" / "full.yaml")
    quoted = pd.read_csv(ROOT / full["quoted_values"]).set_index("key")["value"].astype(str)
    pretraining, uam = full["pretraining"], full["models"]["uam"]
    assert str(pretraining["sequence"]["embedding"]) == quoted["uam_authors_sequence_width"]
    assert str(pretraining["sequence"]["layers"]) == quoted["uam_authors_sequence_layers"]
    assert str(pretraining["out_features"]) == quoted["uam_authors_out_features"]
    assert str(pretraining["epochs"]) == quoted["uam_authors_pretraining_epochs"]
    assert str(uam["epochs"]) == quoted["uam_authors_epochs"]
    released = run_config(full, "bh", "uam", "FullCV_01", 0)["model_params"]["encoders"]["sequence"]
    assert str(released["embedding"]) == quoted["uam_authors_sequence_width"]
    assert str(released["layers"]) == quoted["uam_authors_sequence_layers"]


def test_the_released_uam_loads_no_checkpoint_and_its_ablations_pair_with_the_described_design(config):
    from rxnyield.config import needs_pretraining

    released = run_config(config, "bh", "uam", "FullCV_01", 0)["model_params"]
    assert "checkpoint" not in released and not needs_pretraining(config, "uam")
    assert released["encoders"]["graph"]["shared_encoder"] and released["encoders"]["graph"]["edge_hidden"] == 0
    assert config["models"]["uam_described"]["compare_to"] == "uam"
    assert config["models"]["uam_human_dft"]["compare_to"] == "uam"
    assert config["models"]["uam_transductive"]["compare_to"] == "uam_described"  # a question of pre-training
    # three seeds of the headline, one of its costly DFT/Mordred variant (paired on split), three of the frozen design
    assert [model_seeds(config, m) for m in ("uam", "uam_human_dft", "uam_described")] == [[0, 1, 2], [0], [0, 1, 2]]
    assert run_config(config, "bh", "uam_human_dft", "FullCV_01", 0)["model_params"]["features"] == "dft"
    released_variants = ("uam_described", "uam_human_dft", "uam_15_epochs", "uam_300_epochs", "uam_dense_moe",
                         "uam_dense_moe_300_epochs", "uam_separate_product", "uam_last_epoch",
                         "uam_attention_dropout", "uam_no_sequence_view", "uam_graph_view_only",
                         "uam_no_sequence_view_300_epochs", "uam_graph_view_only_kwon_loop",
                         "uam_no_sequence_view_kwon_loop", *LOOP_SWITCHES, "uam_no_sequence_view_kwon_loop_300_epochs",
                         "uam_graph_view_only_kwon_loop_300_epochs")
    # each paired with the released form, except those paired with the variant they change one thing of
    paired_with_a_variant = {"uam_no_sequence_view_300_epochs": "uam_300_epochs",
                             "uam_graph_view_only_kwon_loop": "uam_graph_view_only",
                             "uam_no_sequence_view_kwon_loop": "uam_no_sequence_view",
                             "uam_no_sequence_view_kwon_loop_300_epochs": "uam_no_sequence_view_300_epochs",
                             "uam_graph_view_only_kwon_loop_300_epochs": "mpnn_300_epochs",
                             **dict.fromkeys(LOOP_SWITCHES, "uam_graph_view_only")}
    assert {m: config["models"][m]["compare_to"] for m in released_variants} == \
        {m: paired_with_a_variant.get(m, "uam") for m in released_variants}
    ablations = [m for m, spec in config["models"].items() if m.startswith("uam_") and "curve_of" not in spec
                 and m not in (*released_variants, "uam_transductive")]
    assert all(config["models"][m]["compare_to"] in ("uam_described", "uam_short") for m in ablations)


def test_the_released_form_without_its_sequence_view_changes_only_the_views(config):
    """The SMILES view's share of the released form: the same run settings but the views, on every split."""
    released, variant = (run_config(config, "bh", m, "FullCV_01", 0) for m in ("uam", "uam_no_sequence_view"))
    assert variant["model_params"].pop("views") == ["graph", "human"]
    assert released["model_params"].pop("views") == ["graph", "sequence", "human"]
    assert variant == dict(released, model="uam_no_sequence_view")
    assert "max_splits" not in config["models"]["uam_no_sequence_view"]
    assert run_config(config, "sm", "uam_graph_view_only", "random_split_9", 0)["model_params"]["views"] == ["graph"]
    longer = bh_settings(config, "uam_no_sequence_view_300_epochs")
    assert longer["epochs"] == config["models"]["uam_300_epochs"]["epochs"] and longer["views"] == ["graph", "human"]
    # the released form's views moved into Kwon et al.'s training loop: mpnn_60_epochs' settings, nothing else
    loop = ("optimizer", "weight_decay", "lr", "lr_schedule", "lr_milestones", "lr_gamma", "batch_size", "drop_last",
            "epochs")
    kwon = bh_settings(config, "mpnn_60_epochs")
    for model in ("uam_graph_view_only", "uam_no_sequence_view"):
        moved, stays = bh_settings(config, f"{model}_kwon_loop"), bh_settings(config, model)
        assert {k: moved[k] for k in loop} == {k: kwon[k] for k in loop} and not moved["select_on_validation"]
        assert changed_settings(moved, stays) <= {*loop, "select_on_validation"}


def test_the_loop_switches_partition_kwon_et_al_s_loop(config):
    """Each switch moves its own settings of the graph view's loop to the full loop's values and nothing else;
    together they are the whole loop, so their effects can be read against the loop's."""
    base, loop = bh_settings(config, "uam_graph_view_only"), bh_settings(config, "uam_graph_view_only_kwon_loop")
    switched = {switch: bh_settings(config, switch) for switch in LOOP_SWITCHES}
    moved = {switch: changed_settings(settings, base) for switch, settings in switched.items()}
    assert all({k: switched[switch][k] for k in keys} == {k: loop[k] for k in keys} for switch, keys in moved.items())
    assert sorted(k for keys in moved.values() for k in keys) == sorted(changed_settings(loop, base))
    assert moved["uam_graph_view_only_kwon_batches"] == {"batch_size", "drop_last"}
    assert moved["uam_graph_view_only_last_epoch"] == {"select_on_validation"}
    # 300 epochs in that loop: the milestones at the same fractions of training as Kwon et al.'s 400/450 of 500
    longer = bh_settings(config, "uam_no_sequence_view_kwon_loop_300_epochs")
    shorter = bh_settings(config, "uam_no_sequence_view_kwon_loop")
    assert changed_settings(longer, shorter) == {"epochs", "lr_milestones"}
    kwon = bh_settings(config, "mpnn")
    assert [m / longer["epochs"] for m in longer["lr_milestones"]] == [m / kwon["epochs"] for m in kwon["lr_milestones"]]
    assert longer["epochs"] == bh_settings(config, "uam_no_sequence_view_300_epochs")["epochs"]


def test_the_graph_view_at_300_epochs_trains_in_the_loop_of_the_mpnn_it_is_paired_with(config):
    """UAM's graph view alone against Kwon's MPNN trained alike: the same optimiser, schedule, batches, epochs and
    selection on the same splits and seed, and otherwise the graph view of the 60-epoch loop; so their difference
    is the model's."""
    from rxnyield.models.torch_trainer import TrainingSettings

    graph_view, mpnn = (bh_settings(config, m) for m in ("uam_graph_view_only_kwon_loop_300_epochs", "mpnn_300_epochs"))
    trained = {m: TrainingSettings.from_params(p) for m, p in (("graph_view", graph_view), ("mpnn", mpnn))}
    differs = {f.name for f in fields(TrainingSettings)
               if getattr(trained["graph_view"], f.name) != getattr(trained["mpnn"], f.name)}
    # the cosine schedule's floor and the held-out share are unused by a step schedule without selection
    assert differs == {"lr_min", "validation_fraction", "clip_predictions"}, differs
    assert list(trained["mpnn"].clip_predictions) == [0, 100]  # Kwon et al. clip the yields they predict; UAM does not
    assert changed_settings(graph_view, bh_settings(config, "uam_graph_view_only_kwon_loop")) == {"epochs",
                                                                                                  "lr_milestones"}
    assert graph_view["views"] == ["graph"]
    paired = ("uam_graph_view_only_kwon_loop_300_epochs", "mpnn_300_epochs")
    assert [(model_seeds(config, m), config["models"][m]["max_splits"]) for m in paired] == [([0], 3)] * 2


def test_an_ablation_takes_its_base_settings_and_flips_one(config):
    ablation, base = config["models"]["uam_no_moe"], config["models"]["uam_described"]
    assert ablation["moe"] is False and base["moe"] is True
    unchanged = ("moe", "label", "compare_to", "datasets", "torch_seeds")  # random splits only, one seed
    assert {k: v for k, v in ablation.items() if k not in unchanged} == {
        k: v for k, v in base.items() if k not in unchanged}
    assert ablation["compare_to"] == "uam_described"


def test_a_profile_that_shrinks_the_base_shrinks_its_ablations(config, quick):
    for name in ("uam_no_uq", "uam_no_moe", "uam_no_pretraining"):
        assert quick["models"][name]["epochs"] == quick["models"]["uam_described"]["epochs"] < config["models"][name]["epochs"]


def test_the_quick_profile_trains_no_entry_longer_than_its_longest_headline(quick):
    """An entry that sets its own epochs in config.yaml keeps them in the quick profile unless quick.yaml shrinks
    it too: a 300-epoch entry left unshrunk made the CI's quick build train for minutes instead of seconds."""
    longest = max(quick["models"][m]["epochs"] for m in ("mpnn", "uam", "uam_described"))
    too_long = {m: spec["epochs"] for m, spec in quick["models"].items() if spec.get("epochs", 0) > longest}
    assert not too_long, f"quick.yaml does not shrink {too_long}"


def test_a_variant_of_an_unknown_model_is_refused():
    raw = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    raw["models"]["extra"] = {"variant_of": "nothing", "label": "extra"}
    with pytest.raises(ConfigError, match=r"models\.extra\.variant_of: unknown model 'nothing'"):
        validate_config(raw)


def test_a_cycle_of_variants_is_refused():
    raw = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    raw["models"]["loop_a"] = {"variant_of": "loop_b", "label": "a"}
    raw["models"]["loop_b"] = {"variant_of": "loop_a", "label": "b"}
    with pytest.raises(ConfigError, match=r"models\.loop_[ab]\.variant_of: a cycle of variants: "
                                          r"loop_([ab]) -> loop_[ab] -> loop_\1"):
        validate_config(raw)


def test_a_variant_of_a_variant_flips_both_switches_and_pairs_with_its_own_base(config):
    """Two switches together are written as the second on top of the first, never by repeating the first."""
    dense, both, released = (config["models"][m] for m in ("uam_dense_moe", "uam_dense_moe_300_epochs", "uam"))
    assert both["feature_encoder"] == dense["feature_encoder"] != released["feature_encoder"]
    assert both["epochs"] == config["models"]["uam_300_epochs"]["epochs"] != dense["epochs"]
    assert both["label"] != dense["label"]
    assert both["compare_to"] == "uam" and dense["compare_to"] == "uam"
    raw = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    del raw["models"]["uam_dense_moe_300_epochs"]["compare_to"]
    assert validate_config(raw)["models"]["uam_dense_moe_300_epochs"]["compare_to"] == "uam_dense_moe"


def test_a_comparison_with_a_model_missing_on_a_dataset_is_refused(config):
    broken = copy.deepcopy(config)
    broken["models"]["mpnn"]["compare_to"] = "dft_rf"  # dft_rf runs on BH only
    with pytest.raises(ConfigError, match=r"models\.mpnn\.compare_to: 'dft_rf' does not run on dataset 'sm'"):
        validate_config(broken)


def test_a_split_family_shares_the_features_of_its_reactions(config):
    raw = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    assert set(raw["datasets"]["bh_tests"]) == {"title", "kind", "same_reactions_as", "splits"}  # the rest inherited
    assert all(config["datasets"]["bh_tests"][k] == config["datasets"]["bh"][k]
               for k in ("reactions", "split_orders", "descriptor_tables", "human_features"))
    raw["datasets"]["bh_tests"]["human_features"] = "mordred"
    with pytest.raises(ConfigError, match=r"datasets\.bh_tests\.human_features: differs from 'bh', whose reactions "
                                          r"and features it shares"):
        validate_config(raw)


def test_learning_curve_entries_train_on_the_head_of_the_training_order(config):
    entry = config["models"]["dft_rf_lc025"]
    assert entry["curve_of"] == "dft_rf" and entry["label"] == "DFT RF (2.5%)"
    assert entry["train_fraction"] == pytest.approx(0.025 / 0.7)
    assert entry["datasets"] == ["bh"]  # random splits only: not the unseen-additive tests
    # one seed per point (the first), though the described UAM itself runs three
    assert "compare_to" not in config["models"]["uam_described_lc500"]  # a point, not a paired variant of `uam`
    point = [r for r in runs(config) if r[1] == "uam_described_lc500"]
    assert len(point) == 2 * config["learning_curves"]["max_splits"]
    assert model_seeds(config, "uam_described_lc500") == [0] and model_seeds(config, "uam_described") == [0, 1, 2]


def test_max_splits_caps_random_splits_but_every_out_of_sample_test_runs(config):
    yieldbert_runs = [(dataset, split) for dataset, model, split, seed in runs(config)
                      if model == "yieldbert" and seed == 0]
    assert config["models"]["yieldbert"]["max_splits"] == 1
    assert yieldbert_runs == [("bh", "FullCV_01"), ("bh_tests", "Test1"), ("bh_tests", "Test2"),
                              ("bh_tests", "Test3"), ("bh_tests", "Test4"), ("sm", "random_split_0")]


def test_a_model_with_its_own_pretraining_settings_gets_its_own_checkpoint(config):
    from rxnyield.config import ALL_REACTIONS, SHARED_ENCODERS, pretrained_checkpoints

    shared = run_config(config, "bh", "uam_described", "FullCV_01", 0)["model_params"]
    own = run_config(config, "bh", "uam_long_pretraining", "FullCV_01", 0)["model_params"]
    assert shared["checkpoint"].endswith("pretrain/bh/all/encoders.pt")
    assert own["checkpoint"].endswith("pretrain/bh/all/uam_long_pretraining.pt")
    assert own["encoders"] == {**shared["encoders"], "epochs": 50} != shared["encoders"]
    assert "pretraining" not in own  # resolved into `encoders`, the settings the checkpoint is built with
    # random splits: one checkpoint per dataset; unseen-additive tests: one per test (no variant adds one)
    assert pretrained_checkpoints(config) == [
        ("bh", ALL_REACTIONS, SHARED_ENCODERS), ("bh", ALL_REACTIONS, "uam_long_pretraining"),
        *[("bh_tests", test, SHARED_ENCODERS) for test in ("Test1", "Test2", "Test3", "Test4")],
        ("sm", ALL_REACTIONS, SHARED_ENCODERS)]


def test_unseen_additive_tests_load_encoders_pre_trained_on_their_training_reactions(config):
    from rxnyield.config import ALL_REACTIONS, needs_pretraining, pretrain_settings, pretraining_scope

    def checkpoint(c, dataset, model, split):
        return run_config(c, dataset, model, split, 0)["model_params"]["checkpoint"]

    results, described = config["results_dir"], "uam_described"  # the released `uam` pre-trains nothing
    transductive = f"{results}/pretrain/bh/all/encoders.pt"
    assert {checkpoint(config, "bh", described, s) for s in config["datasets"]["bh"]["splits"]} == {transductive}
    for test in config["datasets"]["bh_tests"]["splits"]:
        assert pretraining_scope(config, "bh_tests", described, test) == test
        assert checkpoint(config, "bh_tests", described, test) == f"{results}/pretrain/bh_tests/{test}/encoders.pt"
        # the variant that says so reuses BH's checkpoint of all reactions, held-out additives included
        assert checkpoint(config, "bh_tests", "uam_transductive", test) == transductive
    # every seed of a run loads the split's one checkpoint
    assert {run_config(config, "bh_tests", described, "Test1", k)["model_params"]["checkpoint"]
            for k in model_seeds(config, described)} == {checkpoint(config, "bh_tests", described, "Test1")}
    scoped = pretrain_settings(config, "bh_tests", "Test1")
    assert scoped["split"] == "Test1" and "split" not in pretrain_settings(config, "bh", ALL_REACTIONS)
    # an explicit scope is honoured on random splits too: one checkpoint per split
    per_split = copy.deepcopy(config)
    per_split["models"][described]["pretraining_scope"] = "train"
    assert checkpoint(per_split, "bh", described, "FullCV_01") == f"{results}/pretrain/bh/FullCV_01/encoders.pt"
    # the released UAM trains its encoders end to end: no checkpoint on the tests either, whatever the scope
    assert not needs_pretraining(config, "uam") and "checkpoint" not in run_config(
        config, "bh_tests", "uam", "Test1", 0)["model_params"]


def test_a_split_named_like_the_scope_of_all_reactions_is_refused(config):
    broken = copy.deepcopy(config)
    broken["datasets"]["bh_tests"]["splits"] = ["Test1", "all"]
    with pytest.raises(ConfigError, match=r"datasets\.bh_tests\.splits: the split name 'all' is reserved"):
        validate_config(broken)


def test_a_misspelt_pretraining_override_is_named(config):
    broken = copy.deepcopy(config)
    broken["models"]["uam_long_pretraining"]["pretraining"] = {"epoch": 50}
    with pytest.raises(ConfigError, match=r"models\.uam_long_pretraining\.pretraining: unknown key 'epoch' "
                                          r"\(did you mean 'epochs'\?\)"):
        validate_config(broken)


def write_overlay(tmp_path, text: str):
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(text)
    return overlay


def test_a_problem_is_named_with_the_file_that_sets_the_key(tmp_path):
    overlay = write_overlay(tmp_path, "models:\n  mpnn:\n    epoch: 3\n")
    with pytest.raises(ConfigError, match=rf"^{overlay}: models\.mpnn: unknown key 'epoch' \(did you mean 'epochs'"):
        load_config(ROOT / "config" / "config.yaml", overlay)


def test_a_yaml_syntax_error_names_file_and_line(tmp_path):
    overlay = write_overlay(tmp_path, "models:\n  mpnn:\n    epochs: [3\n  uam: {}\n")
    with pytest.raises(ConfigError, match=rf"^{overlay}:4: YAML syntax error"):
        load_config(ROOT / "config" / "config.yaml", overlay)


def test_an_overlay_given_alone_says_it_is_an_overlay(monkeypatch):
    monkeypatch.chdir(ROOT)
    with pytest.raises(ConfigError, match=r"^config/quick\.yaml: not a whole configuration but an overlay \(\d+ "
                                          r"top-level settings missing\): give the base first, e\.g\. --config "
                                          r"config/config\.yaml config/quick\.yaml$"):
        load_config("config/quick.yaml")


def test_missing_data_files_and_unknown_splits_fail_when_the_config_is_loaded(tmp_path, monkeypatch):
    """Before any job runs (a dry run included): a missing file used to pass until featurize failed and
    Snakemake deleted the previous features.npz; a split name that does not exist used to pass the dry run."""
    monkeypatch.chdir(ROOT)
    overlay = write_overlay(tmp_path, "datasets:\n  sm:\n    reactions: src/data/suzuki_miyaura/missing.csv\n"
                                      "  bh:\n    splits: [FullCV_01, FullCV_11]\n")
    with pytest.raises(ConfigError) as raised:
        load_config(ROOT / "config" / "config.yaml", overlay)
    lines = str(raised.value).splitlines()
    assert f"{overlay}: datasets.sm.reactions: no file src/data/suzuki_miyaura/missing.csv" in lines
    assert any(line.startswith(f"{overlay}: datasets.bh.splits: 'FullCV_11' is not a split of "
                               f"src/data/buchwald_hartwig/bh_split_orders.csv") for line in lines)


def test_a_dry_run_refuses_a_config_naming_a_missing_file(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    overlay = write_overlay(tmp_path, "datasets:\n  bh:\n    splits: [FullCV_11]\n")
    snakemake = Path(sys.executable).parent / "snakemake"
    result = subprocess.run([str(snakemake), "-n", "--cores", "1", "--configfile", "config/config.yaml", str(overlay)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert f"{overlay}: datasets.bh.splits: 'FullCV_11' is not a split of" in result.stdout + result.stderr


def test_a_model_entry_without_a_type_is_told_so_and_nothing_else(config):
    broken = copy.deepcopy(config)
    del broken["models"]["onehot_rf"]["type"]
    with pytest.raises(ConfigError) as raised:
        validate_config(broken)
    assert str(raised.value) == "config: models.onehot_rf: 'type' is a required property"


def test_a_torch_model_runs_once_per_seed_and_other_models_once(config):
    assert config["seeds"]["torch"] == [0, 1, 2]
    bh_runs = [r for r in runs(config) if r[0] == "bh"]
    assert [r for r in bh_runs if r[1:3] == ("mpnn", "FullCV_01")] == [("bh", "mpnn", "FullCV_01", k)
                                                                       for k in (0, 1, 2)]
    assert [r for r in bh_runs if r[1:3] == ("dft_rf", "FullCV_01")] == [("bh", "dft_rf", "FullCV_01", 0)]
    assert [r for r in bh_runs if r[1:3] == ("uam_finetuned", "FullCV_01")] == [("bh", "uam_finetuned", "FullCV_01", 0)]
    assert model_seeds(config, "mpnn_60_epochs") == [0, 1, 2]  # a variant inherits its base's seeds ...
    assert model_seeds(config, "uam_no_uq") == [0]  # ... unless it narrows them (the described design's ablations)
    assert len(set(runs(config))) == len(runs(config))


def test_a_run_config_carries_one_integer_torch_seed_and_its_batch_seed(config):
    run = run_config(config, "bh", "mpnn", "FullCV_01", 2)
    assert run["seeds"] == {"data": 2, "torch": 2, "model": 0, "features": 0}
    assert run_config(config, "bh", "mpnn", "FullCV_01", 0)["seeds"] == {"data": 0, "torch": 0, "model": 0,
                                                                          "features": 0}
    assert run_config(config, "bh", "dft_rf", "FullCV_01", 0)["seeds"] == {"data": 0, "torch": 0, "model": 0,
                                                                           "features": 0}
    narrowed = run_config(config, "bh", "uam_finetuned", "FullCV_01", 0)
    assert "torch_seeds" not in narrowed["model_params"] and narrowed["seeds"]["torch"] == 0
    # one checkpoint, the first seed: of all reactions, and of one split's training reactions alike
    assert pretrain_settings(config, "bh", "all")["seeds"]["torch"] == 0
    assert pretrain_settings(config, "bh_tests", "Test1")["seeds"]["torch"] == 0
    path = run_dir("results/paper", "bh", "mpnn", "FullCV_01", 2)
    assert path.as_posix() == "results/paper/runs/bh/mpnn/FullCV_01/seed2"


def test_torch_seeds_on_a_model_torch_does_not_seed_are_refused(config):
    broken = copy.deepcopy(config)
    broken["models"]["dft_rf"]["torch_seeds"] = [0, 1]
    with pytest.raises(ConfigError, match=r"models\.dft_rf\.torch_seeds: a 'random_forest' model is not seeded by "
                                          r"torch"):
        validate_config(broken)
