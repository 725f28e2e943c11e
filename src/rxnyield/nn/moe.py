"""Mixture of experts over human-designed features (Shazeer et al. 2017; the UAM feature encoder).

MoE(x) = Σ_i G(x)_i E_i(x) with G(x) = softmax(x·W_g), optionally restricted to the top-k gates
(renormalised). The auxiliary load-balancing loss is the squared coefficient of variation of the
experts' total gate weight over a batch (Shazeer et al.'s importance loss): 0 when all experts are used
equally. That single layer is the design the paper describes (`uam_described`).

The authors' released feature encoder (`Fea_Encoder`, model/encoders.py of
The-Real-JerryChen/reaction_yield_prediction) is `StackedFeatures` below: sparse top-2 layers routed as by
lucidrains' `mixture-of-experts` package (`Top2Gating`, which they import), then dense layers.
"""

from __future__ import annotations

import torch
from torch import nn


def feed_forward(in_features: int, hidden: int, out_features: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Dropout(dropout),
                         nn.Linear(hidden, out_features))


class MixtureOfExperts(nn.Module):
    def __init__(self, in_features: int, hidden: int, out_features: int, experts: int, top_k: int | None,
                 dropout: float):
        super().__init__()
        self.gate = nn.Linear(in_features, experts, bias=False)
        self.experts = nn.ModuleList(feed_forward(in_features, hidden, out_features, dropout)
                                     for _ in range(experts))
        self.top_k = top_k
        self.out_features = out_features

    def gates(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, experts) gate weights; each row sums to one."""
        weights = torch.softmax(self.gate(x), dim=-1)
        if self.top_k and self.top_k < weights.shape[-1]:
            kept, index = weights.topk(self.top_k, dim=-1)
            weights = torch.zeros_like(weights).scatter(-1, index, kept)
            weights = weights / weights.sum(-1, keepdim=True)
        return weights

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns the mixture output and the load-balancing loss."""
        weights = self.gates(x)
        outputs = torch.stack([expert(x) for expert in self.experts], dim=1)  # (batch, experts, out)
        mixed = (weights.unsqueeze(-1) * outputs).sum(1)
        importance = weights.sum(0)
        balance = importance.var(unbiased=False) / importance.mean().pow(2)
        return mixed, balance


def top_two_routing(probabilities: torch.Tensor, threshold: float, sample: bool,
                    eps: float = 1e-9) -> tuple[torch.Tensor, torch.Tensor]:
    """(batch, experts) combine weights and the balance loss of lucidrains' `Top2Gating` for groups of one row
    (the authors unsqueeze each reaction into its own group of one).

    The best expert gets p₁/(p₁+p₂), the runner-up p₂/(p₁+p₂). The package's `random` policy (its default
    in training and evaluation) keeps the runner-up with probability min(1, (p₂/(p₁+p₂)) / threshold) and
    does not renormalise when it drops it. With `sample` (training) the runner-up is drawn so; otherwise
    (evaluation) it gets its expected weight, which keeps predictions deterministic (the package draws at
    evaluation too). Expert capacity never binds for one-row groups (the package's minimum is 4).

    Balance loss: E² · mean over rows and experts of p_e · [e is the row's best] = E · mean(p₁). Meant as a
    batch-level balance, with one-row groups it penalises each row's confident gate: 1 when the gates are
    flat, E when one expert takes all.
    """
    experts = probabilities.shape[-1]
    top, index = probabilities.topk(2, dim=-1)
    first, second = (top / (top.sum(-1, keepdim=True) + eps)).unbind(-1)
    keep = second / max(threshold, eps)
    keep = (torch.rand_like(second) < keep).to(second) if sample else keep.clamp(max=1.0)
    weights = torch.zeros_like(probabilities).scatter(-1, index, torch.stack([first, second * keep], dim=-1))
    return weights, experts * top[:, 0].mean()


def normalised_layer(in_features: int, out_features: int, dropout: float) -> nn.Sequential:
    """Linear → BatchNorm → ReLU → dropout, the building block of the authors' feature encoder."""
    return nn.Sequential(nn.Linear(in_features, out_features), nn.BatchNorm1d(out_features), nn.ReLU(),
                         nn.Dropout(dropout))


class SparseMoELayer(nn.Module):
    """h = Linear(x); h + Σ_e w_e(h)·ReLU(h W_e) → BatchNorm → ReLU → dropout, routed by `top_two_routing`
    (the authors' `MoELayer`: linear experts without bias, a residual around the mixture). Gate and expert
    weights start standard normal, as theirs (`torch.randn`)."""

    def __init__(self, width: int, experts: int, threshold: float, dropout: float):
        super().__init__()
        self.linear = nn.Linear(width, width)
        self.gate = nn.Parameter(torch.randn(width, experts))
        self.experts = nn.Parameter(torch.randn(experts, width, width))
        self.norm = nn.BatchNorm1d(width)
        self.dropout = nn.Dropout(dropout)
        self.threshold = threshold

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.linear(x)
        weights, balance = top_two_routing(torch.softmax(h @ self.gate, dim=-1), self.threshold, self.training)
        outputs = torch.relu(torch.einsum("bd,edh->beh", h, self.experts))  # (batch, experts, width)
        mixed = (weights.unsqueeze(-1) * outputs).sum(1)
        return self.dropout(torch.relu(self.norm(h + mixed))), balance


class StackedFeatures(nn.Module):
    """The authors' released `Fea_Encoder`: `normalised_layer` to `width`, `sparse_layers` × `SparseMoELayer`,
    `dense_layers` × `normalised_layer`, a linear output. Returns the encoding and the layers' summed
    balance losses. Every linear layer starts Kaiming-normal with a = 1 (std 1/√fan_in) and zero bias, as
    theirs."""

    def __init__(self, in_features: int, width: int, out_features: int, sparse_layers: int, dense_layers: int,
                 experts: int, threshold: float, dropout: float):
        super().__init__()
        self.input = normalised_layer(in_features, width, dropout)
        self.sparse = nn.ModuleList(SparseMoELayer(width, experts, threshold, dropout) for _ in range(sparse_layers))
        self.dense = nn.Sequential(*(normalised_layer(width, width, dropout) for _ in range(dense_layers)))
        self.output = nn.Linear(width, out_features)
        self.out_features = out_features
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.kaiming_normal_(module.weight, a=1.0)
                nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x, balance = self.input(x), x.new_zeros(())
        for layer in self.sparse:
            x, loss = layer(x)
            balance = balance + loss
        return self.output(self.dense(x)), balance


class DenseFeatures(nn.Module):
    """The `w/o MoE` alternative: one feed-forward network, no auxiliary loss."""

    def __init__(self, in_features: int, hidden: int, out_features: int, dropout: float):
        super().__init__()
        self.network = feed_forward(in_features, hidden, out_features, dropout)
        self.out_features = out_features

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.network(x), x.new_zeros(())
