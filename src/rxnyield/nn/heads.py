"""The regression head the torch models share: the fused representation of a reaction → μ (and log σ²)."""

from __future__ import annotations

from torch import nn


def regression_head(width: int, hidden: int, dropout: float, outputs: int = 2) -> nn.Sequential:
    """Two hidden ReLU layers with dropout, then `outputs` linear outputs (μ and log σ² by default)."""
    return nn.Sequential(
        nn.Linear(width, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, outputs),
    )
