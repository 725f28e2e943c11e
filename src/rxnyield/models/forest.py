"""Random forest on reaction-level descriptors (Ahneman et al., Science 360:186, 2018)."""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import RandomForestRegressor

from rxnyield.featurizers.bundle import FeatureBundle


class RandomForestModel:
    """scikit-learn random forest on one of the bundle's human feature sets (no σ)."""

    def __init__(self, params: dict, seeds: dict, threads: int):
        self.params = params
        self.forest = RandomForestRegressor(
            n_estimators=params["n_estimators"],
            max_features=params["max_features"],
            min_samples_leaf=params["min_samples_leaf"],
            random_state=seeds["model"],
            n_jobs=threads,
        )

    def features(self, bundle: FeatureBundle) -> np.ndarray:
        return bundle.human[self.params["features"]]

    def fit(self, bundle: FeatureBundle, train_idx: np.ndarray) -> dict:
        self.forest.fit(self.features(bundle)[train_idx], bundle.yields[train_idx])
        return {}

    def predict(self, bundle: FeatureBundle, idx: np.ndarray) -> tuple[np.ndarray, None]:
        # Threaded prediction sums the trees in a varying order; one job keeps results bit-identical.
        self.forest.set_params(n_jobs=1)
        return self.forest.predict(self.features(bundle)[idx]), None
