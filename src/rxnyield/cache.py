"""The repository cache: what the report needs of each expensive job, keyed by its provenance.

`src/data/cache/<profile>/` holds one compressed archive per job key (`<key>.tar.xz`) and `manifest.json`
(key → job, name, key components, sha256 of every file, measured wall time). A training run keeps its
predictions, metrics, resolved config and benchmark TSV; pre-training and featurization keep only their
benchmark TSV, which the compute appendix reads (no checkpoints, no features). The first columns of a run's
predictions (test reaction ids and true yields) are the same bytes in every run of its split, and half of what
a run's archive would hold: they are stored once, under `columns/<sha256>.csv.xz`, and joined back on reading.

`restore` runs before Snakemake plans: every run whose current key has an entry is written into the results
directory with a stamp saying so (where the cache holds a run only as computed on a CPU of another class, that one:
see `cpu_classes`), and the `train` rule's inputs (`train_inputs`) are then empty, so that
neither featurization nor pre-training is computed for it. A run restored for an earlier key (or any restored
run, with the cache off) is removed from the results (its cache entry stays): Snakemake trains it for missing
outputs, with the inputs of a run trained here, so that the next build finds the input set it recorded.
`refresh` stores the current runs of a profile and prunes entries no current job has. `check` re-trains a few
cached runs and requires identical files.

Snakemake's between-workflow cache (`cache:`, `--cache`) cannot do this: it refuses rules with a `benchmark:`
directive (snakemake/caching/rule.py), and the compute appendix reads the training benchmarks; it fetches a
cached output only when the job executes (executors/local.py, `acached_or_run`), after its upstream jobs, so a
cached run would still be pre-trained for; its hash sees no package source nor pip versions
(rxnyield.provenance); and it fetches files without checking their content.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import lzma
import math
import os
import statistics
import subprocess
import sys
import tarfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from rxnyield.config import (METRICS, PREDICTIONS, RESOLVED_CONFIG, benchmark_file, feature_dataset, features_file,
                             features_stamp, load_config, needs_pretraining, pretrain_checkpoint, pretrain_stamp,
                             pretrained_checkpoints, run_checkpoint, run_dir, run_names, run_stamp, runs, seed_name)
from rxnyield.provenance import (Provenance, digest, featurize_provenance, package_versions, pretrain_provenance,
                                 readable_cpu_class, train_provenance, versions_digest)

CACHE_DIR = Path("src/data/cache")
MANIFEST = "manifest.json"
# `RXNYIELD_CACHE` (`make paper CACHE=...`): `on` (the default) restores the runs computed on this machine's CPU
# class, and the others as computed on another class where the cache has them (`cpu_classes`); `this-cpu` only
# the former, the others count as missing and are trained; `off` restores nothing, and trains restored runs.
SWITCH = "RXNYIELD_CACHE"
MODES = ("on", "this-cpu", "off")
# Modification time of a restored run's stamp (2000-01-01): older than any input it could be re-trained from.
RESTORED_MTIME = 946684800
# What the report reads of a training run (its benchmark TSV, cached beside them, measures the machine).
RUN_FILES = (PREDICTIONS, METRICS, RESOLVED_CONFIG)
# A run's predictions start with its test rows' ids and true yields (`rxnyield.job`): stored once per split.
SHARED_COLUMNS = 2
# The manifest's layout: 2 since the shared columns (`shared`, `columns/`). A cache of another format is not read.
FORMAT = 2
COLUMNS_DIR = "columns"
# Seconds of cached training (with the featurization and pre-training it needs) `check` re-trains by default,
# per profile: CI (`make test`) checks every committed cache, and must stay within 25 min on two cores.
CHECK_BUDGET_S = {"quick": 120, "paper": 180}


def check_budget(profile: str) -> float:
    """A profile's default `check` budget (another profile gets the paper profile's)."""
    return CHECK_BUDGET_S.get(profile, CHECK_BUDGET_S["paper"])


class RefusedEntry(Exception):
    """A cache entry that is missing, unreadable or does not match its manifest: it is not served."""


class NothingComparable(RefusedEntry):
    """`check` has no run it can compare here: every cached run was computed under other package versions or on
    another CPU class than this machine's, where re-training gives other bytes by design
    (`rxnyield.provenance.package_versions`), or those computed on this class each cost more than the budget. It
    compares nothing rather than report a difference that says nothing about the cache."""


@dataclass(frozen=True)
class Job:
    """An expensive job: its key, its stamp and the files the cache keeps (paths relative to the results)."""

    kind: str  # featurize | pretrain | train
    name: str
    provenance: Provenance
    stamp: str
    files: tuple[str, ...]
    outputs: tuple[str, ...]  # what the stamp vouches for (all a restored run must have for Snakemake to skip it)

    @property
    def key(self) -> str:
        return self.provenance.key

    def key_on(self, cpu_class: str) -> str:
        """The key of this job computed on a CPU of `cpu_class`: its entry in a cache filled on such a machine."""
        return self.provenance.on_cpu(cpu_class).key

    @property
    def claimed(self) -> tuple[str, ...]:
        """The outputs and the stamp that vouches for them: what a run removed or replaced loses."""
        return (*self.outputs, self.stamp)


def featurize_job(config: dict, dataset: str, root: Path) -> Job:
    return Job("featurize", dataset, featurize_provenance(config, dataset, root),
               features_stamp(".", dataset).as_posix(), (benchmark_file(".", "featurize", dataset).as_posix(),),
               (features_file(".", dataset).as_posix(),))


def pretrain_job(config: dict, dataset: str, scope: str, encoders: str, root: Path) -> Job:
    return Job("pretrain", f"{dataset}/{scope}/{encoders}", pretrain_provenance(config, dataset, scope, encoders, root),
               pretrain_stamp(".", dataset, scope, encoders).as_posix(),
               (benchmark_file(".", "pretrain", dataset, scope, encoders).as_posix(),),
               (pretrain_checkpoint(".", dataset, scope, encoders).as_posix(),))


def train_job(config: dict, dataset: str, model: str, split: str, seed: int, root: Path) -> Job:
    """A run's job, named as its directory under `runs/` (`bh/mpnn/FullCV_01/seed0`)."""
    names = run_names(dataset, model, split, seed)
    outputs = tuple((run_dir(".", dataset, model, split, seed) / name).as_posix() for name in RUN_FILES)
    return Job("train", "/".join(names), train_provenance(config, dataset, model, split, seed, root),
               run_stamp(".", dataset, model, split, seed).as_posix(),
               outputs + (benchmark_file(".", "train", *names).as_posix(),), outputs)


def run_of(name: str) -> tuple[str, str, str, int]:
    """(dataset, model, split, seed) of a training job's name (`train_job`)."""
    dataset, model, split, seed = name.split("/")
    return dataset, model, split, int(seed.removeprefix(seed_name("")))


def family_of(name: str) -> str:
    """A training job's model on its dataset (`bh/mpnn`): runs of one family cost about the same."""
    return "/".join(name.split("/")[:2])


def profile_jobs(config: dict, root: Path) -> list[Job]:
    """Every featurization, pre-training and training job of a configuration."""
    return ([featurize_job(config, d, root) for d in config["datasets"] if feature_dataset(config, d) == d]
            + [pretrain_job(config, d, scope, e, root) for d, scope, e in pretrained_checkpoints(config)]
            + [train_job(config, *run, root) for run in runs(config)])


def upstream_jobs(config: dict, run_name: str) -> list[tuple[str, str]]:
    """(kind, name) of the featurization and pre-training a training run needs."""
    dataset, model, split, _ = run_of(run_name)
    needed = [("featurize", feature_dataset(config, dataset))]
    if needs_pretraining(config, model):
        needed.append(("pretrain", "/".join(run_checkpoint(config, dataset, model, split))))
    return needed


def read_stamp(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None


def is_current(job: Job, results: Path) -> bool:
    """The results hold this job's outputs for its current key (trained here or restored)."""
    stamp = read_stamp(results / job.stamp)
    return bool(stamp) and stamp["key"] == job.key and all((results / f).exists() for f in job.outputs)


def restored_from_other_cpu(job: Job, stamp: dict | None) -> bool:
    """The stamp is that of this job restored as computed on a CPU of another class (`restore`)."""
    return bool(stamp and stamp.get("cpu")) and stamp["key"] == job.key_on(stamp["cpu"])


def is_served(job: Job, results: Path) -> bool:
    """The results hold this job's outputs for its current key, or, unless the cache mode excludes them, for its
    key on another CPU class, restored from the cache."""
    stamp = read_stamp(results / job.stamp)
    vouched = bool(stamp) and (stamp["key"] == job.key
                               or (cache_mode() == "on" and restored_from_other_cpu(job, stamp)))
    return vouched and all((results / f).exists() for f in job.outputs)


def cache_dir_of(config: dict, root: Path = Path(".")) -> Path:
    return root / CACHE_DIR / config["profile"]


def cache_mode() -> str:
    """`RXNYIELD_CACHE` (default `on`); another value is an error."""
    mode = os.environ.get(SWITCH) or "on"
    if mode not in MODES:
        raise ValueError(f"{SWITCH}={mode}: expected one of {', '.join(MODES)}")
    return mode


def cache_is_off() -> bool:
    return cache_mode() == "off"


def cpu_classes(entries: dict) -> list[str]:
    """The CPU classes other than this machine's that cached runs were computed on, in the order `restore` prefers
    them. A run computed on another class has the same code, settings, data and package versions, and other float
    rounding (measured in `benchmarks/cpu_class.py`): a cache filled on one kind of machine serves another, and a
    run missing from it can be trained on any machine and added, under its own class's key."""
    here = package_versions()["cpu"]
    return sorted({entry["cpu"] for entry in entries.values() if entry.get("cpu", here) != here})


def serving_entry(job: Job, entries: dict, other_classes: list[str]) -> tuple[str, str | None] | None:
    """(key, CPU class) of the entry that serves a job: its current key's (class None, this machine's), else its
    key on the first of `other_classes` the cache holds it for; None where there is none."""
    if job.key in entries:
        return job.key, None
    return next(((key, cpu) for cpu in other_classes if (key := job.key_on(cpu)) in entries), None)


def train_inputs(config: dict, inputs):
    """The `train` rule's input function around `inputs` (wildcards → dict of inputs).

    A run restored from the cache for its current key needs nothing: no features or checkpoint are computed for
    it. `restore` removes a run restored for an earlier key, so Snakemake trains it like any missing run. Only
    Snakemake called without `restore` (after an edit) still meets such a stamp; the cache manifest, an extra
    input newer than the stamp, then makes Snakemake re-train the run (Snakemake ignores missing inputs of a job
    whose outputs exist, and keeps no record of restored files that a changed param could trigger). That run's
    recorded input set then holds the manifest, so the next build trains it once more: `make paper` (restore
    first) avoids it.
    """
    def run_inputs(w) -> dict:
        results = Path(config["results_dir"])
        stamp = read_stamp(run_stamp(results, w.dataset, w.model, w.split, w.seed))
        if not (stamp and stamp.get("restored")):
            return inputs(w)
        job = train_job(config, w.dataset, w.model, w.split, int(w.seed), Path("."))
        if not cache_is_off() and is_served(job, results):
            return {}
        return {**inputs(w), "restored_from": str(cache_dir_of(config) / MANIFEST)}
    return run_inputs


# -- the cache on disk -----------------------------------------------------------------------------------------
def read_manifest(cache_dir: Path) -> dict:
    """The manifest's entries (none where there is no manifest); a manifest of another `FORMAT` is an error, as its
    entries would be read wrongly."""
    path = cache_dir / MANIFEST
    if not path.exists():
        return {}
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise RefusedEntry(f"{path}: cache format {manifest.get('format')}, this code reads format {FORMAT}; "
                           f"check out the code that wrote it, or delete the directory and rebuild")
    return manifest["entries"]


def write_manifest(cache_dir: Path, entries: dict) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"format": FORMAT, "entries": dict(sorted(entries.items()))}, indent=1, sort_keys=True)
    (cache_dir / MANIFEST).write_text(text + "\n")


def wall_seconds(tsv: bytes) -> float:
    """Wall time of a job from its Snakemake benchmark TSV (the last row's `s`)."""
    return float(list(csv.DictReader(io.StringIO(tsv.decode()), delimiter="\t"))[-1]["s"])


def split_columns(data: bytes) -> tuple[bytes, bytes] | None:
    """(the first `SHARED_COLUMNS` columns, the others) of a CSV written with `\\n` line ends, or None when
    joining them would not give back the same bytes (the file is then stored whole)."""
    rows = data.split(b"\n")
    if rows[-1] != b"" or len(rows) < 2:
        return None
    cells = [row.split(b",", SHARED_COLUMNS) for row in rows[:-1]]
    if any(len(row) != SHARED_COLUMNS + 1 for row in cells):
        return None
    shared = b"".join(b",".join(row[:SHARED_COLUMNS]) + b"\n" for row in cells)
    own = b"".join(row[SHARED_COLUMNS] + b"\n" for row in cells)
    return (shared, own) if join_columns(shared, own) == data else None


def join_columns(shared: bytes, own: bytes) -> bytes:
    """The CSV `split_columns` took apart (a mismatch of row counts shows as a hash mismatch in `unpack`)."""
    return b"".join(s + b"," + o + b"\n" for s, o in zip(shared.split(b"\n")[:-1], own.split(b"\n")[:-1]))


def columns_path(cache_dir: Path, sha: str) -> Path:
    return cache_dir / COLUMNS_DIR / f"{sha}.csv.xz"


def store(cache_dir: Path, key: str, files: dict[str, bytes]) -> dict:
    """Write an entry's archive (no times, owners or modes that differ between machines) and the shared columns
    of its predictions; its manifest fields: the sha256 of every file, and the columns each prediction file
    takes from `columns/`."""
    buffer, hashes, shared = io.BytesIO(), {}, {}
    with tarfile.open(fileobj=buffer, mode="w:xz") as archive:
        for name, data in files.items():
            hashes[name] = digest(data)
            parts = split_columns(data) if Path(name).name == PREDICTIONS else None
            if parts is not None:
                shared[name] = digest(parts[0])
                path = columns_path(cache_dir, shared[name])
                if not path.exists():
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(lzma.compress(parts[0]))
                data = parts[1]
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            archive.addfile(info, io.BytesIO(data))
    cache_dir.mkdir(parents=True, exist_ok=True)
    (cache_dir / f"{key}.tar.xz").write_bytes(buffer.getvalue())
    return {"files": hashes, "shared": shared}


def pack(results: Path, job: Job, cache_dir: Path) -> dict:
    """Store the job's files from the results; its manifest entry."""
    files = {name: (results / name).read_bytes() for name in job.files}
    return {"job": job.kind, "name": job.name, "components": json.loads(job.provenance.to_json())["components"],
            "cpu": package_versions()["cpu"], **store(cache_dir, job.key, files),
            "wall_s": wall_seconds(files[job.files[-1]])}


def read_columns(cache_dir: Path, sha: str) -> bytes:
    path = columns_path(cache_dir, sha)
    try:
        data = lzma.decompress(path.read_bytes())
    except (OSError, lzma.LZMAError) as error:
        raise RefusedEntry(f"{path} cannot be read ({error})") from error
    if digest(data) != sha:
        raise RefusedEntry(f"{path} does not match its sha256")
    return data


def unpack(cache_dir: Path, key: str, entry: dict, expected: tuple[str, ...]) -> dict[str, bytes]:
    """The files of an entry, each checked against its manifest hash; RefusedEntry otherwise."""
    path = cache_dir / f"{key}.tar.xz"
    try:
        with tarfile.open(path, "r:xz") as archive:
            files = {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}
    except (OSError, tarfile.TarError, lzma.LZMAError, EOFError) as error:
        raise RefusedEntry(f"{path} cannot be read ({error})") from error
    if set(files) != set(expected) or set(entry["files"]) != set(expected):
        raise RefusedEntry(f"{path} holds {sorted(files)}, expected {sorted(expected)}")
    for name, sha in entry["shared"].items():
        files[name] = join_columns(read_columns(cache_dir, sha), files[name])
    for name, data in files.items():
        if digest(data) != entry["files"][name]:
            raise RefusedEntry(f"{path}: {name} does not match its sha256 in {MANIFEST}")
    return files


def refusal(entry: dict, error: RefusedEntry) -> str:
    return f"cache: refused {entry['job']} {entry['name']}: {error}; it is computed instead (`make cache` rewrites it)"


# -- restore --------------------------------------------------------------------------------------------------
@dataclass
class Plan:
    """What a restore did and what Snakemake is left to compute."""

    restored: int = 0
    current: int = 0
    to_train: Counter = field(default_factory=Counter)  # reason → runs
    refused: list[str] = field(default_factory=list)
    pretrainings: int = 0
    seconds: float = 0.0  # estimated, with `slots` jobs at a time
    untimed: int = 0  # jobs to compute with no cached time
    replaced: list[str] = field(default_factory=list)  # outputs of runs trained here, now replaced
    forgotten: list[Path] = field(default_factory=list)  # outputs and stamps of restored runs, now to train
    other_cpu: Counter = field(default_factory=Counter)  # CPU class → runs restored or up to date as computed there

    def line(self, cache_dir: Path) -> str:
        total = sum(self.to_train.values())
        reasons = ", ".join(f"{n} {reason}" for reason, n in self.to_train.most_common())
        line = f"cache {cache_dir}: {self.restored} runs restored, {self.current} up to date"
        if self.other_cpu:
            line += (" (" + ", ".join(f"{n} computed on {readable_cpu_class(cpu)}" for cpu, n in
                                      sorted(self.other_cpu.items())) + " CPUs; this machine: "
                     + readable_cpu_class(package_versions()["cpu"]) + ", other float rounding)")
        line += f", {total} to train" + (f" ({reasons})" if total else "")
        if self.pretrainings:
            line += f" + {self.pretrainings} pre-training" + "s" * (self.pretrainings > 1)
        if self.seconds:
            line += f", estimated {math.ceil(self.seconds / 60)} min"
            line += f" plus {self.untimed} jobs never timed" if self.untimed else ""
        elif self.untimed:
            line += ", no cached time to estimate from"
        return line + (f"; {len(self.refused)} entries refused" if self.refused else "")


def miss_reason(job: Job, results: Path, by_name: dict) -> str:
    """Why a run has no cached outputs: the key components that changed since it was last trained or cached."""
    earlier = read_stamp(results / job.stamp) or by_name.get((job.kind, job.name))
    if earlier is None:
        return "new"
    cpu = earlier.get("cpu")  # the class a manifest entry, or a run restored from another class, was computed on
    changed = (job.provenance.on_cpu(cpu) if cpu else job.provenance).changed(earlier["components"])
    if changed:
        return "changed " + "+".join(changed)
    return "computed on another CPU class" if cpu and cpu != package_versions()["cpu"] else "incomplete"


def expected_seconds(config: dict, kind: str, name: str, by_name: dict, family: dict) -> float | None:
    """A job's cached wall time under any key, else the mean of the runs of its model, or of the model it is
    compared with (a variant's base), on its dataset or on the dataset whose reactions it splits otherwise."""
    if (kind, name) in by_name:
        return by_name[(kind, name)]["wall_s"]
    if kind != "train":
        return None
    dataset, model, _, _ = run_of(name)
    models = [model, config["models"][model].get("compare_to")]
    times = next((family[f"{d}/{m}"] for m in models for d in (dataset, feature_dataset(config, dataset))
                  if f"{d}/{m}" in family), None)
    return statistics.mean(times) if times else None


def restore(config: dict, root: Path, cache_dir: Path, slots: int, clean_metadata=None) -> Plan:
    """Write every cached run of the current keys into the results; plan what is left to compute. With the
    cache off, restore nothing and count restored runs as missing.

    `clean_metadata(paths)` makes Snakemake forget the runs trained here that a restore replaces; it is called
    before anything is written. Restored runs left to train are removed (`train_inputs`); a stamp alone would not
    do, as Snakemake re-runs a job only for the missing outputs that some job or target requests.
    """
    results = root / config["results_dir"]
    mode = cache_mode()
    off = mode == "off"
    entries = {} if off else read_manifest(cache_dir)
    other_classes = cpu_classes(entries) if mode == "on" else []
    by_name = {(e["job"], e["name"]): e for e in entries.values()}
    family: dict[str, list[float]] = {}
    for entry in entries.values():
        if entry["job"] == "train":
            family.setdefault(family_of(entry["name"]), []).append(entry["wall_s"])
    plan, writes, missing = Plan(), {}, []
    jobs = profile_jobs(config, root)
    for job in jobs:
        served = serving_entry(job, entries, other_classes)
        if job.kind != "train":
            if served and not (results / job.files[0]).exists():
                try:  # the benchmark of a job that might not run: the compute appendix reads it
                    writes[job] = (None, unpack(cache_dir, served[0], entries[served[0]], job.files))
                except RefusedEntry as error:
                    plan.refused.append(refusal(entries[served[0]], error))
            continue
        earlier = read_stamp(results / job.stamp)
        restored_before = bool(earlier and earlier.get("restored"))
        from_other_cpu = restored_from_other_cpu(job, earlier)
        if is_served(job, results) and not (off and restored_before) and not (from_other_cpu and job.key in entries):
            plan.current += 1
            if from_other_cpu:
                plan.other_cpu[earlier["cpu"]] += 1
            continue
        if served:
            key, cpu = served
            try:
                writes[job] = (cpu, unpack(cache_dir, key, entries[key], job.files))
                plan.restored += 1
                if cpu:
                    plan.other_cpu[cpu] += 1
                if earlier and not restored_before:  # trained here: Snakemake keeps a record of it
                    plan.replaced += [str(results / f) for f in job.claimed]
                continue
            except RefusedEntry as error:
                plan.refused.append(refusal(entries[key], error))
                plan.to_train["refused"] += 1
        else:
            plan.to_train["cache off" if off and restored_before else miss_reason(job, results, by_name)] += 1
        if restored_before:
            plan.forgotten += [results / f for f in job.claimed]
        missing.append(job)
    estimate(plan, config, jobs, missing, results, by_name, family, slots)
    if plan.replaced and clean_metadata is not None:
        clean_metadata(plan.replaced)
    for path in plan.forgotten:
        path.unlink(missing_ok=True)
    for job, (cpu, files) in writes.items():
        for name, data in files.items():
            (results / name).parent.mkdir(parents=True, exist_ok=True)
            (results / name).write_bytes(data)
        if job.kind == "train":
            provenance = job.provenance.on_cpu(cpu) if cpu else job.provenance
            stamp = results / job.stamp
            stamp.write_text(json.dumps({**json.loads(provenance.to_json()), "restored": True,
                                         **({"cpu": cpu} if cpu else {})}) + "\n")
            os.utime(stamp, (RESTORED_MTIME, RESTORED_MTIME))
    return plan


def estimate(plan: Plan, config: dict, jobs: list[Job], missing: list[Job], results: Path, by_name: dict,
             family: dict, slots: int) -> None:
    """Expected wall time of the missing runs and the featurization and pre-training they need, `slots` jobs
    at a time."""
    by_kind_name = {(j.kind, j.name): j for j in jobs}
    needed = {(j.kind, j.name) for j in missing}
    for job in missing:
        needed.update(u for u in upstream_jobs(config, job.name) if not is_current(by_kind_name[u], results))
    plan.pretrainings = sum(kind == "pretrain" for kind, _ in needed)
    for kind, name in needed:
        seconds = expected_seconds(config, kind, name, by_name, family)
        if seconds is None:
            plan.untimed += 1
        else:
            plan.seconds += seconds / slots


# -- refresh --------------------------------------------------------------------------------------------------
def refresh(config: dict, root: Path, cache_dir: Path) -> str:
    """Store every job whose results are current for its key (trained on this machine's CPU class); keep the
    entries of current jobs computed on any class (`cpu_classes`); drop entries that no current job has, and the
    shared columns no entry refers to."""
    results = root / config["results_dir"]
    entries = read_manifest(cache_dir)
    other_classes = cpu_classes(entries)
    kept, stored, not_current = {}, 0, []
    for job in profile_jobs(config, root):
        for key in [job.key, *(job.key_on(cpu) for cpu in other_classes)]:
            if key in entries:
                try:
                    unpack(cache_dir, key, entries[key], job.files)
                    kept[key] = entries[key]
                except RefusedEntry as error:
                    print(refusal(entries[key], error), file=sys.stderr)
        if job.key in kept:
            continue
        stamp = read_stamp(results / job.stamp)
        if stamp and stamp["key"] == job.key and all((results / f).exists() for f in job.files):
            kept[job.key] = pack(results, job, cache_dir)
            stored += 1
        elif not serving_entry(job, kept, other_classes):
            not_current.append(job.name)
    pruned = [key for key in entries if key not in kept]
    for key in pruned:
        (cache_dir / f"{key}.tar.xz").unlink(missing_ok=True)
    referred = {columns_path(cache_dir, sha) for entry in kept.values() for sha in entry["shared"].values()}
    for path in (cache_dir / COLUMNS_DIR).glob("*"):
        if path not in referred:
            path.unlink()
    write_manifest(cache_dir, kept)
    size = sum(p.stat().st_size for p in cache_dir.rglob("*") if p.is_file())
    line = (f"cache {cache_dir}: {len(kept)} entries ({stored} new), {len(pruned)} pruned, "
            f"{size / 1e6:.1f} MB")
    if not_current:
        line += (f"; {len(not_current)} jobs not stored: their results are missing or not current "
                 f"(e.g. {not_current[0]}); build first")
    return line


# -- CI check -------------------------------------------------------------------------------------------------
def choose_checks(config: dict, entries: dict, commit: str, budget_s: float) -> list[str]:
    """Keys of cached runs to re-train: a deterministic function of the commit that rotates through the cheap and
    mid-priced models (by median cached wall time; the dearest third is left out), one run per model, as many as
    fit in the budget together with the featurization and pre-training they need."""
    by_model: dict[str, list[str]] = {}
    for key, entry in sorted(entries.items(), key=lambda item: item[1]["name"]):
        if entry["job"] == "train":
            by_model.setdefault(entry["name"].split("/")[1], []).append(key)
    price = {m: statistics.median(entries[k]["wall_s"] for k in keys) for m, keys in by_model.items()}
    ranked = sorted(price, key=lambda m: (price[m], m))
    third = math.ceil(len(ranked) / 3)
    turn = int(digest(commit), 16)
    tiers = [tier[turn % len(tier):] + tier[:turn % len(tier)] for tier in (ranked[:third], ranked[third:2 * third])
             if tier]
    order = [m for pair in zip(*tiers) for m in pair] + [m for tier in tiers for m in tier[min(map(len, tiers)):]]
    by_name = {(e["job"], e["name"]): e for e in entries.values()}
    chosen, spent, counted = [], 0.0, set()
    for model in order:
        keys = by_model[model]
        key = keys[int(digest(commit + model), 16) % len(keys)]
        upstream = [u for u in upstream_jobs(config, entries[key]["name"]) if u not in counted]
        cost = entries[key]["wall_s"] + sum(by_name[u]["wall_s"] for u in upstream if u in by_name)
        if spent + cost <= budget_s:
            chosen.append(key)
            spent += cost
            counted.update(upstream)
    return chosen


def current_entries(config: dict, root: Path, entries: dict) -> dict:
    """The entries of training runs whose key is the current one (this code, config, data, versions), and every
    featurization and pre-training entry (what `choose_checks` prices upstream work by)."""
    current = {job.key for job in profile_jobs(config, root) if job.kind == "train"}
    return {key: entry for key, entry in entries.items() if entry["job"] != "train" or key in current}


def check(profile: str, root: Path, commit: str, budget_s: float) -> list[str]:
    """Re-train the chosen current runs with the cache off; the files that differ from their cached bytes."""
    config, _, _ = load_profile(profile, root)
    cache_dir = cache_dir_of(config, root)
    entries = read_manifest(cache_dir)
    candidates = current_entries(config, root, entries)
    if not any(entry["job"] == "train" for entry in candidates.values()):
        here = versions_digest()
        if all(e["components"]["versions"] != here for e in entries.values() if e["job"] == "train"):
            raise NothingComparable(f"{cache_dir}: every cached run was computed with other package versions or CPU "
                                    f"class (this machine: {package_versions()['cpu']}); re-training here is not "
                                    f"comparable")
        raise RefusedEntry(f"{cache_dir}: no cached run is current for this code and config; "
                           f"`make cache PROFILE={profile}` after a build stores them")
    chosen = choose_checks(config, candidates, commit, budget_s)
    if not chosen:
        runs_here = sum(entry["job"] == "train" for entry in candidates.values())
        raise NothingComparable(f"{cache_dir}: of its {runs_here} current runs computed on this CPU class "
                                f"({package_versions()['cpu']}), none chosen for this commit (one of each cheap or "
                                f"mid-priced model) fits in {budget_s:g} s with what it needs")
    jobs = [train_job(config, *run_of(entries[key]["name"]), root) for key in chosen]
    expected = [unpack(cache_dir, job.key, entries[job.key], job.files) for job in jobs]
    print(f"check: re-training {', '.join(job.name for job in jobs)} "
          f"(cached {sum(entries[job.key]['wall_s'] for job in jobs):.0f} s)")
    results = Path(config["results_dir"])
    for job in jobs:  # trained like any missing run, so a later build finds the inputs Snakemake recorded
        for name in job.claimed:
            (root / results / name).unlink(missing_ok=True)
    run_snakemake(root, "--profile", f"profiles/{profile}", "--forcerun", "train", "--",
                  *(str(results / job.outputs[0]) for job in jobs), **{SWITCH: "off"})
    return [f"{job.name}: {name} differs from the cached file" for job, files in zip(jobs, expected)
            for name in job.outputs if (root / results / name).read_bytes() != files[name]]


# -- command line ---------------------------------------------------------------------------------------------
def load_profile(profile: str, root: Path) -> tuple[dict, int, list[str]]:
    """The validated config a Snakemake profile builds, how many of its jobs run at once, and its config files."""
    settings = yaml.safe_load((root / "profiles" / profile / "config.yaml").read_text())
    files = settings["configfile"] if isinstance(settings["configfile"], list) else [settings["configfile"]]
    config = load_config(*(root / f for f in files))
    slots = max(1, (settings.get("cores") or settings.get("jobs") or 1) // config["threads"])
    return config, slots, files


def run_snakemake(root: Path, *arguments: str, **environment: str) -> None:
    """This environment's Snakemake, with its `bin` first on PATH (the jobs call `rxnyield`)."""
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "snakemake"), *arguments], cwd=root, check=True,
                   env=dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", **environment))


def forget_with_snakemake(root: Path, config_files: list[str]):
    """Snakemake's own `--cleanup-metadata`: it drops its record of outputs a restore replaces."""
    return lambda paths: run_snakemake(root, "--cores", "1", "--quiet", "all", "--configfile", *config_files,
                                       "--cleanup-metadata", *paths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rxnyield.cache", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["restore", "refresh", "check"])
    parser.add_argument("--profile", required=True, help="a Snakemake profile of profiles/")
    parser.add_argument("--root", type=Path, default=Path("."), help="the repository (default: here)")
    parser.add_argument("--commit", help="check: the commit whose hash chooses the runs")
    parser.add_argument("--budget", type=float, help="check: seconds of cached training time (default: "
                        + ", ".join(f"{p} {s} s" for p, s in CHECK_BUDGET_S.items()) + ")")
    args = parser.parse_args(argv)
    if args.command == "check":
        if args.commit is None:
            parser.error("check needs --commit")
        try:
            differences = check(args.profile, args.root, args.commit,
                                args.budget or check_budget(args.profile))
        except NothingComparable as error:
            print(f"check: {error}", file=sys.stderr)
            return 3
        except RefusedEntry as error:
            print(f"check: {error}", file=sys.stderr)
            return 2
        print("\n".join(differences) or "check: every re-trained run is byte-identical to its cached files")
        return 1 if differences else 0
    config, slots, config_files = load_profile(args.profile, args.root)
    try:
        if args.command == "refresh":
            print(refresh(config, args.root, cache_dir_of(config, args.root)))
            return 0
        plan = restore(config, args.root, cache_dir_of(config, args.root), slots,
                       forget_with_snakemake(args.root, config_files))
    except (RefusedEntry, ValueError) as error:  # a manifest this code cannot read, an unknown cache mode
        print(f"cache: {error}", file=sys.stderr)
        return 2
    for message in plan.refused:
        print(message, file=sys.stderr)
    print(plan.line(cache_dir_of(config)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
