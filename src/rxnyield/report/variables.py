"""The `\\variable` text files of the manuscript: results and the configuration values the text quotes.

Names depend on the configuration only (never on results), so Snakemake knows every output up front.
Each spec is a function of the `Aggregate` (config, per-split metrics, summaries, paired comparisons).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rxnyield.config import compared_models, model_datasets, model_splits


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
    return ", ".join(labels) if labels else "none"


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
    specs.update(config_values("config_pretraining", config["pretraining"]))
    specs.update(config_values("config_statistics", config["statistics"]))
    specs.update(config_values("seed", config["seeds"]))
    return specs


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
