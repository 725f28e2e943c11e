"""Seeded, deterministic training of torch models on standardized yields.

A subclass says how to build its network from a feature bundle (`build`), how to run it on reaction
indices (`forward`), its loss, and how its outputs become a point prediction and a σ. Everything
else (seeding, batching, the optimiser and its schedule, standardization, checkpoint selection on held-out
training rows, progress bar) is here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, fields

import numpy as np
import torch
from tqdm.auto import tqdm

from rxnyield.featurizers.bundle import FeatureBundle
from rxnyield.models.protocol import YieldModel
from rxnyield.nn.device import creating_on, make_deterministic, torch_device
from rxnyield.prediction import Prediction
from rxnyield.stats import regression_metrics


@dataclass(frozen=True)
class FeatureScaler:
    """Standardizes a feature table with the training rows' mean and std (constant columns keep scale 1)."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, train: np.ndarray) -> "FeatureScaler":
        std = train.std(0)
        return cls(train.mean(0), np.where(std > 0, std, 1.0))

    @classmethod
    def identity(cls, columns: int) -> "FeatureScaler":
        """Leaves a table as it is."""
        return cls(np.zeros(columns), np.ones(columns))

    def tensor(self, table: np.ndarray) -> torch.Tensor:
        return torch.as_tensor((table - self.mean) / self.std, dtype=torch.float32)


@dataclass(frozen=True)
class TrainingSettings:
    """How a torch model is optimised, from its config entry. Defaults are this repository's first choices
    (AdamW, cosine schedule stepped per epoch, every batch, no clipping); Kwon et al. train with Adam, a
    multi-step schedule (×`lr_gamma` at each milestone epoch), full batches only, and clip predictions.
    With `select_on_validation` a random `validation_fraction` of the training rows (drawn with seeds.data)
    is held out and the weights of the epoch with the best R² on them are kept (UAM's released train.py)."""

    epochs: int
    batch_size: int
    lr: float
    weight_decay: float
    optimizer: str = "adamw"          # "adam": L2 penalty in the gradient (torch's Adam), "adamw": decoupled
    lr_schedule: str = "cosine"       # "cosine" (T_max = epochs) or "multistep"
    lr_milestones: tuple = ()
    lr_gamma: float = 0.1
    lr_min: float = 0.0               # the cosine schedule's floor (torch's eta_min)
    drop_last: bool = False           # skip the last, smaller batch of each epoch
    clip_predictions: tuple | None = None  # (low, high) bounds of a predicted yield, in percent
    select_on_validation: bool = False
    validation_fraction: float = 0.0

    @classmethod
    def from_params(cls, params: dict) -> "TrainingSettings":
        return cls(**{f.name: params[f.name] for f in fields(cls) if f.name in params})

    def optimiser(self, parameters) -> torch.optim.Optimizer:
        kind = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[self.optimizer]
        return kind(parameters, lr=self.lr, weight_decay=self.weight_decay)

    def schedule(self, optimiser: torch.optim.Optimizer):
        """Stepped once per epoch."""
        if self.lr_schedule == "multistep":
            return torch.optim.lr_scheduler.MultiStepLR(optimiser, milestones=list(self.lr_milestones),
                                                        gamma=self.lr_gamma)
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=self.epochs, eta_min=self.lr_min)

    def held_out(self, train_idx: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """(rows to fit, validation rows). Without `select_on_validation` every row is fitted and `rng` is not
        drawn from, so the batch order stays what it was before this option existed."""
        if not self.select_on_validation:
            return train_idx, train_idx[:0]
        order = rng.permutation(train_idx)
        n_validation = int(round(self.validation_fraction * len(train_idx)))
        return np.sort(order[n_validation:]), np.sort(order[:n_validation])

    def batches(self, order: torch.Tensor) -> list[torch.Tensor]:
        """One epoch's batches of a shuffled order; with `drop_last` only full ones (at least one)."""
        size = min(self.batch_size, len(order))
        end = len(order) - len(order) % size if self.drop_last else len(order)
        return [order[start:start + size] for start in range(0, end, size)]


class TorchTrainer(YieldModel):
    """Base class of the torch models (see the module docstring)."""

    BUNDLE_STATE: tuple[str, ...] = ()  # attributes `prepare` derives from one bundle (not saved with a model)

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
        self.device = torch_device()
        make_deterministic(self.threads, self.device)
        torch.manual_seed(self.seeds["torch"])
        with creating_on(self.device):
            return self.fit_on_device(bundle, train_idx)

    def fit_on_device(self, bundle: FeatureBundle, train_idx: np.ndarray) -> dict:
        settings = TrainingSettings.from_params(self.params)
        order_rng = np.random.default_rng(self.seeds["data"])
        train_idx, validation_idx = settings.held_out(train_idx, order_rng)
        self.network = self.build(bundle, train_idx)
        self.use(bundle)
        train_yields = bundle.yields[train_idx]
        self.y_mean, self.y_std = float(train_yields.mean()), float(train_yields.std())
        target = torch.as_tensor((bundle.yields - self.y_mean) / self.y_std, dtype=torch.float32)
        optimizer = settings.optimiser(self.network.parameters())
        schedule = settings.schedule(optimizer)
        history, validation_r2, best = [], [], None
        self.network.train()
        progress = tqdm(range(settings.epochs), desc=f"train {type(self).__name__}", unit="epoch", disable=None)
        for epoch in progress:
            total, count = 0.0, 0
            for batch in settings.batches(torch.as_tensor(order_rng.permutation(train_idx))):
                optimizer.zero_grad()
                loss = self.loss(self.forward(batch), target[batch])
                loss.backward()
                optimizer.step()
                total, count = total + loss.item() * len(batch), count + len(batch)
            schedule.step()
            history.append(total / count)
            progress.set_postfix(loss=f"{history[-1]:.4f}")
            if len(validation_idx):
                validation_r2.append(self.validation_score(bundle, validation_idx))
                if best is None or validation_r2[-1] > validation_r2[best[0]]:
                    best = (epoch, copy.deepcopy(self.network.state_dict()))
        if best is None:
            return {"train_loss": history}
        self.network.load_state_dict(best[1])
        return {"train_loss": history, "validation_r2": validation_r2, "selected_epoch": best[0] + 1}

    @torch.no_grad()
    def validation_score(self, bundle: FeatureBundle, idx: np.ndarray) -> float:
        """R² of one evaluation-mode pass on held-out training rows; the network is left in training mode."""
        self.network.eval()
        point, _ = self.point_and_spread(self.forward(torch.as_tensor(idx)))
        self.network.train()
        return regression_metrics(bundle.yields[idx], self.to_percent(point, shift=True))["r2"]

    def use(self, bundle: FeatureBundle) -> None:
        if getattr(self, "prepared_for", None) is not bundle:
            self.prepare(bundle)
            self.prepared_for = bundle

    def __getstate__(self) -> dict:
        """A saved model keeps what it learned, not the last bundle's tensors: `use` rebuilds them."""
        return {k: v for k, v in self.__dict__.items() if k not in ("prepared_for", "device", *self.BUNDLE_STATE)}

    @torch.no_grad()
    def predict(self, bundle: FeatureBundle, idx: np.ndarray) -> Prediction:
        """Yield and σ (percent) of reactions `idx` of `bundle`, any bundle of the dataset.

        With `mc_samples` > 0 (Monte-Carlo dropout, Kwon et al. 2022) dropout stays on for that many
        seeded passes: ŷ = mean of μ_t, aleatoric² = mean of σ_t², epistemic² = variance of μ_t, and
        σ² = aleatoric² + epistemic². Otherwise one pass in evaluation mode.
        """
        if not hasattr(self, "device"):  # a saved model, loaded: run it where this machine runs torch
            self.device = torch_device()
            make_deterministic(self.threads, self.device)
            self.network.to(self.device)
        with creating_on(self.device):
            return self.predict_on_device(bundle, idx)

    def predict_on_device(self, bundle: FeatureBundle, idx: np.ndarray) -> Prediction:
        self.network.eval()
        self.use(bundle)
        batch = torch.tensor(idx)
        samples = self.params.get("mc_samples", 0)
        if not samples:
            point, spread = self.point_and_spread(self.forward(batch))
            return Prediction(self.to_percent(point, shift=True),
                              None if spread is None else self.to_percent(spread))
        for module in self.network.modules():
            if isinstance(module, torch.nn.Dropout):
                module.train()
        torch.manual_seed(self.seeds["torch"])
        passes = [self.point_and_spread(self.forward(batch)) for _ in range(samples)]
        self.network.eval()
        points = torch.stack([p for p, _ in passes]).double()
        epistemic = points.var(dim=0, unbiased=False).sqrt()
        if passes[0][1] is None:
            return Prediction(self.to_percent(points.mean(0), shift=True), self.to_percent(epistemic),
                              epistemic=self.to_percent(epistemic))
        aleatoric = torch.stack([s for _, s in passes]).double().pow(2).mean(0).sqrt()
        total = (aleatoric.pow(2) + epistemic.pow(2)).sqrt()
        return Prediction(self.to_percent(points.mean(0), shift=True), self.to_percent(total),
                          self.to_percent(aleatoric), self.to_percent(epistemic))

    def to_percent(self, standardized: torch.Tensor, shift: bool = False) -> np.ndarray:
        """Undo the yield standardization: a spread is scaled, a point also shifted (and clipped to the
        `clip_predictions` bounds, where the model has them)."""
        values = standardized.double().cpu().numpy() * self.y_std + (self.y_mean if shift else 0.0)
        bounds = TrainingSettings.from_params(self.params).clip_predictions
        return np.clip(values, *bounds) if shift and bounds else values


class PointTrainer(TorchTrainer):
    """A torch model with one output, the standardized yield, trained with plain MSE (no σ)."""

    def loss(self, outputs, target: torch.Tensor) -> torch.Tensor:
        return torch.mean((outputs - target) ** 2)

    def point_and_spread(self, outputs):
        return outputs, None
