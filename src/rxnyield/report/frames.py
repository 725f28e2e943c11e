"""Selecting rows of the aggregated tables by their key columns (dataset, model, split, seed, σ kind, metric),
and pairing two models' runs."""

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


RUN_KEY = ["split", "seed"]  # a run of a model on a dataset


def by_run(frame: pd.DataFrame, column: str) -> pd.Series:
    """One column of a model's rows (of one dataset, σ kind), indexed by run (split, seed), in table order."""
    return frame.set_index(RUN_KEY)[column]


def paired_runs(first: pd.Series, second: pd.Series) -> pd.DataFrame:
    """Two models' values (each indexed by run: split, seed) side by side, one row per pair, in `first`'s order.

    Where both ran several seeds, a pair is a (split, seed) both ran: each seed's run against the same seed's
    run of the other. Where either ran one seed (a costly variant, a forest), a pair is a split, the other
    model's seeds averaged: its seeds are not more splits, and pairing each with the one run would count that
    run as several independent pairs. `paired_on` (an attribute) says which it was.
    """
    seeds = min(s.index.get_level_values("seed").nunique() for s in (first, second))
    if seeds > 1:
        paired_on, first, second = "split, seed", first, second
    else:
        paired_on, first, second = "split", *(s.groupby(level="split", sort=False).mean() for s in (first, second))
    shared = first.index.intersection(second.index, sort=False)
    table = pd.DataFrame({"first": first[shared].to_numpy(), "second": second[shared].to_numpy()}, index=shared)
    table.attrs["paired_on"] = paired_on
    return table
