"""Models by config name. Each model class takes (params, seeds, threads) and offers
`fit(bundle, train_idx)` and `predict(bundle, idx) -> Prediction` (yields in percent, σ where it has one)."""

from __future__ import annotations

from rxnyield.models.forest import RandomForestModel
from rxnyield.models.mpnn import MPNNModel
from rxnyield.models.uam import UAMModel
from rxnyield.models.yieldbert import YieldBERTModel
from rxnyield.models.yieldgnn import YieldGNNModel

REGISTRY = {
    "random_forest": RandomForestModel,
    "mpnn": MPNNModel,
    "uam": UAMModel,
    "yieldbert": YieldBERTModel,
    "yieldgnn": YieldGNNModel,
}


def build_model(params: dict, seeds: dict, threads: int):
    """Instantiate the model class named by `params['type']`."""
    return REGISTRY[params["type"]](params, seeds, threads)
