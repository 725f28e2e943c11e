"""Gradient-boosted trees on one reaction-level feature set: the DRFP authors' yield model.

After reymond-group/drfp `scripts/training/yield_prediction.py` (Probst et al., Digital Discovery 2022): XGBoost
regression on the 2048-bit DRFP (radius 3, rings) with up to `n_estimators` boosting rounds, stopped early when
the RMSE on a held-out `validation_fraction` of the training set has not improved for `early_stopping_rounds`
rounds; the best round predicts, and negative predictions are set to 0. The held-out rows are drawn with the
run's data seed (the authors fix NumPy's global seed at 42).
"""

from __future__ import annotations

import numpy as np
from xgboost import XGBRegressor

from rxnyield.featurizers.bundle import FeatureBundle
from rxnyield.models.protocol import YieldModel
from rxnyield.prediction import Prediction


class XGBoostModel(YieldModel):
    """XGBoost with early stopping on a seeded slice of the training set (no σ)."""

    def __init__(self, params: dict, seeds: dict, threads: int):
        self.params, self.seeds = params, seeds
        self.booster = XGBRegressor(
            n_estimators=params["n_estimators"],
            learning_rate=params["learning_rate"],
            max_depth=params["max_depth"],
            min_child_weight=params["min_child_weight"],
            colsample_bytree=params["colsample_bytree"],
            subsample=params["subsample"],
            early_stopping_rounds=params["early_stopping_rounds"],
            random_state=seeds["model"],
            n_jobs=threads,
        )

    def fit(self, bundle: FeatureBundle, train_idx: np.ndarray) -> dict:
        rng = np.random.default_rng(self.seeds["data"])
        held_out = np.zeros(len(train_idx), dtype=bool)
        held_out[rng.choice(len(train_idx), int(self.params["validation_fraction"] * len(train_idx)),
                            replace=False)] = True
        table, yields = bundle.human[self.params["features"]], bundle.yields
        fit_idx, valid_idx = train_idx[~held_out], train_idx[held_out]
        self.booster.fit(table[fit_idx], yields[fit_idx], eval_set=[(table[valid_idx], yields[valid_idx])],
                         verbose=False)
        return {"best_iteration": int(self.booster.best_iteration), "validation_reactions": int(held_out.sum())}

    def predict(self, bundle: FeatureBundle, idx: np.ndarray) -> Prediction:
        predicted = self.booster.predict(bundle.human[self.params["features"]][idx]).astype(np.float64)
        return Prediction(np.maximum(predicted, 0.0))
