"""Use outside the paper: train one configured model on a reaction CSV, save it, predict new reactions.

A trained-model directory holds the fitted model (`model.joblib`), the resolved settings it was trained
with (`config.yaml`), its training reactions (`training_reactions.csv`), copies of the descriptor tables
it featurizes with (`descriptor_tables/`, named relative to the directory, so that the directory can be
moved or copied to another machine as a whole) and, for pre-trained UAM models, the encoder checkpoint.
It predicts reactions of the same class made of molecules it was trained on (new combinations of them,
the usual HTE question: the untested wells of a plate). A molecule outside that vocabulary is refused:
one-hot and DFT features do not exist for it, and no model here was shown to extrapolate to unseen
components (see the unseen-additive tests of the paper).

The model file is a pickle: load only directories you trained yourself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import yaml

from rxnyield.config import ConfigError, model_seeds, run_config
from rxnyield.data.reactions import reactions_from_table, split_molecules
from rxnyield.data.validate import (DataValidationError, Report, check_columns, check_descriptor_tables,
                                    check_reactions, descriptor_name_columns, parses, read_rows)
from rxnyield.featurizers.bundle import FeatureBundle, featurize
from rxnyield.models import build_model, model_entry

MODEL_FILE = "model.joblib"
SETTINGS_FILE = "config.yaml"
TRAINING_REACTIONS = "training_reactions.csv"
ENCODER_CHECKPOINT = "encoders.pt"
DESCRIPTOR_TABLES = "descriptor_tables"


def train_on_csv(config: dict, dataset: str, model: str, reactions_csv: Path, out_dir: Path) -> dict:
    """Fit `model` (a config entry) on every row of a CSV with the columns of `dataset`; save it to `out_dir`.

    Refuses an `out_dir` that already holds a model (nothing is overwritten). Returns the run settings.
    """
    if (out_dir / MODEL_FILE).exists():
        raise ConfigError(f"{out_dir / MODEL_FILE} exists: choose another --out-dir or remove it first")
    if model not in config["models"]:
        raise ConfigError(f"no model {model!r} in the config (known: {', '.join(config['models'])})")
    run = run_config(config, dataset, model, "all", model_seeds(config, model)[0])
    spec = {**run["dataset_spec"], "reactions": str(reactions_csv),  # descriptor tables found from anywhere
            "descriptor_tables": {role: str(Path(path).resolve())
                                  for role, path in run["dataset_spec"].get("descriptor_tables", {}).items()}}
    report = Report([])
    table = check_reactions(reactions_csv, spec, report)
    if table is not None:
        check_descriptor_tables(spec, table, reactions_csv, Path("."), report)
    if report.problems:
        raise DataValidationError(report.problems)

    table = pd.read_csv(reactions_csv)
    bundle = featurize(reactions_from_table(dataset, table, spec), spec, control_seed=config["seeds"]["features"])
    out_dir.mkdir(parents=True, exist_ok=True)
    params = run["model_params"]
    if model_entry(params).loads_encoders(params):
        from rxnyield.pretrain import pretrain, save_checkpoint

        params["checkpoint"] = str(out_dir / ENCODER_CHECKPOINT)
        save_checkpoint(pretrain(bundle, params["encoders"], run["seeds"], run["threads"]),
                        Path(params["checkpoint"]))
    fitted = build_model(params, run["seeds"], run["threads"])
    fitted.fit(bundle, np.arange(bundle.n_reactions))
    if hasattr(fitted, "network"):  # saved on the CPU: loadable on any machine (`predict` moves it back)
        fitted.network.cpu()
    joblib.dump(fitted, out_dir / MODEL_FILE, compress=3)
    table.to_csv(out_dir / TRAINING_REACTIONS, index=False)
    saved_spec = {**spec, "reactions": TRAINING_REACTIONS, "descriptor_tables": copy_descriptor_tables(spec, out_dir)}
    run = {**run, "dataset_spec": saved_spec, "split": None,
           "trained_on": str(reactions_csv), "molecules": [str(m) for m in bundle.molecules]}
    (out_dir / SETTINGS_FILE).write_text(yaml.safe_dump(run, sort_keys=False))
    return run


def copy_descriptor_tables(spec: dict, out_dir: Path) -> dict[str, str]:
    """Copy the descriptor tables of `spec` into a model directory; their paths relative to it, by role."""
    copied = {}
    for role, path in spec.get("descriptor_tables", {}).items():
        copied[role] = f"{DESCRIPTOR_TABLES}/{role}.csv"
        (out_dir / DESCRIPTOR_TABLES).mkdir(exist_ok=True)
        shutil.copyfile(path, out_dir / copied[role])
    return copied


def check_new_reactions(path: Path, spec: dict, descriptor_root: Path, molecules: set[str]) -> None:
    """Every row: a parsable 'reactants>>product' whose molecules the model was trained on, and component
    names its descriptor tables (under `descriptor_root`) know. Raises one error listing every problem
    (file, line, field); a file without reactions is one."""
    report = Report([])
    table = read_rows(path, report)
    if table is None or not check_columns(path, table, ["rxn_smiles", *descriptor_name_columns(spec)], report):
        raise DataValidationError(report.problems)
    for index, rxn in table["rxn_smiles"].items():
        line = int(index) + 2
        left, arrow, product = rxn.partition(">>")
        if not arrow or not left or not product:
            report.add(path, "reaction SMILES must read 'reactants>>product'", line, "rxn_smiles")
            continue
        unparsable = [m for m in left.split(".") + [product] if not parses(m)]
        if unparsable:
            report.add(path, f"RDKit cannot parse {unparsable[0]!r}", line, "rxn_smiles")
            continue
        reactants, product = split_molecules(rxn)
        unknown = [m for m in (*reactants, product) if m not in molecules]
        if unknown:
            report.add(path, f"molecule {unknown[0]!r} is outside the trained model's vocabulary "
                             f"({len(molecules)} molecules it was trained on)", line, "rxn_smiles")
    check_descriptor_tables(spec, table, path, descriptor_root, report)
    if report.problems:
        raise DataValidationError(report.problems)


def covering_rows(training: pd.DataFrame, molecules: list[str]) -> list[int]:
    """The first training row that contains each molecule: featurized next to the new reactions, they give
    the bundle the training molecule list (and so the one-hot columns) at a fraction of the cost."""
    rows: dict[str, int] = {}
    for index, rxn in enumerate(training["rxn_smiles"]):
        reactants, product = split_molecules(rxn)
        for molecule in (*reactants, product):
            rows.setdefault(molecule, index)
    return sorted({rows[m] for m in molecules})


def predict_csv(model_dir: Path, reactions_csv: Path) -> pd.DataFrame:
    """The CSV's rows with the predicted yield and σ (and its parts where the model has them), in percent.

    Descriptor tables are found relative to `model_dir` (older models name them by absolute path).
    """
    settings = yaml.safe_load((model_dir / SETTINGS_FILE).read_text())
    spec, molecules = settings["dataset_spec"], settings["molecules"]
    check_new_reactions(reactions_csv, spec, model_dir, set(molecules))
    new = pd.read_csv(reactions_csv)

    training = pd.read_csv(model_dir / TRAINING_REACTIONS)
    context = training.iloc[covering_rows(training, molecules)]
    unlabelled = new.assign(**{spec["id_column"]: -1 - np.arange(len(new)), "yield_pct": np.nan})
    combined = pd.concat([context, unlabelled[context.columns.intersection(unlabelled.columns)]],
                         ignore_index=True)
    bundle: FeatureBundle = featurize(reactions_from_table(settings["dataset"], combined, spec), spec, model_dir,
                                      control_seed=settings["seeds"]["features"])
    if list(bundle.molecules) != molecules:
        raise RuntimeError("internal: the featurized molecules differ from the trained model's")
    model = joblib.load(model_dir / MODEL_FILE)
    prediction = model.predict(bundle, np.arange(len(context), len(combined)))
    return new.assign(**prediction.columns())

