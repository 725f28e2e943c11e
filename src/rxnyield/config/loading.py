"""Loading, merging and validating the workflow configuration (one schema for Snakemake and the CLI)."""

from __future__ import annotations

import copy
import csv
import difflib
from pathlib import Path

import jsonschema
import yaml

from rxnyield.config.layout import ALL_REACTIONS, SHARED_ENCODERS
from rxnyield.config.merging import merge
from rxnyield.config.queries import dataset_file_keys, model_datasets
from rxnyield.models import REGISTRY

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "workflow" / "schemas" / "config.schema.yaml"


# Feature sets built from a dataset's `descriptor_tables` (Ahneman's DFT tables: BH only).
DESCRIPTOR_TABLE_FEATURES = ("dft", "dft_random")


class ConfigError(ValueError):
    """A configuration value is missing, misspelt or of the wrong type."""


class KeyProblem(ConfigError):
    """A problem at one key path (`models.uam.variant_of`), reported with the file that sets that key."""

    def __init__(self, path: str, problem: str):
        self.path, self.problem = path.split("."), problem
        super().__init__(f"config: {path}: {problem}")


def load_schema() -> dict:
    """The schema file, with each model entry's `type` tied to its keys for every type of the registry."""
    schema = yaml.safe_load(SCHEMA_PATH.read_text())
    entry = schema["properties"]["models"]["additionalProperties"]
    entry["properties"]["type"] = {"enum": list(REGISTRY)}
    entry["allOf"] = [{"if": {"required": ["type"], "properties": {"type": {"const": name}}},
                       "then": {"$ref": f"#/$defs/model_types/{name}"}} for name in REGISTRY]
    return schema


def model_keys(schema: dict, spec: dict) -> list[str]:
    """Every key a model entry of its type may have: the common ones, then the type's own."""
    keys = list(schema["properties"]["models"]["additionalProperties"]["properties"])
    own = schema["$defs"]["model_types"].get(spec.get("type"), {})
    for part in [own, *own.get("allOf", [])]:
        part = schema["$defs"][part["$ref"].rsplit("/", 1)[1]] if "$ref" in part else part
        keys += [k for k in part.get("properties", {}) if k not in keys]
    return keys


def _describe(error: jsonschema.ValidationError, schema: dict) -> tuple[list, str, list]:
    """(key path of the problem, what is wrong there, the key path that a file sets to cause it)."""
    path = list(error.absolute_path)
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        allowed = (model_keys(schema, error.instance) if error.validator == "unevaluatedProperties"
                   else list(error.schema.get("properties", {})))
        unknown = sorted(set(error.instance) - set(allowed))
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, allowed, n=1)
            hints.append(f"unknown key '{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        return path, "; ".join(hints) + f"; allowed keys: {', '.join(allowed)}", path + unknown[:1]
    return path, error.message, path


def source_of(path: list, sources: dict[str, dict]) -> str:
    """The last of the merged files that sets `path` (or the longest part of it): where to look for a fix."""
    found, depth = "config", 0
    for name, document in sources.items():
        node, reached = document, 0
        for key in path:
            if not (isinstance(node, dict) and key in node):
                break
            node, reached = node[key], reached + 1
        if reached and reached >= depth:
            found, depth = name, reached
    return found


def located(path: list, problem: str, sources: dict[str, dict], set_at: list | None = None) -> str:
    """`file: key.path: problem`, naming the file that sets the key (`set_at`, by default `path`)."""
    return f"{source_of(set_at or path, sources)}: {'.'.join(str(p) for p in path) or '<top level>'}: {problem}"


# What a split family of another dataset's reactions (`same_reactions_as`) takes from it and may not change:
# the reactions and everything its features are computed from.
SHARED_WITH_SPLIT_FAMILY = ("reactions", "split_orders", "id_column", "smiles_columns", "descriptor_tables",
                            "human_features")


def based_on(entries: dict, key: str):
    """(name, spec, base) of every entry that names a base under `key` (`same_reactions_as`, `variant_of`)."""
    for name, spec in entries.items():
        base = spec.get(key) if isinstance(spec, dict) else None
        if base is not None:
            yield name, spec, base


def expand_split_families(config: dict) -> dict:
    """A dataset with `same_reactions_as: <base>` (BH's unseen-additive tests) takes its base's reactions,
    split orders and feature settings, the way a model variant takes its base's settings; it gives its
    own title, kind and splits (and may name other split orders)."""
    datasets = config.get("datasets")
    if not isinstance(datasets, dict):
        return config
    expanded = copy.deepcopy(config)
    for name, spec, base in based_on(datasets, "same_reactions_as"):
        if base not in datasets or "same_reactions_as" in datasets[base]:
            raise KeyProblem(f"datasets.{name}.same_reactions_as", f"'{base}' is not a dataset with its own "
                              f"features")
        changed = [k for k in SHARED_WITH_SPLIT_FAMILY if k != "split_orders" and k in spec
                   and spec[k] != datasets[base].get(k)]
        if changed:
            raise KeyProblem(f"datasets.{name}.{changed[0]}", f"differs from '{base}', whose reactions and "
                              f"features it shares; only the split orders and splits may differ")
        inherited = {k: datasets[base][k] for k in SHARED_WITH_SPLIT_FAMILY if k in datasets[base]}
        expanded["datasets"][name] = {**copy.deepcopy(inherited), **copy.deepcopy(spec)}
    return expanded


def expand_variants(config: dict) -> dict:
    """A model with `variant_of: <base>` takes every setting of its base except those it gives itself.

    Ablations are written as the one switch they flip, so a profile that shrinks the base (the `quick`
    sizes, say) shrinks its ablations too. A base may itself be a variant, so two switches together are
    written as the second switch on top of the first. A variant is compared pairwise with its base unless it
    names another `compare_to`.
    """
    models = config.get("models")
    if not isinstance(models, dict):
        return config
    expanded = copy.deepcopy(config)
    resolved: dict[str, dict] = {}

    def resolve(name: str, chain: tuple[str, ...]) -> dict:
        spec = models[name]
        base = spec.get("variant_of") if isinstance(spec, dict) else None
        if base is None:
            return spec
        if name not in resolved:
            if base not in models:
                raise KeyProblem(f"models.{name}.variant_of", f"unknown model '{base}'")
            if base in chain:
                raise KeyProblem(f"models.{name}.variant_of", "a cycle of variants: " + " -> ".join(chain + (base,)))
            inherited = {k: v for k, v in resolve(base, chain + (base,)).items() if k not in ("label", "compare_to")}
            own = {k: v for k, v in spec.items() if k != "variant_of"}
            resolved[name] = {**copy.deepcopy(inherited), "compare_to": base, **copy.deepcopy(own)}
        return resolved[name]

    for name, _, _ in based_on(models, "variant_of"):
        expanded["models"][name] = resolve(name, (name,))
    return expand_learning_curves(expanded)


def expand_learning_curves(config: dict) -> dict:
    """One model entry per (curve model, data fraction) of `learning_curves`.

    Fractions are of the whole dataset (rxn_yields' low-data convention): with random 70/30 splits, 10 % of
    the data is the first 10/70 of a split's training order. The largest point, the full training set, is
    the model's own run; the curve's entries train on the head of the same order. A point is no paired
    variant: it does not inherit its model's `compare_to` (`uam_described`'s, say).
    """
    curves = config.get("learning_curves")
    if not isinstance(curves, dict) or not isinstance(config.get("models"), dict):
        return config
    for model in curves.get("models", []):
        if model not in config["models"]:
            raise KeyProblem("learning_curves.models", f"unknown model '{model}'")
        base = config["models"][model]
        random_splits = [d for d in base.get("datasets", config["datasets"])
                         if config["datasets"].get(d, {}).get("kind", "random") == "random"]
        for fraction in curves.get("dataset_fractions", []):
            config["models"][curve_model(model, fraction)] = {
                **{k: copy.deepcopy(v) for k, v in base.items() if k != "compare_to"},
                "label": f"{base['label']} ({100 * fraction:g}%)", "curve_of": model, "datasets": random_splits,
                "train_fraction": fraction / curves["train_share"], "max_splits": curves["max_splits"]}
    return config


def curve_model(model: str, fraction: float) -> str:
    """Name of a learning-curve entry, e.g. `uam_lc025` for 2.5 % of the data (per mille)."""
    return f"{model}_lc{round(1000 * fraction):03d}"


def validate_config(config: dict, sources: dict[str, dict] | None = None, root: Path = Path(".")) -> dict:
    """The config with split families, variants and learning curves expanded; ConfigError names, for every
    problem, the file that sets the key (`sources`: each merged file's own YAML, in merge order), its key path
    and what is wrong. Cross-references (datasets, `compare_to`, feature tables) are checked too, and every
    dataset's files and splits must exist (under `root`), so a dry run already fails on them."""
    sources = sources or {}
    try:
        config = expand_variants(expand_split_families(config))
    except KeyProblem as problem:
        raise ConfigError(located(problem.path, problem.problem, sources)) from None
    schema = load_schema()
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(config), key=lambda e: list(e.absolute_path))
    # Errors inside `allOf` branches repeat their parent's message; keep the most specific ones.
    # (the keys of an entry without a `type` are unknown only because its type is: say the one thing)
    problems = [_describe(e, schema) for e in errors if e.validator not in ("allOf", "if", "$ref")
                and not (e.validator == "unevaluatedProperties" and "type" not in e.instance)]
    missing = [e.message for e in errors if e.validator == "required" and not e.absolute_path]
    if len(missing) >= 3 and len(sources) == 1:  # e.g. config/quick.yaml given alone
        name = next(iter(sources))
        raise ConfigError(f"{name}: not a whole configuration but an overlay ({len(missing)} top-level settings "
                          f"missing): give the base first, e.g. --config config/config.yaml {name}")
    if not problems:
        problems = cross_reference_problems(config) + data_problems(config, root)
    if problems:
        raise ConfigError("\n".join(dict.fromkeys(located(path, text, sources, set_at)
                                                  for path, text, set_at in problems)))
    return config


def cross_reference_problems(config: dict) -> list[tuple[list, str, list]]:
    """Names that must refer to something: datasets, references of paired comparisons, feature tables."""
    problems = []
    if SHARED_ENCODERS in config["models"]:
        problems.append((["models", SHARED_ENCODERS], "the name is reserved for the shared pre-trained encoders", []))
    for dataset, spec in config["datasets"].items():
        if ALL_REACTIONS in spec["splits"]:  # a split names the checkpoint pre-trained on its training reactions
            problems.append((["datasets", dataset, "splits"], f"the split name '{ALL_REACTIONS}' is reserved for "
                             "encoders pre-trained on all reactions", []))
    for model, spec in config["models"].items():
        for dataset in spec.get("datasets", []):
            if dataset not in config["datasets"]:
                problems.append((["models", model, "datasets"], f"unknown dataset '{dataset}'", []))
        reference = spec.get("compare_to", model)
        if reference not in config["models"]:
            problems.append((["models", model, "compare_to"], f"unknown model '{reference}'", []))
        else:
            for dataset in set(model_datasets(config, model)) - set(model_datasets(config, reference)):
                problems.append((["models", model, "compare_to"], f"'{reference}' does not run on dataset "
                                 f"'{dataset}', so there is nothing to pair with", []))
        if "torch_seeds" in spec and not REGISTRY[spec["type"]].torch_seeded:
            problems.append((["models", model, "torch_seeds"], f"a '{spec['type']}' model is not seeded by torch: "
                             "it runs once per split with seeds.model", []))
        if spec.get("features") in DESCRIPTOR_TABLE_FEATURES:
            for dataset in model_datasets(config, model):
                if dataset in config["datasets"] and not config["datasets"][dataset].get("descriptor_tables"):
                    problems.append((["models", model, "features"], f"'{spec['features']}' needs the "
                                     f"descriptor_tables that dataset '{dataset}' lacks (list the model's datasets)",
                                     []))
    return problems


def data_problems(config: dict, root: Path) -> list[tuple[list, str, list]]:
    """Every file a dataset names exists, and every split it lists is in its split orders (each split-order
    file read once: BH and its unseen-additive tests share one)."""
    problems, splits_of = [], {}
    for dataset, spec in config["datasets"].items():
        for key, value in dataset_file_keys(spec).items():
            if not (root / value).is_file():
                problems.append((["datasets", dataset, *key.split(".")], f"no file {value}", []))
        orders = root / spec["split_orders"]
        if orders.is_file():
            if orders not in splits_of:
                splits_of[orders] = split_names(orders)
            known = splits_of[orders]
            for split in spec["splits"]:
                if split not in known:
                    problems.append((["datasets", dataset, "splits"], f"'{split}' is not a split of {orders} "
                                     f"(it has {', '.join(sorted(known))})", []))
    return problems


def split_names(split_orders: Path) -> set[str]:
    """The split names of a split-orders CSV (its `split` column), read without pandas (each Snakemake start)."""
    with open(split_orders, newline="") as handle:
        return {row["split"] for row in csv.DictReader(handle)}


def read_yaml(path: Path | str) -> dict:
    """One config file's mapping; a YAML syntax error is named with its file and line."""
    try:
        return yaml.safe_load(Path(path).read_text()) or {}
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise ConfigError(f"{path}:{mark.line + 1}: YAML syntax error: {error.problem}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the config file ({error.strerror})") from None


def config_sources(paths) -> dict[str, dict]:
    """Each config file's YAML, once each in order of first mention (Snakemake lists the `configfile:` of the
    Snakefile after the command line's), named as given relative to the working directory where inside it."""
    sources = {}
    for path in dict.fromkeys(Path(p).resolve() for p in paths):
        shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
        sources[str(shown)] = read_yaml(path)
    return sources


def profile_config_files(profile: str) -> list[str]:
    """The config files of a profile (profiles/NAME/config.yaml's `configfile`), relative to the repository:
    config/config.yaml, then the profile's overrides unless it is `paper`."""
    return ["config/config.yaml"] + ([f"config/{profile}.yaml"] if profile != "paper" else [])


def load_config(*paths: Path | str) -> dict:
    """Merge YAML files in order and validate the result."""
    sources = config_sources(paths)
    config: dict = {}
    for document in sources.values():
        config = merge(config, document)
    return validate_config(config, sources)
