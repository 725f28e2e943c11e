"""Checks that run before anything is featurized or trained.

Every problem is reported with the file, the line (1-based, header = line 1), the reaction id where
there is one, and the field, so that a broken copy of the data is fixed at its source. All problems of a
file are collected before failing, and validation never writes to the data.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from rdkit import Chem, RDLogger

from rxnyield.config import dataset_files
from rxnyield.data.reactions import normalize_smiles

MANIFEST_NAME = "MANIFEST.sha256"
SPLIT_COLUMNS = ("split", "position", "subset")
MAX_REPORTED = 25


def id_order(rid: str) -> tuple[int, str]:
    """Sort key that orders integer ids numerically and never fails on a malformed one."""
    return len(rid), rid


class DataValidationError(ValueError):
    """Raised with every problem found; `problems` keeps them one per item."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        if len(problems) == 1:  # one problem, one line
            super().__init__(f"data validation failed: {problems[0]}")
            return
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        text = "\n".join(f"  - {p}" for p in shown) + (f"\n  ... and {more} more" if more else "")
        super().__init__(f"data validation failed ({len(problems)} problem(s)):\n{text}")


@dataclass
class Report:
    """Collects problems of one validation run."""

    problems: list[str]

    def add(self, path: Path | str, message: str, line: int | None = None, field: str | None = None, rid=None):
        where = [str(path)]
        if line is not None:
            where.append(f"line {line}" + (f" (id {rid})" if rid is not None else ""))
        if field is not None:
            where.append(f"field '{field}'")
        self.problems.append(": ".join([", ".join(where), message]))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(data_dir: Path) -> dict[str, str]:
    """Relative path -> expected sha256, from `sha256sum` output."""
    manifest = data_dir / MANIFEST_NAME
    entries = {}
    for number, line in enumerate(manifest.read_text().splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise DataValidationError([f"{manifest}: line {number}: expected '<sha256>  <path>', got {line!r}"])
        entries[name.strip()] = digest
    return entries


def check_manifest(data_dir: Path, required: list[Path], report: Report) -> None:
    """Every manifest entry exists with its checksum, and every file the config uses is listed."""
    manifest = data_dir / MANIFEST_NAME
    if not manifest.exists():
        report.add(manifest, "checksum manifest is missing")
        return
    entries = read_manifest(data_dir)
    for name, digest in entries.items():
        path = data_dir / name
        if not path.exists():
            report.add(path, f"listed in {manifest} but missing")
        elif sha256(path) != digest:
            report.add(path, f"sha256 differs from {manifest} (file changed or corrupted)")
    data_root = data_dir.resolve()
    for path in required:
        resolved = path.resolve()
        if not resolved.is_relative_to(data_root):
            report.add(path, f"used by the config but outside the data directory {data_dir}: move it there and "
                             f"list it in {manifest}")
        elif resolved.relative_to(data_root).as_posix() not in entries:
            report.add(path, f"used by the config but not listed in {manifest}")


@lru_cache(maxsize=None)
def parses(smiles: str) -> bool:
    RDLogger.DisableLog("rdApp.*")
    return Chem.MolFromSmiles(normalize_smiles(smiles)) is not None


def read_rows(path: Path, report: Report) -> pd.DataFrame | None:
    """A CSV's rows as text, indexed so that a row stands on file line `index + 2` (header = line 1).

    Lines are counted by newline characters, as `grep -n`, `sed` and editors count them (the shipped DFT
    tables end lines with CR CR LF, which pandas would read as a line and a blank line). Blank lines are
    reported and left out: skipped silently, as pandas does by default, they shift every later line
    number. The header is read as a row, so that a row with a field too many is an error instead of
    turning the first column into pandas' index. None, with the problem reported, for a file without
    rows: nothing to check.
    """
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            text = "\n".join(line.rstrip("\r") for line in handle.read().split("\n"))
        rows = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except UnicodeDecodeError as error:
        report.add(path, f"not UTF-8 text (byte {error.start}): save it as a UTF-8 CSV")
        return None
    except pd.errors.EmptyDataError:
        report.add(path, "the file is empty: it needs a header line and one row per line below it")
        return None
    except pd.errors.ParserError as error:
        report.add(path, f"not a readable CSV ({str(error).strip()}): fix that line")
        return None
    table = pd.DataFrame(rows.iloc[1:].to_numpy(), columns=list(rows.iloc[0]))  # row i on line i + 2
    blank = table.apply(lambda column: column.str.strip() == "").all(axis=1)
    for index in table.index[blank]:
        report.add(path, "blank line: delete it", int(index) + 2)
    table = table[~blank]
    if table.empty:
        report.add(path, "no rows below the header: add at least one")
        return None
    return table


def descriptor_name_columns(spec: dict) -> list[str]:
    """The columns that name each component of a reaction in its descriptor table (`<role>_name`)."""
    return [f"{role}_name" for role in spec.get("descriptor_tables", {})]


def check_columns(path: Path, table: pd.DataFrame, required, report: Report) -> bool:
    missing = [c for c in required if c not in table.columns]
    for column in missing:
        report.add(path, "required column is missing", field=column)
    return not missing


def check_reactions(path: Path, spec: dict, report: Report) -> pd.DataFrame | None:
    """Ids, yields, SMILES and duplicates of one reaction table."""
    table = read_rows(path, report)
    if table is None:
        return None
    id_column = spec["id_column"]
    smiles_columns = list(spec.get("smiles_columns", []))
    required = [id_column, "yield_pct", "rxn_smiles", *smiles_columns, *descriptor_name_columns(spec)]
    if not check_columns(path, table, required, report):
        return None
    seen_ids: dict[str, int] = {}
    seen_reactions: dict[str, int] = {}
    for row in table.itertuples():
        line = row.Index + 2
        values = row._asdict()
        rid = values[id_column]
        if not rid.strip().lstrip("-").isdigit():
            report.add(path, f"reaction id {rid!r} is not an integer", line, id_column)
        elif rid in seen_ids:
            report.add(path, f"duplicate reaction id (first on line {seen_ids[rid]})", line, id_column, rid)
        else:
            seen_ids[rid] = line
        raw_yield = values["yield_pct"]
        try:
            value = float(raw_yield)
        except ValueError:
            report.add(path, f"yield {raw_yield!r} is not a number", line, "yield_pct", rid)
        else:
            if not np.isfinite(value) or not 0.0 <= value <= 100.0:
                report.add(path, f"yield {raw_yield} is outside [0, 100]", line, "yield_pct", rid)
        rxn = values["rxn_smiles"]
        left, arrow, product = rxn.partition(">>")
        if not arrow or not left or not product:
            report.add(path, "reaction SMILES must read 'reactants>>product'", line, "rxn_smiles", rid)
        else:
            bad = [m for m in left.split(".") + [product] if not parses(m)]
            if bad:
                report.add(path, f"RDKit cannot parse {bad[0]!r}", line, "rxn_smiles", rid)
        for column in smiles_columns:
            if not values[column].strip():  # RDKit reads an empty SMILES as an empty molecule
                report.add(path, "SMILES is empty: fill in the component's SMILES", line, column, rid)
            elif not parses(values[column]):
                report.add(path, f"RDKit cannot parse {values[column]!r}", line, column, rid)
        if rxn in seen_reactions:
            report.add(path, f"duplicate reaction (same as line {seen_reactions[rxn]})", line, "rxn_smiles", rid)
        else:
            seen_reactions[rxn] = line
    return table


def check_splits(path: Path, spec: dict, reaction_ids: set[str], report: Report) -> None:
    """Each split orders every reaction exactly once into disjoint train and test sets."""
    table = read_rows(path, report)
    id_column = spec["id_column"]
    if table is None or not check_columns(path, table, [*SPLIT_COLUMNS, id_column], report):
        return
    table["line"] = table.index + 2
    for split in spec["splits"]:
        if not (table["split"] == split).any():
            report.add(path, f"split {split!r} named in the config is not in the file", field="split")
    for split, rows in table.groupby("split", sort=False):
        ids = rows[id_column]
        for line, subset in zip(rows["line"], rows["subset"]):
            if subset not in ("train", "test"):
                report.add(path, f"split {split}: subset must be 'train' or 'test', got {subset!r}", line, "subset")
        for line, rid in zip(rows["line"], ids):
            if rid not in reaction_ids:
                report.add(path, f"split {split}: reaction id {rid} is not in the reaction table", line, id_column)
        for line, rid in zip(rows["line"][ids.duplicated()], ids[ids.duplicated()]):
            report.add(path, f"split {split}: reaction id {rid} appears more than once", line, id_column)
        train = set(ids[rows["subset"] == "train"])
        test = set(ids[rows["subset"] == "test"])
        for rid in sorted(train & test, key=id_order)[:MAX_REPORTED]:
            report.add(path, f"split {split}: reaction id {rid} is in both train and test", field=id_column)
        missing = reaction_ids - set(ids)
        if missing:
            report.add(path, f"split {split}: {len(missing)} reaction(s) not covered, e.g. id {min(missing, key=id_order)}",
                       field=id_column)
        positions = sorted(int(p) if p.isdigit() else -1 for p in rows["position"])
        if positions != list(range(len(rows))):
            report.add(path, f"split {split}: positions are not 0..{len(rows) - 1} exactly once", field="position")


def check_descriptor_tables(spec: dict, reactions: pd.DataFrame, reactions_path: Path, root: Path, report: Report):
    """Every component named in the reactions has a row of finite numbers in its descriptor table."""
    for role, table_name in spec.get("descriptor_tables", {}).items():
        path = root / table_name
        table = read_rows(path, report)
        if table is None or not check_columns(path, table, ["name"], report):
            continue
        numeric = table.drop(columns="name")
        for column in numeric.columns:
            values = pd.to_numeric(numeric[column], errors="coerce")
            for index in numeric.index[~np.isfinite(values.to_numpy(dtype=float))]:
                report.add(path, f"descriptor value {numeric.at[index, column]!r} is not a finite number",
                           int(index) + 2, column)
        known = set(table["name"])
        name_column = f"{role}_name"
        for index, name in reactions[name_column].items():
            if name not in known:
                report.add(reactions_path, f"no row named {name!r} in {path}", int(index) + 2, name_column)


def validate_dataset(name: str, spec: dict, data_dir: Path, root: Path = Path(".")) -> dict:
    """Run every check for one dataset; raise DataValidationError listing all problems, else return a summary."""
    report = Report([])
    files = dataset_files(spec, root)
    for path in files:
        if not path.exists():
            report.add(path, "file named in the config does not exist")
    if report.problems:
        raise DataValidationError(report.problems)
    check_manifest(root / data_dir, files, report)
    reactions_path = root / spec["reactions"]
    table = check_reactions(reactions_path, spec, report)
    if table is not None:
        check_splits(root / spec["split_orders"], spec, set(table[spec["id_column"]]), report)
        check_descriptor_tables(spec, table, reactions_path, root, report)
    if report.problems:
        raise DataValidationError(report.problems)
    return {
        "dataset": name,
        "reactions": len(table),
        "splits": list(spec["splits"]),
        "sha256": {p.as_posix(): sha256(p) for p in files},
    }
