"""SMILES transformer encoder: token + learned positional embeddings, encoder layers, layer norm,
first-token ([CLS]) pooling and a linear projection (the UAM sequence view)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import torch
from torch import nn


@dataclass(frozen=True)
class SequenceEncoderSettings:
    """The SMILES encoder's shape. Defaults are this repository's first design; the authors' released
    `SMILES_Encoder` (model/encoders.py) is `activation="gelu", attention_dropout=dropout,
    initialisation="authors"` at their sizes."""

    embedding: int
    layers: int
    heads: int
    feedforward: int
    dropout: float                    # on the residual and feed-forward paths
    attention_dropout: float = 0.0    # on the attention weights (PyTorch's layer: the same as `dropout`)
    activation: str = "relu"          # of the feed-forward block: "relu" (PyTorch's default) or "gelu"
    initialisation: str = "torch"     # "torch": PyTorch's defaults; "authors": see `authors_initialisation`

    @classmethod
    def from_params(cls, params: dict) -> "SequenceEncoderSettings":
        """The settings a config entry gives, defaults for the rest."""
        return cls(**{f.name: params[f.name] for f in fields(cls) if f.name in params})


class SmilesEncoder(nn.Module):
    def __init__(self, vocabulary_size: int, max_length: int, settings: SequenceEncoderSettings,
                 out_features: int):
        super().__init__()
        self.tokens = nn.Embedding(vocabulary_size, settings.embedding, padding_idx=0)
        self.positions = nn.Embedding(max_length, settings.embedding)
        layer = nn.TransformerEncoderLayer(settings.embedding, settings.heads, settings.feedforward,
                                           settings.dropout, activation=settings.activation, batch_first=True)
        # A separate rate on the attention weights: any rate above 0 sends CPU attention to its unfused path,
        # about 4x slower for these 170-270-token reactions (measured).
        layer.self_attn.dropout = settings.attention_dropout
        # No nested-tensor fast path: it changes numerics between training and evaluation.
        self.encoder = nn.TransformerEncoder(layer, settings.layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(settings.embedding)
        self.projection = nn.Linear(settings.embedding, out_features)
        self.out_features = out_features
        if settings.initialisation == "authors":
            self.authors_initialisation()

    @torch.no_grad()
    def authors_initialisation(self) -> None:
        """The released code's `initialize_parameters`: token embeddings N(0, 0.02²), positions N(0, 0.01²),
        Xavier-uniform for every matrix of the encoder layers (each layer its own draw; PyTorch's defaults
        give every cloned layer the same initial weights). The padding row stays zero."""
        nn.init.normal_(self.tokens.weight, std=0.02)
        self.tokens.weight[0].zero_()
        nn.init.normal_(self.positions.weight, std=0.01)
        for parameter in self.encoder.parameters():
            if parameter.dim() > 1:
                nn.init.xavier_uniform_(parameter)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """`ids`: (batch, length) token ids, 0 = padding, position 0 = [CLS]."""
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.tokens(ids) + self.positions(positions)[None]
        x = self.encoder(x, src_key_padding_mask=ids == 0)
        return self.projection(self.norm(x)[:, 0])


def pad(sequences: list[list[int]], length: int | None = None) -> torch.Tensor:
    """Right-pad id lists with 0 into a (batch, length) tensor."""
    length = length or max(len(s) for s in sequences)
    batch = torch.zeros(len(sequences), length, dtype=torch.long)
    for row, sequence in enumerate(sequences):
        batch[row, :len(sequence)] = torch.as_tensor(sequence)
    return batch
