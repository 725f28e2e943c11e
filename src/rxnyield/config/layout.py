"""Where every file of the workflow lives, written once: the rules, the jobs, the report and the tests
import these names instead of typing paths.

Functions take a profile's `results_dir` and names; given Snakemake wildcards (`"{dataset}"`) they return
the rules' path patterns.
"""

from __future__ import annotations

from pathlib import Path

# The article, as showyourwork lays it out.
MANUSCRIPT = Path("src/tex/ms.tex")
TEX_OUTPUT = Path("src/tex/output")      # \variable files and \input tables
FIGURES = Path("src/tex/figures")
SCRIPTS = Path("src/scripts")

# Files of a run directory (see `rxnyield.job`).
PREDICTIONS = "predictions.csv"
METRICS = "metrics.json"
RESOLVED_CONFIG = "config.yaml"
TIMING = "timing.json"

# Tables the `aggregate` rule writes and the report reads, by role.
AGGREGATE_FILES = {
    "per_split": "metrics_per_split.csv",
    "summary": "summary.csv",
    "paired": "paired.csv",
    "seed_variance": "seed_variance.csv",
    "uncertainty": "uncertainty_per_split.csv",
    "uncertainty_summary": "uncertainty_summary.csv",
    "sigma_paired": "sigma_paired.csv",
    "calibration": "calibration.csv",
    "retention": "retention.csv",
    "compute": "compute_cost.csv",
    "predictions": "predictions.csv",
    "config": "config.json",
}

# The checkpoint every UAM-type model of a dataset shares; a model with its own `pretraining` settings gets
# one named after it.
SHARED_ENCODERS = "encoders"
# The scope of a checkpoint pre-trained on every reaction of a dataset (transductive: held-out reactions
# included, without yields); a checkpoint pre-trained on one split's training reactions is scoped by the split.
ALL_REACTIONS = "all"


def validated_summary(results_dir: Path | str, dataset: str) -> Path:
    return Path(results_dir) / "validated" / f"{dataset}.json"


def features_file(results_dir: Path | str, dataset: str) -> Path:
    return Path(results_dir) / "features" / dataset / "features.npz"


def pretrain_checkpoint(results_dir: Path | str, dataset: str, scope: str, encoders: str = SHARED_ENCODERS) -> Path:
    """The encoders pre-trained on a dataset's reactions: `scope` is ALL_REACTIONS or the split whose training
    reactions alone they saw (`rxnyield.config.queries.pretraining_scope`)."""
    return Path(results_dir) / "pretrain" / dataset / scope / f"{encoders}.pt"


def seed_name(seed: int | str) -> str:
    """A run seed's path segment (`seed0`; `seed{seed}` for the rules' wildcard): a run's directory, log and
    benchmark are named (dataset, model, split, seed_name)."""
    return f"seed{seed}"


def run_names(dataset: str, model: str, split: str, seed: int | str) -> tuple[str, str, str, str]:
    """A run's path segments, in the order of its directory, log and benchmark."""
    return dataset, model, split, seed_name(seed)


def run_dir(results_dir: Path | str, dataset: str, model: str, split: str, seed: int | str) -> Path:
    """Where one training job writes its outputs, e.g. `runs/bh/mpnn/FullCV_01/seed0`."""
    return Path(results_dir, "runs", *run_names(dataset, model, split, seed))


def features_stamp(results_dir: Path | str, dataset: str) -> Path:
    """The provenance key (rxnyield.provenance) a featurization writes next to its features once it succeeded."""
    return features_file(results_dir, dataset).with_name("provenance.json")


def pretrain_stamp(results_dir: Path | str, dataset: str, scope: str, encoders: str = SHARED_ENCODERS) -> Path:
    return pretrain_checkpoint(results_dir, dataset, scope, encoders).with_suffix(".provenance.json")


def run_stamp(results_dir: Path | str, dataset: str, model: str, split: str, seed: int | str) -> Path:
    return run_dir(results_dir, dataset, model, split, seed) / "provenance.json"


def aggregate_dir(results_dir: Path | str) -> Path:
    return Path(results_dir) / "aggregate"


def aggregate_file(results_dir: Path | str, role: str) -> Path:
    """One of the aggregated tables, by its role in `AGGREGATE_FILES`."""
    return aggregate_dir(results_dir) / AGGREGATE_FILES[role]


def log_file(results_dir: Path | str, rule: str, *names: str) -> Path:
    """A rule's log, e.g. `logs/train/bh/mpnn/FullCV_01/seed0.log`."""
    return Path(results_dir, "logs", rule, *names).with_suffix(".log")


def benchmark_file(results_dir: Path | str, rule: str, *names: str) -> Path:
    """Snakemake's `benchmark:` TSV of a heavy job (wall, CPU time, memory), read by the compute appendix."""
    return Path(results_dir, "benchmarks", rule, *names).with_suffix(".tsv")
