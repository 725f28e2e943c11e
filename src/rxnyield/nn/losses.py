"""Regression losses with a predicted variance."""

from __future__ import annotations

import torch


def heteroscedastic_loss(mean: torch.Tensor, log_variance: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """L_u = mean[(y − μ)² / σ² + log σ²]: the Gaussian negative log-likelihood up to constants and a factor 2
    (Kendall & Gal 2017), the uncertainty loss of the UAM paper and of Kwon et al."""
    return ((target - mean) ** 2 * torch.exp(-log_variance) + log_variance).mean()


def combined_loss(mean, log_variance, target, mse_weight: float, uncertainty_weight: float) -> torch.Tensor:
    """mse_weight·MSE + uncertainty_weight·L_u (the UAM authors' code uses 0.9 and 0.1)."""
    mse = torch.mean((target - mean) ** 2)
    return mse_weight * mse + uncertainty_weight * heteroscedastic_loss(mean, log_variance, target)


def info_nce(first: torch.Tensor, second: torch.Tensor, temperature: float) -> torch.Tensor:
    """Symmetric InfoNCE (CLIP): row i of `first` and of `second` are two views of the same reaction.

    Embeddings are L2-normalised; logits = first·secondᵀ / τ; the loss is the mean of the cross-entropies
    of matching rows to columns and columns to rows.
    """
    first = torch.nn.functional.normalize(first, dim=-1)
    second = torch.nn.functional.normalize(second, dim=-1)
    logits = first @ second.T / temperature
    labels = torch.arange(len(first), device=first.device)
    return 0.5 * (torch.nn.functional.cross_entropy(logits, labels)
                  + torch.nn.functional.cross_entropy(logits.T, labels))
