"""How far a run moves on a CPU of another class: emulated on the machine of the committed cache, or measured on
another machine.

The run cache's key holds the CPU class (`rxnyield.provenance.machine_cpu_class`: vector extension and vendor),
so a cache computed on an AMD machine with AVX-512 is served, and checked by CI, on no other kind. This measures
what that protects against: the quick profile is trained from scratch in a clean copy of the repository, and
every run is compared with the committed quick cache's run of the same code, settings, data and versions:
byte-identical predictions or not, and the difference of test R².

- On the cache's machine, with AVX2 kernels forced (torch's own kernels through `ATEN_CPU_CAPABILITY`, MKL's
  through `MKL_ENABLE_INSTRUCTIONS`, oneDNN's through `ONEDNN_MAX_CPU_ISA`); a probe of single torch operations
  (natively and emulated, same input) says which kernels differ. Writes `src/data/measured/cpu_class_quick.json`:
      .venv/bin/python benchmarks/cpu_class.py
- On a machine of another class, as it is (`--other-machine`), against the runs the cache's keys name for
  `--cache-class` (default `avx512`, the AMD EPYC machines the committed caches were computed on). Writes
  `src/data/measured/other_cpu_quick.json`:
      .venv/bin/python benchmarks/cpu_class.py --other-machine

The manuscript quotes both. About 10-15 min on two cores.
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pandas as pd

from rxnyield.cache import CACHE_DIR, MANIFEST, SWITCH, read_manifest, run_of, train_job, unpack
from rxnyield.config import PREDICTIONS, load_config, profile_config_files, run_dir
from rxnyield import provenance
from rxnyield.reproduce import ROOT, clean_copy, copy_environment

EMULATED = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
PROFILE = "quick"
MEASURED = ROOT / "src/data/measured"


def train(repo: Path, targets: list[str], log: Path, kernels: dict) -> None:
    """Train the targets in the clean copy with the cache off, under the `kernels` environment."""
    snakemake = Path(sys.executable).parent / "snakemake"
    with log.open("w") as handle:
        subprocess.run([str(snakemake), "--profile", f"profiles/{PROFILE}", *targets], cwd=repo,
                       env=copy_environment(repo, **kernels, **{SWITCH: "off"}), check=True, stdout=handle,
                       stderr=subprocess.STDOUT)


@contextmanager
def keys_of_cpu_class(name: str):
    """Compute run keys as a machine of CPU class `name` would: the key of the run the cache holds for this
    code, settings, data and versions, computed there."""
    machine = provenance.machine_cpu_class
    provenance.machine_cpu_class = lambda: name
    provenance.package_versions.cache_clear()
    try:
        yield
    finally:
        provenance.machine_cpu_class = machine
        provenance.package_versions.cache_clear()


def compare(repo: Path, config: dict, cache_class: str) -> list[dict]:
    """One row per current cached training run (current for a machine of `cache_class`): its model type, whether
    the run trained here has the cached predictions' bytes, both test R² and the largest difference of a
    predicted yield."""
    cache_dir = ROOT / CACHE_DIR / PROFILE
    results = repo / config["results_dir"]
    rows = []
    for key, entry in read_manifest(cache_dir).items():
        if entry["job"] != "train":
            continue
        run = run_of(entry["name"])
        with keys_of_cpu_class(cache_class):
            job = train_job(config, *run, repo)
        if job.key != key:  # a stale entry: not what this code computes
            continue
        files = unpack(cache_dir, key, entry, job.files)
        predictions, metrics = job.outputs[:2]  # RUN_FILES: predictions, metrics, config
        cached, here = pd.read_csv(io.BytesIO(files[predictions])), pd.read_csv(results / predictions)
        rows.append({"run": entry["name"], "type": config["models"][run[1]]["type"],
                     "identical": (results / predictions).read_bytes() == files[predictions],
                     "r2_cached": json.loads(files[metrics])["r2"],
                     "r2_here": json.loads((results / metrics).read_text())["r2"],
                     "largest_yield_difference": float((here["y_pred"] - cached["y_pred"]).abs().max())})
    if not rows:
        sys.exit(f"{cache_dir}: no run is current for CPU class {cache_class!r}; is that the cache's class?")
    return rows


PROBE = """
import sys, torch
from torch.nn import functional as F
torch.manual_seed(0)
x = torch.randn(64, 200, 64)
heads = x.view(64, 200, 2, 32).transpose(1, 2)
layer = torch.nn.TransformerEncoderLayer(64, 2, 256, 0.0, batch_first=True).eval()
with torch.no_grad():
    torch.save({"linear": F.linear(x, torch.randn(256, 64)), "sum": x.sum(-1), "exp": torch.exp(x),
                "layer_norm": F.layer_norm(x, (64,)), "batch_norm": F.batch_norm(x.reshape(-1, 64), None, None,
                                                                                 training=True),
                "relu": torch.relu(x), "gelu": F.gelu(x), "softmax": torch.softmax(x, -1),
                "attention": F.scaled_dot_product_attention(heads, heads, heads), "encoder_layer": layer(x)},
               sys.argv[1])
"""


def kernel_probe(scratch: Path) -> dict:
    """Which single torch operations give other bytes under the emulated kernels: each on the same random
    input, natively and emulated; the largest difference of an output element."""
    import torch

    outputs = []
    for name, extra in (("native", {}), ("emulated", EMULATED)):
        path = scratch / f"{name}.pt"
        subprocess.run([sys.executable, "-c", PROBE, str(path)], env=dict(os.environ, **extra), check=True)
        outputs.append(torch.load(path))
    native, emulated = outputs
    return {op: {"identical": torch.equal(native[op], emulated[op]),
                 "max_difference": float((native[op] - emulated[op]).abs().max())} for op in native}


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def summary(rows: list[dict], kernels: dict | None, cache_class: str) -> dict:
    by_type = {}
    for kind in sorted({r["type"] for r in rows}):
        these = [r for r in rows if r["type"] == kind]
        differences = [abs(r["r2_here"] - r["r2_cached"]) for r in these]
        by_type[kind] = {"runs": len(these), "identical": sum(r["identical"] for r in these),
                         "max_abs_r2_difference": max(differences),
                         "median_abs_r2_difference": statistics.median(differences),
                         "max_yield_difference": max(r["largest_yield_difference"] for r in these)}
    return {"profile": PROFILE, "measured": date.today().isoformat(), "cpu": cpu_model(),
            "native": provenance.machine_cpu_class(), "emulated": kernels or None, "cache_class": cache_class,
            "torch": provenance.package_versions()["torch"], "runs": len(rows),
            "identical": sum(r["identical"] for r in rows), "by_model_type": by_type, "per_run": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other-machine", action="store_true",
                        help="this machine as it is, against a cache computed on a CPU of --cache-class")
    parser.add_argument("--cache-class", default="avx512", help="with --other-machine: the cache's CPU class")
    parser.add_argument("--out", type=Path, help="default: src/data/measured/cpu_class_quick.json, or "
                        "other_cpu_quick.json with --other-machine")
    parser.add_argument("--workdir", type=Path, help="keep the clean copy here (default: a temporary directory)")
    args = parser.parse_args()
    kernels = {} if args.other_machine else EMULATED
    cache_class = args.cache_class if args.other_machine else provenance.machine_cpu_class()
    if args.other_machine and cache_class == provenance.machine_cpu_class():
        sys.exit(f"this machine's CPU class is the cache's ({cache_class}): nothing to measure")
    out = args.out or MEASURED / ("other_cpu_quick.json" if args.other_machine else "cpu_class_quick.json")
    if not (ROOT / CACHE_DIR / PROFILE / MANIFEST).exists():
        sys.exit(f"{CACHE_DIR / PROFILE}: no committed quick cache to compare with")
    with tempfile.TemporaryDirectory(prefix="rxnyield-cpu-class-") as scratch:
        repo = (args.workdir or Path(scratch)) / "repo"
        clean_copy(ROOT, repo)
        config = load_config(*(repo / name for name in profile_config_files(PROFILE)))
        names = [run_of(e["name"]) for e in read_manifest(ROOT / CACHE_DIR / PROFILE).values() if e["job"] == "train"]
        train(repo, [str(run_dir(config["results_dir"], *run) / PREDICTIONS) for run in names],
              repo.parent / "training.log", kernels)
        result = summary(compare(repo, config, cache_class), kernels, cache_class)
        if kernels:
            result["kernels"] = kernel_probe(repo.parent)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{result['identical']} of {result['runs']} runs byte-identical on {result['native']} "
          f"({kernels or 'native kernels'}) to the cache's from {cache_class}; written to {out}")
    if kernels:
        print("  operations that differ:", ", ".join(op for op, v in result["kernels"].items() if not v["identical"]))
    for kind, values in result["by_model_type"].items():
        print(f"  {kind}: {values['identical']}/{values['runs']} identical, |ΔR²| max "
              f"{values['max_abs_r2_difference']:.2e}, median {values['median_abs_r2_difference']:.2e}")


if __name__ == "__main__":
    main()
