"""Questions asked of a validated config: which models run where, on which splits, with what settings.

Capabilities of a model (σ kinds, pre-trained encoders) come from its registry entry
(`rxnyield.models.REGISTRY`), never from comparing type names here.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

from rxnyield.config.layout import ALL_REACTIONS, SHARED_ENCODERS, pretrain_checkpoint
from rxnyield.config.merging import merge
from rxnyield.models import model_entry


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
    """The dataset whose features (and encoders pre-trained on all reactions) a dataset uses: another split
    family of the same reactions (`same_reactions_as`, e.g. BH's additive tests) shares them instead of
    recomputing them."""
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
    """Which σ a model's predictions carry (see `ModelEntry.sigma_kinds`)."""
    return model_entry(spec).sigma_kinds(spec)


def sigma_sources(config: dict, dataset: str) -> list[tuple[str, str]]:
    """(model, σ kind) of every headline model of a dataset that predicts a σ."""
    return [(m, k) for m in headline_models(config, dataset) for k in sigma_kinds(config["models"][m])]


def sigma_pairs(config: dict, dataset: str) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """Every two σ sources of a dataset, each compared once (first − second)."""
    return list(combinations(sigma_sources(config, dataset), 2))


def model_seeds(config: dict, model: str) -> list[int]:
    """The run seeds of a model: its registry entry's say. A torch-seeded model runs once per torch seed (the
    config's `seeds.torch`, or the entry's own `torch_seeds`); a learning-curve point with the first of them
    only (the curve's spread is the splits'); any other model once, with `seeds.model`."""
    spec = config["models"][model]
    if not model_entry(spec).torch_seeded:
        return [config["seeds"]["model"]]
    seeds = list(spec.get("torch_seeds", config["seeds"]["torch"]))
    return seeds[:1] if "curve_of" in spec else seeds


def runs(config: dict) -> list[tuple[str, str, str, int]]:
    """Every (dataset, model, split, seed) training job of a configuration."""
    return [(d, m, s, k) for m in config["models"] for d in model_datasets(config, m)
            for s in model_splits(config, m, d) for k in model_seeds(config, m)]


def run_seeds(config: dict, model: str, seed: int) -> dict:
    """The seeds a run's model is built with, each one integer: a torch-seeded model's run with seed k
    initialises with torch seed k and shuffles its batches with `seeds.data` + k (a seed is a whole re-run);
    other models' runs get the config's seeds (torch: its first, unused by them)."""
    seeds = {**config["seeds"], "torch": config["seeds"]["torch"][0]}
    if model_entry(config["models"][model]).torch_seeded:
        seeds.update(torch=seed, data=config["seeds"]["data"] + seed)
    return seeds


def dataset_settings(config: dict, dataset: str) -> dict:
    """What validation and featurization of one dataset depend on."""
    return {"dataset": dataset, "dataset_spec": config["datasets"][dataset], "data_dir": config["data_dir"],
            "control_seed": config["seeds"]["features"]}


def dataset_file_keys(spec: dict) -> dict[str, str]:
    """The data files a dataset's config entry names, by their key path in the entry."""
    return {"reactions": spec["reactions"], "split_orders": spec["split_orders"],
            **{f"descriptor_tables.{role}": path for role, path in spec.get("descriptor_tables", {}).items()}}


def dataset_files(spec: dict, root: Path = Path(".")) -> list[Path]:
    """The data files a dataset's config entry names."""
    return [root / path for path in dataset_file_keys(spec).values()]


# A model entry's keys that say which runs it has and how the report shows them, not what a run computes: a
# run does not depend on its model's other seeds (its own is resolved into `seeds`), on how many splits or
# which datasets the model runs on, nor on its label and comparisons. They stay out of a run's settings, and
# so out of its key: editing them trains the runs they add and nothing else.
RUN_SELECTION = ("torch_seeds", "max_splits", "datasets", "label", "compare_to", "curve_of")


def run_config(config: dict, dataset: str, model: str, split: str, seed: int) -> dict:
    """Everything that determines one job's numbers, with `features: human` resolved for the dataset and the
    run's seed resolved into its `seeds` (one integer each: model code reads `seeds["torch"]`)."""
    dataset_spec = config["datasets"][dataset]
    params = {k: v for k, v in config["models"][model].items() if k not in RUN_SELECTION}
    if params.get("features") == "human":
        params["features"] = dataset_spec["human_features"]
    if model_entry(params).encoders:
        encoders = encoders_of(config, model)
        params.pop("pretraining", None)  # resolved into `encoders`
        params["encoders"] = encoder_settings(config, encoders)
        if model_entry(params).loads_encoders(params):
            params["checkpoint"] = str(pretrain_checkpoint(config["results_dir"],
                                                           *run_checkpoint(config, dataset, model, split)))
    return {
        "dataset": dataset,
        "dataset_spec": {k: v for k, v in dataset_spec.items() if k != "splits"},
        "model": model,
        "model_params": params,
        "split": split,
        "seeds": run_seeds(config, model, seed),
        "threads": config["threads"],
    }


def encoders_of(config: dict, model: str) -> str:
    """Which pre-trained encoders a model uses: the shared ones, or its own where it overrides `pretraining`
    (what longer pre-training buys, say, measured on the same splits)."""
    return model if "pretraining" in config["models"][model] else SHARED_ENCODERS


def encoder_settings(config: dict, encoders: str) -> dict:
    """Pre-training settings of a checkpoint: the config's, with a model's own overrides merged in."""
    if encoders == SHARED_ENCODERS:
        return dict(config["pretraining"])
    return merge(config["pretraining"], config["models"][encoders]["pretraining"])


def pretraining_scope(config: dict, dataset: str, model: str, split: str) -> str:
    """Which reactions the encoders of a run were pre-trained on (no yields either way): ALL_REACTIONS of the
    dataset, held-out ones included (transductive, as the UAM authors do), or only the split's training
    reactions (the split's name). The model's `pretraining_scope` (`all` | `train`) decides; by default random
    splits share one checkpoint of all reactions, and an out-of-sample test (unseen additives) must not have
    shown its held-out reactions to the encoders: it gets one pre-trained on its training reactions."""
    default = "all" if dataset in random_split_datasets(config) else "train"
    return ALL_REACTIONS if config["models"][model].get("pretraining_scope", default) == "all" else split


def run_checkpoint(config: dict, dataset: str, model: str, split: str) -> tuple[str, str, str]:
    """(dataset, scope, encoders) of the checkpoint a run loads (every torch seed of the run loads the same
    one): one of all reactions belongs to the dataset whose features it reads (BH's serves its unseen-additive
    tests too), a split's to the split's dataset."""
    scope = pretraining_scope(config, dataset, model, split)
    return (feature_dataset(config, dataset) if scope == ALL_REACTIONS else dataset), scope, encoders_of(config, model)


def pretrain_settings(config: dict, dataset: str, scope: str, encoders: str = SHARED_ENCODERS) -> dict:
    """What one contrastive pre-training depends on: one checkpoint, with the first torch seed, shared by every
    seed of the models that load it; a split-scoped one also names the split and where its training reactions
    are listed (`rxnyield.pretrain.pretraining_rows`)."""
    settings = {"dataset": dataset, "settings": encoder_settings(config, encoders),
                "seeds": {**config["seeds"], "torch": config["seeds"]["torch"][0]}, "threads": config["threads"]}
    if scope != ALL_REACTIONS:
        spec = config["datasets"][dataset]
        settings.update(split=scope, dataset_spec={k: spec[k] for k in ("reactions", "split_orders", "id_column")})
    return settings


def pretrained_checkpoints(config: dict) -> list[tuple[str, str, str]]:
    """Every (dataset, scope, encoders) pre-training job: one per dataset (or per split, where a run's encoders
    may see only the split's training reactions) and distinct encoder settings in use, whatever the torch seeds."""
    return sorted({run_checkpoint(config, d, m, s) for d, m, s, _ in runs(config) if needs_pretraining(config, m)})


def needs_pretraining(config: dict, model: str) -> bool:
    """Whether a model's runs wait for a pre-training job (its registry entry decides)."""
    spec = config["models"][model]
    return model_entry(spec).loads_encoders(spec)
