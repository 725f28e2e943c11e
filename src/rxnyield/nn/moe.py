"""Mixture of experts over human-designed features (Shazeer et al. 2017; the UAM feature encoder).

MoE(x) = Σ_i G(x)_i E_i(x) with G(x) = softmax(x·W_g), optionally restricted to the top-k gates
(renormalised). The auxiliary load-balancing loss is the squared coefficient of variation of the
experts' total gate weight over a batch (Shazeer et al.'s importance loss): 0 when all experts are used
equally.
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


class DenseFeatures(nn.Module):
    """The `w/o MoE` alternative: one feed-forward network, no auxiliary loss."""

    def __init__(self, in_features: int, hidden: int, out_features: int, dropout: float):
        super().__init__()
        self.network = feed_forward(in_features, hidden, out_features, dropout)
        self.out_features = out_features

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.network(x), x.new_zeros(())
