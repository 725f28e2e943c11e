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
