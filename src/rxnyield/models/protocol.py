"""The one interface every model class states, whatever it is built from (a forest, a GNN, a BERT)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # type names only: importing the featurizers pulls in RDKit
    import numpy as np

    from rxnyield.featurizers.bundle import FeatureBundle
    from rxnyield.prediction import Prediction


class YieldModel(Protocol):
    """Built from its config entry (`params`), the run's seeds and a thread count; fitted on reactions of a
    feature bundle; predicts yields in percent (with σ where it has one) for reactions of any bundle of the
    same dataset."""

    def __init__(self, params: dict, seeds: dict, threads: int) -> None: ...

    def fit(self, bundle: FeatureBundle, train_idx: np.ndarray) -> dict:
        """Fit on reactions `train_idx`; returns what the run's `timing.json` records (losses, columns used)."""
        ...

    def predict(self, bundle: FeatureBundle, idx: np.ndarray) -> Prediction: ...
