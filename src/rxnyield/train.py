"""Seeded, deterministic training of torch models on standardized yields.

A subclass says how to build its network from a feature bundle (`build`), how to run it on reaction
indices (`forward`), its loss, and how its outputs become a point prediction and a σ. Everything
else (seeding, batching, AdamW, the per-epoch cosine schedule, standardization, progress bar) is here.
"""

from __future__ import annotations

import numpy as np
import torch
from tqdm.auto import tqdm

from rxnyield.featurizers.bundle import FeatureBundle


def make_deterministic(threads: int) -> None:
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads)


class TorchTrainer:
    """Base class of the torch models (see the module docstring)."""

    def __init__(self, params: dict, seeds: dict, threads: int):
        self.params, self.seeds, self.threads = params, seeds, threads

    # -- to be provided by a model -------------------------------------------------------------------
    def build(self, bundle: FeatureBundle, train_idx: np.ndarray) -> torch.nn.Module:
        """The network, and whatever the model learns from the training set besides weights (scalers)."""
        raise NotImplementedError

    def prepare(self, bundle: FeatureBundle) -> None:
        """Turn a bundle into the input tensors `forward` indexes (called for training and for prediction)."""
        raise NotImplementedError

    def forward(self, idx: torch.Tensor):
        raise NotImplementedError

    def loss(self, outputs, target: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def point_and_spread(self, outputs) -> tuple[torch.Tensor, torch.Tensor | None]:
        raise NotImplementedError

    # -- shared machinery -----------------------------------------------------------------------------
    def fit(self, bundle: FeatureBundle, train_idx: np.ndarray) -> dict:
        make_deterministic(self.threads)
        torch.manual_seed(self.seeds["torch"])
        self.network = self.build(bundle, train_idx)
        self.use(bundle)
        train_yields = bundle.yields[train_idx]
        self.y_mean, self.y_std = float(train_yields.mean()), float(train_yields.std())
        target = torch.as_tensor((bundle.yields - self.y_mean) / self.y_std, dtype=torch.float32)
        optimizer = torch.optim.AdamW(self.network.parameters(), lr=self.params["lr"],
                                      weight_decay=self.params["weight_decay"])
        epochs, batch_size = self.params["epochs"], self.params["batch_size"]
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)  # stepped per epoch
        order_rng = np.random.default_rng(self.seeds["data"])
        history = []
        self.network.train()
        progress = tqdm(range(epochs), desc=f"train {type(self).__name__}", unit="epoch", disable=None)
        for _ in progress:
            total, count = 0.0, 0
            order = torch.as_tensor(order_rng.permutation(train_idx))
            for start in range(0, len(order), batch_size):
                batch = order[start:start + batch_size]
                optimizer.zero_grad()
                loss = self.loss(self.forward(batch), target[batch])
                loss.backward()
                optimizer.step()
                total, count = total + loss.item() * len(batch), count + len(batch)
            schedule.step()
            history.append(total / count)
            progress.set_postfix(loss=f"{history[-1]:.4f}")
        return {"train_loss": history}

    def use(self, bundle: FeatureBundle) -> None:
        if getattr(self, "prepared_for", None) is not bundle:
            self.prepare(bundle)
            self.prepared_for = bundle

    @torch.no_grad()
    def predict(self, bundle: FeatureBundle, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Yield (percent) and σ (percent, or None) of reactions `idx` of `bundle`, any bundle of the dataset."""
        self.network.eval()
        self.use(bundle)
        point, spread = self.point_and_spread(self.forward(torch.tensor(idx)))
        mean = point.double().numpy() * self.y_std + self.y_mean
        sigma = None if spread is None else spread.double().numpy() * self.y_std
        return mean, sigma
