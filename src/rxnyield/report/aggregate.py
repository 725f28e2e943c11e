"""Collect every run (dataset, model, split, seed) of a configuration into per-run metrics, robust summaries
over splits x seeds, paired comparisons of every variant with its reference, the split of each multi-seed
model's variance into its seeds' and its splits' parts, uncertainty metrics and curves, the compute cost,
and all predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from rxnyield.config import (AGGREGATE_FILES, ALL_REACTIONS, METRICS, PREDICTIONS, SHARED_ENCODERS, benchmark_file,
                             compared_models, feature_dataset, pretrained_checkpoints, random_split_datasets,
                             reported_models, run_dir, run_names, run_stamp, runs, sigma_kinds, sigma_pairs)
from rxnyield.provenance import package_versions, readable_cpu_class
from rxnyield.report.frames import by_run, paired_runs, rows
from rxnyield.stats import METRICS as METRIC_NAMES
from rxnyield.stats import paired_comparison, seed_split_variance, summarize
from rxnyield.uncertainty import (CALIBRATION_LEVELS, RETAINED_FRACTIONS, central_coverage, retention_curve,
                                  uncertainty_metrics)

SIGMA_COLUMNS = {"total": "y_sigma", "aleatoric": "y_sigma_aleatoric", "epistemic": "y_sigma_epistemic"}
PAIRED_STATISTICS = ("n", "mean", "std", "median", "trimean", "iqr", "ci_low", "ci_high", "p_wilcoxon", "paired_on")


def aggregate(config: dict, out_dir: Path) -> None:
    """Write metrics per run, the summary over splits x seeds (mean, std, median, trimean, IQR per metric), the
    other tables and the predictions."""
    records, predictions = [], []
    computed_on = training_cpus(config)
    for dataset, model, split, seed in runs(config):
        directory = run_dir(config["results_dir"], dataset, model, split, seed)
        metrics = json.loads((directory / METRICS).read_text())
        records.append({"dataset": dataset, "model": model, "split": split, "seed": seed,
                        "n_train": metrics["n_train"], "n_test": metrics["n_test"],
                        **{m: metrics[m] for m in METRIC_NAMES},
                        "computed_on": computed_on[(dataset, model, split, seed)]})
        frame = pd.read_csv(directory / PREDICTIONS)
        frame.insert(0, "seed", seed)
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
              "paired": paired_comparisons(config, per_split), "seed_variance": seed_variance(config, per_split),
              **uncertainty_tables(config, predictions)}
    tables["sigma_paired"] = sigma_comparisons(config, tables["uncertainty"])
    tables["compute"] = compute_cost(config, computed_on)
    tables["predictions"] = pd.concat(predictions)
    out_dir.mkdir(parents=True, exist_ok=True)
    for role, table in tables.items():
        table.to_csv(out_dir / AGGREGATE_FILES[role], index=False, float_format="%.10g")
    (out_dir / AGGREGATE_FILES["config"]).write_text(json.dumps(config, indent=2) + "\n")


def compute_cost(config: dict, computed_on: dict[tuple, str]) -> pd.DataFrame:
    """Wall time, CPU time and peak memory of every heavy job, from Snakemake's `benchmark:` TSVs.

    One row per job: `family` is the model type for training jobs, else the rule (featurize, pretrain); a
    training job's `computed_on` is the CPU class it ran on (`training_cpus`). The TSVs are written by the same
    jobs as the metrics this rule reads, so they exist when it runs.
    """
    results = config["results_dir"]
    jobs = [("train", config["models"][m]["type"], m, benchmark_file(results, "train", *run_names(d, m, s, k)),
             computed_on[(d, m, s, k)]) for d, m, s, k in runs(config)]
    jobs += [("featurize", "featurize", d, benchmark_file(results, "featurize", d), "") for d in config["datasets"]
             if feature_dataset(config, d) == d]
    jobs += [("pretrain", "pretrain", pretrain_job_name(d, scope, e), benchmark_file(results, "pretrain", d, scope, e),
              "") for d, scope, e in pretrained_checkpoints(config)]
    records = []
    for rule, family, name, path, computed_on in jobs:
        measured = pd.read_csv(path, sep="\t").iloc[-1]
        records.append({"rule": rule, "family": family, "name": name, "wall_s": measured["s"],
                        "cpu_s": measured["cpu_time"], "max_rss_mb": measured["max_rss"], "computed_on": computed_on})
    return pd.DataFrame(records, columns=["rule", "family", "name", "wall_s", "cpu_s", "max_rss_mb", "computed_on"])


def training_cpus(config: dict) -> dict[tuple, str]:
    """The CPU class each run was computed on, readable, read once for the per-run metrics and the compute cost:
    the one its stamp names where the cache restored it as computed on another class (`rxnyield.cache.restore`),
    else this machine's (trained here, or restored for this class's key)."""
    here = package_versions()["cpu"]
    return {run: readable_cpu_class(json.loads(run_stamp(config["results_dir"], *run).read_text()).get("cpu") or here)
            for run in runs(config)}


def pretrain_job_name(dataset: str, scope: str, encoders: str) -> str:
    """A pre-training's entry in the compute cost: `bh`, `bh (uam_long_pretraining)`, or `bh_tests (per split)`
    for the checkpoints of a dataset's splits, each pre-trained on its split's training reactions."""
    details = [e for e in (encoders if encoders != SHARED_ENCODERS else None,
                           "per split" if scope != ALL_REACTIONS else None) if e]
    return f"{dataset} ({', '.join(details)})" if details else dataset


def paired_comparisons(config: dict, per_split: pd.DataFrame) -> pd.DataFrame:
    """One row per (dataset, variant, metric): variant − reference on the runs both made, paired on (split,
    seed) where both ran several seeds, else on split with the multi-seed one's seeds averaged
    (`rxnyield.report.frames.paired_runs`; `paired_on` says which)."""
    records = []
    for dataset in config["datasets"]:
        for model in compared_models(config, dataset):
            reference = config["models"][model]["compare_to"]
            for metric in METRIC_NAMES:
                values = paired_runs(*(by_run(rows(per_split, dataset=dataset, model=m), metric)
                                       for m in (model, reference)))
                records.append({"dataset": dataset, "model": model, "reference": reference, "metric": metric,
                                **compare(config, values)})
    return pd.DataFrame(records, columns=["dataset", "model", "reference", "metric", *PAIRED_STATISTICS])


def uncertainty_tables(config: dict, predictions: list[pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Per split and σ kind: the scalar uncertainty metrics, the calibration and the retention curves."""
    scalars, calibration, retention = [], [], []
    for frame in predictions:
        dataset, model, split, seed = frame[["dataset", "model", "split", "seed"]].iloc[0]
        for kind in sigma_kinds(config["models"][model]):
            y, mu, sigma = frame["y_true"], frame["y_pred"], frame[SIGMA_COLUMNS[kind]]
            key = {"dataset": dataset, "model": model, "kind": kind, "split": split, "seed": seed}
            scalars.append({**key, **uncertainty_metrics(y, mu, sigma)})
            calibration += [{**key, "expected": e, "observed": o}
                            for e, o in zip(CALIBRATION_LEVELS, central_coverage(y, mu, sigma))]
            oracle = retention_curve(y, mu, (y - mu).abs())
            retention += [{**key, "retained": f, "rmse": r, "oracle_rmse": o}
                          for f, r, o in zip(RETAINED_FRACTIONS, retention_curve(y, mu, sigma), oracle)]
    per_split = pd.DataFrame(scalars, columns=["dataset", "model", "kind", "split", "seed", "spearman", "nll",
                                                "miscalibration", "coverage_95", "retention_gain"])
    metrics = [c for c in per_split.columns if c not in ("dataset", "model", "kind", "split", "seed")]
    summary = pd.DataFrame(
        [{"dataset": d, "model": m, "kind": k, "metric": metric, **summarize(group[metric])}
         for (d, m, k), group in per_split.groupby(["dataset", "model", "kind"], sort=False) for metric in metrics],
        columns=["dataset", "model", "kind", "metric", "n", "mean", "std", "median", "trimean", "iqr"])
    return {"uncertainty": per_split, "uncertainty_summary": summary, "calibration": pd.DataFrame(calibration),
            "retention": pd.DataFrame(retention)}


def sigma_comparisons(config: dict, per_split: pd.DataFrame) -> pd.DataFrame:
    """Every two σ sources of a dataset, paired on the runs both made (as `paired_comparisons`): does one
    rank the errors better? The statistics of Spearman ρ(σ, |error|) of the first minus the second."""
    records = []
    for dataset in config["datasets"]:
        for first, second in sigma_pairs(config, dataset):
            values = paired_runs(*(by_run(rows(per_split, dataset=dataset, model=m, kind=k), "spearman")
                                   for m, k in (first, second)))
            records.append({"dataset": dataset, "model": first[0], "kind": first[1], "other": second[0],
                            "other_kind": second[1], **compare(config, values)})
    return pd.DataFrame(records, columns=["dataset", "model", "kind", "other", "other_kind", *PAIRED_STATISTICS])


def compare(config: dict, values: pd.DataFrame) -> dict:
    """`paired_comparison` of a `paired_runs` table (first − second), with what it was paired on."""
    settings = config["statistics"]
    return {**paired_comparison(values["first"], values["second"], settings["bootstrap_resamples"],
                                settings["bootstrap_seed"], settings["confidence"]),
            "paired_on": values.attrs["paired_on"]}


SEED_VARIANCE_COLUMNS = ["dataset", "model", "metric", "n_splits", "n_seeds", "between_seed", "between_split",
                         "cpu_classes"]


def seed_variance(config: dict, per_split: pd.DataFrame) -> pd.DataFrame:
    """Per random-split dataset, every reported model with several seeds on each split, every metric: its
    variance over runs split into between-seed and between-split parts (`rxnyield.stats.seed_split_variance`),
    and the number of CPU classes its runs were computed on: with more than one, a split's seeds may come from
    machines of other float rounding, which the between-seed part then holds too."""
    records = []
    for dataset in random_split_datasets(config):
        for model in reported_models(config, dataset):
            table = rows(per_split, dataset=dataset, model=model)
            if table.empty or table.groupby("split").size().min() < 2:
                continue
            for metric in METRIC_NAMES:
                groups = [group[metric] for _, group in table.groupby("split", sort=False)]
                records.append({"dataset": dataset, "model": model, "metric": metric, **seed_split_variance(groups),
                                "cpu_classes": table["computed_on"].nunique()})
    return pd.DataFrame(records, columns=SEED_VARIANCE_COLUMNS)


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
