"""Graph-only reaction model: MPNN embeddings of the reactant set (summed) and of the product.

After Kwon et al. (J. Cheminform. 14:2, 2022): ŷ = head([Σ_{m∈reactants} φ(m), ψ(product)]), with a
mean and a log-variance output trained with the heteroscedastic loss. The reactant sum is the Deep
Sets form ρ(Σφ(x)), so the prediction cannot depend on the order in which reactants are listed.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from rxnyield.featurizers.bundle import FeatureBundle
from rxnyield.nn.losses import combined_loss
from rxnyield.nn.mpnn import GraphBatch, MoleculeEncoder
from rxnyield.train import TorchTrainer


def reactant_matrix(bundle: FeatureBundle) -> torch.Tensor:
    """(n_reactions, n_molecules) counts: row r sums the embeddings of reaction r's reactant set."""
    counts = torch.zeros(bundle.n_reactions, len(bundle.molecules))
    pairs = torch.as_tensor(bundle.reactant_pairs)
    counts.index_put_((pairs[:, 0], pairs[:, 1]), torch.ones(len(pairs)), accumulate=True)
    return counts


class ReactionMPNN(nn.Module):
    def __init__(self, atom_features: int, bond_features: int, params: dict):
        super().__init__()
        encoder_args = dict(atom_features=atom_features, bond_features=bond_features, hidden=params["hidden"],
                            edge_hidden=params["edge_hidden"], steps=params["steps"],
                            set2set_steps=params["set2set_steps"])
        self.reactant_encoder = MoleculeEncoder(**encoder_args)
        self.product_encoder = MoleculeEncoder(**encoder_args)
        width, hidden, dropout = 2 * self.reactant_encoder.out_features, params["head_hidden"], params["dropout"]
        self.head = nn.Sequential(
            nn.Linear(width, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, 2),
        )

    def forward(self, graph: GraphBatch, reactants: torch.Tensor, products: torch.Tensor):
        """`reactants`: (batch, n_molecules) counts; `products`: (batch,) molecule index. Returns μ, log σ²."""
        molecules = self.reactant_encoder(graph)  # every unique molecule once per step
        reaction = torch.cat([reactants @ molecules, self.product_encoder(graph)[products]], dim=-1)
        mean, log_variance = self.head(reaction).unbind(-1)
        return mean, log_variance


class MPNNModel(TorchTrainer):
    """Trains `ReactionMPNN` on standardized yields; predicts yield ± σ in percent."""

    def build(self, bundle: FeatureBundle) -> nn.Module:
        self.graph = GraphBatch.from_arrays(bundle.atoms, bundle.atom_molecule, bundle.edge_index, bundle.bonds)
        self.reactants = reactant_matrix(bundle)
        self.products = torch.as_tensor(bundle.product_index)
        return ReactionMPNN(bundle.atoms.shape[1], bundle.bonds.shape[1], self.params)

    def forward(self, idx: torch.Tensor):
        return self.network(self.graph, self.reactants[idx], self.products[idx])

    def loss(self, outputs, target: torch.Tensor) -> torch.Tensor:
        mean, log_variance = outputs
        return combined_loss(mean, log_variance, target, self.params["mse_weight"], self.params["uncertainty_weight"])

    def point_and_spread(self, outputs) -> tuple[torch.Tensor, torch.Tensor]:
        mean, log_variance = outputs
        return mean, torch.exp(0.5 * log_variance)
