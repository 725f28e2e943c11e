"""Weisfeiler-Lehman network (Jin et al., NeurIPS 2017), the graph convolution of YieldGNN.

Each iteration mixes an atom's state with the sum of messages from its bonded neighbours,
h_v ← ReLU(U₁ h_v + U₂ Σ_{u∈N(v)} ReLU(V [h_u ‖ e_uv])), like one round of Weisfeiler-Lehman
relabelling; a molecule is the sum of its atom states.
"""

from __future__ import annotations

import torch
from torch import nn

from rxnyield.nn.mpnn import GraphBatch


class WLNEncoder(nn.Module):
    def __init__(self, atom_features: int, bond_features: int, hidden: int, steps: int):
        super().__init__()
        self.embed = nn.Linear(atom_features, hidden)
        self.message = nn.Linear(hidden + bond_features, hidden)
        self.self_weight = nn.Linear(hidden, hidden)
        self.neighbour_weight = nn.Linear(hidden, hidden, bias=False)
        self.steps = steps
        self.out_features = hidden

    def forward(self, graph: GraphBatch) -> torch.Tensor:
        """Embeddings of every molecule in `graph`: (n_molecules, hidden)."""
        source, target = graph.edge_index
        bonds = graph.bond_kinds[graph.bond_kind]
        h = torch.relu(self.embed(graph.atoms))
        for _ in range(self.steps):
            messages = torch.relu(self.message(torch.cat([h[source], bonds], dim=-1)))
            neighbours = torch.zeros_like(h).index_add(0, target, messages)
            h = torch.relu(self.self_weight(h) + self.neighbour_weight(neighbours))
        return torch.zeros(graph.n_molecules, h.shape[1], dtype=h.dtype).index_add(0, graph.atom_molecule, h)
