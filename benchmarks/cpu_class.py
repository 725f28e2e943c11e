"""How far a run moves on a CPU of another vector-extension class, measured by emulating one on this machine.

The run cache's key holds the CPU's vector-extension class (`rxnyield.provenance.cpu_vector_extensions`), so a
cache computed on an AVX-512 machine is not served, nor checked by CI, on an AVX2 one. This measures what that
protects against: the quick profile is trained from scratch in a clean copy of the repository with AVX2
kernels forced (torch's own kernels through `ATEN_CPU_CAPABILITY`, MKL's through `MKL_ENABLE_INSTRUCTIONS`,
oneDNN's through `ONEDNN_MAX_CPU_ISA`), and every run is compared with the committed quick cache, computed with
this machine's native kernels: byte-identical predictions or not, and the difference of test R². A probe of
single torch operations (natively and emulated, same input) says which kernels differ.

Writes `src/data/measured/cpu_class_quick.json` (or --out), which the manuscript quotes. Usage (about 10 min on
two cores): .venv/bin/python benchmarks/cpu_class.py
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd

from rxnyield.cache import CACHE_DIR, MANIFEST, SWITCH, read_manifest, run_of, train_job, unpack
from rxnyield.config import PREDICTIONS, load_config, profile_config_files, run_dir
from rxnyield.provenance import cpu_vector_extensions, package_versions
from rxnyield.reproduce import ROOT, clean_copy

EMULATED = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
PROFILE = "quick"


def train_emulated(repo: Path, targets: list[str], log: Path) -> None:
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", PYTHONPATH=str(repo / "src"),
               **EMULATED, **{SWITCH: "off"})
    with log.open("w") as handle:
        subprocess.run([str(bin_dir / "snakemake"), "--profile", f"profiles/{PROFILE}", *targets], cwd=repo, env=env,
                       check=True, stdout=handle, stderr=subprocess.STDOUT)


def compare(repo: Path, config: dict) -> list[dict]:
    """One row per current cached training run: its model type, whether the emulated run's predictions are the
    cached bytes, both test R² and the largest difference of a predicted yield."""
    cache_dir = ROOT / CACHE_DIR / PROFILE
    results = repo / config["results_dir"]
    rows = []
    for key, entry in read_manifest(cache_dir).items():
        if entry["job"] != "train":
            continue
        run = run_of(entry["name"])
        job = train_job(config, *run, repo)
        if job.key != key:  # a stale entry: not what this code computes natively
            continue
        files = unpack(cache_dir, key, entry, job.files)
        predictions, metrics = job.outputs[:2]  # RUN_FILES: predictions, metrics, config
        native, emulated = (pd.read_csv(io.BytesIO(files[predictions])),
                            pd.read_csv(results / predictions))
        rows.append({"run": entry["name"], "type": config["models"][run[1]]["type"],
                     "identical": (results / predictions).read_bytes() == files[predictions],
                     "r2_native": json.loads(files[metrics])["r2"],
                     "r2_emulated": json.loads((results / metrics).read_text())["r2"],
                     "largest_yield_difference": float((emulated["y_pred"] - native["y_pred"]).abs().max())})
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


def summary(rows: list[dict]) -> dict:
    by_type = {}
    for kind in sorted({r["type"] for r in rows}):
        these = [r for r in rows if r["type"] == kind]
        differences = [abs(r["r2_emulated"] - r["r2_native"]) for r in these]
        by_type[kind] = {"runs": len(these), "identical": sum(r["identical"] for r in these),
                         "max_abs_r2_difference": max(differences),
                         "median_abs_r2_difference": statistics.median(differences),
                         "max_yield_difference": max(r["largest_yield_difference"] for r in these)}
    return {"profile": PROFILE, "measured": date.today().isoformat(), "cpu": cpu_model(),
            "native": cpu_vector_extensions(), "emulated": EMULATED,
            "torch": package_versions()["torch"], "runs": len(rows),
            "identical": sum(r["identical"] for r in rows), "by_model_type": by_type, "per_run": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "src/data/measured/cpu_class_quick.json")
    parser.add_argument("--workdir", type=Path, help="keep the clean copy here (default: a temporary directory)")
    args = parser.parse_args()
    if not (ROOT / CACHE_DIR / PROFILE / MANIFEST).exists():
        sys.exit(f"{CACHE_DIR / PROFILE}: no committed quick cache to compare with")
    with tempfile.TemporaryDirectory(prefix="rxnyield-cpu-class-") as scratch:
        repo = (args.workdir or Path(scratch)) / "repo"
        clean_copy(ROOT, repo)
        config = load_config(*(repo / name for name in profile_config_files(PROFILE)))
        names = [run_of(e["name"]) for e in read_manifest(ROOT / CACHE_DIR / PROFILE).values() if e["job"] == "train"]
        train_emulated(repo, [str(run_dir(config["results_dir"], *run) / PREDICTIONS) for run in names],
                       repo.parent / "emulated.log")
        result = summary(compare(repo, config))
        result["kernels"] = kernel_probe(repo.parent)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{result['identical']} of {result['runs']} runs byte-identical under {EMULATED}; written to {args.out}")
    print("  operations that differ:", ", ".join(op for op, v in result["kernels"].items() if not v["identical"]))
    for kind, values in result["by_model_type"].items():
        print(f"  {kind}: {values['identical']}/{values['runs']} identical, |ΔR²| max "
              f"{values['max_abs_r2_difference']:.2e}, median {values['median_abs_r2_difference']:.2e}")


if __name__ == "__main__":
    main()
