"""Human-designed descriptors: RDKit and Mordred 2D descriptors per molecule, Ahneman's DFT per component."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from rdkit import Chem
from rdkit.Chem import Descriptors


def rdkit2d(smiles_list: list[str]) -> pd.DataFrame:
    """RDKit's 2D descriptors (one row per molecule, indexed by SMILES); undefined values become 0.

    Descriptors such as partial-charge BCUTs are undefined for Pd or bare ions; 0 keeps the row usable
    and constant columns are dropped later on the training set.
    """
    rows = []
    for smiles in smiles_list:
        values = Descriptors.CalcMolDescriptors(Chem.MolFromSmiles(smiles), missingVal=np.nan)
        rows.append(values)
    table = pd.DataFrame(rows, index=pd.Index(smiles_list, name="smiles"), dtype=np.float64)
    return table.replace([np.inf, -np.inf], np.nan).fillna(0.0)


def mordred2d(smiles_list: list[str]) -> pd.DataFrame:
    """Mordred's 2D descriptors (mordredcommunity; 1613 per molecule, indexed by SMILES).

    Descriptors Mordred cannot compute for a molecule (it returns an error object) become 0, as above.
    """
    from mordred import Calculator, descriptors

    calculator = Calculator(descriptors, ignore_3D=True)
    table = calculator.pandas([Chem.MolFromSmiles(s) for s in smiles_list], nproc=1, quiet=True)
    table = table.apply(pd.to_numeric, errors="coerce").astype(np.float64)
    table.index = pd.Index(smiles_list, name="smiles")
    return table.replace([np.inf, -np.inf], np.nan).fillna(0.0)


MOLECULE_DESCRIPTORS = {"rdkit2d": rdkit2d, "mordred": mordred2d}


def ahneman_dft(reactions: pd.DataFrame, tables: dict[str, str], root: Path = Path("."),
                random_seed: int | None = None) -> np.ndarray:
    """Ahneman et al.'s per-reaction DFT features: each component's descriptor row, concatenated by role.

    `tables` maps a role (aryl_halide, ligand, base, additive) to its CSV; rows are joined on `<role>_name`.
    With `random_seed`, every molecule's descriptor row is replaced by standard-normal numbers drawn once
    per molecule (same shape): the control of Chuang & Keiser (Science 362:eaat8603, 2018), which asks
    how much of the forest's accuracy comes from the chemistry in the values rather than from telling
    the molecules apart.
    """
    rng = None if random_seed is None else np.random.default_rng(random_seed)
    blocks = []
    for role, path in tables.items():
        table = pd.read_csv(root / path).set_index("name")
        if rng is not None:
            table = pd.DataFrame(rng.standard_normal(table.shape), index=table.index, columns=table.columns)
        blocks.append(table.loc[reactions[f"{role}_name"]].to_numpy(dtype=np.float64))
    return np.hstack(blocks)
