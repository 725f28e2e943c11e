"""Random forest on one reaction-level feature set of the bundle.

One class serves every descriptor baseline; the config picks the features: Ahneman et al.'s DFT
descriptors (Science 360:186, 2018), their random stand-ins (Chuang & Keiser's control), Mordred 2D
descriptors, the one-hot encoding of the reaction components, or the DRFP fingerprint.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import RandomForestRegressor

from rxnyield.featurizers.bundle import FeatureBundle
from rxnyield.models.protocol import YieldModel
from rxnyield.prediction import Prediction


class RandomForestModel(YieldModel):
    """scikit-learn random forest (no σ). Columns constant on the training set, and repeats of an earlier
    column, are dropped (they cannot change a split, but cost time); scaling is left out on purpose: a
    forest's splits do not change under monotone rescaling of a column."""

    def __init__(self, params: dict, seeds: dict, threads: int):
        self.params = params
        self.forest = RandomForestRegressor(
            n_estimators=params["n_estimators"],
            max_features=params["max_features"],
            min_samples_leaf=params["min_samples_leaf"],
            random_state=seeds["model"],
            n_jobs=threads,
        )

    def features(self, bundle: FeatureBundle, idx: np.ndarray) -> np.ndarray:
        """The kept columns of reactions `idx` (rows first: one small copy, not one of the whole table)."""
        return bundle.human[self.params["features"]][idx][:, self.columns]

    def fit(self, bundle: FeatureBundle, train_idx: np.ndarray) -> dict:
        train = bundle.human[self.params["features"]][train_idx]
        varying = np.flatnonzero(np.ptp(train, axis=0) > 0)
        _, first = np.unique(train[:, varying], axis=1, return_index=True)
        self.columns = varying[np.sort(first)]
        self.forest.fit(train[:, self.columns], bundle.yields[train_idx])
        return {"features_used": int(len(self.columns))}

    def predict(self, bundle: FeatureBundle, idx: np.ndarray) -> Prediction:
        # Threaded prediction sums the trees in a varying order; one job keeps results bit-identical.
        self.forest.set_params(n_jobs=1)
        return Prediction(self.forest.predict(self.features(bundle, idx)))
