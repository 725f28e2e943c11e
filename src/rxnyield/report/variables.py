"""The `\\variable` text files of the manuscript: results and the configuration values the text quotes.

Names depend on the configuration only (never on results), so Snakemake knows every output up front.
Each spec is a function of the `Aggregate` (config, per-split metrics, summaries, paired comparisons).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd

from rxnyield.config import (compared_models, curve_model, dataset_models, feature_dataset, model_datasets, model_splits,
                             out_of_sample_datasets, sigma_pairs, sigma_sources)
from rxnyield.report.curves import curve_points
from rxnyield.stats import paired_comparison, summarize, trimean


def fmt(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def mean_std(row: pd.Series, digits: int) -> str:
    """`mean ± std`, or the one value where a single split leaves the spread undefined."""
    if pd.isna(row["std"]):
        return f"{fmt(row['mean'], digits)} (one split)"
    return f"{fmt(row['mean'], digits)} $\\pm$ {fmt(row['std'], digits)}"


def p_value(p: float) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def minimum_p(n: int) -> float:
    """The smallest two-sided exact Wilcoxon p-value n paired splits can give (all signs equal)."""
    return 2 / 2**n


def stat(table: pd.DataFrame, dataset: str, model: str, metric: str) -> pd.Series:
    """The row of a summary (or of the paired comparisons) for one dataset, model and metric."""
    row = table[(table["dataset"] == dataset) & (table["model"] == model) & (table["metric"] == metric)]
    return row.iloc[0]


def paired_delta(row: pd.Series, digits: int) -> str:
    """Mean ± std of the per-split differences, and how many splits were paired."""
    n = int(row["n"])
    text = f"{row['mean']:+.{digits}f}"
    if n > 1:
        text += f" $\\pm$ {row['std']:.{digits}f}"
    return text + f" ({n} paired split{'s' if n > 1 else ''})"


def median_interval(row: pd.Series, digits: int) -> str:
    """Median difference and its bootstrap interval, e.g. `+0.004 [+0.001, +0.007]`."""
    return f"{row['median']:+.{digits}f} [{row['ci_low']:+.{digits}f}, {row['ci_high']:+.{digits}f}]"


def sorted_out(config: dict, paired: pd.DataFrame, dataset: str, distinguishable: bool) -> str:
    """Labels of the variants whose R² differences are (or are not) distinguishable from split noise."""
    alpha = config["statistics"]["alpha"]
    labels = [config["models"][m]["label"] for m in compared_models(config, dataset)
              if (stat(paired, dataset, m, "r2")["p_wilcoxon"] < alpha) == distinguishable]
    return "; ".join(labels) if labels else "none"  # `;`: a label may hold a comma


def variable_specs(config: dict) -> dict[str, callable]:
    """Variable name -> function(aggregate) returning its text."""
    specs = {"profile": lambda a: config["profile"].replace("_", r"\_")}
    quoted = pd.read_csv(config["quoted_values"], dtype=str)
    for key, value in zip(quoted["key"], quoted["value"]):
        specs[f"quoted_{key}"] = lambda a, v=value: v
    for dataset, dataset_spec in config["datasets"].items():
        specs[f"{dataset}_n_splits"] = lambda a, n=len(dataset_spec["splits"]): str(n)
        for column in ("n_train", "n_test"):
            specs[f"{dataset}_{column}"] = (
                lambda a, d=dataset, c=column: str(int(a.per_split.loc[a.per_split["dataset"] == d, c].iloc[0])))
        specs[f"{dataset}_n_reactions"] = lambda a, d=dataset: str(int(
            a.per_split.loc[a.per_split["dataset"] == d, ["n_train", "n_test"]].iloc[0].sum()))
        if compared_models(config, dataset):
            specs[f"{dataset}_distinguishable"] = lambda a, d=dataset: sorted_out(config, a.paired, d, True)
            specs[f"{dataset}_within_noise"] = lambda a, d=dataset: sorted_out(config, a.paired, d, False)
    for model, params in config["models"].items():
        for dataset in model_datasets(config, model):
            prefix = f"{dataset}_{model}"
            n_splits = len(model_splits(config, model, dataset))
            specs[f"{prefix}_n_splits"] = lambda a, n=n_splits: str(n)
            for metric, digits in (("r2", 3), ("mae", 2), ("rmse", 2)):
                for statistic in ("trimean", "iqr", "median"):
                    specs[f"{prefix}_{metric}_{statistic}"] = (
                        lambda a, d=dataset, m=model, k=metric, n=digits, t=statistic:
                        fmt(stat(a.summary, d, m, k)[t], n))
                specs[f"{prefix}_{metric}_mean_std"] = (
                    lambda a, d=dataset, m=model, k=metric, n=digits: mean_std(stat(a.summary, d, m, k), n))
            if "compare_to" in params:
                specs[f"{prefix}_r2_delta"] = (
                    lambda a, d=dataset, m=model: paired_delta(stat(a.paired, d, m, "r2"), 3))
                specs[f"{prefix}_r2_delta_trimean"] = (
                    lambda a, d=dataset, m=model: f"{stat(a.paired, d, m, 'r2')['trimean']:+.3f}")
                specs[f"{prefix}_r2_delta_median_ci"] = (
                    lambda a, d=dataset, m=model: median_interval(stat(a.paired, d, m, "r2"), 3))
                specs[f"{prefix}_r2_p"] = (
                    lambda a, d=dataset, m=model: p_value(stat(a.paired, d, m, "r2")["p_wilcoxon"]))
                specs[f"{prefix}_min_p"] = lambda a, n=n_splits: f"{minimum_p(n):.3g}"
        specs.update(config_values(f"config_{model}", params))
    for dataset in config["datasets"]:
        specs.update(uncertainty_specs(config, dataset))
        if dataset not in out_of_sample_datasets(config) and all(
                dataset in model_datasets(config, m) for m in config["learning_curves"]["overtakes"]):
            specs[f"{dataset}_lc_overtakes"] = lambda a, d=dataset: overtaking_fraction(config, a.per_split, d)
        if dataset in out_of_sample_datasets(config):
            specs.update(out_of_sample_specs(config, dataset))
    specs.update(config_values("config_pretraining", config["pretraining"]))
    specs.update(config_values("config_statistics", config["statistics"]))
    specs.update(config_values("config_learning_curves", config["learning_curves"]))
    fractions = config["learning_curves"]["dataset_fractions"]
    for fraction in fractions:  # `lc_percent_025` = "2.5": the percentage a curve entry's suffix stands for
        specs[f"lc_percent_{curve_model('', fraction).removeprefix('_lc')}"] = lambda a, f=fraction: f"{100 * f:g}"
    specs["lc_percent_smallest"] = lambda a: f"{100 * min(fractions):g}"
    specs["lc_percent_largest"] = lambda a: f"{100 * max(fractions):g}"
    specs["lc_percent_full"] = lambda a: f"{100 * config['learning_curves']['train_share']:g}"
    specs.update(config_values("seed", config["seeds"]))
    specs.update(measured_gpu_specs(config))
    return specs


# The `full` profile's entries that benchmarks/gpu.py compares and writes under `runs`: reference, variant.
GPU_COMPARED = ("uam", "uam_paper_encoders")


def measured_gpu_specs(config: dict) -> dict[str, callable]:
    """Values of the committed GPU measurement (`benchmarks/gpu.py`; not re-run by this build): the `full`
    profile's UAM against the same UAM on the paper profile's encoder sizes, paired over splits, and one run
    of each torch model on CPU and on CUDA."""
    measured = json.loads(Path(config["measured_gpu"]).read_text())
    runs = measured["runs"]
    reference, variant = GPU_COMPARED
    splits = sorted(set(runs[reference]) & set(runs[variant]))
    full, small = ([runs[m][s]["r2"] for s in splits] for m in GPU_COMPARED)
    statistics = config["statistics"]

    @cache  # computed when a value is written, not each time Snakemake lists the variables' names
    def paired() -> pd.Series:
        return pd.Series(paired_comparison(small, full, statistics["bootstrap_resamples"],
                                           statistics["bootstrap_seed"], statistics["confidence"]))

    seconds = summarize([runs[reference][s]["seconds"] for s in splits])["median"]
    specs = {"gpu_device": lambda a: measured["device_name"], "gpu_torch": lambda a: measured["torch"],
             "gpu_measured": lambda a: measured["measured"], "gpu_n_splits": lambda a: str(len(splits)),
             "gpu_encoders_r2_delta_trimean": lambda a: f"{paired()['trimean']:+.3f}",
             "gpu_encoders_r2_delta_median_ci": lambda a: median_interval(paired(), 3),
             "gpu_encoders_r2_p": lambda a: p_value(paired()["p_wilcoxon"]),
             "gpu_full_uam_seconds_median": lambda a: f"{seconds:.0f}"}
    for name, values in (("full_uam", full), ("paper_encoders", small)):
        summary = pd.Series(summarize(values))
        specs[f"gpu_{name}_r2_mean_std"] = lambda a, r=summary: mean_std(r, 3)
        specs[f"gpu_{name}_r2_trimean"] = lambda a, r=summary: fmt(r["trimean"], 3)
    for name, model in zip(("full", "paper"), GPU_COMPARED):
        pretraining = measured["pretraining"][model]
        specs[f"gpu_pretraining_{name}_seconds"] = lambda a, p=pretraining: f"{p['seconds']:.0f}"
        specs[f"gpu_pretraining_{name}_infonce"] = lambda a, p=pretraining: fmt(p["held_out_infonce"], 2)
    for model, devices in measured["agreement"].items():  # runs cut short by the lease have no R²
        for device, run in devices.items():
            if isinstance(run, dict) and "r2" in run:
                specs[f"gpu_agreement_{model}_{device}_r2"] = lambda a, r=run: fmt(r["r2"], 4)
                specs[f"gpu_agreement_{model}_{device}_seconds"] = lambda a, r=run: f"{r['seconds']:.0f}"
    return specs


def uncertainty_specs(config: dict, dataset: str) -> dict[str, callable]:
    """Trimeans of the uncertainty metrics per (model, σ kind), and paired Spearman comparisons of every two
    σ sources on the same splits (does one σ rank the errors better than another?)."""
    specs = {}
    for model, kind in sigma_sources(config, dataset):
        for metric, digits in (("spearman", 2), ("nll", 2), ("miscalibration", 3), ("coverage_95", 2),
                               ("retention_gain", 2)):
            specs[f"{dataset}_{model}_{kind}_{metric}_trimean"] = (
                lambda a, m=model, k=kind, t=metric, n=digits:
                fmt(uncertainty_row(a.uncertainty_summary, dataset, m, k, t)["trimean"], n))
    for pair in sigma_pairs(config, dataset):
        (model, kind), (other, other_kind) = pair
        name = f"{dataset}_spearman_{model}_{kind}_vs_{other}_{other_kind}"
        specs[f"{name}_delta"] = lambda a, p=pair: f"{sigma_pair_row(a.sigma_paired, dataset, *p)['trimean']:+.2f}"
        specs[f"{name}_p"] = lambda a, p=pair: p_value(sigma_pair_row(a.sigma_paired, dataset, *p)["p_wilcoxon"])
    return specs


def out_of_sample_specs(config: dict, dataset: str) -> dict[str, callable]:
    """R² of each model on each out-of-sample split, and its drop from the random splits of the same
    reactions (trimean on the random splits − mean over the out-of-sample ones)."""
    specs = {}
    base = feature_dataset(config, dataset)
    for model in dataset_models(config, dataset):
        for split in model_splits(config, model, dataset):
            specs[f"{dataset}_{model}_{split}_r2"] = lambda a, m=model, t=split: fmt(float(
                a.per_split.loc[(a.per_split["dataset"] == dataset) & (a.per_split["model"] == m)
                                & (a.per_split["split"] == t), "r2"].iloc[0]), 3)
        if base != dataset and base in model_datasets(config, model):
            specs[f"{dataset}_{model}_r2_drop"] = lambda a, m=model: fmt(
                stat(a.summary, base, m, "r2")["trimean"] - stat(a.summary, dataset, m, "r2")["mean"], 3)
    return specs


def overtaking_fraction(config: dict, per_split: pd.DataFrame, dataset: str) -> str:
    """The smallest data fraction from which the first `overtakes` model's trimean R² is at least the
    second's at every larger fraction, as text (`10\\,\\%`), or `no fraction tested`."""
    first, second = (curve_points(config, per_split, dataset, m).groupby("fraction")["r2"].apply(trimean)
                     for m in config["learning_curves"]["overtakes"])
    ahead = (first >= second).to_numpy()
    for index, fraction in enumerate(first.index):
        if ahead[index:].all():
            return f"{100 * fraction:g}\\,\\%"
    return "no fraction tested"


def uncertainty_row(summary: pd.DataFrame, dataset: str, model: str, kind: str, metric: str) -> pd.Series:
    rows = summary[(summary["dataset"] == dataset) & (summary["model"] == model) & (summary["kind"] == kind)]
    return stat(rows, dataset, model, metric)


def sigma_pair_row(sigma_paired: pd.DataFrame, dataset: str, first: tuple, second: tuple) -> pd.Series:
    """The paired Spearman comparison of σ source `first` − `second` (a row of `sigma_paired.csv`)."""
    rows = sigma_paired[(sigma_paired["dataset"] == dataset) & (sigma_paired["model"] == first[0])
                        & (sigma_paired["kind"] == first[1]) & (sigma_paired["other"] == second[0])
                        & (sigma_paired["other_kind"] == second[1])]
    return rows.iloc[0]


def config_values(prefix: str, settings: dict) -> dict[str, callable]:
    """One variable per numeric setting, nested keys joined by `_` (booleans and strings are left out)."""
    specs = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            specs.update(config_values(f"{prefix}_{key}", value))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            specs[f"{prefix}_{key}"] = lambda a, v=value: f"{v:g}"
    return specs


def variable_names(config: dict) -> list[str]:
    return list(variable_specs(config))


def write_variables(aggregate, out_dir: Path) -> list[Path]:
    """Write one `<name>.txt` per variable, without a trailing newline (LaTeX would add a space)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, value in variable_specs(aggregate.config).items():
        path = out_dir / f"{name}.txt"
        path.write_text(value(aggregate))
        written.append(path)
    return written
