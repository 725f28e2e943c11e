"""Report layer on synthetic per-run metrics: paired comparisons, the ablation table, the variables."""

import numpy as np
import pandas as pd
import pytest

from rxnyield.config import runs, sigma_sources
from rxnyield.report.aggregate import Aggregate, paired_comparisons, seed_variance, sigma_comparisons
from rxnyield.report.frames import paired_runs
from rxnyield.report.tables import (ablation_table, compute_summary, compute_table, out_of_sample_table,
                                    reproduction_table, results_table, seed_variance_table)
from rxnyield.report.variables import p_statement, variable_specs
from rxnyield.stats import METRICS, paired_comparison, seed_split_variance, summarize


SEED_EFFECT = {0: 0.0, 1: 0.002, 2: -0.002}  # every torch model's seeds alike, averaging to seed 0's value


def shift(model: str, split_index: int, seed: int) -> float:
    """w/o H loses 0.02-0.0247 on every run (distinct sizes: no ties); the others equal UAM."""
    return -(0.02 + 0.0005 * split_index + 0.0001 * seed) if model == "uam_no_human" else 0.0


@pytest.fixture(scope="module")
def synthetic(config):
    rng = np.random.default_rng(0)
    split_effect = {s: rng.normal(0, 0.01) for d in config["datasets"] for s in config["datasets"][d]["splits"]}
    rows = []
    for dataset, model, split, seed in runs(config):
        noise = rng.normal(0, 0.003) if model == "uam_no_uq" else 0.0
        r2 = (0.9 + split_effect[split] + SEED_EFFECT[seed]
              + shift(model, config["datasets"][dataset]["splits"].index(split), seed) + noise)
        rows.append({"dataset": dataset, "model": model, "split": split, "seed": seed, "n_train": 70, "n_test": 30,
                     "mae": 5.0 - r2, "rmse": 7.0 - r2, "r2": r2})
    per_split = pd.DataFrame(rows)
    summary = pd.DataFrame([{"dataset": d, "model": m, "metric": k, **summarize(g[k])}
                            for (d, m), g in per_split.groupby(["dataset", "model"], sort=False) for k in METRICS])
    no_predictions = pd.DataFrame()  # uncertainty and compute tables: see test_uncertainty.py and below
    return Aggregate(config=config, per_split=per_split, summary=summary, paired=paired_comparisons(config, per_split),
                     **dict.fromkeys(("uncertainty", "uncertainty_summary", "sigma_paired", "calibration", "retention",
                                      "compute"), no_predictions))


def test_a_consistent_drop_is_distinguishable_and_noise_is_not(synthetic):
    paired = synthetic.paired.set_index(["dataset", "model", "metric"])
    drop = paired.loc[("bh", "uam_no_human", "r2")]
    # one seed on 10 splits (the ablations' config) against the reference averaged over its three seeds
    assert drop["n"] == 10 and drop["paired_on"] == "split" and drop["median"] == pytest.approx(-0.02225)
    assert drop["p_wilcoxon"] == pytest.approx(2 / 2**10)
    # a variant with its reference's three seeds: 10 splits x 3 seeds, each seed's run against the same seed's
    sixty = paired.loc[("bh", "mpnn_60_epochs", "r2")]
    assert sixty["n"] == 30 and sixty["paired_on"] == "split, seed" and sixty["mean"] == pytest.approx(0.0)
    assert paired.loc[("bh", "uam_no_uq", "r2")]["p_wilcoxon"] > 0.05
    # one seed on 3 splits against UAM's three averaged: paired on the splits both ran
    authors = paired.loc[("bh", "uam_authors_head", "r2")]
    assert authors["n"] == 3 and authors["paired_on"] == "split" and authors["mean"] == pytest.approx(0.0)


def test_ablation_table_bolds_only_distinguishable_differences(synthetic):
    table = ablation_table(synthetic.config, synthetic.summary, synthetic.paired)
    rows = {line.split(" & ")[0]: line for line in table.splitlines() if " & " in line}
    without_h = rows["w/o H vs UAM as described"]  # the ablations' reference is a variant of the released UAM
    assert without_h.endswith(r"\textbf{0.002} \\") and without_h.startswith("w/o H vs UAM as described & 10 & ")
    assert r"\textbf" not in rows["w/o UQ vs UAM as described"]
    assert "reference" in rows["UAM"]
    assert "w/o H" not in results_table(synthetic.config, synthetic.summary)  # ablations stay out of it


def test_variables_name_the_distinguishable_ablations(synthetic):
    specs = variable_specs(synthetic.config)
    assert specs["bh_distinguishable"](synthetic) == "w/o H vs UAM as described"  # a label alone can be ambiguous
    assert "w/o UQ vs UAM as described" in specs["bh_within_noise"](synthetic)
    assert specs["bh_uam_no_human_r2_delta_trimean"](synthetic) == "-0.022"
    assert specs["bh_uam_no_human_r2_p"](synthetic) == "$p = 0.002$"
    assert specs["bh_uam_no_human_r2_delta"](synthetic).endswith("(10 paired splits)")
    assert specs["bh_uam_no_human_n_seeds"](synthetic) == "1"
    assert specs["bh_mpnn_60_epochs_r2_delta"](synthetic).endswith("(30 paired runs, same split and seed)")
    assert specs["bh_uam_authors_head_min_p"](synthetic) == "0.25"


def test_a_p_in_the_text_carries_its_relation():
    """The text once read `p = <0.001`: the variable, not the sentence, says whether p equals or falls below."""
    assert p_statement(0.25) == "$p = 0.250$"
    assert p_statement(2 / 2**30) == "$p < 0.001$"


def test_a_variant_with_its_own_reference_is_paired_with_it_and_says_so(synthetic):
    paired = synthetic.paired.set_index(["dataset", "model", "metric"])
    assert paired.loc[("sm", "uam_finetuned", "r2")]["reference"] == "uam_short"
    table = ablation_table(synthetic.config, synthetic.summary, synthetic.paired)
    labels = [line.split(" & ")[0] for line in table.splitlines() if " & " in line]
    assert labels.count("10 epochs vs UAM as described") == 2  # once per dataset, a variant of the described UAM
    assert "fine-tuned (10 epochs) vs 10 epochs" in labels


def test_out_of_sample_table_shows_each_test_and_the_published_rows(synthetic):
    quoted = pd.DataFrame([{"dataset": "bh_tests", "model": "Yield-BERT", "Test1": "0.845", "Test2": "0.904",
                            "Test3": "0.698", "Test4": "0.353"}])
    table = out_of_sample_table(synthetic.config, synthetic.per_split, quoted, "bh_tests")
    lines = table.splitlines()
    assert lines[2] == r"$R^2$ & contrastive pre-training on & Test1 & Test2 & Test3 & Test4 \\"
    assert r"\emph{Yield-BERT (published)} & & \emph{0.845} & \emph{0.904}" in table
    assert table.count(r"\textbf") == 4  # one best value per test
    specs = variable_specs(synthetic.config)
    drop = float(specs["bh_tests_uam_r2_drop"](synthetic))
    assert drop == pytest.approx(synthetic.summary.query("dataset == 'bh' and model == 'uam' and metric == 'r2'")
                                 ["trimean"].iloc[0] - synthetic.per_split.query(
                                     "dataset == 'bh_tests' and model == 'uam'")["r2"].mean(), abs=5e-4)


def test_out_of_sample_table_says_which_encoders_saw_the_held_out_reactions(synthetic):
    """The released UAM (no pre-training), the described UAM on encoders pre-trained on each test's training
    reactions, and its transductive variant on BH's encoders of all reactions: all three rows, labelled, in
    that order; the last never bold, however high."""
    per_split = synthetic.per_split.copy()
    per_split.loc[per_split["model"] == "uam_transductive", "r2"] = 0.99
    table = out_of_sample_table(synthetic.config, per_split, pd.DataFrame(columns=["dataset"]), "bh_tests")
    cells = {line.split(" & ")[0]: line.split(" & ")[1:] for line in table.splitlines() if " & " in line}
    assert cells["UAM"][0] == "none (end to end)"
    assert cells["UAM as described"][0] == "training reactions"
    assert cells["UAM as described, transductive pre-training"][:2] == ["all reactions", "0.990"]  # not bold
    assert cells["DFT RF"][0] == ""  # no encoders
    labels = list(cells)
    assert labels[labels.index("UAM"):labels.index("UAM") + 3] == [
        "UAM", "UAM as described", "UAM as described, transductive pre-training"]


def test_an_out_of_sample_model_missing_on_a_test_shows_a_dash(synthetic):
    per_split = synthetic.per_split[~((synthetic.per_split["model"] == "uam")
                                      & (synthetic.per_split["split"] == "Test2"))]
    table = out_of_sample_table(synthetic.config, per_split, pd.DataFrame(columns=["dataset"]), "bh_tests")
    uam_row = next(line for line in table.splitlines() if line.startswith("UAM &"))
    assert uam_row.split(" & ")[3] == "--"


def test_every_two_sigma_sources_are_compared_once_on_shared_splits(config):
    rows = []
    for dataset in config["datasets"]:
        sources = sigma_sources(config, dataset)
        for model, kind in sources:
            for i, split in enumerate(config["datasets"][dataset]["splits"]):
                better = (model, kind) == sources[0]  # the first source ranks errors better on every split
                rows.append({"dataset": dataset, "model": model, "kind": kind, "split": split, "seed": 0,
                             "spearman": 0.5 + 0.01 * i if better else 0.3 + 0.02 * (i % 3)})
    compared = sigma_comparisons(config, pd.DataFrame(rows)).query("dataset == 'bh'")
    sources, n = sigma_sources(config, "bh"), len(config["datasets"]["bh"]["splits"])
    assert len(compared) == len(sources) * (len(sources) - 1) // 2
    first = compared[(compared["model"] == sources[0][0]) & (compared["kind"] == sources[0][1])]
    assert len(first) == len(sources) - 1 and (first["n"] == n).all()
    assert first["p_wilcoxon"].tolist() == pytest.approx([2 / 2**n] * len(first))
    assert (first["median"] > 0).all()


def test_the_overtaking_fraction_is_where_one_curve_stays_ahead(synthetic, config):
    specs = variable_specs(config)
    assert specs["bh_lc_overtakes"](synthetic) == r"2.5\,\%"  # equal everywhere: ahead from the start
    per_split = synthetic.per_split.copy()
    behind = per_split["model"].isin(["uam_described_lc025", "uam_described_lc050"])
    per_split.loc[behind, "r2"] -= 0.1  # UAM behind the forest below 10 % of the data
    assert specs["bh_lc_overtakes"](Aggregate(config=config, per_split=per_split)) == r"10\,\%"
    per_split.loc[per_split["model"] == "uam_described", "r2"] -= 0.1  # and behind on the full training set
    assert specs["bh_lc_overtakes"](Aggregate(config=config, per_split=per_split)) == "no fraction tested"


def test_compute_table_sums_jobs_per_family():
    compute = pd.DataFrame({"rule": ["train", "train", "featurize"], "family": ["uam", "uam", "featurize"],
                            "name": ["uam", "uam", "bh"], "wall_s": [1800.0, 1800.0, 90.0],
                            "cpu_s": [3600.0, 3600.0, 80.0], "max_rss_mb": [1300.0, 1200.0, 900.0]})
    rows = {line.split(" & ")[0]: line for line in compute_table(compute).splitlines() if " & " in line}
    assert rows["uam"] == r"uam & 2 & 1.00 & 2.00 & 1800 & 1300 \\"
    assert rows["total"] == r"total & 3 & 1.02 & 2.02 & & 1300 \\"


def test_compute_summary_names_the_costliest_entries_and_the_cpu_classes_of_the_runs():
    compute = pd.DataFrame({"rule": ["train", "train", "train", "pretrain"], "family": ["uam", "uam", "mpnn", "pretrain"],
                            "name": ["uam_short", "uam_short", "mpnn", "bh"], "wall_s": [1800.0, 1800.0, 900.0, 2700.0],
                            "cpu_s": [0.0] * 4, "max_rss_mb": [0.0] * 4,
                            "computed_on": ["AMD AVX-512"] * 3 + [""]})
    costliest = ("The jobs of this build ran for 2.00 h of wall time in all; the costliest entries were "
                 r"\texttt{uam\_short} (train, 2 jobs, 1.00 h) and \texttt{bh} (pretrain, 1 job, 0.75 h).")
    assert compute_summary(compute, top=2) == costliest + " Its 3 training runs were computed on AMD AVX-512 CPUs.\n"
    compute.loc[2, "computed_on"] = "Intel AVX-512"  # a run restored as computed on another class, or trained here
    assert compute_summary(compute, top=2) == costliest + (
        " Its 3 training runs were computed on AMD AVX-512 CPUs (2) and Intel AVX-512 CPUs (1); a job's times are "
        "those of the machine it ran on.\n")


def test_symlog_axis_shows_small_and_large_differences_inside_labelled_decades():
    import matplotlib.pyplot as plt

    from rxnyield.report.figures import symlog_axis

    figure, ax = plt.subplots()
    symlog_axis(ax, [pd.Series([-0.63, -0.61]), pd.Series([0.004, -0.002])])
    assert ax.get_ylim() == (-1.0, 0.01)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["-1", "-0.1", "-0.01", "0", "+0.01"]
    plt.close(figure)


def test_gpu_variables_pair_the_splits_both_models_ran_on(config, tmp_path):
    """The committed GPU measurement: only splits with both models are paired (a run cut short by a lease
    leaves one model without a split), and the text values come from the file."""
    import json

    runs = {"uam_described": {"FullCV_01": {"r2": 0.90, "seconds": 40.0}, "FullCV_02": {"r2": 0.92, "seconds": 50.0},
                    "FullCV_03": {"r2": 0.94, "seconds": 60.0}},
            "uam_paper_encoders": {"FullCV_01": {"r2": 0.91, "seconds": 30.0},
                                   "FullCV_02": {"r2": 0.93, "seconds": 30.0}}}
    measured = {"device_name": "GPU X", "torch": "9.9", "measured": "2026-01-01", "runs": runs,
                "pretraining": {"uam_described": {"seconds": 100.4, "held_out_infonce": 0.9},
                                "uam_paper_encoders": {"seconds": 20.0, "held_out_infonce": 0.61}},
                "agreement": {"uam": {"cpu": {"r2": 0.95501, "seconds": 30.2}, "cuda": {"r2": 0.95249, "seconds": 25.8},
                                      "r2_difference": -0.0025},
                              "yieldbert": {"cpu": {"interrupted": True}, "cuda": {"r2": 0.6158, "seconds": 22.4}}}}
    path = tmp_path / "gpu.json"
    path.write_text(json.dumps(measured))
    values = {name: spec(None) for name, spec in variable_specs(dict(config, measured_gpu=str(path))).items()
              if name.startswith("gpu_")}
    assert values["gpu_n_splits"] == "2"
    assert values["gpu_full_uam_r2_mean_std"] == "0.910 $\\pm$ 0.014"
    assert values["gpu_encoders_r2_delta_trimean"] == "+0.010"
    assert values["gpu_full_uam_seconds_median"] == "45"
    assert values["gpu_pretraining_full_seconds"] == "100"
    assert (values["gpu_agreement_uam_cpu_r2"], values["gpu_agreement_uam_cuda_r2"]) == ("0.9550", "0.9525")
    assert values["gpu_agreement_yieldbert_cuda_seconds"] == "22"
    assert "gpu_agreement_yieldbert_cpu_r2" not in values  # cut short: no value, no variable
    assert values["gpu_device"] == "GPU X"


def test_cpu_class_values_group_torch_models_apart_and_name_the_differing_kernels(config, tmp_path):
    """The committed CPU-class measurements: torch model types (the registry's `torch_seeded`) against forests and
    XGBoost, the types that kept every byte, and the operations that did not; the kernels only where they were
    emulated, the vendor where it is not AMD's."""
    import json

    kinds = {"random_forest": (3, 3, 0.0, 0.0), "xgboost": (2, 2, 0.0, 0.0), "mpnn": (4, 4, 0.0, 0.0),
             "uam": (5, 0, 2.5e-3, 2.94), "yieldbert": (2, 0, 4e-9, 0.001)}
    per_run = [{"type": "uam", "r2_cached": 0.9, "r2_here": 0.9 + d} for d in (1e-3, -2e-3, 2.5e-3, 0, 0)]
    per_run += [{"type": "mpnn", "r2_cached": 0.9, "r2_here": 0.9}] * 4 + [
        {"type": "yieldbert", "r2_cached": 0.1, "r2_here": 0.1}] * 2
    per_run += [{"type": "random_forest", "r2_cached": 0.8, "r2_here": 0.8}] * 5
    per_run = [dict(row, run=f"bh/model_{i % 2}/FullCV_01/seed0", identical=row["r2_cached"] == row["r2_here"])
               for i, row in enumerate(per_run)]
    other_runs = per_run + [{"run": "bh_tests/mordred_rf/Test3/seed0", "type": "random_forest", "identical": False,
                             "r2_cached": 0.6, "r2_here": 0.59}]
    measured = {"native": "avx512", "cache_class": "avx512", "cpu": "AMD EPYC",
                "emulated": {"ATEN_CPU_CAPABILITY": "avx2"}, "per_run": per_run,
                "by_model_type": {k: {"runs": n, "identical": same, "max_abs_r2_difference": r2,
                                      "max_yield_difference": y} for k, (n, same, r2, y) in kinds.items()},
                "kernels": {"linear": {"identical": True}, "layer_norm": {"identical": True},
                            "encoder_layer": {"identical": False}, "softmax": {"identical": False}}}
    emulated, other = tmp_path / "cpu.json", tmp_path / "other.json"
    emulated.write_text(json.dumps(measured))
    other.write_text(json.dumps(dict(measured, native="avx512 (GenuineIntel)", emulated=None, kernels=None,
                                     per_run=other_runs)))
    specs = variable_specs(dict(config, measured_cpu_class=str(emulated), measured_other_cpu=str(other)))
    values = {name: spec(None) for name, spec in specs.items() if name.startswith(("cpu_class_", "other_cpu_"))}
    assert (values["cpu_class_native"], values["cpu_class_emulated"]) == ("AMD AVX-512", "AVX2")
    assert (values["cpu_class_torch_runs"], values["cpu_class_torch_identical"]) == ("11", "4")
    assert (values["cpu_class_other_runs"], values["cpu_class_other_identical"]) == ("5", "5")
    assert values["cpu_class_torch_max_r2_difference"] == r"$2.5 \times 10^{-3}$"
    assert values["cpu_class_torch_median_r2_difference"] == "0"  # 8 of the 11 torch runs did not move
    assert values["cpu_class_other_max_r2_difference"] == "0"
    assert values["cpu_class_torch_max_yield_difference"] == "2.9"
    assert values["cpu_class_identical_torch_types"] == "mpnn"
    assert values["cpu_class_differing_torch_types"] == "uam, yieldbert"
    assert values["cpu_class_differing_kernels"] == "encoder layer, softmax"  # no underscore reaches LaTeX
    assert (values["other_cpu_native"], values["other_cpu_cache_class"]) == ("Intel AVX-512", "AMD AVX-512")
    assert values["other_cpu_torch_runs"] == "11" and values["other_cpu_cpu"] == "AMD EPYC"
    assert "other_cpu_emulated" not in values and "other_cpu_differing_kernels" not in values
    assert values["cpu_class_differing_other_models"] == "none"
    assert values["other_cpu_differing_other_models"] == r"bh\_tests/mordred\_rf"  # torch runs are not listed


def test_yieldbert_loop_values_are_one_set_per_run_label(config, tmp_path):
    """The committed measurement of Yield-BERT in its authors' loop: each labelled run (installed transformers,
    the authors' version, a longer schedule) gets its own values; the split name is escaped for LaTeX."""
    import json

    run = {"transformers": "2.11.0", "epochs": 1, "split": "FullCV_01", "r2": -0.00412, "train_loss": [1.1, 1.0282],
           "prediction_std": 0.194, "seconds": 776.6, "seed": 0}
    measured = {"runs": {"authors": run, "installed": dict(run, transformers="5.24.0", r2=0.61, seed=2),
                         "longer": dict(run, epochs=15, epochs_trained=3, r2_by_epoch=[-0.0025, 0.4, 0.612],
                                       token_mismatches=0)}}
    path = tmp_path / "yieldbert.json"
    path.write_text(json.dumps(measured))
    values = {name: spec(None) for name, spec in variable_specs(dict(config, measured_yieldbert=str(path))).items()
              if name.startswith("yieldbert_loop_")}
    assert len(values) == 3 * 9 + 2  # the per-epoch R² and the token check only where they were measured
    assert (values["yieldbert_loop_authors_r2"], values["yieldbert_loop_installed_r2"]) == ("-0.004", "0.610")
    assert values["yieldbert_loop_authors_transformers"] == "2.11.0"
    assert values["yieldbert_loop_authors_train_loss"] == "1.03"  # the last epoch's
    assert values["yieldbert_loop_authors_prediction_std"] == "0.2"
    assert values["yieldbert_loop_authors_seconds"] == "777"
    assert values["yieldbert_loop_authors_split"] == r"FullCV\_01"
    assert (values["yieldbert_loop_authors_seed"], values["yieldbert_loop_installed_seed"]) == ("0", "2")
    assert values["yieldbert_loop_authors_epochs_trained"] == "1"  # a run without the field trains its schedule
    assert values["yieldbert_loop_longer_epochs_trained"] == "3"
    assert values["yieldbert_loop_longer_epochs"] == "15"
    assert values["yieldbert_loop_longer_r2_by_epoch"] == "-0.003, 0.400, 0.612"
    assert values["yieldbert_loop_longer_token_mismatches"] == "0"


def test_uam_schedule_values_pair_each_split_with_the_builds_seed_mean(config, tmp_path):
    """The committed measurement of UAM with its authors' per-batch schedule: runs are grouped by (dataset, entry,
    schedule), seeds of a split averaged, and each split paired with the seed mean of the paper profile's runs of
    the same entry and split that the run recorded beside it."""
    import json

    def run(split, seed, r2, reference, cpu="AMD AVX2"):
        return {"dataset": "bh", "model": "uam", "split": split, "seed": seed, "schedule": "batch", "r2": r2,
                "selected_epoch": 50 + seed, "seconds": 700 + seed, "cpu_class": cpu, "threads": 1 + seed,
                "reference": {"r2_by_seed": reference, "computed_on": ["AMD AVX-512"]}}

    measured = {"runs": {"a": run("FullCV_01", 0, 0.95, {"0": 0.93, "1": 0.95}),
                         "b": run("FullCV_01", 1, 0.97, {"0": 0.93, "1": 0.95}),
                         "c": run("FullCV_02", 0, 0.96, {"0": 0.90, "1": 0.94, "2": 0.92}, cpu="Intel AVX-512"),
                         "d": dict(run("FullCV_01", 0, 0.5, {"0": 0.93}), schedule="epoch")}}
    path = tmp_path / "uam_schedule.json"
    path.write_text(json.dumps(measured))
    values = {name: spec(None) for name, spec in variable_specs(dict(config, measured_uam_schedule=str(path))).items()
              if name.startswith("uam_schedule_")}
    batch = "uam_schedule_bh_uam_batch"
    assert len(values) == 2 * 8 + 1
    assert values[f"{batch}_n_runs"] == "3"
    # FullCV_01: 0.96 against 0.94; FullCV_02: 0.96 against 0.92
    assert values[f"{batch}_r2_delta"] == r"+0.030 $\pm$ 0.014 (2 paired splits)"
    assert values[f"{batch}_r2_mean_std"] == r"0.960 $\pm$ 0.000"
    assert values[f"{batch}_selected_epochs"] == "50, 51, 50"
    assert values[f"{batch}_seconds_median"] == "700"
    assert values[f"{batch}_cpu"] == "AMD AVX2, Intel AVX-512"
    assert values[f"{batch}_threads"] == "1, 2"
    assert values[f"{batch}_reference_cpu"] == "AMD AVX-512"
    assert values["uam_schedule_bh_uam_epoch_r2_delta"] == "-0.430 (1 paired split)"
    # the authors' variant against the pipeline's own code trained on the same machine: FullCV_01 only, 0.96 - 0.5
    assert values[f"{batch}_r2_delta_here"] == "+0.460 (1 paired split)"


def test_reproduction_table_gives_the_gap_in_published_standard_deviations_and_the_paired_variants(synthetic,
                                                                                                  tmp_path):
    import json

    schedule = tmp_path / "uam_schedule.json"  # the authors' per-batch schedule, measured outside the build
    schedule.write_text(json.dumps({"runs": {f"{model}/{split}": {
        "dataset": "bh", "model": model, "split": split, "seed": 0, "schedule": "batch", "r2": r2,
        "reference": {"r2_by_seed": reference, "computed_on": ["AMD AVX-512"]}}
        for model, split, r2, reference in (("uam", "FullCV_01", 0.93, {"0": 0.90, "1": 0.92}),
                                            ("uam", "FullCV_02", 0.95, {"0": 0.90, "1": 0.92}),
                                            ("uam_300_epochs", "FullCV_01", 0.96, {"0": 0.97}))}}))
    features = tmp_path / "uam_atom_features.json"  # the authors' atom and bond features, likewise
    features.write_text(json.dumps({"runs": {f"{model}/{split}/{kind}": {
        "dataset": "bh", "model": model, "split": split, "seed": 0, "features": kind, "r2": r2,
        "reference": {"r2_by_seed": {"0": 0.80}, "computed_on": ["AMD AVX2"]}}
        for model, split, kind, r2 in (("uam_graph_view_only", "FullCV_01", "authors", 0.75),
                                       ("uam_graph_view_only", "FullCV_01", "pipeline", 0.81),
                                       ("uam_no_sequence_view_300_epochs", "FullCV_01", "authors", 0.70))}}))
    # (a variant compared with another than UAM: not at UAM's row)
    config = dict(synthetic.config, measured_uam_schedule=str(schedule), measured_uam_atom_features=str(features))
    published = pd.DataFrame([{"model": "uam", "dataset": "bh", "mean": "0.976", "std": "0.010", "n_splits": "10",
                               "cite": "chen2024uam", "source": "-"},
                              {"model": "not_run_here", "dataset": "bh", "mean": "0.5", "std": "0.1", "n_splits": "10",
                               "cite": "x", "source": "-"}])
    ours = synthetic.summary.set_index(["dataset", "model", "metric"]).loc[("bh", "uam", "r2")]
    paired = synthetic.paired.set_index(["dataset", "model", "metric"])
    table = reproduction_table(config, synthetic.summary, synthetic.paired, published)
    rows = [line for line in table.splitlines() if line.startswith("UAM")]
    variants = [m for m, spec in synthetic.config["models"].items()
                if spec.get("compare_to") == "uam" and "bh" in spec.get("datasets", ["bh"])]
    assert variants  # every variant of UAM on BH, in config order: the trimean of its paired differences (pairs)
    measured = "; ".join(f"{synthetic.config['models'][m]['label']} {paired.loc[('bh', m, 'r2')]['trimean']:+.3f} "
                         f"({paired.loc[('bh', m, 'r2')]['n']})" for m in variants)
    measured += r"; schedule per batch (authors')$^\dagger$ +0.030 (2)"  # (0.93 - 0.91, 0.95 - 0.91)
    # on a variant of UAM: against the build's run of that variant (0.96 - 0.97)
    at_300 = config["models"]["uam_300_epochs"]["label"]
    measured += rf"; schedule per batch (authors') at {at_300}$^\dagger$ -0.010 (1)"
    graph_only = config["models"]["uam_graph_view_only"]["label"]  # a variant compared with UAM: shown at its row
    measured += rf"; atom and bond features (authors') at {graph_only}$^\dagger$ -0.050 (1)"
    assert rows == [rf"UAM \cite{{chen2024uam}} & 0.976 $\pm$ 0.010 (10) & {ours['mean']:.3f} $\pm$ {ours['std']:.3f} "
                    rf"(10 $\times$ 3) & {(ours['mean'] - 0.976) / 0.010:+.1f} & {measured} \\"]


def test_rows_selects_by_key_columns_in_table_order_even_a_column_called_table():
    from rxnyield.report.frames import rows

    frame = pd.DataFrame({"table": ["main", "ablation", "main"], "model": ["a", "a", "b"], "value": [1, 2, 3]})
    assert rows(frame, table="main")["value"].tolist() == [1, 3]
    assert rows(frame, table="main", model="b")["value"].tolist() == [3]
    assert rows(frame, model="c").empty


def series(values: dict) -> pd.Series:
    """A model's metric by run: {(split, seed): value}."""
    return pd.Series(values, index=pd.MultiIndex.from_tuples(values, names=["split", "seed"]), dtype=float)


def test_runs_are_paired_on_split_and_seed_where_both_ran_several_seeds():
    first = series({("a", 0): 0.90, ("a", 1): 0.80, ("b", 0): 0.70, ("b", 1): 0.60, ("c", 0): 0.50})
    second = series({("a", 0): 0.85, ("a", 1): 0.82, ("b", 0): 0.71, ("b", 1): 0.50, ("c", 1): 0.40})
    pairs = paired_runs(first, second)
    assert pairs.attrs["paired_on"] == "split, seed" and list(pairs.index) == [("a", 0), ("a", 1), ("b", 0), ("b", 1)]
    differences = pairs["first"] - pairs["second"]
    assert differences.to_numpy() == pytest.approx([0.05, -0.02, -0.01, 0.10])
    # |d| ranks 3, 2, 1, 4: W+ = 7 of 10; of the 16 sign patterns, 5 give W+ <= 3: exact two-sided p = 10/16
    assert paired_comparison(pairs["first"], pairs["second"], 100, 0, 0.95)["p_wilcoxon"] == pytest.approx(0.625)


def test_a_single_seed_is_paired_with_the_mean_of_the_other_models_seeds():
    several = series({("a", 0): 0.90, ("a", 1): 0.80, ("b", 0): 0.70, ("b", 1): 0.60})
    single = series({("a", 0): 0.84, ("b", 0): 0.66})
    pairs = paired_runs(several, single)
    assert pairs.attrs["paired_on"] == "split" and list(pairs.index) == ["a", "b"]
    assert (pairs["first"] - pairs["second"]).to_numpy() == pytest.approx([0.01, -0.01])


def test_the_seed_variance_splits_into_its_seeds_and_its_splits_parts(config):
    # split a: 0.90, 0.92, 0.94 (mean 0.92, variance 0.0004); split b: 0.80, 0.81, 0.82 (0.81, 0.0001)
    assert seed_split_variance([[0.90, 0.92, 0.94], [0.80, 0.81, 0.82]]) == pytest.approx(
        {"n_splits": 2, "n_seeds": 3, "between_seed": 0.00025, "between_split": 0.00605})
    per_run = pd.DataFrame([{"dataset": "bh", "model": model, "split": split, "seed": seed, "r2": r2, "mae": 1.0,
                             "rmse": 2.0, "computed_on": "AMD AVX-512"}
                            for model in ("mpnn", "dft_rf")
                            for split, values in (("FullCV_01", [0.90, 0.92, 0.94]), ("FullCV_02", [0.80, 0.81, 0.82]))
                            for seed, r2 in enumerate(values if model == "mpnn" else values[:1])])
    table = seed_variance(config, per_run)
    assert set(table["model"]) == {"mpnn"}  # one seed per split: nothing to split
    r2 = table[table["metric"] == "r2"].iloc[0]
    assert (r2["between_seed"], r2["between_split"]) == pytest.approx((0.00025, 0.00605))
    assert table[table["metric"] == "mae"]["between_seed"].iloc[0] == 0.0
    line = next(line for line in seed_variance_table(config, table).splitlines() if line.startswith("MPNN"))
    assert line == r"MPNN & 2 $\times$ 3 & 0.0158 & 0.0778 & 4\% & 1 \\"


def test_the_seed_variance_table_counts_the_cpu_classes_a_models_seeds_were_computed_on(config):
    # seed 0 restored as computed on AMD, seeds 1-2 trained on an Intel machine: the seeds' part holds both
    per_run = pd.DataFrame([{"dataset": "bh", "model": "mpnn", "split": split, "seed": seed, "r2": 0.9 + 0.01 * seed,
                             "mae": 1.0, "rmse": 2.0, "computed_on": "AMD AVX-512" if seed == 0 else "Intel AVX-512"}
                            for split in ("FullCV_01", "FullCV_02") for seed in range(3)])
    table = seed_variance(config, per_run)
    assert set(table["cpu_classes"]) == {2}
    line = next(line for line in seed_variance_table(config, table).splitlines() if line.startswith("MPNN"))
    assert line.endswith(r"& 2 \\")


def test_reproduction_variables_quote_the_published_value_and_give_the_gap(synthetic):
    from rxnyield.report.variables import reproduction_specs

    published = pd.read_csv(synthetic.config["quoted_reproduction"], dtype=str)
    quoted = published[(published["dataset"] == "bh") & (published["model"] == "uam")].iloc[0]
    specs = reproduction_specs(synthetic.config)
    ours = synthetic.summary.set_index(["dataset", "model", "metric"]).loc[("bh", "uam", "r2")]
    assert specs["published_bh_uam_r2"](synthetic) == f"{float(quoted['mean']):.3f} $\\pm$ {float(quoted['std']):.3f}"
    assert specs["bh_uam_r2_gap"](synthetic) == f"{(ours['mean'] - float(quoted['mean'])) / float(quoted['std']):+.1f}"
    assert "published_bh_drfp_rf_r2" not in specs  # only methods with a published value on these splits
