"""SMILES transformer encoder: token + learned positional embeddings, encoder layers, layer norm,
first-token ([CLS]) pooling and a linear projection (the UAM sequence view)."""

from __future__ import annotations

import torch
from torch import nn


class SmilesEncoder(nn.Module):
    def __init__(self, vocabulary_size: int, max_length: int, embedding: int, layers: int, heads: int,
                 feedforward: int, dropout: float, out_features: int):
        super().__init__()
        self.tokens = nn.Embedding(vocabulary_size, embedding, padding_idx=0)
        self.positions = nn.Embedding(max_length, embedding)
        layer = nn.TransformerEncoderLayer(embedding, heads, feedforward, dropout, batch_first=True)
        # Dropout acts on the residual and feed-forward paths only: dropout on the attention weights sends
        # CPU attention to its unfused path, about 4x slower for these 170-270-token reactions (measured).
        layer.self_attn.dropout = 0.0
        # No nested-tensor fast path: it changes numerics between training and evaluation.
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(embedding)
        self.projection = nn.Linear(embedding, out_features)
        self.out_features = out_features

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
