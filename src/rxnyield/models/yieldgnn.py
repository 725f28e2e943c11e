"""YieldGNN (Saebi et al., Chem. Sci. 14:4997, 2023), reconstructed from the paper's description.

What the paper describes and is kept: a Weisfeiler-Lehman network embeds each molecule of the reaction,
the embeddings are pooled into a reaction vector and combined with reaction-level chemical features,
and a feed-forward network regresses the yield (MSE). What is ours, because the paper leaves it open
or the code is not public in a usable form: the reactant embeddings are *summed* (Deep Sets, order-free)
and the product is embedded separately (as in our other graph models); the chemical features are the
dataset's human features (Ahneman DFT for BH, Mordred for SM), standardized on the training set and
projected by one linear layer, without the paper's feature selection; sizes come from the config.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from rxnyield.featurizers.bundle import FeatureBundle
from rxnyield.models.torch_trainer import FeatureScaler, PointTrainer
from rxnyield.nn.heads import regression_head
from rxnyield.nn.mpnn import GraphBatch, ReactionGraphEncoder, graph_inputs
from rxnyield.nn.wln import WLNEncoder


class ReactionWLN(nn.Module):
    def __init__(self, atom_features: int, bond_features: int, n_features: int, params: dict):
        super().__init__()
        self.encoder = ReactionGraphEncoder(
            lambda: WLNEncoder(atom_features, bond_features, params["hidden"], params["steps"]))
        self.features = nn.Sequential(nn.Linear(n_features, params["feature_out"]), nn.ReLU())
        self.head = regression_head(self.encoder.out_features + params["feature_out"], params["head_hidden"],
                                    params["dropout"], outputs=1)

    def forward(self, graph: GraphBatch, reactants: torch.Tensor, products: torch.Tensor,
                features: torch.Tensor) -> torch.Tensor:
        fused = torch.cat([self.encoder(graph, reactants, products), self.features(features)], dim=-1)
        return self.head(fused).squeeze(-1)


class YieldGNNModel(PointTrainer):
    BUNDLE_STATE = ("graph", "reactants", "products", "features")

    def build(self, bundle: FeatureBundle, train_idx: np.ndarray) -> nn.Module:
        table = bundle.human[self.params["features"]]
        self.scaler = FeatureScaler.fit(table[train_idx])
        return ReactionWLN(bundle.atoms.shape[1], bundle.bonds.shape[1], table.shape[1], self.params)

    def prepare(self, bundle: FeatureBundle) -> None:
        self.graph, self.reactants, self.products = graph_inputs(bundle)
        self.features = self.scaler.tensor(bundle.human[self.params["features"]])

    def forward(self, idx: torch.Tensor):
        return self.network(self.graph, self.reactants[idx], self.products[idx], self.features[idx])
