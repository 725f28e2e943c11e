"""Selecting rows of the aggregated tables by their key columns (dataset, model, split, σ kind, metric)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def rows(frame: pd.DataFrame, /, **equal) -> pd.DataFrame:
    """The rows whose columns equal the given values, in table order: `rows(per_split, dataset="bh", model="uam")`
    (positional `frame`: a column may be called `table`)."""
    keep = np.ones(len(frame), dtype=bool)
    for column, value in equal.items():
        keep &= (frame[column] == value).to_numpy()
    return frame[keep]
