"""Collect every run of a configuration into per-split metrics, robust summaries and all predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from rxnyield.config import METRICS, PREDICTIONS, run_dir, runs
from rxnyield.stats import METRICS as METRIC_NAMES
from rxnyield.stats import summarize

PER_SPLIT = "metrics_per_split.csv"
SUMMARY = "summary.csv"
ALL_PREDICTIONS = "predictions.csv"
CONFIG = "config.json"


def aggregate(config: dict, out_dir: Path) -> None:
    """Write metrics per split, the summary (mean, std, median, trimean, IQR per metric) and predictions."""
    rows, predictions = [], []
    for dataset, model, split in runs(config):
        directory = run_dir(config["results_dir"], dataset, model, split)
        metrics = json.loads((directory / METRICS).read_text())
        rows.append({"dataset": dataset, "model": model, "split": split, "n_train": metrics["n_train"],
                     "n_test": metrics["n_test"], **{m: metrics[m] for m in METRIC_NAMES}})
        frame = pd.read_csv(directory / PREDICTIONS)
        frame.insert(0, "split", split)
        frame.insert(0, "model", model)
        frame.insert(0, "dataset", dataset)
        predictions.append(frame)
    per_split = pd.DataFrame(rows)
    summary = [
        {"dataset": dataset, "model": model, "metric": metric, **summarize(group[metric])}
        for (dataset, model), group in per_split.groupby(["dataset", "model"], sort=False)
        for metric in METRIC_NAMES
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    per_split.to_csv(out_dir / PER_SPLIT, index=False, float_format="%.10g")
    pd.DataFrame(summary).to_csv(out_dir / SUMMARY, index=False, float_format="%.10g")
    pd.concat(predictions).to_csv(out_dir / ALL_PREDICTIONS, index=False, float_format="%.10g")
    (out_dir / CONFIG).write_text(json.dumps(config, indent=2) + "\n")


def load_aggregate(out_dir: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """The resolved config, metrics per split and summary written by `aggregate`."""
    out_dir = Path(out_dir)
    config = json.loads((out_dir / CONFIG).read_text())
    return config, pd.read_csv(out_dir / PER_SPLIT), pd.read_csv(out_dir / SUMMARY)
