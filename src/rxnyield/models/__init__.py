"""Models by config name. Each model class takes (params, seeds, threads) and offers
`fit(bundle, train_idx)` and `predict(bundle, idx) -> Prediction` (yields in percent, σ where it has one).

The registry names modules, imported on first use: a forest job does not pay for importing torch, nor a
torch job for scikit-learn (seconds per job on two cores, hundreds of jobs per build).
"""

from __future__ import annotations

from importlib import import_module

REGISTRY = {
    "random_forest": "rxnyield.models.forest:RandomForestModel",
    "mpnn": "rxnyield.models.mpnn:MPNNModel",
    "uam": "rxnyield.models.uam:UAMModel",
    "yieldbert": "rxnyield.models.yieldbert:YieldBERTModel",
    "yieldgnn": "rxnyield.models.yieldgnn:YieldGNNModel",
}


def model_class(model_type: str) -> type:
    module, name = REGISTRY[model_type].split(":")
    return getattr(import_module(module), name)


def build_model(params: dict, seeds: dict, threads: int):
    """Instantiate the model class named by `params['type']`."""
    return model_class(params["type"])(params, seeds, threads)
