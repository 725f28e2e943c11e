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

    @torch.no_grad()
    def predict(self, bundle: FeatureBundle, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        self.network.eval()
        point, spread = self.point_and_spread(self.forward(torch.tensor(idx)))
        mean = point.double().numpy() * self.y_std + self.y_mean
        sigma = None if spread is None else spread.double().numpy() * self.y_std
        return mean, sigma
