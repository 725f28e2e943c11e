"""The command line answers a broken input or an unusable destination with one line on standard error
(the file, its line and field where there are some, and what to do) and exit status 2, never with a
traceback; a destination is checked before the work, so that nothing is computed only to be lost."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from rxnyield.cli import main
from conftest import ROOT, reseal

CONFIG = str(ROOT / "config" / "config.yaml")
REACTIONS = "src/data/buchwald_hartwig/bh_reactions.csv"
UNWRITABLE = Path("/sys")  # sysfs: no one, root included, may create a file there


@pytest.fixture(autouse=True)
def in_repository(monkeypatch):
    """The config names the shipped data relative to the repository root."""
    monkeypatch.chdir(ROOT)


def error_line(capsys) -> str:
    """Standard error, which must be the one line `error: ...`."""
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err.rstrip("\n")


def bh_overlay(tmp_path: Path, config: dict, root: Path, files=("reactions", "split_orders", "descriptor_tables"),
               data_dir: bool = True) -> str:
    """A config file, merged over the paper's, that takes BH's `files` (and `data_dir`) from under `root`."""
    spec = config["datasets"]["bh"]
    moved = {key: ({role: str(root / path) for role, path in spec[key].items()} if isinstance(spec[key], dict)
                   else str(root / spec[key])) for key in files}
    overlay = {"datasets": {"bh": moved, "bh_tests": moved}}  # the same reactions, as the config requires
    if data_dir:
        overlay["data_dir"] = str(root / "src" / "data")
    path = tmp_path / "overlay.yaml"
    path.write_text(yaml.safe_dump(overlay))
    return str(path)


def validate(overlay: str, tmp_path: Path) -> int:
    return main(["validate", "--config", CONFIG, overlay, "--dataset", "bh", "--out", str(tmp_path / "valid.json")])


def drop_additive_names(path: Path) -> None:
    pd.read_csv(path).drop(columns="additive_name").to_csv(path, index=False)


def empty(path: Path) -> None:
    path.write_text("")


@pytest.mark.parametrize("breakage, message", [
    (drop_additive_names, "{path}, field 'additive_name': required column is missing"),
    (empty, "{path}: the file is empty: it needs a header line and one row per line below it"),
], ids=["no-additive-names", "empty-file"])
def test_validate_a_broken_reaction_table(data, config, tmp_path, capsys, breakage, message):
    breakage(data / REACTIONS)
    reseal(data)
    assert validate(bh_overlay(tmp_path, config, data), tmp_path) == 2
    assert error_line(capsys) == f"error: data validation failed: {message.format(path=data / REACTIONS)}"
    assert not (tmp_path / "valid.json").exists()


def test_validate_a_dataset_file_outside_the_data_directory(config, tmp_path, capsys):
    outside = tmp_path / REACTIONS
    outside.parent.mkdir(parents=True)
    outside.write_bytes((ROOT / REACTIONS).read_bytes())
    assert validate(bh_overlay(tmp_path, config, tmp_path, files=["reactions"], data_dir=False), tmp_path) == 2
    assert error_line(capsys) == (f"error: data validation failed: {outside}: used by the config but outside the "
                                  "data directory src/data: move it there and list it in src/data/MANIFEST.sha256")


@pytest.mark.parametrize("arguments, message", [
    (["validate", "--dataset", "bhx"], "--dataset 'bhx' is not in the config: choose one of bh, bh_tests, sm"),
    (["validate"], "--dataset is required: choose one of bh, bh_tests, sm"),
    (["train", "--dataset", "bhx", "--model", "dft_rf", "--reactions", "new.csv"],
     "--dataset 'bhx' is not in the config: choose one of bh, bh_tests, sm"),
    (["train", "--dataset", "bh", "--model", "dft_rff", "--split", "FullCV_01", "--features", "features.npz"],
     "--model 'dft_rff' is not in the config: choose one of dft_rf, random_rf, onehot_rf,"),
    (["train", "--dataset", "bh", "--model", "dft_rf", "--split", "FullCV_11", "--features", "features.npz"],
     "--split 'FullCV_11' is not in the config: choose one of FullCV_01, FullCV_02,"),
], ids=["unknown-dataset", "no-dataset", "train-unknown-dataset", "unknown-model", "unknown-split"])
def test_unknown_names_list_the_known_ones(tmp_path, capsys, arguments, message):
    out = ["--out-dir", str(tmp_path / "run")] if arguments[0] == "train" else ["--out", str(tmp_path / "x.json")]
    assert main([*arguments, "--config", CONFIG, *out]) == 2
    assert error_line(capsys).startswith(f"error: {message}")


def test_train_on_a_header_only_csv(tmp_path, capsys):
    header_only = tmp_path / "header.csv"
    header_only.write_text((ROOT / REACTIONS).read_text().splitlines(keepends=True)[0])
    assert main(["train", "--config", CONFIG, "--dataset", "bh", "--model", "dft_rf", "--reactions", str(header_only),
                 "--out-dir", str(tmp_path / "model")]) == 2
    assert error_line(capsys) == (f"error: data validation failed: {header_only}: no rows below the header: "
                                  "add at least one")
    assert not (tmp_path / "model").exists()


@pytest.fixture
def a_file(tmp_path) -> Path:
    path = tmp_path / "a_file.txt"
    path.write_text("kept\n")
    return path


def never_called(*args, **kwargs):
    raise AssertionError("the work ran before its destination was checked")


@pytest.mark.skipif(not UNWRITABLE.is_dir(), reason="no /sys (not Linux)")
@pytest.mark.parametrize("command, work, destination, message", [
    ("validate", "rxnyield.data.validate.validate_dataset", "{unwritable}/rxnyield/valid.json",
     "cannot write {destination}: {unwritable} is not writable"),
    ("train-split", "rxnyield.job.train_and_evaluate", "{unwritable}/run",
     "cannot write {destination}: {unwritable} is not writable"),
    ("train-split", "rxnyield.job.train_and_evaluate", "{file}/run",
     "cannot write {destination}: {file} is a file, not a folder (choose another --out-dir)"),
    ("train-split", "rxnyield.job.train_and_evaluate", "{file}",
     "--out-dir {file} is a file: choose another --out-dir"),
    ("train-reactions", "rxnyield.inference.train_on_csv", "{unwritable}/model",
     "cannot write {destination}: {unwritable} is not writable"),
    ("predict", "rxnyield.inference.predict_csv", "{unwritable}/predictions.csv",
     "cannot write {destination}: {unwritable} is not writable"),
    ("predict", "rxnyield.inference.predict_csv", "{file}/predictions.csv",
     "cannot write {destination}: {file} is a file, not a folder (choose another --out)"),
], ids=["validate-read-only", "train-read-only", "train-under-a-file", "train-into-a-file", "train-csv-read-only",
        "predict-read-only", "predict-under-a-file"])
def test_an_unusable_destination_is_refused_before_the_work(tmp_path, a_file, capsys, monkeypatch, command, work,
                                                            destination, message):
    monkeypatch.setattr(work, never_called)
    destination = destination.format(unwritable=UNWRITABLE, file=a_file)
    arguments = {
        "validate": ["validate", "--config", CONFIG, "--dataset", "bh", "--out", destination],
        "train-split": ["train", "--config", CONFIG, "--dataset", "bh", "--model", "dft_rf", "--split", "FullCV_01",
                        "--features", str(tmp_path / "features.npz"), "--out-dir", destination],
        "train-reactions": ["train", "--config", CONFIG, "--dataset", "bh", "--model", "dft_rf",
                            "--reactions", str(tmp_path / "train.csv"), "--out-dir", destination],
        "predict": ["predict", "--model", str(tmp_path / "model"), str(tmp_path / "new.csv"), "--out", destination],
    }[command]
    assert main(arguments) == 2
    message = message.format(destination=destination, unwritable=UNWRITABLE, file=a_file)
    assert error_line(capsys).startswith(f"error: {message}")
    assert a_file.read_text() == "kept\n"


def test_predict_creates_the_folder_of_its_output(tmp_path, monkeypatch):
    monkeypatch.setattr("rxnyield.inference.predict_csv", lambda model, reactions: pd.DataFrame({"y_pred": [12.5]}))
    out = tmp_path / "new_folder" / "predictions.csv"
    assert main(["predict", "--model", str(tmp_path / "model"), str(tmp_path / "new.csv"), "--out", str(out)]) == 0
    assert out.read_text() == "y_pred\n12.5\n"
