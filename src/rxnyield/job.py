"""One training job: (dataset, model, split) → predictions, metrics and the resolved config, on disk."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from rxnyield.config import METRICS, PREDICTIONS, RESOLVED_CONFIG, TIMING
from rxnyield.data.reactions import load_reactions, load_split
from rxnyield.featurizers.bundle import FeatureBundle
from rxnyield.models import build_model
from rxnyield.stats import regression_metrics


def train_and_evaluate(run: dict, features: Path, out_dir: Path, root: Path = Path(".")) -> dict:
    """Fit on the split's training set, predict its test set, write the run's outputs; return metrics."""
    bundle = FeatureBundle.load(features)
    reactions = load_reactions(run["dataset"], run["dataset_spec"], root)
    if not np.array_equal(reactions.ids, bundle.ids):
        raise ValueError(f"{features} was built from another reaction table than {run['dataset_spec']['reactions']}")
    train_idx, test_idx = load_split(run["dataset_spec"], run["split"], reactions, root)
    # A reduced training set is the head of the split's training order (the rxn_yields low-data convention).
    train_idx = train_idx[: math.ceil(run["model_params"].get("train_fraction", 1.0) * len(train_idx))]
    model = build_model(run["model_params"], run["seeds"], run["threads"])
    started = time.perf_counter()
    fit_summary = model.fit(bundle, train_idx)
    fit_seconds = time.perf_counter() - started
    prediction = model.predict(bundle, test_idx)

    out_dir.mkdir(parents=True, exist_ok=True)
    predictions = pd.DataFrame({
        "reaction_id": bundle.ids[test_idx],
        "y_true": bundle.yields[test_idx],
        **prediction.columns(),
    })
    predictions.to_csv(out_dir / PREDICTIONS, index=False, float_format="%.10g")
    metrics = regression_metrics(predictions["y_true"], predictions["y_pred"])
    metrics.update(n_train=int(len(train_idx)), n_test=int(len(test_idx)))
    (out_dir / METRICS).write_text(json.dumps(metrics, indent=2) + "\n")
    (out_dir / RESOLVED_CONFIG).write_text(yaml.safe_dump(run, sort_keys=False))
    (out_dir / TIMING).write_text(json.dumps({"fit_seconds": round(fit_seconds, 3), **fit_summary}) + "\n")
    return metrics
