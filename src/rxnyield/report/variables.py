"""The `\\variable` text files of the manuscript: results and the configuration values the text quotes.

Names depend on the configuration only (never on results), so Snakemake knows every output up front.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rxnyield.config import model_datasets, model_splits


def fmt(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def mean_std(row: pd.Series, digits: int) -> str:
    """`mean ± std`, or the one value where a single split leaves the spread undefined."""
    if pd.isna(row["std"]):
        return f"{fmt(row['mean'], digits)} (one split)"
    return f"{fmt(row['mean'], digits)} $\\pm$ {fmt(row['std'], digits)}"


def paired_delta(per_split: pd.DataFrame, dataset: str, model: str, reference: str, metric: str,
                 digits: int) -> str:
    """Mean ± std over the splits both models ran of (model − reference): a paired comparison."""
    rows = per_split[per_split["dataset"] == dataset].pivot(index="split", columns="model", values=metric)
    differences = (rows[model] - rows[reference]).dropna()
    text = f"{differences.mean():+.{digits}f}"
    if len(differences) > 1:
        text += f" $\\pm$ {differences.std():.{digits}f}"
    return text + f" ({len(differences)} paired split{'s' if len(differences) > 1 else ''})"


def stat(summary: pd.DataFrame, dataset: str, model: str, metric: str) -> pd.Series:
    row = summary[(summary["dataset"] == dataset) & (summary["model"] == model) & (summary["metric"] == metric)]
    return row.iloc[0]


def variable_specs(config: dict) -> dict[str, callable]:
    """Variable name -> function(per_split, summary) returning its text."""
    specs = {"profile": lambda per_split, summary: config["profile"].replace("_", r"\_")}
    quoted = pd.read_csv(config["quoted_values"], dtype=str)
    for key, value in zip(quoted["key"], quoted["value"]):
        specs[f"quoted_{key}"] = lambda p, s, v=value: v
    for dataset, dataset_spec in config["datasets"].items():
        specs[f"{dataset}_n_splits"] = lambda p, s, n=len(dataset_spec["splits"]): str(n)
        for column in ("n_train", "n_test"):
            specs[f"{dataset}_{column}"] = (
                lambda p, s, d=dataset, c=column: str(int(p.loc[p["dataset"] == d, c].iloc[0])))
        specs[f"{dataset}_n_reactions"] = (
            lambda p, s, d=dataset: str(int(p.loc[p["dataset"] == d, ["n_train", "n_test"]].iloc[0].sum())))
    for model, params in config["models"].items():
        for dataset in model_datasets(config, model):
            prefix = f"{dataset}_{model}"
            specs[f"{prefix}_n_splits"] = lambda p, s, n=len(model_splits(config, model, dataset)): str(n)
            for metric, digits in (("r2", 3), ("mae", 2), ("rmse", 2)):
                specs[f"{prefix}_{metric}_trimean"] = (
                    lambda p, s, d=dataset, m=model, k=metric, n=digits: fmt(stat(s, d, m, k)["trimean"], n))
                specs[f"{prefix}_{metric}_iqr"] = (
                    lambda p, s, d=dataset, m=model, k=metric, n=digits: fmt(stat(s, d, m, k)["iqr"], n))
                specs[f"{prefix}_{metric}_mean_std"] = (
                    lambda p, s, d=dataset, m=model, k=metric, n=digits: mean_std(stat(s, d, m, k), n))
            if "compare_to" in params:
                specs[f"{prefix}_r2_delta"] = (
                    lambda p, s, d=dataset, m=model, r=params["compare_to"]: paired_delta(p, d, m, r, "r2", 3))
        specs.update(config_values(f"config_{model}", params))
    specs.update(config_values("config_pretraining", config["pretraining"]))
    specs.update(config_values("seed", config["seeds"]))
    return specs


def config_values(prefix: str, settings: dict) -> dict[str, callable]:
    """One variable per numeric setting, nested keys joined by `_` (booleans and strings are left out)."""
    specs = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            specs.update(config_values(f"{prefix}_{key}", value))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            specs[f"{prefix}_{key}"] = lambda p, s, v=value: f"{v:g}"
    return specs


def variable_names(config: dict) -> list[str]:
    return list(variable_specs(config))


def write_variables(config: dict, per_split: pd.DataFrame, summary: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Write one `<name>.txt` per variable, without a trailing newline (LaTeX would add a space)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, value in variable_specs(config).items():
        path = out_dir / f"{name}.txt"
        path.write_text(value(per_split, summary))
        written.append(path)
    return written
