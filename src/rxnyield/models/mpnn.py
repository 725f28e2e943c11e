"""Graph-only reaction model: MPNN embeddings of the reactant set (summed) and of the product.

After Kwon et al. (J. Cheminform. 14:2, 2022; seokhokang/reaction_yield_nn `model.py`): ŷ =
head([Σ_{m∈reactants} φ(m), ψ(product)]), with a mean and a log-variance output trained with the
heteroscedastic loss. The reactant sum is the Deep Sets form ρ(Σφ(x)), so the prediction cannot depend on
the order in which reactants are listed. The encoder's shape (`GraphEncoderSettings`), the head's
activation and the optimisation (`TrainingSettings`) are config keys: the `mpnn` entry gives Kwon's. So are
the atom and bond features (`graph_features`): the repository's, featurized with the dataset, or Kwon et al.'s
(`rxnyield.featurizers.kwon`, computed on the same graphs when the model is fitted).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from rxnyield.featurizers.bundle import FeatureBundle
from rxnyield.featurizers.kwon import with_kwon_features
from rxnyield.models.torch_trainer import TorchTrainer
from rxnyield.nn.heads import DEFAULT_ACTIVATION, regression_head
from rxnyield.nn.losses import combined_loss
from rxnyield.nn.mpnn import GraphBatch, GraphEncoderSettings, ReactionGraphEncoder, graph_inputs


class ReactionMPNN(nn.Module):
    def __init__(self, atom_features: int, bond_features: int, params: dict):
        super().__init__()
        self.encoder = ReactionGraphEncoder.mpnn(atom_features, bond_features, GraphEncoderSettings.from_params(params))
        self.head = regression_head(self.encoder.out_features, params["head_hidden"], params["dropout"],
                                    activation=params.get("head_activation", DEFAULT_ACTIVATION))

    def forward(self, graph: GraphBatch, reactants: torch.Tensor, products: torch.Tensor):
        """Returns μ and log σ² (standardized units)."""
        mean, log_variance = self.head(self.encoder(graph, reactants, products)).unbind(-1)
        return mean, log_variance


GRAPH_FEATURES = {"repository": lambda bundle: bundle, "kwon": with_kwon_features}


def graph_features(bundle: FeatureBundle, params: dict) -> FeatureBundle:
    """The bundle with the atom and bond features the entry names (`graph_features`, default the repository's)."""
    return GRAPH_FEATURES[params.get("graph_features", "repository")](bundle)


class MPNNModel(TorchTrainer):
    """Trains `ReactionMPNN` on standardized yields; predicts yield ± σ in percent."""

    BUNDLE_STATE = ("graph", "reactants", "products")

    def build(self, bundle: FeatureBundle, train_idx: np.ndarray) -> nn.Module:
        featured = graph_features(bundle, self.params)
        return ReactionMPNN(featured.atoms.shape[1], featured.bonds.shape[1], self.params)

    def prepare(self, bundle: FeatureBundle) -> None:
        self.graph, self.reactants, self.products = graph_inputs(graph_features(bundle, self.params))

    def forward(self, idx: torch.Tensor):
        return self.network(self.graph, self.reactants[idx], self.products[idx])

    def loss(self, outputs, target: torch.Tensor) -> torch.Tensor:
        mean, log_variance = outputs
        return combined_loss(mean, log_variance, target, self.params["mse_weight"], self.params["uncertainty_weight"])

    def point_and_spread(self, outputs) -> tuple[torch.Tensor, torch.Tensor]:
        mean, log_variance = outputs
        return mean, torch.exp(0.5 * log_variance)
