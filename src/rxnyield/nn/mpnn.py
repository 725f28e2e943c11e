"""Message passing over molecular graphs: edge-conditioned convolution + GRU, Set2Set readout.

Gilmer et al. (2017) MPNN as used by Kwon et al. (2022) and the UAM graph encoder. Plain torch; no
graph library is needed because a dataset has only a few dozen unique molecules (one batch holds all).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Callable

import numpy as np
import torch
from torch import nn


@dataclass(frozen=True)
class GraphBatch:
    """All molecules of a dataset as one disconnected graph (tensors), built once per run."""

    atoms: torch.Tensor          # (n_atoms, atom features)
    atom_molecule: torch.Tensor  # (n_atoms,)
    edge_index: torch.Tensor     # (2, n_edges)
    bond_kinds: torch.Tensor     # (n_kinds, bond features): the distinct bond feature rows
    bond_kind: torch.Tensor      # (n_edges,) index into bond_kinds
    n_molecules: int

    @classmethod
    def from_arrays(cls, atoms, atom_molecule, edge_index, bonds) -> "GraphBatch":
        kinds, kind = np.unique(bonds, axis=0, return_inverse=True)
        return cls(
            atoms=torch.as_tensor(atoms, dtype=torch.float32),
            atom_molecule=torch.as_tensor(atom_molecule, dtype=torch.long),
            edge_index=torch.as_tensor(edge_index, dtype=torch.long),
            bond_kinds=torch.as_tensor(kinds, dtype=torch.float32),
            bond_kind=torch.as_tensor(kind.reshape(-1), dtype=torch.long),
            n_molecules=int(atom_molecule.max()) + 1,
        )


@dataclass(frozen=True)
class GraphEncoderSettings:
    """The molecule encoder's shape. Defaults are this repository's first design (PyG-style NNConv with a
    self term, an MLP edge network, Set2Set over the last states, separate product encoder); Kwon et al.'s
    released model is `edge_hidden=0, root_weight=False, readout_input="initial_and_final", sparsify=1024,
    shared_encoder=True` (DGL's NNConv, a linear edge network, Set2Set over [h⁰ ‖ hᵀ], a PReLU projection, one
    encoder for reactants and product)."""

    hidden: int
    edge_hidden: int                  # hidden layer of the edge network; 0: one linear layer
    steps: int
    set2set_steps: int
    root_weight: bool = True          # W_root h_i in the update (PyG's NNConv); False: a bias only (DGL's)
    readout_input: str = "final"      # "final": hᵀ; "initial_and_final": [h⁰ ‖ hᵀ]
    sparsify: int = 0                 # > 0: Linear(readout → sparsify) + PReLU after Set2Set
    shared_encoder: bool = False      # one encoder for reactants and product

    @classmethod
    def from_params(cls, params: dict) -> "GraphEncoderSettings":
        """The settings a config entry gives (its other keys ignored), defaults for the rest."""
        return cls(**{f.name: params[f.name] for f in fields(cls) if f.name in params})


class EdgeConditionedConv(nn.Module):
    """NNConv (Gilmer et al.): h_i' = W_root h_i + b + Σ_{j→i} W(e_ji) h_j, W(e) from an edge network
    (without `root_weight`: h_i' = b + Σ_{j→i} W(e_ji) h_j, DGL's NNConv as Kwon et al. use it).

    W(e) depends only on the bond's features, and a molecule set has a handful of distinct bond
    feature rows, so the edge network runs once per distinct row (not per edge) and each atom state is
    transformed once per bond kind. This is exactly NNConv with sum aggregation, only cheaper.
    """

    def __init__(self, hidden: int, bond_features: int, edge_hidden: int, root_weight: bool = True):
        super().__init__()
        self.hidden = hidden
        self.edge_net = (nn.Sequential(nn.Linear(bond_features, edge_hidden), nn.ReLU(),
                                       nn.Linear(edge_hidden, hidden * hidden)) if edge_hidden
                         else nn.Linear(bond_features, hidden * hidden))
        self.root = nn.Linear(hidden, hidden) if root_weight else None
        self.bias = None if root_weight else nn.Parameter(torch.zeros(hidden))  # DGL initialises it at 0

    def kind_weights(self, bond_kinds: torch.Tensor) -> torch.Tensor:
        return self.edge_net(bond_kinds).view(-1, self.hidden, self.hidden)

    def forward(self, h: torch.Tensor, graph: GraphBatch, weights: torch.Tensor) -> torch.Tensor:
        source, target = graph.edge_index
        transformed = torch.einsum("nh,khd->nkd", h, weights)  # each atom under each bond kind
        messages = transformed[source, graph.bond_kind]
        start = self.root(h) if self.root is not None else self.bias.expand_as(h)
        return start.index_add(0, target, messages)


def segment_softmax(scores: torch.Tensor, segment: torch.Tensor, n_segments: int) -> torch.Tensor:
    """Softmax of `scores` within each segment (atoms of one molecule)."""
    maxima = torch.full((n_segments,), float("-inf"), dtype=scores.dtype)
    maxima = maxima.scatter_reduce(0, segment, scores, reduce="amax", include_self=True)
    exp = torch.exp(scores - maxima[segment])
    totals = torch.zeros(n_segments, dtype=scores.dtype).index_add(0, segment, exp)
    return exp / totals[segment]


class Set2Set(nn.Module):
    """Set2Set readout (Vinyals et al. 2016): LSTM-driven attention over a molecule's atoms, output 2×hidden."""

    def __init__(self, hidden: int, steps: int):
        super().__init__()
        self.hidden, self.steps = hidden, steps
        self.lstm = nn.LSTMCell(2 * hidden, hidden)

    def forward(self, h: torch.Tensor, segment: torch.Tensor, n_segments: int) -> torch.Tensor:
        q_star = h.new_zeros(n_segments, 2 * self.hidden)
        state = (h.new_zeros(n_segments, self.hidden), h.new_zeros(n_segments, self.hidden))
        for _ in range(self.steps):
            state = self.lstm(q_star, state)
            query = state[0]
            attention = segment_softmax((h * query[segment]).sum(-1), segment, n_segments)
            readout = torch.zeros_like(query).index_add(0, segment, attention.unsqueeze(-1) * h)
            q_star = torch.cat([query, readout], dim=-1)
        return q_star


class MoleculeEncoder(nn.Module):
    """Atom embedding → `steps` × (edge-conditioned conv, ReLU, GRU update, shared weights) → Set2Set
    (over the last states, or over [initial ‖ last]) → optionally a PReLU projection (`sparsify`)."""

    def __init__(self, atom_features: int, bond_features: int, settings: GraphEncoderSettings):
        super().__init__()
        hidden = settings.hidden
        self.embed = nn.Linear(atom_features, hidden)
        self.conv = EdgeConditionedConv(hidden, bond_features, settings.edge_hidden, settings.root_weight)
        self.gru = nn.GRUCell(hidden, hidden)
        self.with_initial = settings.readout_input == "initial_and_final"
        readout_width = 2 * hidden if self.with_initial else hidden
        self.readout = Set2Set(readout_width, settings.set2set_steps)
        self.steps = settings.steps
        self.sparsify = (nn.Sequential(nn.Linear(2 * readout_width, settings.sparsify), nn.PReLU())
                         if settings.sparsify else None)
        self.out_features = settings.sparsify or 2 * readout_width

    def forward(self, graph: GraphBatch) -> torch.Tensor:
        """Embeddings of every molecule in `graph`: (n_molecules, out_features)."""
        h = initial = torch.relu(self.embed(graph.atoms))
        weights = self.conv.kind_weights(graph.bond_kinds)  # once per forward, shared by all steps
        for _ in range(self.steps):
            h = self.gru(torch.relu(self.conv(h, graph, weights)), h)
        states = torch.cat([initial, h], dim=-1) if self.with_initial else h
        embedding = self.readout(states, graph.atom_molecule, graph.n_molecules)
        return embedding if self.sparsify is None else self.sparsify(embedding)


class ReactionGraphEncoder(nn.Module):
    """[Σ_{m∈reactants} φ(m), ψ(product)]: Deep Sets sum over the reactant set, and the product by a
    separate encoder ψ, or by φ itself where the encoder is `shared` (Kwon et al.).

    Each encoder embeds every unique molecule of the dataset once per call; reactions gather their
    molecules through a (reactions × molecules) count matrix, so reactant order cannot matter.
    `make_encoder()` builds one molecule encoder (a module with `out_features`, graph → embeddings).
    """

    def __init__(self, make_encoder: Callable[[], nn.Module], shared: bool = False):
        super().__init__()
        self.reactant_encoder = make_encoder()
        self.product_encoder = None if shared else make_encoder()
        self.out_features = 2 * self.reactant_encoder.out_features

    @classmethod
    def mpnn(cls, atom_features: int, bond_features: int, settings: GraphEncoderSettings) -> "ReactionGraphEncoder":
        """With the edge-conditioned MPNN + Set2Set molecule encoder (Kwon et al., UAM)."""
        return cls(lambda: MoleculeEncoder(atom_features, bond_features, settings), shared=settings.shared_encoder)

    def forward(self, graph: GraphBatch, reactants: torch.Tensor, products: torch.Tensor) -> torch.Tensor:
        """`reactants`: (batch, n_molecules) counts; `products`: (batch,) molecule index."""
        molecules = self.reactant_encoder(graph)
        product_embeddings = molecules if self.product_encoder is None else self.product_encoder(graph)
        return torch.cat([reactants @ molecules, product_embeddings[products]], dim=-1)


def reactant_matrix(reactant_pairs: np.ndarray, n_reactions: int, n_molecules: int) -> torch.Tensor:
    """(n_reactions, n_molecules) counts from (reaction, molecule) pairs: row r sums reaction r's reactant set."""
    counts = torch.zeros(n_reactions, n_molecules)
    pairs = torch.as_tensor(reactant_pairs)
    counts.index_put_((pairs[:, 0], pairs[:, 1]), torch.ones(len(pairs)), accumulate=True)
    return counts


def graph_inputs(bundle) -> tuple[GraphBatch, torch.Tensor, torch.Tensor]:
    """The graph, reactant count matrix and product indices of a feature bundle, as tensors."""
    graph = GraphBatch.from_arrays(bundle.atoms, bundle.atom_molecule, bundle.edge_index, bundle.bonds)
    counts = reactant_matrix(bundle.reactant_pairs, bundle.n_reactions, len(bundle.molecules))
    return graph, counts, torch.as_tensor(bundle.product_index)
