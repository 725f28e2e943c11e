"""The `\\variable` text files of the manuscript: results and the configuration values the text quotes.

Names depend on the configuration only (never on results), so Snakemake knows every output up front.
Each spec is a function of the `Aggregate` (config, per-split metrics, summaries, paired comparisons).
"""

from __future__ import annotations

import json
import statistics
from functools import cache
from pathlib import Path

import pandas as pd

from rxnyield.config import (compared_models, curve_model, dataset_models, feature_dataset, model_datasets, model_seeds,
                             model_splits, out_of_sample_datasets, sigma_pairs, sigma_sources)
from rxnyield.models import REGISTRY
from rxnyield.provenance import VECTOR_EXTENSIONS, readable_cpu_class
from rxnyield.report.catalog import OUTSIDE_DEPARTURES, OutsideDeparture
from rxnyield.report.curves import curve_points
from rxnyield.report.frames import rows
from rxnyield.stats import paired_comparison, summarize, trimean


def fmt(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def mean_std(row: pd.Series, digits: int) -> str:
    """`mean ± std`, or the one value where a single split leaves the spread undefined."""
    if pd.isna(row["std"]):
        return f"{fmt(row['mean'], digits)} (one split)"
    return f"{fmt(row['mean'], digits)} $\\pm$ {fmt(row['std'], digits)}"


def p_value(p: float) -> str:
    """A table cell under a p header."""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def p_statement(p: float) -> str:
    """The p of a sentence, relation included: `$p = 0.250$`, `$p < 0.001$` (not `p = <0.001`)."""
    return "$p < 0.001$" if p < 0.001 else f"$p = {p:.3f}$"


def minimum_p(n: int) -> float:
    """The smallest two-sided exact Wilcoxon p-value n pairs can give (all signs equal)."""
    return 2 / 2**n


def stat(table: pd.DataFrame, dataset: str, model: str, metric: str) -> pd.Series:
    """The row of a summary (or of the paired comparisons) for one dataset, model and metric."""
    return rows(table, dataset=dataset, model=model, metric=metric).iloc[0]


def paired_delta(row: pd.Series, digits: int) -> str:
    """Mean ± std of the paired differences, and how many splits (or runs of the same split and seed) were
    paired."""
    n = int(row["n"])
    text = f"{row['mean']:+.{digits}f}"
    if n > 1:
        text += f" $\\pm$ {row['std']:.{digits}f}"
    if row.get("paired_on") == "split, seed":
        return text + f" ({n} paired runs, same split and seed)"
    return text + f" ({n} paired split{'s' if n > 1 else ''})"


def median_interval(row: pd.Series, digits: int) -> str:
    """Median difference and its bootstrap interval, e.g. `+0.004 [+0.001, +0.007]`."""
    return f"{row['median']:+.{digits}f} [{row['ci_low']:+.{digits}f}, {row['ci_high']:+.{digits}f}]"


def versus_label(config: dict, model: str) -> str:
    """A variant named with its reference, `w/o H vs UAM as described`: labels alone repeat across models
    (`separate product encoder` is a variant of UAM and of the MPNN)."""
    models = config["models"]
    return f"{models[model]['label']} vs {models[models[model]['compare_to']]['label']}"


def sorted_out(config: dict, paired: pd.DataFrame, dataset: str, distinguishable: bool) -> str:
    """The variants whose R² differences are (or are not) distinguishable from split noise."""
    alpha = config["statistics"]["alpha"]
    labels = [versus_label(config, m) for m in compared_models(config, dataset)
              if (stat(paired, dataset, m, "r2")["p_wilcoxon"] < alpha) == distinguishable]
    return "; ".join(labels) if labels else "none"  # `;`: a label may hold a comma


class Specs(dict):
    """Variable name -> function(aggregate) returning its text; `meanings` says what each one is, for the index
    a reader searches (`variable_index.md`)."""

    def __init__(self):
        super().__init__()
        self.meanings: dict[str, str] = {}

    def add(self, name: str, meaning: str, value) -> None:
        self[name] = value
        self.meanings[name] = meaning

    def merge(self, other: "Specs") -> None:
        self.update(other)
        self.meanings.update(other.meanings)


def reproduction_specs(config: dict) -> Specs:
    """Each published R² of the reproduction table (mean ± std, quoted) and this build's gap to it in published
    standard deviations, for the methods this profile runs on that dataset's splits."""
    specs = Specs()
    published = pd.read_csv(config["quoted_reproduction"], dtype=str)
    for _, row in published.iterrows():
        dataset, model = row["dataset"], row["model"]
        if model not in config["models"] or dataset not in model_datasets(config, model):
            continue
        source = f"{config['quoted_reproduction']} ({row['source']})"
        specs.add(f"published_{dataset}_{model}_r2", f"published R² of {model} on {dataset}, mean ± std: {source}",
                  lambda a, r=row: f"{float(r['mean']):.3f} $\\pm$ {float(r['std']):.3f}")
        specs.add(f"{dataset}_{model}_r2_gap", f"{model}'s mean R² on {dataset} minus the published one, in published "
                  "standard deviations", lambda a, d=dataset, m=model, r=row:
                  f"{(stat(a.summary, d, m, 'r2')['mean'] - float(r['mean'])) / float(r['std']):+.1f}")
    return specs


def variable_specs(config: dict) -> Specs:
    """Every variable of the manuscript: name -> function(aggregate) returning its text (and its meaning)."""
    specs = Specs()
    specs.add("profile", "the configuration profile this build ran", lambda a: config["profile"].replace("_", r"\_"))
    quoted = pd.read_csv(config["quoted_values"], dtype=str)
    for key, value in zip(quoted["key"], quoted["value"]):
        specs.add(f"quoted_{key}", f"a published value, quoted from {config['quoted_values']}", lambda a, v=value: v)
    specs.merge(reproduction_specs(config))
    for dataset, dataset_spec in config["datasets"].items():
        specs.add(f"{dataset}_n_splits", f"number of {dataset} splits in this profile",
                  lambda a, n=len(dataset_spec["splits"]): str(n))
        for column in ("n_train", "n_test"):
            specs.add(f"{dataset}_{column}", f"{column.removeprefix('n_')} reactions per {dataset} split",
                      lambda a, d=dataset, c=column: str(int(rows(a.per_split, dataset=d)[c].iloc[0])))
        specs.add(f"{dataset}_n_reactions", f"reactions of {dataset}", lambda a, d=dataset: str(int(
            rows(a.per_split, dataset=d)[["n_train", "n_test"]].iloc[0].sum())))
        if compared_models(config, dataset):
            specs.add(f"{dataset}_distinguishable", f"variants whose R² differs from their reference on {dataset} "
                      "(Wilcoxon p < alpha)", lambda a, d=dataset: sorted_out(config, a.paired, d, True))
            specs.add(f"{dataset}_within_noise", f"variants whose R² difference on {dataset} is within split noise",
                      lambda a, d=dataset: sorted_out(config, a.paired, d, False))
    for model, params in config["models"].items():
        for dataset in model_datasets(config, model):
            prefix = f"{dataset}_{model}"
            n_splits = len(model_splits(config, model, dataset))
            specs.add(f"{prefix}_n_splits", f"splits {model} ran on {dataset}", lambda a, n=n_splits: str(n))
            specs.add(f"{prefix}_n_seeds", f"seeds {model} ran on each {dataset} split",
                      lambda a, n=len(model_seeds(config, model)): str(n))
            for metric, digits in (("r2", 3), ("mae", 2), ("rmse", 2)):
                for statistic in ("trimean", "iqr", "median"):
                    specs.add(f"{prefix}_{metric}_{statistic}", f"{statistic} of {model}'s test {metric} over {dataset} "
                              "splits", lambda a, d=dataset, m=model, k=metric, n=digits, t=statistic:
                              fmt(stat(a.summary, d, m, k)[t], n))
                specs.add(f"{prefix}_{metric}_mean_std", f"mean ± std of {model}'s test {metric} over {dataset} splits",
                          lambda a, d=dataset, m=model, k=metric, n=digits: mean_std(stat(a.summary, d, m, k), n))
            if "compare_to" in params:
                versus = f"{model} − {params['compare_to']} on {dataset}, paired over splits (and seeds)"
                specs.add(f"{prefix}_r2_delta", f"mean ± std of R² differences {versus}",
                          lambda a, d=dataset, m=model: paired_delta(stat(a.paired, d, m, "r2"), 3))
                specs.add(f"{prefix}_r2_delta_trimean", f"trimean of R² differences {versus}",
                          lambda a, d=dataset, m=model: f"{stat(a.paired, d, m, 'r2')['trimean']:+.3f}")
                specs.add(f"{prefix}_r2_delta_median_ci", f"median R² difference [bootstrap CI] {versus}",
                          lambda a, d=dataset, m=model: median_interval(stat(a.paired, d, m, "r2"), 3))
                specs.add(f"{prefix}_r2_p", f"Wilcoxon p of R² differences {versus}",
                          lambda a, d=dataset, m=model: p_statement(stat(a.paired, d, m, "r2")["p_wilcoxon"]))
                specs.add(f"{prefix}_min_p", f"smallest Wilcoxon p that the pairs of {versus} can give",
                          lambda a, d=dataset, m=model: f"{minimum_p(int(stat(a.paired, d, m, 'r2')['n'])):.3g}")
        specs.merge(config_values(f"config_{model}", params, f"models.{model}"))
    for dataset in config["datasets"]:
        specs.merge(uncertainty_specs(config, dataset))
        if dataset not in out_of_sample_datasets(config) and all(
                dataset in model_datasets(config, m) for m in config["learning_curves"]["overtakes"]):
            first, second = config["learning_curves"]["overtakes"]
            specs.add(f"{dataset}_lc_overtakes", f"smallest data fraction from which {first} stays ahead of {second} on "
                      f"{dataset}", lambda a, d=dataset: overtaking_fraction(config, a.per_split, d))
        if dataset in out_of_sample_datasets(config):
            specs.merge(out_of_sample_specs(config, dataset))
    for section in ("pretraining", "statistics", "learning_curves"):
        specs.merge(config_values(f"config_{section}", config[section]))
    fractions = config["learning_curves"]["dataset_fractions"]
    for fraction in fractions:  # `lc_percent_025` = "2.5": the percentage a curve entry's suffix stands for
        specs.add(f"lc_percent_{curve_model('', fraction).removeprefix('_lc')}",
                  "a learning-curve point: percent of the dataset trained on", lambda a, f=fraction: f"{100 * f:g}")
    specs.add("lc_percent_smallest", "the smallest learning-curve point (percent)", lambda a: f"{100 * min(fractions):g}")
    specs.add("lc_percent_largest", "the largest learning-curve point (percent)", lambda a: f"{100 * max(fractions):g}")
    specs.add("lc_percent_full", "percent of the dataset in a full training set",
              lambda a: f"{100 * config['learning_curves']['train_share']:g}")
    specs.merge(config_values("seed", config["seeds"], "seeds"))
    specs.add("config_threads", "config value threads: CPU threads of each job", lambda a: f"{config['threads']}")
    specs.merge(measured_gpu_specs(config))
    specs.merge(measured_cpu_class_specs(config, "measured_cpu_class", "cpu_class"))
    specs.merge(measured_cpu_class_specs(config, "measured_other_cpu", "other_cpu"))
    specs.merge(measured_yieldbert_specs(config))
    for departure in OUTSIDE_DEPARTURES:
        specs.merge(outside_departure_specs(config, departure))
    return specs


# The `full` profile's entries that benchmarks/gpu.py compares and writes under `runs`: reference, variant.
GPU_COMPARED = ("uam_described", "uam_paper_encoders")


def measured_gpu_specs(config: dict) -> Specs:
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
    source = f"GPU measurement {config['measured_gpu']}"
    versus = f"{variant} − {reference}, paired over the GPU run's BH splits"
    specs = Specs()
    specs.add("gpu_device", f"the GPU of the {source}", lambda a: measured["device_name"])
    specs.add("gpu_torch", f"torch version of the {source}", lambda a: measured["torch"])
    specs.add("gpu_measured", f"date of the {source}", lambda a: measured["measured"])
    specs.add("gpu_n_splits", f"splits of the {source}", lambda a: str(len(splits)))
    specs.add("gpu_encoders_r2_delta_trimean", f"trimean R² difference {versus}",
              lambda a: f"{paired()['trimean']:+.3f}")
    specs.add("gpu_encoders_r2_delta_median_ci", f"median R² difference [bootstrap CI] {versus}",
              lambda a: median_interval(paired(), 3))
    specs.add("gpu_encoders_r2_p", f"Wilcoxon p {versus}", lambda a: p_statement(paired()["p_wilcoxon"]))
    specs.add("gpu_full_uam_seconds_median", f"median seconds per {reference} run on the GPU",
              lambda a: f"{seconds:.0f}")
    for name, model, values in (("full_uam", reference, full), ("paper_encoders", variant, small)):
        summary = pd.Series(summarize(values))
        specs.add(f"gpu_{name}_r2_mean_std", f"mean ± std R² of {model} on the GPU", lambda a, r=summary: mean_std(r, 3))
        specs.add(f"gpu_{name}_r2_trimean", f"trimean R² of {model} on the GPU", lambda a, r=summary: fmt(r["trimean"], 3))
    for name, model in zip(("full", "paper"), GPU_COMPARED):
        pretraining = measured["pretraining"][model]
        specs.add(f"gpu_pretraining_{name}_seconds", f"seconds of {model}'s pre-training on the GPU",
                  lambda a, p=pretraining: f"{p['seconds']:.0f}")
        specs.add(f"gpu_pretraining_{name}_infonce", f"held-out InfoNCE after {model}'s pre-training on the GPU",
                  lambda a, p=pretraining: fmt(p["held_out_infonce"], 2))
    for model, devices in measured["agreement"].items():  # runs cut short by the lease have no R²
        for device, run in devices.items():
            if isinstance(run, dict) and "r2" in run:
                specs.add(f"gpu_agreement_{model}_{device}_r2", f"R² of {model} on one BH split, trained on {device}",
                          lambda a, r=run: fmt(r["r2"], 4))
                specs.add(f"gpu_agreement_{model}_{device}_seconds", f"seconds of that {model} run on {device}",
                          lambda a, r=run: f"{r['seconds']:.0f}")
    return specs


def scientific(value: float, digits: int = 1) -> str:
    """`1.2 \\times 10^{-5}` (LaTeX math) of a small positive number; `0` for zero."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return rf"${mantissa} \times 10^{{{int(exponent)}}}$"


def measured_cpu_class_specs(config: dict, setting: str, prefix: str) -> Specs:
    """Values of a committed measurement of another CPU class (`benchmarks/cpu_class.py`; not re-run by this
    build): the quick profile trained with AVX2 kernels forced (`measured_cpu_class`), or on a machine of another
    class (`measured_other_cpu`), against the committed quick cache."""
    measured = json.loads(Path(config[setting]).read_text())
    source = f"CPU-class measurement {config[setting]}"
    by_type = measured["by_model_type"]
    torch_measured = {k: v for k, v in by_type.items() if REGISTRY[k].torch_seeded}
    groups = {"torch": list(torch_measured.values()),
              "other": [v for k, v in by_type.items() if k not in torch_measured]}
    specs = Specs()
    specs.add(f"{prefix}_native", f"the measuring machine's CPU class in the {source}",
              lambda a: readable_cpu_class(measured["native"]))
    specs.add(f"{prefix}_cache_class", f"the CPU class of the cache compared with in the {source}",
              lambda a: readable_cpu_class(measured["cache_class"]))
    specs.add(f"{prefix}_cpu", f"the measuring machine's CPU model in the {source}", lambda a: measured["cpu"])
    if measured["emulated"]:
        specs.add(f"{prefix}_emulated", f"the kernels forced in the {source}",
                  lambda a: VECTOR_EXTENSIONS[measured["emulated"]["ATEN_CPU_CAPABILITY"]])
        specs.add(f"{prefix}_differing_kernels", f"torch operations whose bytes differ in the {source}",
                  lambda a: ", ".join(op.replace("_", " ") for op, v in measured["kernels"].items()
                                      if not v["identical"]) or "none")
    for which, same in (("identical", True), ("differing", False)):
        specs.add(f"{prefix}_{which}_torch_types", f"torch model types whose runs all kept (or not) their bytes in "
                  f"the {source}", lambda a, s=same: ", ".join(k for k, v in torch_measured.items()
                                                              if (v["identical"] == v["runs"]) == s) or "none")
    specs.add(f"{prefix}_differing_other_models", f"dataset/model of the forest and XGBoost runs whose bytes differ in "
              f"the {source}", lambda a: ", ".join(sorted({"/".join(r["run"].split("/")[:2]).replace("_", r"\_")
                                                            for r in measured["per_run"] if not r["identical"]
                                                            and r["type"] not in torch_measured})) or "none")
    for group, values in groups.items():
        what = "torch-model" if group == "torch" else "forest and XGBoost"
        specs.add(f"{prefix}_{group}_runs", f"{what} runs of the {source}",
                  lambda a, v=values: str(sum(t["runs"] for t in v)))
        specs.add(f"{prefix}_{group}_identical", f"{what} runs with byte-identical predictions in the {source}",
                  lambda a, v=values: str(sum(t["identical"] for t in v)))
        specs.add(f"{prefix}_{group}_max_r2_difference", f"largest |ΔR²| of {what} runs in the {source}",
                  lambda a, v=values: scientific(max(t["max_abs_r2_difference"] for t in v)))
        specs.add(f"{prefix}_{group}_median_r2_difference", f"median |ΔR²| over the {what} runs of the {source}",
                  lambda a, g=group: scientific(statistics.median(
                      abs(r["r2_here"] - r["r2_cached"]) for r in measured["per_run"]
                      if (r["type"] in torch_measured) == (g == "torch"))))
        specs.add(f"{prefix}_{group}_max_yield_difference",
                  f"largest difference of a predicted yield (points) of {what} runs in the {source}",
                  lambda a, v=values: f"{max(t['max_yield_difference'] for t in v):.2g}")
    return specs


def measured_yieldbert_specs(config: dict) -> Specs:
    """Values of the committed measurement of Yield-BERT in its authors' fine-tuning loop
    (`benchmarks/yieldbert_fidelity.py`; not re-run by this build), one set per run label (e.g. the installed
    transformers, the authors' 2.11.0)."""
    measured = json.loads(Path(config["measured_yieldbert"]).read_text())
    source = f"Yield-BERT measurement {config['measured_yieldbert']}"
    specs = Specs()
    for label, run in measured["runs"].items():
        what = f"of the {label} run of the {source}"
        name = f"yieldbert_loop_{label}"
        specs.add(f"{name}_transformers", f"transformers version {what}", lambda a, r=run: r["transformers"])
        specs.add(f"{name}_epochs", f"epochs of the learning-rate schedule {what}", lambda a, r=run: str(r["epochs"]))
        specs.add(f"{name}_epochs_trained", f"epochs trained {what} (the schedule's first ones)",
                  lambda a, r=run: str(r.get("epochs_trained", r["epochs"])))
        if "r2_by_epoch" in run:
            specs.add(f"{name}_r2_by_epoch", f"test R² after each epoch {what}",
                      lambda a, r=run: ", ".join(fmt(v, 3) for v in r["r2_by_epoch"]))
        if "token_mismatches" in run:
            specs.add(f"{name}_token_mismatches", f"reactions the authors' tokenizer encodes otherwise {what}",
                      lambda a, r=run: str(r["token_mismatches"]))
        specs.add(f"{name}_split", f"the split {what}", lambda a, r=run: r["split"].replace("_", r"\_"))
        specs.add(f"{name}_seed", f"the torch seed {what}", lambda a, r=run: str(r["seed"]))
        specs.add(f"{name}_r2", f"test R² {what}", lambda a, r=run: fmt(r["r2"], 3))
        specs.add(f"{name}_train_loss", f"last epoch's mean training loss (standardized yields) {what}",
                  lambda a, r=run: fmt(r["train_loss"][-1], 2))
        specs.add(f"{name}_prediction_std", f"std of the predicted test yields (points) {what}",
                  lambda a, r=run: fmt(r["prediction_std"], 1))
        specs.add(f"{name}_seconds", f"wall seconds {what}", lambda a, r=run: f"{r['seconds']:.0f}")
    return specs


def departure_pairs(config: dict, departure: OutsideDeparture) -> dict[tuple[str, str, str], dict]:
    """A committed measurement outside the build (not re-run by it), by (dataset, entry, variant): its runs, their R²
    (seed mean per split) and the summary of their differences to the paper profile's runs of the same entry and
    split (their seed mean, kept beside each run when it was measured), paired over splits."""
    measured = json.loads(Path(config[departure.config_key]).read_text())
    groups: dict[tuple, dict[str, list]] = {}
    for run in measured["runs"].values():
        group = (run["dataset"], run["model"], run[departure.field])
        groups.setdefault(group, {}).setdefault(run["split"], []).append(run)
    pairs = {}
    for group, by_split in groups.items():
        ours = [statistics.mean(run["r2"] for run in runs) for runs in by_split.values()]
        built = [statistics.mean(runs[0]["reference"]["r2_by_seed"].values()) for runs in by_split.values()]
        pairs[group] = {"runs": [run for runs in by_split.values() for run in runs], "r2": ours,
                        "by_split": dict(zip(by_split, ours)),
                        "differences": pd.Series(summarize([a - b for a, b in zip(ours, built)]))}
    return pairs


def same_machine_differences(pairs: dict, departure: OutsideDeparture) -> dict[tuple[str, str], pd.Series]:
    """By (dataset, entry): the authors' variant against the pipeline's own code trained on the measuring machine,
    paired over the splits both ran (no CPU class between them), where such runs exist."""
    differences = {}
    for (dataset, model, variant), pair in pairs.items():
        reference = pairs.get((dataset, model, departure.pipeline))
        if variant != departure.authors or reference is None:
            continue
        common = [split for split in pair["by_split"] if split in reference["by_split"]]
        if common:
            differences[dataset, model] = pd.Series(summarize(
                [pair["by_split"][split] - reference["by_split"][split] for split in common]))
    return differences


def outside_departure_specs(config: dict, departure: OutsideDeparture) -> Specs:
    """Values of `departure_pairs`, one set per (dataset, entry, variant)."""
    source = f"measurement outside the build {config[departure.config_key]}"
    specs = Specs()
    pairs = departure_pairs(config, departure)
    for (dataset, model), differences in same_machine_differences(pairs, departure).items():
        specs.add(f"{departure.prefix}_{dataset}_{model}_{departure.authors}_r2_delta_here",
                  f"mean ± std of the R² differences of {model} on {dataset} "
                  f"{departure.what.format(departure.authors)} to the pipeline's own code trained on the same machine, "
                  f"paired over splits ({source})", lambda a, d=differences: paired_delta(d, 3))
    for (dataset, model, variant), pair in pairs.items():
        name = f"{departure.prefix}_{dataset}_{model}_{variant}"
        what = f"of {model} on {dataset} {departure.what.format(variant)} ({source})"
        runs = pair["runs"]
        specs.add(f"{name}_n_runs", f"runs {what}", lambda a, n=len(runs): str(n))
        specs.add(f"{name}_r2_mean_std", f"mean ± std over splits of the test R² {what}",
                  lambda a, v=pair["r2"]: mean_std(pd.Series(summarize(v)), 3))
        specs.add(f"{name}_r2_delta", f"mean ± std of its R² differences to the paper profile's runs of the same "
                  f"entry and split (seed mean), paired over splits, {what}",
                  lambda a, d=pair["differences"]: paired_delta(d, 3))
        specs.add(f"{name}_selected_epochs", f"the epochs whose weights were kept (best held-out R²) {what}",
                  lambda a, r=runs: ", ".join(str(run["selected_epoch"]) for run in r))
        specs.add(f"{name}_seconds_median", f"median wall seconds per run {what}",
                  lambda a, r=runs: f"{statistics.median(run['seconds'] for run in r):.0f}")
        specs.add(f"{name}_cpu", f"CPU class of the runs {what}",
                  lambda a, r=runs: ", ".join(sorted({run["cpu_class"] for run in r})))
        specs.add(f"{name}_threads", f"torch threads of a run {what}",
                  lambda a, r=runs: ", ".join(str(t) for t in sorted({run["threads"] for run in r})))
        specs.add(f"{name}_reference_cpu", f"CPU classes of the paper profile's runs paired {what}",
                  lambda a, r=runs: ", ".join(sorted({c for run in r for c in run["reference"]["computed_on"]})))
    return specs


def uncertainty_specs(config: dict, dataset: str) -> Specs:
    """Trimeans of the uncertainty metrics per (model, σ kind), and paired Spearman comparisons of every two
    σ sources on the same splits (does one σ rank the errors better than another?)."""
    specs = Specs()
    for model, kind in sigma_sources(config, dataset):
        for metric, digits in (("spearman", 2), ("nll", 2), ("miscalibration", 3), ("coverage_95", 2),
                               ("retention_gain", 2)):
            specs.add(f"{dataset}_{model}_{kind}_{metric}_trimean",
                      f"trimean over {dataset} splits of the {metric} of {model}'s {kind} σ",
                      lambda a, m=model, k=kind, t=metric, n=digits:
                      fmt(uncertainty_row(a.uncertainty_summary, dataset, m, k, t)["trimean"], n))
    for pair in sigma_pairs(config, dataset):
        (model, kind), (other, other_kind) = pair
        name = f"{dataset}_spearman_{model}_{kind}_vs_{other}_{other_kind}"
        versus = f"Spearman ρ(σ, |error|) of {model}'s {kind} σ − {other}'s {other_kind} σ, paired over {dataset} splits"
        specs.add(f"{name}_delta", f"trimean difference of {versus}",
                  lambda a, p=pair: f"{sigma_pair_row(a.sigma_paired, dataset, *p)['trimean']:+.2f}")
        specs.add(f"{name}_p", f"Wilcoxon p of {versus}",
                  lambda a, p=pair: p_statement(sigma_pair_row(a.sigma_paired, dataset, *p)["p_wilcoxon"]))
    return specs


def out_of_sample_specs(config: dict, dataset: str) -> Specs:
    """R² of each model on each out-of-sample split, and its drop from the random splits of the same
    reactions (trimean on the random splits − mean over the out-of-sample ones)."""
    specs = Specs()
    base = feature_dataset(config, dataset)
    for model in dataset_models(config, dataset):
        for split in model_splits(config, model, dataset):
            specs.add(f"{dataset}_{model}_{split}_r2", f"test R² of {model} on {dataset} split {split} (mean over "
                      "its seeds)", lambda a, m=model, t=split: fmt(float(
                          rows(a.per_split, dataset=dataset, model=m, split=t)["r2"].mean()), 3))
        if base != dataset and base in model_datasets(config, model):
            specs.add(f"{dataset}_{model}_r2_drop", f"{model}'s trimean R² on {base} minus its mean R² on {dataset}",
                      lambda a, m=model: fmt(stat(a.summary, base, m, "r2")["trimean"]
                                             - stat(a.summary, dataset, m, "r2")["mean"], 3))
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
    return stat(rows(summary, kind=kind), dataset, model, metric)


def sigma_pair_row(sigma_paired: pd.DataFrame, dataset: str, first: tuple, second: tuple) -> pd.Series:
    """The paired Spearman comparison of σ source `first` − `second` (a row of `sigma_paired.csv`)."""
    return rows(sigma_paired, dataset=dataset, model=first[0], kind=first[1], other=second[0],
                other_kind=second[1]).iloc[0]


def config_values(prefix: str, settings: dict, where: str = "") -> Specs:
    """One variable per numeric setting, nested keys joined by `_` (booleans and strings are left out)."""
    specs = Specs()
    where = where or prefix.removeprefix("config_")
    for key, value in settings.items():
        if isinstance(value, dict):
            specs.merge(config_values(f"{prefix}_{key}", value, f"{where}.{key}"))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            specs.add(f"{prefix}_{key}", f"config value {where}.{key}", lambda a, v=value: f"{v:g}")
    return specs


def variable_names(config: dict) -> list[str]:
    return list(variable_specs(config))


def variable_index(aggregate) -> str:
    """Markdown: every variable's name, value and meaning, for a reader looking for what `\\variable{}` shows."""
    specs = variable_specs(aggregate.config)
    lines = ["| name | value | meaning |", "|---|---|---|"]
    lines += [f"| `{name}` | {value(aggregate)} | {specs.meanings[name]} |" for name, value in specs.items()]
    return "\n".join(lines) + "\n"
