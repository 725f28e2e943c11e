"""Models by config `type`: a registry whose entries say what each model class needs and gives.

Each class follows the `YieldModel` protocol (`rxnyield.models.protocol`): it takes (params, seeds, threads)
and offers `fit(bundle, train_idx)` and `predict(bundle, idx) -> Prediction` (yields in percent, σ where it
has one). The config, the rules, the report and `inference` ask an entry what a model needs (pre-trained
encoders) and gives (which σ), instead of comparing type names.

An entry names its module, imported on first use: a forest job does not pay for importing torch, nor a
torch job for scikit-learn (seconds per job on two cores, hundreds of jobs per build), and the report
asks for capabilities without importing any model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module


def never(params: dict) -> bool:
    return False


def always(params: dict) -> bool:
    return True


@dataclass(frozen=True)
class ModelEntry:
    """Where a model class lives and what it needs and gives, as functions of its config entry."""

    target: str                                            # "module:Class"
    sigma_head: Callable[[dict], bool] = never             # predicts its own σ (a log-variance output)
    encoders: bool = False                                 # built on the contrastive graph/SMILES encoders
    loads_encoders: Callable[[dict], bool] = never         # ... and starts from their pre-trained checkpoint
    torch_seeded: bool = False                             # one run per torch seed (weights, dropout, batches)

    @property
    def module(self) -> str:
        return self.target.split(":")[0]

    def load(self) -> type:
        module, name = self.target.split(":")
        return getattr(import_module(module), name)

    def sigma_kinds(self, params: dict) -> list[str]:
        """Which σ its predictions carry: `total` whenever it predicts one; with Monte-Carlo dropout and a σ
        head also its `aleatoric` and `epistemic` parts (see `TorchModel.predict`)."""
        head, monte_carlo = self.sigma_head(params), params.get("mc_samples", 0) > 0
        kinds = ["total"] if head or monte_carlo else []
        if head and monte_carlo:
            kinds.append("aleatoric")
        if monte_carlo:
            kinds.append("epistemic")
        return kinds


REGISTRY: dict[str, ModelEntry] = {
    "random_forest": ModelEntry("rxnyield.models.forest:RandomForestModel"),
    "xgboost": ModelEntry("rxnyield.models.boosting:XGBoostModel"),
    "mpnn": ModelEntry("rxnyield.models.mpnn:MPNNModel", sigma_head=always, torch_seeded=True),
    "uam": ModelEntry("rxnyield.models.uam:UAMModel", sigma_head=lambda params: params["uncertainty"],
                      encoders=True, loads_encoders=lambda params: params["pretrained"], torch_seeded=True),
    "yieldbert": ModelEntry("rxnyield.models.yieldbert:YieldBERTModel", torch_seeded=True),
    "yieldgnn": ModelEntry("rxnyield.models.yieldgnn:YieldGNNModel", torch_seeded=True),
}


def model_entry(params: dict) -> ModelEntry:
    """The registry entry of a model's config entry (its `type`)."""
    return REGISTRY[params["type"]]


def build_model(params: dict, seeds: dict, threads: int):
    """Instantiate the model class named by `params['type']`."""
    return model_entry(params).load()(params, seeds, threads)
