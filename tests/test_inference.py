"""Training on a CSV outside Snakemake and predicting new reactions (`rxnyield train --reactions`, `predict`)."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from rxnyield.cli import main
from rxnyield.config import run_config
from rxnyield.data.reactions import reactions_from_table, split_molecules
from rxnyield.data.validate import DataValidationError
from rxnyield.featurizers.bundle import featurize
from rxnyield.inference import predict_csv, train_on_csv
from rxnyield.models import build_model
from conftest import ROOT

UNIVERSE = 300  # the first BH reactions: small enough to featurize in seconds


@pytest.fixture(scope="module")
def small_config(config):
    """The paper config with tiny models (a few trees, two epochs)."""
    small = copy.deepcopy(config)
    small["models"]["dft_rf"]["n_estimators"] = 10
    small["models"]["mpnn"].update(epochs=2, mc_samples=3)
    return small


@pytest.fixture(scope="module")
def split_csvs(tmp_path_factory, config):
    """A training CSV and, for prediction, 8 held-out reactions (yields dropped) whose molecules all occur in
    the training rows."""
    table = pd.read_csv(config["datasets"]["bh"]["reactions"]).head(UNIVERSE)
    molecules = [set(r) | {p} for r, p in map(split_molecules, table["rxn_smiles"])]
    held_out = []
    for row in range(0, UNIVERSE, 7):
        others = set().union(*(m for i, m in enumerate(molecules) if i != row and i not in held_out))
        if molecules[row] <= others:
            held_out.append(row)
        if len(held_out) == 8:
            break
    folder = tmp_path_factory.mktemp("inference")
    train, new = table.drop(index=held_out), table.loc[held_out]
    train.to_csv(folder / "train.csv", index=False)
    new.drop(columns=["yield_pct"]).to_csv(folder / "new.csv", index=False)
    return folder, table, held_out


@pytest.fixture
def dft_rf(small_config, split_csvs) -> Path:
    """A small DFT random forest trained on `train.csv` (once per module)."""
    folder, _, _ = split_csvs
    if not (folder / "dft_rf").exists():
        train_on_csv(small_config, "bh", "dft_rf", folder / "train.csv", folder / "dft_rf")
    return folder / "dft_rf"


@pytest.mark.parametrize("model", ["dft_rf", "mpnn"])
def test_predictions_of_a_saved_model_equal_those_of_the_model_trained_in_process(small_config, split_csvs, model):
    folder, table, held_out = split_csvs
    train_on_csv(small_config, "bh", model, folder / "train.csv", folder / model)
    predicted = predict_csv(folder / model, folder / "new.csv")

    spec = small_config["datasets"]["bh"]
    bundle = featurize(reactions_from_table("bh", table, spec), spec, control_seed=0)
    run = run_config(small_config, "bh", model, "all", 0)
    reference = build_model(run["model_params"], run["seeds"], run["threads"])
    reference.fit(bundle, np.setdiff1d(np.arange(len(table)), held_out))
    expected = reference.predict(bundle, np.array(held_out)).columns()
    assert predicted["bh_id"].tolist() == table.loc[held_out, "bh_id"].tolist()
    np.testing.assert_allclose(predicted["y_pred"], expected["y_pred"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(predicted["y_sigma"], expected["y_sigma"], rtol=0, atol=1e-9)
    assert predicted["y_sigma"].notna().all() == (model == "mpnn")


def test_unparsable_smiles_and_unknown_molecules_are_refused_by_line_and_field(split_csvs, dft_rf):
    folder, _, _ = split_csvs
    new = pd.read_csv(folder / "new.csv")
    reactants, product = new.loc[0, "rxn_smiles"].split(">>")
    new.loc[1, "rxn_smiles"] = reactants + ".C1CC>>" + product           # unclosed ring
    new.loc[2, "rxn_smiles"] = reactants + ".CCCCCCCCO>>" + product      # octanol: never seen in training
    new.loc[3, "additive_name"] = "not an additive"
    bad = folder / "bad.csv"
    new.to_csv(bad, index=False)
    with pytest.raises(DataValidationError) as error:
        predict_csv(dft_rf, bad)
    problems = error.value.problems
    assert len(problems) == 3
    assert problems[0].startswith(f"{bad}, line 3, field 'rxn_smiles': RDKit cannot parse 'C1CC'")
    assert problems[1].startswith(f"{bad}, line 4, field 'rxn_smiles': molecule 'CCCCCCCCO' is outside")
    assert problems[2].startswith(f"{bad}, line 5, field 'additive_name': no row named 'not an additive'")


def test_the_command_line_never_overwrites_a_model_or_a_prediction_file(split_csvs, dft_rf, capsys):
    folder, _, _ = split_csvs
    out = folder / "predictions.csv"
    assert main(["predict", "--model", str(dft_rf), str(folder / "new.csv"), "--out", str(out)]) == 0
    written = out.read_text()
    assert main(["predict", "--model", str(dft_rf), str(folder / "new.csv"), "--out", str(out)]) == 2
    assert out.read_text() == written
    assert main(["train", "--config", "config/config.yaml", "--dataset", "bh", "--model", "dft_rf",
                 "--reactions", str(folder / "train.csv"), "--out-dir", str(dft_rf)]) == 2
    assert "exists" in capsys.readouterr().err


@pytest.mark.parametrize("rows, message", [
    (0, "the file is empty: it needs a header line and one row per line below it"),
    (1, "no rows below the header: add at least one"),
], ids=["empty", "header-only"])
def test_predict_refuses_a_file_without_reactions(split_csvs, dft_rf, rows, message, capsys):
    folder, _, _ = split_csvs
    reactions = folder / "no_reactions.csv"
    reactions.write_text("".join((folder / "new.csv").read_text().splitlines(keepends=True)[:rows]))
    assert main(["predict", "--model", str(dft_rf), str(reactions)]) == 2
    assert capsys.readouterr().err == f"error: data validation failed: {reactions}: {message}\n"


def test_a_trained_model_moves_as_one_directory(small_config, split_csvs, tmp_path, monkeypatch):
    """Trained in a checkout that is then gone, moved elsewhere, the model still predicts the same: it keeps
    its own copies of the descriptor tables, named relative to itself."""
    folder, _, _ = split_csvs
    training = pd.read_csv(folder / "train.csv").head(40)  # small: featurized in a second
    training.to_csv(tmp_path / "train.csv", index=False)
    training.head(3).drop(columns="yield_pct").to_csv(tmp_path / "new.csv", index=False)
    checkout = tmp_path / "checkout"
    for table in small_config["datasets"]["bh"]["descriptor_tables"].values():
        (checkout / table).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / table, checkout / table)
    monkeypatch.chdir(checkout)
    train_on_csv(small_config, "bh", "dft_rf", tmp_path / "train.csv", checkout / "model")
    before = predict_csv(checkout / "model", tmp_path / "new.csv")

    (tmp_path / "elsewhere").mkdir()
    shutil.move(checkout / "model", tmp_path / "elsewhere" / "model")
    shutil.rmtree(checkout)
    monkeypatch.chdir(tmp_path / "elsewhere")
    pd.testing.assert_frame_equal(predict_csv(Path("model"), tmp_path / "new.csv"), before)
    settings = yaml.safe_load(Path("model/config.yaml").read_text())
    assert not any(Path(table).is_absolute() for table in settings["dataset_spec"]["descriptor_tables"].values())
