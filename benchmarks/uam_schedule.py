"""UAM with its authors' learning-rate schedule, which the pipeline cannot switch without re-training every cached
torch run (the schedule sits in the trainer all torch models share, `rxnyield.models.torch_trainer`).

The authors' train.py builds `CosineAnnealingLR(optimizer, T_max=epochs, eta_min=5e-5)` and their utils.train steps it
after every batch. Past T_max torch's schedule rises again, so over a run the rate swings between 1e-3 and 5e-5 with
a half-period of T_max batches: T_max/10 epochs on BH (10 batches of 256 an epoch here), T_max/14 on SM, so five
or seven cycles in any run length; the checkpoint with the best held-out R² is kept. The pipeline steps the same
schedule once per epoch: one decay over the run.

This script trains a paper-profile UAM entry (`uam`, or `uam_300_epochs` for the authors' 300 epochs) through the
pipeline's own job (`rxnyield.job.train_and_evaluate`: same features, split, held-out rows, seeds and model) with
only the schedule stepped per batch; `--schedule epoch` trains the pipeline's own schedule on this machine
instead, a same-machine reference (the cached runs may come from another CPU class). Each run is merged into
`src/data/measured/uam_schedule.json` under `<dataset>/<model>/<split>/seed<k>/<schedule>`, with its held-out R²
after every epoch, the epoch kept, and the paper profile's runs of the same entry and split it is paired with
(`reference`, read from the build's aggregated metrics); the manuscript quotes the pairs through
`\\variable{output/uam_schedule_*}`. Needs a built paper profile and its features (`make paper` restores runs
without them: `snakemake --profile profiles/paper results/paper/features/bh/features.npz`). A BH run of `uam`
took 30 min on an AMD AVX2 core with another job on the second (the build's own take about 11.5 min on AMD
AVX-512), an SM run 40 min; a BH run of `uam_300_epochs` 90 min alone with `--threads 2`; e.g.
    .venv/bin/python benchmarks/uam_schedule.py --dataset bh --splits FullCV_01 FullCV_02 FullCV_03
"""

import argparse
import fcntl
import json
import platform
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from unittest import mock

import pandas as pd
import torch

from rxnyield.config import TIMING, aggregate_file, features_file, load_config, profile_config_files, run_config
from rxnyield.job import train_and_evaluate
from rxnyield.models import torch_trainer
from rxnyield.provenance import machine_cpu_class, readable_cpu_class

OUT = Path("src/data/measured/uam_schedule.json")
SCHEDULES = ("batch", "epoch")


class Unstepped:
    """Stands in for the per-epoch schedule the trainer steps, once the optimiser steps its own after each batch."""

    def step(self) -> None:
        pass


@dataclass(frozen=True)
class PerBatchSchedule(torch_trainer.TrainingSettings):
    """The trainer's settings with the cosine schedule stepped after every optimiser step (the authors' utils.train),
    T_max still the number of epochs."""

    def optimiser(self, parameters) -> torch.optim.Optimizer:
        optimiser = super().optimiser(parameters)
        per_batch = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=self.epochs, eta_min=self.lr_min)
        optimiser.register_step_post_hook(lambda *_: per_batch.step())
        return optimiser

    def schedule(self, optimiser: torch.optim.Optimizer) -> Unstepped:
        return Unstepped()


@contextmanager
def schedule_of(kind: str):
    """The trainer as the pipeline runs it (`epoch`), or with the authors' per-batch schedule (`batch`)."""
    if kind == "epoch":
        yield
        return
    with mock.patch.object(torch_trainer, "TrainingSettings", PerBatchSchedule):
        yield


def train(run: dict, schedule: str, root: Path) -> dict:
    features = features_file(root / run["results_dir"], run["dataset"])
    if not features.exists():
        raise SystemExit(f"{features}: missing; build it first (see this script's docstring)")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out, schedule_of(schedule):
        metrics = train_and_evaluate(run, features, Path(out), root)
        timing = json.loads((Path(out) / TIMING).read_text())
    return {"r2": metrics["r2"], "mae": metrics["mae"], "selected_epoch": timing.get("selected_epoch"),
            "validation_r2": [round(v, 5) for v in timing.get("validation_r2", [])],
            "train_loss": [round(v, 5) for v in timing["train_loss"]], "seconds": round(time.perf_counter() - started)}


def reference(config: dict, dataset: str, model: str, split: str) -> dict:
    """The build's runs of the same entry and split (every seed), from its aggregated metrics: what a run here is
    paired with, kept beside it so that any profile's build can quote the pair."""
    table = pd.read_csv(aggregate_file(config["results_dir"], "per_split"))
    runs = table[(table["dataset"] == dataset) & (table["model"] == model) & (table["split"] == split)]
    if runs.empty:
        raise SystemExit(f"no {dataset}/{model}/{split} run in {aggregate_file(config['results_dir'], 'per_split')}: "
                         "build the paper profile first (make paper)")
    return {"r2_by_seed": {str(seed): r2 for seed, r2 in zip(runs["seed"], runs["r2"])},
            "computed_on": sorted(set(runs["computed_on"]))}


def merge(out: Path, label: str, entry: dict) -> None:
    """Add one run to the measurement file, locked: runs of two processes (two cores) may end together."""
    with open(Path(tempfile.gettempdir()) / f"{out.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        record = json.loads(out.read_text()) if out.exists() else {"runs": {}}
        record["runs"][label] = entry
        out.write_text(json.dumps(record, indent=2) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="bh")
    parser.add_argument("--model", default="uam", help="a paper-profile UAM entry (default uam; uam_300_epochs: "
                        "the authors' 300 epochs)")
    parser.add_argument("--splits", nargs="+", help="default: the dataset's first split")
    parser.add_argument("--seeds", nargs="+", type=int, help="torch seeds, as a pipeline run's (default: the first)")
    parser.add_argument("--schedule", choices=SCHEDULES, default="batch",
                        help="batch: the authors' (default); epoch: the pipeline's, trained here")
    parser.add_argument("--threads", type=int, help="torch threads of a run (default: the profile's, one per job); "
                        "two make one run on two cores about 1.5 times as fast")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    root = Path(".")
    config = load_config(*profile_config_files("paper"))
    if config["models"].get(args.model, {}).get("type") != "uam":
        parser.error(f"--model {args.model}: not a UAM entry of the paper profile")
    splits = args.splits or config["datasets"][args.dataset]["splits"][:1]
    seeds = args.seeds or config["seeds"]["torch"][:1]
    for split in splits:
        built = reference(config, args.dataset, args.model, split)  # every seed of the split: read once
        for seed in seeds:
            run = dict(run_config(config, args.dataset, args.model, split, seed), results_dir=config["results_dir"])
            run["threads"] = args.threads or run["threads"]
            measured = train(run, args.schedule, root)
            label = f"{args.dataset}/{args.model}/{split}/seed{seed}/{args.schedule}"
            entry = {"dataset": args.dataset, "model": args.model, "split": split, "seed": seed,
                     "schedule": args.schedule, "epochs": run["model_params"]["epochs"], "threads": run["threads"],
                     "torch": torch.__version__,
                     "cpu_class": readable_cpu_class(machine_cpu_class()),
                     "processor": platform.processor() or platform.machine(), "measured": date.today().isoformat(),
                     **measured, "reference": built}
            merge(args.out, label, entry)
            print(label, json.dumps({k: v for k, v in entry.items() if k not in ("validation_r2", "train_loss")}),
                  flush=True)


if __name__ == "__main__":
    main()
