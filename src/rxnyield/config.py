"""Loading, merging and validating the workflow configuration (one schema for Snakemake and the CLI)."""

from __future__ import annotations

import copy
import difflib
from itertools import combinations
from pathlib import Path

import jsonschema
import yaml

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


# Feature sets built from a dataset's `descriptor_tables` (Ahneman's DFT tables: BH only).
DESCRIPTOR_TABLE_FEATURES = ("dft", "dft_random")


class ConfigError(ValueError):
    """A configuration value is missing, misspelt or of the wrong type."""


def merge(base: dict, override: dict) -> dict:
    """Deep merge: mappings merge key by key, anything else in `override` replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def load_schema() -> dict:
    return yaml.safe_load(SCHEMA_PATH.read_text())


def _describe(error: jsonschema.ValidationError) -> str:
    location = ".".join(str(p) for p in error.absolute_path) or "<top level>"
    if error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, allowed, n=1)
            hints.append(f"unknown key '{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        return f"config: {location}: " + "; ".join(hints) + f"; allowed keys: {', '.join(allowed)}"
    return f"config: {location}: {error.message}"


def expand_variants(config: dict) -> dict:
    """A model with `variant_of: <base>` takes every setting of its base except those it gives itself.

    Ablations are written as the one switch they flip, so a profile that shrinks the base (the `quick`
    sizes, say) shrinks its ablations too. A variant is compared pairwise with its base unless it names
    another `compare_to`.
    """
    models = config.get("models")
    if not isinstance(models, dict):
        return config
    expanded = copy.deepcopy(config)
    for name, spec in models.items():
        base = spec.get("variant_of") if isinstance(spec, dict) else None
        if base is None:
            continue
        if base not in models:
            raise ConfigError(f"config: models.{name}.variant_of: unknown model '{base}'")
        if "variant_of" in models[base]:
            raise ConfigError(f"config: models.{name}.variant_of: '{base}' is itself a variant; name its base")
        inherited = {k: v for k, v in models[base].items() if k not in ("label", "compare_to")}
        own = {k: v for k, v in spec.items() if k != "variant_of"}
        expanded["models"][name] = {**copy.deepcopy(inherited), "compare_to": base, **copy.deepcopy(own)}
    return expand_learning_curves(expanded)


def expand_learning_curves(config: dict) -> dict:
    """One model entry per (curve model, data fraction) of `learning_curves`.

    Fractions are of the whole dataset (rxn_yields' low-data convention): with random 70/30 splits, 10 % of
    the data is the first 10/70 of a split's training order. The largest point, the full training set, is
    the model's own run; the curve's entries train on the head of the same order.
    """
    curves = config.get("learning_curves")
    if not isinstance(curves, dict) or not isinstance(config.get("models"), dict):
        return config
    for model in curves.get("models", []):
        if model not in config["models"]:
            raise ConfigError(f"config: learning_curves.models: unknown model '{model}'")
        base = config["models"][model]
        random_splits = [d for d in base.get("datasets", config["datasets"])
                         if config["datasets"].get(d, {}).get("kind", "random") == "random"]
        for fraction in curves.get("dataset_fractions", []):
            config["models"][curve_model(model, fraction)] = {
                **copy.deepcopy(base), "label": f"{base['label']} ({100 * fraction:g}%)", "curve_of": model,
                "datasets": random_splits, "train_fraction": fraction / curves["train_share"],
                "max_splits": curves["max_splits"]}
    return config


def curve_model(model: str, fraction: float) -> str:
    """Name of a learning-curve entry, e.g. `uam_lc025` for 2.5 % of the data (per mille)."""
    return f"{model}_lc{round(1000 * fraction):03d}"


def validate_config(config: dict) -> dict:
    """The config with variants expanded; ConfigError names the key path of every problem.

    Cross-references (datasets, `compare_to`, feature tables) are checked too.
    """
    config = expand_variants(config)
    validator = jsonschema.Draft202012Validator(load_schema())
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    # Errors inside `allOf` branches repeat their parent's message; keep the most specific ones.
    messages = list(dict.fromkeys(_describe(e) for e in errors if e.validator != "allOf" and e.validator != "if"))
    if not messages:
        for dataset, spec in config["datasets"].items():
            base = spec.get("same_reactions_as")
            if base is None:
                continue
            if base not in config["datasets"] or "same_reactions_as" in config["datasets"][base]:
                messages.append(f"config: datasets.{dataset}.same_reactions_as: '{base}' is not a dataset with "
                                f"its own features")
            elif any(spec.get(k) != config["datasets"][base].get(k)
                     for k in ("reactions", "id_column", "smiles_columns", "descriptor_tables", "human_features")):
                messages.append(f"config: datasets.{dataset}.same_reactions_as: '{base}' has other reactions or "
                                f"features; only the split orders and splits may differ")
        if SHARED_ENCODERS in config["models"]:
            messages.append(f"config: models.{SHARED_ENCODERS}: the name is reserved for the shared pre-trained "
                            f"encoders")
        for model, spec in config["models"].items():
            for dataset in spec.get("datasets", []):
                if dataset not in config["datasets"]:
                    messages.append(f"config: models.{model}.datasets: unknown dataset '{dataset}'")
            reference = spec.get("compare_to", model)
            if reference not in config["models"]:
                messages.append(f"config: models.{model}.compare_to: unknown model '{reference}'")
            else:
                for dataset in set(model_datasets(config, model)) - set(model_datasets(config, reference)):
                    messages.append(f"config: models.{model}.compare_to: '{reference}' does not run on "
                                    f"dataset '{dataset}', so there is nothing to pair with")
            if spec.get("features") in DESCRIPTOR_TABLE_FEATURES:
                for dataset in model_datasets(config, model):
                    if dataset in config["datasets"] and not config["datasets"][dataset].get("descriptor_tables"):
                        messages.append(f"config: models.{model}.features: '{spec['features']}' needs the "
                                        f"descriptor_tables that dataset '{dataset}' lacks (list the model's datasets)")
    if messages:
        raise ConfigError("\n".join(messages))
    return config


def load_config(*paths: Path | str) -> dict:
    """Merge YAML files in order and validate the result."""
    config: dict = {}
    for path in paths:
        config = merge(config, yaml.safe_load(Path(path).read_text()) or {})
    return validate_config(config)


def profile_config_files(profile: str) -> list[str]:
    """The config files of a profile (profiles/NAME/config.yaml's `configfile`), relative to the repository:
    config/config.yaml, then the profile's overrides unless it is `paper`."""
    return ["config/config.yaml"] + ([f"config/{profile}.yaml"] if profile != "paper" else [])


def model_datasets(config: dict, model: str) -> list[str]:
    """Datasets a model runs on (all of them unless the model lists some)."""
    return list(config["models"][model].get("datasets", config["datasets"]))


def dataset_models(config: dict, dataset: str) -> list[str]:
    """Models that run on a dataset, in config order."""
    return [m for m in config["models"] if dataset in model_datasets(config, m)]


def reported_models(config: dict, dataset: str) -> list[str]:
    """Every model of a dataset except the learning-curve entries (shown as curves, not as rows)."""
    return [m for m in dataset_models(config, dataset) if "curve_of" not in config["models"][m]]


def headline_models(config: dict, dataset: str) -> list[str]:
    """The models of the main table and figures: those not compared pairwise with another model."""
    return [m for m in reported_models(config, dataset) if "compare_to" not in config["models"][m]]


def feature_dataset(config: dict, dataset: str) -> str:
    """The dataset whose features and pre-trained encoders a dataset uses: another split family of the same
    reactions (`same_reactions_as`, e.g. BH's additive tests) shares them instead of recomputing them."""
    return config["datasets"][dataset].get("same_reactions_as", dataset)


def random_split_datasets(config: dict) -> list[str]:
    """Datasets of random splits (summarised across splits); `out_of_sample` ones are reported per split."""
    return [d for d, spec in config["datasets"].items() if spec.get("kind", "random") == "random"]


def out_of_sample_datasets(config: dict) -> list[str]:
    return [d for d in config["datasets"] if d not in random_split_datasets(config)]


def compared_models(config: dict, dataset: str) -> list[str]:
    """Ablations and other variants: models reported as a paired difference to their `compare_to`."""
    return [m for m in reported_models(config, dataset) if "compare_to" in config["models"][m]]


def model_splits(config: dict, model: str, dataset: str) -> list[str]:
    """The splits a model runs on: the dataset's, or, where a model is too costly, the first `max_splits`
    random splits. Out-of-sample tests always all run: each holds out different additives, so the first
    one does not stand for the others."""
    splits = config["datasets"][dataset]["splits"]
    if dataset in out_of_sample_datasets(config):
        return list(splits)
    return splits[: config["models"][model].get("max_splits", len(splits))]


def sigma_kinds(spec: dict) -> list[str]:
    """Which σ a model's predictions carry: `total` whenever it predicts one; with Monte-Carlo dropout
    and a σ head also its `aleatoric` and `epistemic` parts (see `TorchTrainer.predict`)."""
    has_head = spec["type"] == "mpnn" or (spec["type"] == "uam" and spec["uncertainty"])
    monte_carlo = spec.get("mc_samples", 0) > 0
    kinds = ["total"] if has_head or monte_carlo else []
    if has_head and monte_carlo:
        kinds.append("aleatoric")
    if monte_carlo:
        kinds.append("epistemic")
    return kinds


def sigma_sources(config: dict, dataset: str) -> list[tuple[str, str]]:
    """(model, σ kind) of every headline model of a dataset that predicts a σ."""
    return [(m, k) for m in headline_models(config, dataset) for k in sigma_kinds(config["models"][m])]


def sigma_pairs(config: dict, dataset: str) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """Every two σ sources of a dataset, each compared once (first − second)."""
    return list(combinations(sigma_sources(config, dataset), 2))


def runs(config: dict) -> list[tuple[str, str, str]]:
    """Every (dataset, model, split) training job of a configuration."""
    return [(d, m, s) for m in config["models"] for d in model_datasets(config, m)
            for s in model_splits(config, m, d)]


def dataset_settings(config: dict, dataset: str) -> dict:
    """What validation and featurization of one dataset depend on."""
    return {"dataset": dataset, "dataset_spec": config["datasets"][dataset], "data_dir": config["data_dir"],
            "control_seed": config["seeds"]["features"]}


def dataset_files(spec: dict, root: Path = Path(".")) -> list[Path]:
    """The data files a dataset's config entry names."""
    return [root / spec["reactions"], root / spec["split_orders"],
            *(root / t for t in spec.get("descriptor_tables", {}).values())]


def run_config(config: dict, dataset: str, model: str, split: str) -> dict:
    """Everything that determines one job's numbers, with `features: human` resolved for the dataset."""
    dataset_spec = config["datasets"][dataset]
    params = dict(config["models"][model])
    if params.get("features") == "human":
        params["features"] = dataset_spec["human_features"]
    if params["type"] == "uam":
        encoders = encoders_of(config, model)
        params.pop("pretraining", None)  # resolved into `encoders`
        params["encoders"] = encoder_settings(config, encoders)
        if params["pretrained"]:
            params["checkpoint"] = str(pretrain_checkpoint(config["results_dir"], feature_dataset(config, dataset),
                                                           encoders))
    return {
        "dataset": dataset,
        "dataset_spec": {k: v for k, v in dataset_spec.items() if k != "splits"},
        "model": model,
        "model_params": params,
        "split": split,
        "seeds": dict(config["seeds"]),
        "threads": config["threads"],
    }


# Files of a run directory (see `rxnyield.runner`).
PREDICTIONS = "predictions.csv"
METRICS = "metrics.json"
RESOLVED_CONFIG = "config.yaml"
TIMING = "timing.json"


# The checkpoint every UAM-type model of a dataset shares; a model with its own `pretraining` settings gets
# one named after it.
SHARED_ENCODERS = "encoders"


def encoders_of(config: dict, model: str) -> str:
    """Which pre-trained encoders a model uses: the shared ones, or its own where it overrides `pretraining`
    (what longer pre-training buys, say, measured on the same splits)."""
    return model if "pretraining" in config["models"][model] else SHARED_ENCODERS


def encoder_settings(config: dict, encoders: str) -> dict:
    """Pre-training settings of a checkpoint: the config's, with a model's own overrides merged in."""
    if encoders == SHARED_ENCODERS:
        return dict(config["pretraining"])
    return merge(config["pretraining"], config["models"][encoders]["pretraining"])


def pretrain_settings(config: dict, dataset: str, encoders: str = SHARED_ENCODERS) -> dict:
    """What one dataset's contrastive pre-training depends on."""
    return {"dataset": dataset, "settings": encoder_settings(config, encoders), "seeds": dict(config["seeds"]),
            "threads": config["threads"]}


def pretrain_checkpoint(results_dir: Path | str, dataset: str, encoders: str = SHARED_ENCODERS) -> Path:
    return Path(results_dir) / "pretrain" / dataset / f"{encoders}.pt"


def pretrained_checkpoints(config: dict) -> list[tuple[str, str]]:
    """Every (dataset, encoders) pre-training job: one per dataset and distinct encoder settings in use."""
    return sorted({(feature_dataset(config, d), encoders_of(config, m)) for d, m, _ in runs(config)
                   if needs_pretraining(config, m)})


def needs_pretraining(config: dict, model: str) -> bool:
    spec = config["models"][model]
    return spec["type"] == "uam" and spec["pretrained"]


def run_dir(results_dir: Path | str, dataset: str, model: str, split: str) -> Path:
    """Where one training job writes its outputs."""
    return Path(results_dir) / "runs" / dataset / model / split
