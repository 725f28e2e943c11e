"""Benchmark on a GPU machine: torch models on CUDA against CPU, and what UAM's authors' encoder sizes cost.

1. Agreement: one `paper`-profile run of each torch model named (UAM from the paper's shared checkpoint)
   on CPU and on CUDA (same machine, same torch); prints both R² and the largest difference of a
   predicted yield.
2. Unless --no-compare: the `full` profile (authors' sizes) on one dataset: pre-trains the encoders of
   `uam_described` and of `uam_paper_encoders` (this profile's encoder sizes, pre-trained as long), then trains both
   models on the first splits, jobs in parallel on the GPU. Prints the pre-training times and held-out
   InfoNCE, each run's R² and time, and the paired R² differences.

Runs are written where the pipeline writes them (`results/<profile>/...`), plus `summary.json` in --out.
Work that would start after --budget seconds is skipped (and listed as such), so a leased machine's time
limit is kept. Usage, on a machine whose torch sees a GPU:
    python benchmarks/gpu.py --features results/paper/features/bh/features.npz --out results/gpu
"""

import argparse
import json
import multiprocessing
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from rxnyield.config import ALL_REACTIONS, PREDICTIONS, encoders_of, load_config, model_seeds, pretrain_checkpoint, \
    pretrain_settings, run_config, run_dir
from rxnyield.report.variables import GPU_COMPARED as COMPARED  # the manuscript reads these runs

PAPER = ["config/config.yaml"]
FULL = ["config/config.yaml", "config/full.yaml"]


def pretrain_job(settings: dict, features: str, out: str, device: str) -> dict:
    os.environ["RXNYIELD_DEVICE"] = device
    from rxnyield.featurizers.bundle import FeatureBundle
    from rxnyield.pretrain import pretrain, save_checkpoint

    started = time.perf_counter()
    checkpoint = pretrain(FeatureBundle.load(features), settings["settings"], settings["seeds"], settings["threads"])
    seconds = time.perf_counter() - started
    save_checkpoint(checkpoint, Path(out))
    return {"seconds": round(seconds, 1), "held_out_infonce": checkpoint["history"]["validation_loss"][-1]}


def train_job(run: dict, features: str, out_dir: str, device: str) -> dict:
    os.environ["RXNYIELD_DEVICE"] = device
    from rxnyield.job import train_and_evaluate

    started = time.perf_counter()
    metrics = train_and_evaluate(run, Path(features), Path(out_dir))
    return {"seconds": round(time.perf_counter() - started, 1), "r2": metrics["r2"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="bh")
    parser.add_argument("--features", required=True, help="the dataset's features.npz")
    parser.add_argument("--full-config", nargs="+", default=FULL, help="config files of the compared models")
    parser.add_argument("--splits", type=int, default=10, help="first random splits of the dataset")
    parser.add_argument("--workers", type=int, default=4, help="jobs at a time")
    parser.add_argument("--budget", type=float, default=480, help="seconds after which no job starts")
    parser.add_argument("--device", default="cuda", help="where the accelerated jobs run (cpu: a dry run)")
    parser.add_argument("--agreement-models", nargs="*", default=["uam"], help="paper-profile models run on both")
    parser.add_argument("--no-compare", dest="compare", action="store_false",
                        help="only the agreement runs, not the full-profile comparison")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()

    paper, full = load_config(*PAPER), load_config(*args.full_config)
    splits = full["datasets"][args.dataset]["splits"][: args.splits]
    # each model's first seed: the runs this benchmark measured (src/data/measured/)
    agreement_runs = {m: run_config(paper, args.dataset, m, splits[0], model_seeds(paper, m)[0])
                      for m in args.agreement_models}
    for run in agreement_runs.values():
        checkpoint = run["model_params"].get("checkpoint")
        if checkpoint and not Path(checkpoint).exists():
            raise SystemExit(f"{checkpoint}: the paper profile's checkpoint is needed for the agreement run "
                             "(make paper, or copy it)")

    device_name = torch.cuda.get_device_name() if args.device != "cpu" else "cpu"
    results: dict = {"device": args.device, "device_name": device_name, "torch": torch.__version__,
                     "dataset": args.dataset, "agreement": {m: {} for m in agreement_runs}, "pretraining": {},
                     "runs": {m: {} for m in COMPARED}, "skipped": []}
    pool = ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("spawn"))
    pending = {}

    def submit(key: tuple, function, *job_args) -> None:
        if time.perf_counter() - started > args.budget:
            results["skipped"].append("/".join(key))
            return
        pending[pool.submit(function, *job_args)] = key

    for model, run in agreement_runs.items():
        for device in dict.fromkeys(("cpu", args.device)):  # one CPU run in a dry run
            submit(("agreement", model, device), train_job, run, args.features,
                   str(args.out / "agreement" / model / device), device)
    for model in COMPARED if args.compare else ():
        encoders = encoders_of(full, model)
        submit(("pretraining", model), pretrain_job, pretrain_settings(full, args.dataset, ALL_REACTIONS, encoders),
               args.features, str(pretrain_checkpoint(full["results_dir"], args.dataset, ALL_REACTIONS, encoders)),
               args.device)
    try:
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                kind, name, *rest = pending.pop(future)
                try:
                    outcome = future.result()
                except Exception as error:  # reported with the job; the other jobs go on
                    outcome = {"error": f"{type(error).__name__}: {error}"}
                print(kind, name, *rest, outcome, flush=True)
                if kind == "agreement":
                    results["agreement"][name][rest[0]] = outcome
                elif kind == "pretraining":
                    results["pretraining"][name] = outcome
                    if "error" not in outcome:
                        seed = model_seeds(full, name)[0]
                        for split in splits:
                            submit(("run", name, split), train_job, run_config(full, args.dataset, name, split, seed),
                                   args.features, str(run_dir(full["results_dir"], args.dataset, name, split, seed)),
                                   args.device)
                else:
                    results["runs"][name][rest[0]] = outcome
    except KeyboardInterrupt:  # stopped from outside (a lease's time limit): keep what has finished
        results["interrupted"] = ["/".join(key) for key in pending.values()]
        pool.shutdown(wait=False, cancel_futures=True)
    else:
        pool.shutdown()

    for model, agreement in results["agreement"].items():
        if all("r2" in agreement.get(d, {}) for d in ("cpu", args.device)):
            cpu, accelerated = (pd.read_csv(args.out / "agreement" / model / d / PREDICTIONS)
                                for d in ("cpu", args.device))
            agreement["max_abs_yield_difference"] = float(np.abs(cpu["y_pred"] - accelerated["y_pred"]).max())
            agreement["r2_difference"] = agreement[args.device]["r2"] - agreement["cpu"]["r2"]
    reference, variant = (results["runs"][m] for m in COMPARED)
    paired = [s for s in splits if "r2" in reference.get(s, {}) and "r2" in variant.get(s, {})]
    results["paired_r2_difference"] = {s: variant[s]["r2"] - reference[s]["r2"] for s in paired}
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "summary.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
