"""Runs of a paper-profile UAM entry with one departure of the authors' code switched in outside the build.

Some departures of the released UAM sit in code every cached torch run is keyed by (the trainer, the graph features):
switching them inside the build would re-train every such run. A measurement script instead trains the entry
through the pipeline's own job (`rxnyield.job.train_and_evaluate`: same features file, split, held-out rows, seeds and
model) inside a context that patches in the departure, and merges each run into a committed JSON file under
`<dataset>/<model>/<split>/seed<k>/<variant>`, with the paper profile's runs of the same entry and split it is paired
with (`reference`, from the build's aggregated metrics). `rxnyield.report.variables` quotes the pairs. Needs a built
paper profile and its features (`make paper` restores runs without them:
`snakemake --profile profiles/paper results/paper/features/bh/features.npz`).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import platform
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Callable, ContextManager

import pandas as pd
import torch

from rxnyield.config import TIMING, aggregate_file, features_file, load_config, profile_config_files, run_config
from rxnyield.job import train_and_evaluate
from rxnyield.provenance import machine_cpu_class, readable_cpu_class


def arguments(description: str, out: Path, variant: str, variants: tuple[str, ...], default: str,
              variant_help: str) -> argparse.ArgumentParser:
    """The options every such script takes; `--<variant>` picks the departure (or the pipeline's own code)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--dataset", default="bh")
    parser.add_argument("--model", default="uam", help="a paper-profile UAM entry (default uam)")
    parser.add_argument("--splits", nargs="+", help="default: the dataset's first split")
    parser.add_argument("--seeds", nargs="+", type=int, help="torch seeds, as a pipeline run's (default: the first)")
    parser.add_argument(f"--{variant}", choices=variants, default=default, help=variant_help)
    parser.add_argument("--threads", type=int, help="torch threads of a run (default: the profile's, one per job); "
                        "two make one run on two cores about 1.5 times as fast")
    parser.add_argument("--out", type=Path, default=out)
    return parser


def train(run: dict, switched_in: ContextManager, root: Path) -> dict:
    features = features_file(root / run["results_dir"], run["dataset"])
    if not features.exists():
        raise SystemExit(f"{features}: missing; build it first (see benchmarks/outside_build.py)")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out, switched_in:
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


def measure(parser: argparse.ArgumentParser, variant: str, switch: Callable[[str], ContextManager],
            argv: list[str] | None = None) -> None:
    """Train the chosen entry, splits and seeds with `switch(<the variant chosen>)` in force; merge each run."""
    args = parser.parse_args(argv)
    chosen = getattr(args, variant)
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
            measured = train(run, switch(chosen), root)
            label = f"{args.dataset}/{args.model}/{split}/seed{seed}/{chosen}"
            entry = {"dataset": args.dataset, "model": args.model, "split": split, "seed": seed, variant: chosen,
                     "epochs": run["model_params"]["epochs"], "threads": run["threads"], "torch": torch.__version__,
                     "cpu_class": readable_cpu_class(machine_cpu_class()),
                     "processor": platform.processor() or platform.machine(), "measured": date.today().isoformat(),
                     **measured, "reference": built}
            merge(args.out, label, entry)
            print(label, json.dumps({k: v for k, v in entry.items() if k not in ("validation_r2", "train_loss")}),
                  flush=True)


def unchanged() -> ContextManager:
    """The pipeline's own code: a same-machine reference for a departure (the cached runs may come from another CPU
    class)."""
    return contextlib.nullcontext()
