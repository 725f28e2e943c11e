"""What every model's `predict` returns: yields in percent and, where the model has them, σ and its parts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Prediction:
    mean: np.ndarray                     # predicted yield
    sigma: np.ndarray | None = None      # total predictive standard deviation
    aleatoric: np.ndarray | None = None  # σ of the heteroscedastic head (noise in the data)
    epistemic: np.ndarray | None = None  # spread over Monte-Carlo dropout samples (model uncertainty)

    def columns(self) -> dict[str, np.ndarray]:
        """The prediction-file columns; absent parts are NaN so every file has the same header."""
        missing = np.full(len(self.mean), np.nan)
        return {"y_pred": self.mean,
                **{f"y_{name}": missing if value is None else value
                   for name, value in (("sigma", self.sigma), ("sigma_aleatoric", self.aleatoric),
                                       ("sigma_epistemic", self.epistemic))}}
