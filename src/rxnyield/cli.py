"""Command line: `rxnyield validate | featurize | pretrain | train | aggregate | predict`.

Snakemake calls these with `--resolved JSON` (the config subset that determines a job, passed through
`params:` so that changing it re-runs the job); a user calls them with `--config FILE [FILE ...]`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from rxnyield.config import (ALL_REACTIONS, ConfigError, dataset_settings, load_config, model_seeds, pretrain_settings,
                             run_config)
from rxnyield.data.validate import DataValidationError


def resolved_or_config(args, build):
    """The resolved dict from --resolved, or built from --config files with `build(config)`."""
    if args.resolved:
        return json.loads(args.resolved)
    return build(load_config(*args.config))


def named(option: str, name: str | None, known) -> str:
    """`name` if the config knows it (a dataset, model or split), else a ConfigError that lists those it knows."""
    if name not in known:
        given = f"{option} {name!r} is not in the config" if name else f"{option} is required"
        raise ConfigError(f"{given}: choose one of {', '.join(known)}")
    return name


def dataset_of(config: dict, args) -> str:
    """A command's --dataset, one the config has (most commands take one)."""
    return named("--dataset", args.dataset, config["datasets"])


def check_destination(path: Path, option: str, directory: bool = False, overwrite: bool = True) -> None:
    """Refuse, before any work, an output that could not be written once the work is done: one whose
    folder can neither be found nor created, or is not writable, a file where a folder is expected (or
    the other way round), or, unless `overwrite`, a file that exists."""
    if path.exists():
        if path.is_dir() != directory:
            kind = "a file" if path.is_file() else "a folder"
            raise ConfigError(f"{option} {path} is {kind}: choose another {option}")
        if not overwrite:
            raise ConfigError(f"{path} exists: not overwritten (choose another {option})")
    folder = path if directory else path.parent
    nearest = next(p for p in (folder, *folder.parents) if p.exists())
    if not nearest.is_dir():
        raise ConfigError(f"cannot write {path}: {nearest} is a file, not a folder (choose another {option})")
    try:
        with tempfile.TemporaryFile(dir=nearest):
            pass
    except OSError as error:
        raise ConfigError(f"cannot write {path}: {nearest} is not writable ({error.strerror}); "
                          f"choose another {option}") from error


def add_source(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--config", nargs="+", metavar="FILE", help="config YAML files, merged in order")
    group.add_argument("--resolved", metavar="JSON", help="resolved job settings (as written by Snakemake)")


def cmd_validate(args) -> None:
    from rxnyield.data.validate import validate_dataset

    settings = resolved_or_config(args, lambda c: dataset_settings(c, dataset_of(c, args)))
    check_destination(args.out, "--out")
    summary = validate_dataset(settings["dataset"], settings["dataset_spec"], Path(settings["data_dir"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"{settings['dataset']}: {summary['reactions']} reactions, {len(summary['splits'])} splits: valid")


def cmd_featurize(args) -> None:
    from rxnyield.data.reactions import load_reactions
    from rxnyield.featurizers.bundle import featurize

    settings = resolved_or_config(args, lambda c: dataset_settings(c, dataset_of(c, args)))
    check_destination(args.out, "--out")
    reactions = load_reactions(settings["dataset"], settings["dataset_spec"])
    bundle = featurize(reactions, settings["dataset_spec"], control_seed=settings["control_seed"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    bundle.save(args.out)
    print(f"{settings['dataset']}: {len(bundle.molecules)} unique molecules, {len(bundle.atoms)} atoms, "
          f"feature sets {sorted(bundle.human)}")


def cmd_pretrain(args) -> None:
    from rxnyield.featurizers.bundle import FeatureBundle
    from rxnyield.pretrain import pretrain, pretraining_rows, save_checkpoint

    settings = resolved_or_config(args, lambda c: pretrain_settings(c, dataset_of(c, args), pretrain_scope(c, args)))
    check_destination(args.out, "--out")
    bundle = FeatureBundle.load(args.features)
    checkpoint = pretrain(bundle, settings["settings"], settings["seeds"], settings["threads"],
                          pretraining_rows(settings, bundle))
    save_checkpoint(checkpoint, args.out)
    history = checkpoint["history"]
    scope = f"{settings['split']} training reactions" if "split" in settings else "all reactions"
    print(f"{settings['dataset']} ({scope}: {checkpoint['reactions']}): InfoNCE train {history['train_loss'][-1]:.4f}, "
          f"held-out {history['validation_loss'][-1]:.4f} after {len(history['train_loss'])} epochs")


def pretrain_scope(config: dict, args) -> str:
    """`pretrain --split`: pre-train on that split's training reactions only; without it, on all reactions."""
    if args.split is None:
        return ALL_REACTIONS
    return named("--split", args.split, config["datasets"][dataset_of(config, args)]["splits"])


def cmd_train(args) -> None:
    if args.reactions:
        return train_outside_pipeline(args)
    if args.features is None or (args.resolved is None and args.split is None):
        raise ConfigError("train needs --features and --split (one split of a dataset) or --reactions CSV")
    from rxnyield.job import train_and_evaluate

    run = resolved_or_config(args, lambda c: split_run(c, args))
    check_destination(args.out_dir, "--out-dir", directory=True)
    metrics = train_and_evaluate(run, args.features, args.out_dir)
    print(f"{run['dataset']}/{run['model']}/{run['split']}: " + ", ".join(
        f"{k}={v:.4f}" for k, v in metrics.items() if isinstance(v, float)))


def split_run(config: dict, args) -> dict:
    """The settings of `train --split` for a dataset, model, split and seed the config has (by default the
    model's first seed)."""
    dataset = dataset_of(config, args)
    model = named("--model", args.model, config["models"])
    seeds = model_seeds(config, model)
    seed = seeds[0] if args.seed is None else int(named("--seed", str(args.seed), [str(k) for k in seeds]))
    return run_config(config, dataset, model, named("--split", args.split, config["datasets"][dataset]["splits"]), seed)


def train_outside_pipeline(args) -> None:
    """`train --reactions CSV`: fit one config entry on every row of a CSV and save it for `predict`."""
    from rxnyield.inference import train_on_csv

    if args.config is None or args.dataset is None or args.model is None:
        raise ConfigError("train --reactions needs --config, --dataset (the reaction class) and --model")
    config = load_config(*args.config)
    check_destination(args.out_dir, "--out-dir", directory=True)
    run = train_on_csv(config, dataset_of(config, args), args.model, args.reactions, args.out_dir)
    print(f"{run['model']} trained on {args.reactions} ({len(run['molecules'])} molecules): saved in {args.out_dir}")


def cmd_predict(args) -> None:
    from rxnyield.inference import predict_csv

    if args.out is not None:
        check_destination(args.out, "--out", overwrite=False)
    predictions = predict_csv(args.model, args.reactions)
    text = predictions.to_csv(index=False, float_format="%.4g")
    if args.out is None:
        print(text, end="")
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        print(f"{len(predictions)} predictions written to {args.out}")


def cmd_aggregate(args) -> None:
    from rxnyield.report.aggregate import aggregate

    aggregate(resolved_or_config(args, lambda c: c), args.out_dir)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="rxnyield", description=__doc__.splitlines()[0])
    commands = main.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check checksums, SMILES, yields and splits of a dataset")
    add_source(validate)
    validate.add_argument("--dataset")
    validate.add_argument("--out", type=Path, required=True, help="summary JSON written when the data are valid")
    validate.set_defaults(func=cmd_validate)

    featurize = commands.add_parser("featurize", help="graphs and descriptors of every unique molecule")
    add_source(featurize)
    featurize.add_argument("--dataset")
    featurize.add_argument("--out", type=Path, required=True)
    featurize.set_defaults(func=cmd_featurize)

    pretrain = commands.add_parser("pretrain", help="contrastive pre-training of the graph and SMILES encoders")
    add_source(pretrain)
    pretrain.add_argument("--dataset")
    pretrain.add_argument("--split", help="pre-train on this split's training reactions only (default: all)")
    pretrain.add_argument("--features", type=Path, required=True, help="the dataset's features.npz")
    pretrain.add_argument("--out", type=Path, required=True, help="checkpoint file")
    pretrain.set_defaults(func=cmd_pretrain)

    train = commands.add_parser(
        "train", help="train one (dataset, model, split, seed) and evaluate it on its test set; with --reactions, "
                      "train on every row of a CSV and save the model for `predict`")
    add_source(train)
    train.add_argument("--dataset")
    train.add_argument("--model")
    train.add_argument("--split")
    train.add_argument("--seed", type=int, help="one of the model's run seeds (default: its first)")
    train.add_argument("--features", type=Path, help="the dataset's features.npz (split mode)")
    train.add_argument("--reactions", type=Path, help="a CSV with the dataset's columns, yields included")
    train.add_argument("--out-dir", type=Path, required=True)
    train.set_defaults(func=cmd_train)

    predict = commands.add_parser("predict", help="yield ± σ of new reactions with a model saved by train")
    predict.add_argument("--model", type=Path, required=True, help="directory written by `train --reactions`")
    predict.add_argument("reactions", type=Path, help="CSV with rxn_smiles (and the component names DFT needs)")
    predict.add_argument("--out", type=Path, help="CSV to write (never overwritten); default: standard output")
    predict.set_defaults(func=cmd_predict)

    aggregate = commands.add_parser("aggregate", help="summarize every run of a configuration")
    add_source(aggregate)
    aggregate.add_argument("--out-dir", type=Path, required=True)
    aggregate.set_defaults(func=cmd_aggregate)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except (ConfigError, DataValidationError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
