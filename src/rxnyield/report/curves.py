"""Learning-curve points: test R² of a model trained on growing heads of each split's training order."""

from __future__ import annotations

import pandas as pd

from rxnyield.config import curve_model, model_seeds, model_splits
from rxnyield.report.frames import rows


def curve_points(config: dict, per_split: pd.DataFrame, dataset: str, model: str) -> pd.DataFrame:
    """Test R² per (data fraction, split) of a learning-curve model, its full training set included (the
    model's own runs on the curve's splits), each point's first seed (the only one a curve point runs)."""
    curves = config["learning_curves"]
    splits = model_splits(config, curve_model(model, curves["dataset_fractions"][0]), dataset)
    points = [(fraction, curve_model(model, fraction)) for fraction in curves["dataset_fractions"]]
    points.append((curves["train_share"], model))
    return pd.DataFrame([{"fraction": fraction, "split": split,
                          "r2": float(rows(per_split, dataset=dataset, model=name, split=split,
                                           seed=model_seeds(config, name)[0])["r2"].iloc[0])}
                         for fraction, name in points for split in splits])
