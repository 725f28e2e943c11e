"""Collect every run of a configuration into per-split metrics, robust summaries, paired comparisons of
every variant with its reference, uncertainty metrics and curves, the compute cost, and all predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from rxnyield.config import (AGGREGATE_FILES, ALL_REACTIONS, METRICS, PREDICTIONS, SHARED_ENCODERS, benchmark_file,
                             compared_models, feature_dataset, pretrained_checkpoints, run_dir, runs, sigma_kinds,
                             sigma_pairs)
from rxnyield.report.frames import rows
from rxnyield.stats import METRICS as METRIC_NAMES
from rxnyield.stats import paired_comparison, summarize
from rxnyield.uncertainty import (CALIBRATION_LEVELS, RETAINED_FRACTIONS, central_coverage, retention_curve,
                                  uncertainty_metrics)

SIGMA_COLUMNS = {"total": "y_sigma", "aleatoric": "y_sigma_aleatoric", "epistemic": "y_sigma_epistemic"}
PAIRED_STATISTICS = ("n", "mean", "std", "median", "trimean", "iqr", "ci_low", "ci_high", "p_wilcoxon")


def aggregate(config: dict, out_dir: Path) -> None:
    """Write metrics per split, the summary (mean, std, median, trimean, IQR per metric) and predictions."""
    records, predictions = [], []
    for dataset, model, split in runs(config):
        directory = run_dir(config["results_dir"], dataset, model, split)
        metrics = json.loads((directory / METRICS).read_text())
        records.append({"dataset": dataset, "model": model, "split": split, "n_train": metrics["n_train"],
                        "n_test": metrics["n_test"], **{m: metrics[m] for m in METRIC_NAMES}})
        frame = pd.read_csv(directory / PREDICTIONS)
        frame.insert(0, "split", split)
        frame.insert(0, "model", model)
        frame.insert(0, "dataset", dataset)
        predictions.append(frame)
    per_split = pd.DataFrame(records)
    summary = [
        {"dataset": dataset, "model": model, "metric": metric, **summarize(group[metric])}
        for (dataset, model), group in per_split.groupby(["dataset", "model"], sort=False)
        for metric in METRIC_NAMES
    ]
    tables = {"per_split": per_split, "summary": pd.DataFrame(summary),
              "paired": paired_comparisons(config, per_split), **uncertainty_tables(config, predictions)}
    tables["sigma_paired"] = sigma_comparisons(config, tables["uncertainty"])
    tables["compute"] = compute_cost(config)
    tables["predictions"] = pd.concat(predictions)
    out_dir.mkdir(parents=True, exist_ok=True)
    for role, table in tables.items():
        table.to_csv(out_dir / AGGREGATE_FILES[role], index=False, float_format="%.10g")
    (out_dir / AGGREGATE_FILES["config"]).write_text(json.dumps(config, indent=2) + "\n")


def compute_cost(config: dict) -> pd.DataFrame:
    """Wall time, CPU time and peak memory of every heavy job, from Snakemake's `benchmark:` TSVs.

    One row per job: `family` is the model type for training jobs, else the rule (featurize, pretrain).
    The TSVs are written by the same jobs as the metrics this rule reads, so they exist when it runs.
    """
    results = config["results_dir"]
    jobs = [("train", config["models"][m]["type"], m, benchmark_file(results, "train", d, m, s))
            for d, m, s in runs(config)]
    jobs += [("featurize", "featurize", d, benchmark_file(results, "featurize", d)) for d in config["datasets"]
             if feature_dataset(config, d) == d]
    jobs += [("pretrain", "pretrain", pretrain_job_name(d, scope, e), benchmark_file(results, "pretrain", d, scope, e))
             for d, scope, e in pretrained_checkpoints(config)]
    records = []
    for rule, family, name, path in jobs:
        measured = pd.read_csv(path, sep="\t").iloc[-1]
        records.append({"rule": rule, "family": family, "name": name, "wall_s": measured["s"],
                        "cpu_s": measured["cpu_time"], "max_rss_mb": measured["max_rss"]})
    return pd.DataFrame(records, columns=["rule", "family", "name", "wall_s", "cpu_s", "max_rss_mb"])


def pretrain_job_name(dataset: str, scope: str, encoders: str) -> str:
    """A pre-training's entry in the compute cost: `bh`, `bh (uam_long_pretraining)`, or `bh_tests (per split)`
    for the checkpoints of a dataset's splits, each pre-trained on its split's training reactions."""
    details = [e for e in (encoders if encoders != SHARED_ENCODERS else None,
                           "per split" if scope != ALL_REACTIONS else None) if e]
    return f"{dataset} ({', '.join(details)})" if details else dataset


def paired_comparisons(config: dict, per_split: pd.DataFrame) -> pd.DataFrame:
    """One row per (dataset, variant, metric): variant − reference on the splits both ran."""
    settings = config["statistics"]
    records = []
    for dataset in config["datasets"]:
        table = rows(per_split, dataset=dataset)
        for model in compared_models(config, dataset):
            reference = config["models"][model]["compare_to"]
            for metric in METRIC_NAMES:
                values = table.pivot(index="split", columns="model", values=metric)[[model, reference]].dropna()
                values = values.reindex([s for s in config["datasets"][dataset]["splits"] if s in values.index])
                comparison = paired_comparison(values[model], values[reference], settings["bootstrap_resamples"],
                                               settings["bootstrap_seed"], settings["confidence"])
                records.append({"dataset": dataset, "model": model, "reference": reference, "metric": metric,
                                **comparison})
    return pd.DataFrame(records, columns=["dataset", "model", "reference", "metric", *PAIRED_STATISTICS])


def uncertainty_tables(config: dict, predictions: list[pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Per split and σ kind: the scalar uncertainty metrics, the calibration and the retention curves."""
    scalars, calibration, retention = [], [], []
    for frame in predictions:
        dataset, model, split = frame[["dataset", "model", "split"]].iloc[0]
        for kind in sigma_kinds(config["models"][model]):
            y, mu, sigma = frame["y_true"], frame["y_pred"], frame[SIGMA_COLUMNS[kind]]
            key = {"dataset": dataset, "model": model, "kind": kind, "split": split}
            scalars.append({**key, **uncertainty_metrics(y, mu, sigma)})
            calibration += [{**key, "expected": e, "observed": o}
                            for e, o in zip(CALIBRATION_LEVELS, central_coverage(y, mu, sigma))]
            oracle = retention_curve(y, mu, (y - mu).abs())
            retention += [{**key, "retained": f, "rmse": r, "oracle_rmse": o}
                          for f, r, o in zip(RETAINED_FRACTIONS, retention_curve(y, mu, sigma), oracle)]
    per_split = pd.DataFrame(scalars, columns=["dataset", "model", "kind", "split", "spearman", "nll",
                                                "miscalibration", "coverage_95", "retention_gain"])
    metrics = [c for c in per_split.columns if c not in ("dataset", "model", "kind", "split")]
    summary = pd.DataFrame(
        [{"dataset": d, "model": m, "kind": k, "metric": metric, **summarize(group[metric])}
         for (d, m, k), group in per_split.groupby(["dataset", "model", "kind"], sort=False) for metric in metrics],
        columns=["dataset", "model", "kind", "metric", "n", "mean", "std", "median", "trimean", "iqr"])
    return {"uncertainty": per_split, "uncertainty_summary": summary, "calibration": pd.DataFrame(calibration),
            "retention": pd.DataFrame(retention)}


def sigma_comparisons(config: dict, per_split: pd.DataFrame) -> pd.DataFrame:
    """Every two σ sources of a dataset, paired on the splits both ran: does one rank the errors better?
    The statistics of Spearman ρ(σ, |error|) of the first minus the second, as in `paired.csv`."""
    settings = config["statistics"]
    records = []
    for dataset in config["datasets"]:
        for first, second in sigma_pairs(config, dataset):
            values = [rows(per_split, dataset=dataset, model=m, kind=k).set_index("split")["spearman"]
                      for m, k in (first, second)]
            shared = values[0].index.intersection(values[1].index)
            records.append({"dataset": dataset, "model": first[0], "kind": first[1], "other": second[0],
                            "other_kind": second[1], **paired_comparison(
                                values[0][shared], values[1][shared], settings["bootstrap_resamples"],
                                settings["bootstrap_seed"], settings["confidence"])})
    return pd.DataFrame(records, columns=["dataset", "model", "kind", "other", "other_kind", *PAIRED_STATISTICS])


class Aggregate:
    """What the report reads: the resolved config and the tables `aggregate` wrote (`AGGREGATE_FILES`), each
    read from `out_dir` when first asked for (a table script does not pay for reading every prediction).
    Tables given here (tests, in-memory reports) are used as they are."""

    def __init__(self, out_dir: Path | None = None, **given):
        self.out_dir = out_dir
        self.__dict__.update(given)

    def __getattr__(self, role: str):
        if role not in AGGREGATE_FILES or self.out_dir is None:
            raise AttributeError(role)
        path = Path(self.out_dir) / AGGREGATE_FILES[role]
        value = json.loads(path.read_text()) if role == "config" else pd.read_csv(path)
        setattr(self, role, value)
        return value
