"""Models by config name. Each model class takes (params, seeds, threads) and offers
`fit(bundle, train_idx)` and `predict(bundle, idx) -> (mean, sigma or None)`, yields in percent."""

from __future__ import annotations

from rxnyield.models.forest import RandomForestModel
from rxnyield.models.mpnn import MPNNModel
from rxnyield.models.uam import UAMModel

REGISTRY = {
    "random_forest": RandomForestModel,
    "mpnn": MPNNModel,
    "uam": UAMModel,
}


def build_model(params: dict, seeds: dict, threads: int):
    """Instantiate the model class named by `params['type']`."""
    return REGISTRY[params["type"]](params, seeds, threads)
