"""Deliberately broken copies of the shipped data: each gives its own clear message (file, line, field)."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from rxnyield.data.validate import MANIFEST_NAME, DataValidationError, validate_dataset
from conftest import ROOT, reseal

REACTIONS = "src/data/buchwald_hartwig/bh_reactions.csv"
SPLITS = "src/data/buchwald_hartwig/bh_split_orders.csv"
HEADER = (ROOT / REACTIONS).read_bytes().split(b"\n")[0] + b"\n"  # its 14 column names


def edit(root, relative, row, column, value):
    path = root / relative
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[row, column] = value
    table.to_csv(path, index=False)
    reseal(root)


def problems(root, config, dataset="bh"):
    with pytest.raises(DataValidationError) as caught:
        validate_dataset(dataset, config["datasets"][dataset], root / "src" / "data", root)
    return caught.value.problems


def test_shipped_data_are_valid(config):
    for dataset in config["datasets"]:
        summary = validate_dataset(dataset, config["datasets"][dataset], ROOT / "src" / "data", ROOT)
        assert summary["reactions"] == {"bh": 3955, "bh_tests": 3955, "sm": 5760}[dataset]
        assert sorted(summary["splits"]) == sorted(config["datasets"][dataset]["splits"])


def test_changed_file_fails_its_checksum(data, config):
    path = data / REACTIONS
    path.write_text(path.read_text().replace("10.65781182", "10.65781183", 1))
    assert problems(data, config) == [f"{path}: sha256 differs from {data / 'src/data' / MANIFEST_NAME} "
                                      "(file changed or corrupted)"]


@pytest.mark.parametrize("row, field, value, message", [
    (4, "yield_pct", "104.5", "line 6 (id 4), field 'yield_pct': yield 104.5 is outside [0, 100]"),
    (0, "yield_pct", "n/a", "line 2 (id 0), field 'yield_pct': yield 'n/a' is not a number"),
    (9, "base_smiles", "CN(C)P(N(C)C", "line 11 (id 9), field 'base_smiles': RDKit cannot parse 'CN(C)P(N(C)C'"),
    (5, "bh_id", "5x", "line 7, field 'bh_id': reaction id '5x' is not an integer"),
    (5, "bh_id", "4", "line 7 (id 4), field 'bh_id': duplicate reaction id (first on line 6)"),
], ids=["yield-out-of-range", "yield-not-a-number", "unparsable-smiles", "id-not-integer", "duplicate-id"])
def test_broken_cell_names_file_line_id_and_field(data, config, row, field, value, message):
    edit(data, REACTIONS, row, field, value)
    found = problems(data, config)
    assert found[0] == f"{data / REACTIONS}, {message}"


def test_duplicate_reaction(data, config):
    table = pd.read_csv(data / REACTIONS, dtype=str, keep_default_na=False)
    edit(data, REACTIONS, 7, "rxn_smiles", table.loc[2, "rxn_smiles"])
    assert problems(data, config) == [f"{data / REACTIONS}, line 9 (id 7), field 'rxn_smiles': "
                                      "duplicate reaction (same as line 4)"]


@pytest.mark.parametrize("column", ["yield_pct", "additive_name"])  # additive_name: the key to a descriptor table
def test_missing_column(data, config, column):
    table = pd.read_csv(data / REACTIONS).drop(columns=column)
    table.to_csv(data / REACTIONS, index=False)
    reseal(data)
    assert problems(data, config) == [f"{data / REACTIONS}, field '{column}': required column is missing"]


def test_split_with_a_reaction_in_train_and_test(data, config):
    orders = pd.read_csv(data / SPLITS, dtype=str)
    first = orders.index[orders["split"] == "FullCV_03"][0]
    test_row = orders.index[(orders["split"] == "FullCV_03") & (orders["subset"] == "test")][0]
    moved = orders.loc[test_row, "bh_id"]
    orders.loc[first, "bh_id"] = moved  # now in train and test, and the first id is no longer covered
    orders.to_csv(data / SPLITS, index=False)
    reseal(data)
    found = problems(data, config)
    assert f"{data / SPLITS}, field 'bh_id': split FullCV_03: reaction id {moved} is in both train and test" in found
    assert any("split FullCV_03: 1 reaction(s) not covered" in p for p in found)
    assert any(f"split FullCV_03: reaction id {moved} appears more than once" in p for p in found)


def test_missing_split_named_in_config(data, config):
    orders = pd.read_csv(data / SPLITS, dtype=str)
    orders[orders["split"] != "FullCV_10"].to_csv(data / SPLITS, index=False)
    reseal(data)
    assert problems(data, config) == [f"{data / SPLITS}, field 'split': split 'FullCV_10' named in the config "
                                      "is not in the file"]


def test_component_without_descriptors(data, config):
    edit(data, REACTIONS, 3, "ligand_name", "NoSuchPhos")
    found = problems(data, config)
    assert found == [f"{data / REACTIONS}, line 5, field 'ligand_name': no row named 'NoSuchPhos' in "
                     f"{data / config['datasets']['bh']['descriptor_tables']['ligand']}"]


def test_cli_reports_problems_and_writes_nothing(data, config, tmp_path):
    edit(data, REACTIONS, 4, "yield_pct", "-3")
    settings = {"dataset": "bh", "dataset_spec": config["datasets"]["bh"], "data_dir": "src/data"}
    out = tmp_path / "validated.json"
    result = subprocess.run([sys.executable, "-m", "rxnyield.cli", "validate", "--resolved", json.dumps(settings),
                             "--out", str(out)], cwd=data, capture_output=True, text=True)
    assert result.returncode == 2
    assert "line 6 (id 4), field 'yield_pct': yield -3 is outside [0, 100]" in result.stderr
    assert not out.exists()


def test_lines_after_a_blank_line_keep_their_file_line_numbers(data, config):
    edit(data, REACTIONS, 4, "yield_pct", "104.5")  # line 6
    path = data / REACTIONS
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([*lines[:3], "\n", *lines[3:]]))  # a blank line 4 moves it to line 7
    reseal(data)
    assert problems(data, config) == [f"{path}, line 4: blank line: delete it",
                                      f"{path}, line 7 (id 4), field 'yield_pct': yield 104.5 is outside [0, 100]"]


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty: it needs a header line and one row per line below it"),
    (HEADER, "no rows below the header: add at least one"),
    (HEADER + b"," * 14 + b"\n",
     "not a readable CSV (Error tokenizing data. C error: Expected 14 fields in line 2, saw 15): fix that line"),
    (b"\xff" + HEADER, "not UTF-8 text (byte 0): save it as a UTF-8 CSV"),
], ids=["empty", "header-only", "extra-field", "not-utf8"])
def test_a_reaction_table_without_readable_rows(data, config, content, message):
    (data / REACTIONS).write_bytes(content)
    reseal(data)
    assert problems(data, config) == [f"{data / REACTIONS}: {message}"]


def test_empty_component_smiles(data, config):
    edit(data, REACTIONS, 6, "additive_smiles", "")
    assert problems(data, config) == [f"{data / REACTIONS}, line 8 (id 6), field 'additive_smiles': SMILES is "
                                      "empty: fill in the component's SMILES"]


def test_file_outside_the_data_directory(data, config):
    outside = data / "elsewhere" / "bh_reactions.csv"
    outside.parent.mkdir()
    outside.write_bytes((data / REACTIONS).read_bytes())
    spec = {**config["datasets"]["bh"], "reactions": "elsewhere/bh_reactions.csv"}
    with pytest.raises(DataValidationError) as caught:
        validate_dataset("bh", spec, data / "src" / "data", data)
    assert caught.value.problems == [f"{outside}: used by the config but outside the data directory "
                                     f"{data / 'src' / 'data'}: move it there and list it in "
                                     f"{data / 'src' / 'data' / MANIFEST_NAME}"]
