"""The regression head the torch models share: the fused representation of a reaction → μ (and log σ²)."""

from __future__ import annotations

from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "prelu": nn.PReLU}  # PReLU: Kwon et al.'s predictor
DEFAULT_ACTIVATION = "relu"


def regression_head(width: int, hidden: int, dropout: float, outputs: int = 2,
                    activation: str = DEFAULT_ACTIVATION) -> nn.Sequential:
    """Two hidden layers (`activation`, then dropout), then `outputs` linear outputs (μ and log σ² by default)."""
    return nn.Sequential(
        nn.Linear(width, hidden), ACTIVATIONS[activation](), nn.Dropout(dropout),
        nn.Linear(hidden, hidden), ACTIVATIONS[activation](), nn.Dropout(dropout),
        nn.Linear(hidden, outputs),
    )
