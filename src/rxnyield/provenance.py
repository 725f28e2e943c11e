"""Provenance keys of the expensive jobs: what a job's output is a function of, hashed.

A key has four components, each a sha256 digest, so that a changed key can say why it changed:

* settings: the resolved settings the job and its upstream jobs receive (`params:` of the rules);
* data: the bytes of the data files it reads (for a training run, only its own split's rows of the
  split-order file: adding a split leaves the other splits' keys alone);
* code: the source of every `rxnyield` module the job imports, transitively (read off the import
  statements with `ast`), upstream jobs' modules included: editing `models/uam.py` changes only UAM-type
  runs' keys, report code and figure scripts change none;
* versions: the installed versions of the packages that shape the numbers, and the torch device setting.

Upstream jobs enter by provenance, not by the content of their outputs (features, checkpoints): a fresh
clone must know which cached runs are still valid without first computing what they were trained on.
That is Snakemake's own `ProvenanceHashMap` idea (snakemake/caching/hash.py). Its hash covers a rule's
shell command, params, source input files and upstream hashes, and software only through conda or
containers; it sees neither this package's modules nor pip-installed versions. So each expensive rule
carries its key as a `params:` entry: Snakemake's params rerun-trigger then re-runs the job when its
code or package versions change. Snakemake's cache itself is not used (see rxnyield.cache).
"""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import os
from dataclasses import asdict, dataclass, replace
from functools import cache
from importlib import metadata
from pathlib import Path

import rxnyield
from rxnyield.config import (ALL_REACTIONS, ConfigError, dataset_settings, feature_dataset, needs_pretraining,
                             pretrain_settings, run_checkpoint, run_config)

PACKAGE_DIR = Path(rxnyield.__file__).resolve().parent

# Packages whose versions can change a job's numbers (xgboost counts where installed).
NUMERIC_PACKAGES = ("torch", "numpy", "scipy", "scikit-learn", "xgboost", "rdkit", "mordredcommunity", "drfp",
                    "rxnfp", "transformers", "pandas")

# Modules each CLI command runs (`rxnyield.cli` only parses arguments and calls them); the model module of a
# training run is added from the registry.
FEATURIZE_MODULES = ("rxnyield.data.reactions", "rxnyield.featurizers.bundle")
PRETRAIN_MODULES = ("rxnyield.pretrain",)
TRAIN_MODULES = ("rxnyield.job",)

# The configuration code runs inside Snakemake, not in the job: what it computes for a job is the job's
# resolved settings, hashed as `settings`. Leaving it out keeps a config refactoring from invalidating every
# cached run.
SETTINGS_PACKAGE = "rxnyield.config"



@dataclass(frozen=True)
class Provenance:
    settings: str
    data: str
    code: str
    versions: str

    @property
    def key(self) -> str:
        return digest(json.dumps(asdict(self), sort_keys=True))

    def to_json(self) -> str:
        """The stamp a job writes next to its output, and the entry of the cache manifest."""
        return json.dumps({"key": self.key, "components": asdict(self)}, sort_keys=True)

    def on_cpu(self, cpu_class: str) -> Provenance:
        """The provenance of the same job computed on a CPU of `cpu_class` (same settings, data, code and package
        versions): the key its result has in a cache filled on such a machine (`rxnyield.cache`)."""
        return replace(self, versions=versions_digest(cpu_class))

    def changed(self, other: dict) -> list[str]:
        """Names of the components that differ from `other` (a stamp's or manifest entry's components)."""
        return [name for name, value in asdict(self).items() if other.get(name) != value]


def digest(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


# Files are read once per process (functools.cache): Snakemake plans a build against one state of the files.


@cache
def file_digest(path: Path) -> str:
    """sha256 of a file's bytes."""
    return digest(path.read_bytes())


@cache
def split_digests(path: Path) -> dict[str, str]:
    """sha256 of each split's rows of a split-order file (the header and the rows, in file order)."""
    rows: dict[str, list[list[str]]] = {}
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        split_column = header.index("split")
        for row in reader:
            rows.setdefault(row[split_column], []).append(row)
    return {split: digest(json.dumps([header, *lines])) for split, lines in rows.items()}


def module_path(module: str) -> Path | None:
    """The source file of an `rxnyield` module or package, None for anything else."""
    parts = module.split(".")
    if parts[0] != "rxnyield":
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_names(module: str, path: Path) -> set[str]:
    """Absolute names a module's import statements refer to (anywhere in it, function bodies included)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return names


def with_parent_packages(name: str) -> list[str]:
    """`a.b.c` → `a`, `a.b`, `a.b.c`: importing a module runs its packages' `__init__` first."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def module_closure(roots: tuple[str, ...]) -> dict[str, Path]:
    """Every `rxnyield` module the roots import, transitively, with its source file (config code excluded)."""
    found: dict[str, Path] = {}
    pending = [name for root in roots for name in with_parent_packages(root)]
    while pending:
        module = pending.pop()
        if module in found or module == SETTINGS_PACKAGE or module.startswith(SETTINGS_PACKAGE + "."):
            continue
        path = module_path(module)
        if path is None:
            continue
        found[module] = path
        for name in imported_names(module, path):
            pending.extend(with_parent_packages(name))
    return found


def featurizer_sources(root: Path = Path(".")) -> list[str]:
    """The `rxnyield.featurizers` modules featurization imports, as paths under `root`: the featurize rule's code
    inputs. A featurizer module it does not import (one a model applies itself) re-featurizes nothing; the
    rest of its code enters through its key."""
    featurizers = PACKAGE_DIR / "featurizers"
    return sorted(str(root / path.relative_to(PACKAGE_DIR.parents[1]))
                  for path in module_closure(FEATURIZE_MODULES).values() if path.is_relative_to(featurizers))


@cache
def code_digest(roots: tuple[str, ...]) -> str:
    closure = module_closure(roots)
    return digest(json.dumps({module: file_digest(path) for module, path in sorted(closure.items())}))


def machine_cpu_class() -> str:
    """The kind of CPU torch's kernels run on here: the same code and seed give other bytes with AVX-512 than with
    AVX2 (measured on BH pre-training), and on another vendor's CPU, so a result computed on another kind of CPU
    is another result. Read from /proc/cpuinfo, not from torch (no heavy import while Snakemake plans); kernels
    forced through `ATEN_CPU_CAPABILITY` replace the vector extension, not the vendor."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "unknown"
    return cpu_class(cpuinfo, forced=os.environ.get("ATEN_CPU_CAPABILITY"))


def cpu_class(cpuinfo: str, forced: str | None = None) -> str:
    """The widest vector extension in a /proc/cpuinfo text (or the `forced` one), with the vendor named unless it
    is AMD's.

    The vendor matters too: on an Intel Xeon (AVX-512 and AMX) every torch run of the committed caches, which
    were computed on AMD EPYC CPUs with AVX-512, re-trained to other bytes (MKL and oneDNN choose their kernels
    by vendor and model), while forests and XGBoost matched; forcing AVX-512 kernels there does not make it an
    AMD machine. AMD's CPUs keep the bare name so that the keys of those caches stay what they were."""
    flags = set(cpuinfo.split())
    widest = forced or next((name for name, flag in (("avx512", "avx512f"), ("avx2", "avx2")) if flag in flags),
                            "default")
    vendor = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("vendor_id")),
                  "AuthenticAMD")
    return widest if vendor == "AuthenticAMD" else f"{widest} ({vendor})"


VECTOR_EXTENSIONS = {"avx512": "AVX-512", "avx2": "AVX2"}
VENDORS = {"GenuineIntel": "Intel", "AuthenticAMD": "AMD"}


def readable_cpu_class(name: str) -> str:
    """`AMD AVX-512` for `avx512`, `Intel AVX-512` for `avx512 (GenuineIntel)`: the class names every vendor but
    AMD (`cpu_class`)."""
    width, _, vendor = name.partition(" ")
    vendor = vendor.strip("()") or "AuthenticAMD"
    return f"{VENDORS.get(vendor, vendor)} {VECTOR_EXTENSIONS.get(width, width)}"


@cache
def package_versions() -> dict[str, str]:
    """Installed versions of NUMERIC_PACKAGES (from package metadata: nothing heavy is imported), where torch
    runs (`RXNYIELD_DEVICE`: CUDA numbers differ from CPU ones, and a CUDA build of torch may run either) and
    the class of the CPU it runs on (`machine_cpu_class`)."""
    versions = {"RXNYIELD_DEVICE": os.environ.get("RXNYIELD_DEVICE", "auto"), "cpu": machine_cpu_class()}
    for package in NUMERIC_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions


def versions_digest(cpu_class: str | None = None) -> str:
    """The `versions` component of every key computed here, or (`cpu_class`) of these packages on another CPU."""
    versions = package_versions()
    return digest(json.dumps({**versions, "cpu": cpu_class or versions["cpu"]}, sort_keys=True))


def model_module(model_type: str) -> str:
    from rxnyield.models import REGISTRY

    return REGISTRY[model_type].module


def featurize_settings(config: dict, dataset: str) -> dict:
    """What featurizing a dataset depends on: its settings without the split list (a new split must not
    re-featurize, and so re-train, the dataset's other runs)."""
    settings = dataset_settings(config, dataset)
    return {**settings, "dataset_spec": {k: v for k, v in settings["dataset_spec"].items() if k != "splits"}}


def validation_settings(config: dict, dataset: str, root: Path = Path(".")) -> dict:
    """What validating a dataset depends on: its settings with every split its split-order file holds, so that
    naming one more split in the config re-validates (and so re-featurizes and re-trains) nothing. A name the
    file lacks stops the planning instead (`train_provenance`)."""
    settings = featurize_settings(config, dataset)
    splits = list(split_digests(root / settings["dataset_spec"]["split_orders"]))
    return {**settings, "dataset_spec": {**settings["dataset_spec"], "splits": splits}}


def reaction_files(spec: dict, root: Path) -> list[Path]:
    """The data files featurization reads: the reactions and the descriptor tables (not the split orders)."""
    return [root / spec["reactions"], *(root / t for t in spec.get("descriptor_tables", {}).values())]


def _provenance(settings: dict, data: dict, code_roots: tuple[str, ...]) -> Provenance:
    return Provenance(settings=digest(json.dumps(settings, sort_keys=True)),
                      data=digest(json.dumps(data, sort_keys=True)),
                      code=code_digest(tuple(sorted(set(code_roots)))),
                      versions=versions_digest())


def _featurize_parts(config: dict, dataset: str, root: Path) -> tuple[dict, dict]:
    spec = config["datasets"][dataset]
    return featurize_settings(config, dataset), {str(p.relative_to(root)): file_digest(p)
                                                 for p in reaction_files(spec, root)}


def featurize_provenance(config: dict, dataset: str, root: Path = Path(".")) -> Provenance:
    settings, data = _featurize_parts(config, dataset, root)
    return _provenance({"featurize": settings}, data, FEATURIZE_MODULES)


def split_rows_digest(config: dict, dataset: str, split: str, root: Path) -> tuple[str, str]:
    """(data key, sha256) of one split's rows of a dataset's split-order file; a name the file lacks stops the
    planning."""
    split_orders = config["datasets"][dataset]["split_orders"]
    rows = split_digests(root / split_orders)
    if split not in rows:
        raise ConfigError(f"config: datasets.{dataset}.splits: {split!r} is not a split of {split_orders}")
    return f"{split_orders}:{split}", rows[split]


def pretrain_provenance(config: dict, dataset: str, scope: str, encoders: str, root: Path = Path(".")) -> Provenance:
    """A pre-training's key: of all reactions of a dataset, or (scope: a split) of that split's training
    reactions, whose rows of the split-order file enter its data."""
    settings, data = _featurize_parts(config, feature_dataset(config, dataset), root)
    if scope != ALL_REACTIONS:
        data.update([split_rows_digest(config, dataset, scope, root)])
    return _provenance({"featurize": settings, "pretrain": pretrain_settings(config, dataset, scope, encoders)},
                       data, FEATURIZE_MODULES + PRETRAIN_MODULES)


def train_provenance(config: dict, dataset: str, model: str, split: str, seed: int,
                     root: Path = Path(".")) -> Provenance:
    """A training run's key; its upstream jobs (featurization, pre-training) enter by their own parts. The run's
    seed enters through its resolved settings (`run_config`'s `seeds`): each seed of a model has its own key."""
    features_from = feature_dataset(config, dataset)
    featurize, data = _featurize_parts(config, features_from, root)
    data.update([split_rows_digest(config, dataset, split, root)])
    settings = {"featurize": featurize, "train": run_config(config, dataset, model, split, seed)}
    modules = FEATURIZE_MODULES + TRAIN_MODULES + (model_module(config["models"][model]["type"]),)
    if needs_pretraining(config, model):
        settings["pretrain"] = pretrain_settings(config, *run_checkpoint(config, dataset, model, split))
        modules += PRETRAIN_MODULES
    return _provenance(settings, data, modules)
