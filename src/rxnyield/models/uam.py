"""UAM (Chen et al., AAAI 38:8274, 2024): graph, SMILES and human-feature views fused into μ and σ.

[Σ reactant graphs, product graph] ‖ SMILES-transformer embedding ‖ MoE(human features) → MLP → μ, log σ².
Two forms, both switches of `params`: the one the paper describes (encoders from contrastive pre-training,
`rxnyield.pretrain`, frozen: evaluated once per fit and their embeddings cached; one MoE layer,
`feature_encoder: mixture`) and the one the authors' code trains (no checkpoint loaded, every weight
trained end to end, their stacked sparse-MoE feature encoder, `feature_encoder: stacked`). Loss:
mse_weight·MSE + uncertainty_weight·L_u + aux_weight·(MoE balance loss), 0.9/0.1/0.01 in the authors'
code (whose MoE package scales its balance loss by another 0.01). Every ablation of the paper is a switch
of `params`, not a code path of its own.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from rxnyield.featurizers.bundle import FeatureBundle
from rxnyield.featurizers.smiles import SmilesTokenizer
from rxnyield.models.torch_trainer import FeatureScaler, TorchTrainer
from rxnyield.nn.heads import DEFAULT_ACTIVATION, regression_head
from rxnyield.nn.losses import heteroscedastic_loss
from rxnyield.nn.moe import DenseFeatures, MixtureOfExperts, StackedFeatures
from rxnyield.pretrain import EncoderInputs, bundle_sequences, load_checkpoint, new_encoders

VIEWS = ("graph", "sequence", "human")


def human_encoder(params: dict, size: int) -> nn.Module:
    """The human-feature view's encoder; `moe: false` (w/o MoE) keeps only its dense layers."""
    if params["feature_encoder"] == "stacked":
        return StackedFeatures(size, params["expert_hidden"], params["human_out"],
                               params["sparse_layers"] if params["moe"] else 0, params["dense_layers"],
                               params["experts"], params["second_threshold"], params["feature_dropout"])
    if params["moe"]:
        return MixtureOfExperts(size, params["expert_hidden"], params["human_out"], params["experts"],
                                params["top_k"], params["dropout"])
    return DenseFeatures(size, params["expert_hidden"], params["human_out"], params["dropout"])


class UAMModel(TorchTrainer):
    BUNDLE_STATE = ("inputs", "human", "cache")

    def build(self, bundle: FeatureBundle, train_idx: np.ndarray) -> nn.Module:
        params = self.params
        self.views = [v for v in VIEWS if v in params["views"]]
        if params["pretrained"]:
            checkpoint = load_checkpoint(params["checkpoint"])
            tokenizer = SmilesTokenizer(tuple(checkpoint["vocabulary"]))
            settings, max_length = checkpoint["settings"], checkpoint["max_length"]
        else:  # randomly initialised encoders (the `w/o pre-training` control)
            tokenizer = SmilesTokenizer.build(bundle_sequences(bundle))
            settings, max_length = params["encoders"], None
        self.tokenizer = tokenizer
        longest = max(len(ids) for ids in tokenizer.encode_batch(bundle_sequences(bundle)))
        self.max_length = max_length or longest
        self.encoders = new_encoders(bundle, tokenizer, self.max_length, settings)
        if params["pretrained"]:
            self.encoders.load_state_dict(checkpoint["state"])
        self.frozen = params["freeze_encoders"]
        self.encoders.requires_grad_(not self.frozen)

        human = bundle.human[params["features"]]
        # The authors feed their summed fingerprint counts unscaled (`scale_features: false`).
        self.scaler = (FeatureScaler.fit(human[train_idx]) if params.get("scale_features", True)
                       else FeatureScaler.identity(human.shape[1]))
        width = 0
        if "graph" in self.views:
            width += self.encoders.graph.out_features
        if "sequence" in self.views:
            width += self.encoders.sequence.out_features
        feature_encoder = None
        if "human" in self.views:
            feature_encoder = human_encoder(params, human.shape[1])
            width += params["human_out"]
        outputs = 2 if params["uncertainty"] else 1
        head = regression_head(width, params["head_hidden"], params["dropout"], outputs,
                               params.get("head_activation", DEFAULT_ACTIVATION))
        return nn.ModuleDict({"encoders": self.encoders, "features": feature_encoder or nn.Identity(), "head": head})

    def prepare(self, bundle: FeatureBundle) -> None:
        self.inputs = EncoderInputs(bundle, self.tokenizer)
        longest = int(self.inputs.lengths.max())
        if longest > self.max_length:
            raise ValueError(f"a reaction has {longest} tokens; the encoder knows {self.max_length} positions")
        self.human = self.scaler.tensor(bundle.human[self.params["features"]])
        self.cache = self.encode_all() if self.frozen else None

    @torch.no_grad()
    def encode_all(self) -> dict[str, torch.Tensor]:
        """Embeddings of every reaction under the (frozen, evaluation-mode) encoders, in batches."""
        self.encoders.eval()
        every = torch.arange(len(self.inputs.tokens))
        chunks = every.split(256)
        return {"graph": torch.cat([self.inputs.graph_embedding(self.encoders, c) for c in chunks]),
                "sequence": torch.cat([self.inputs.sequence_embedding(self.encoders, c) for c in chunks])}

    def view(self, name: str, idx: torch.Tensor) -> torch.Tensor:
        if self.cache is not None:
            return self.cache[name][idx]
        embed = self.inputs.graph_embedding if name == "graph" else self.inputs.sequence_embedding
        return embed(self.encoders, idx)

    def forward(self, idx: torch.Tensor):
        parts = [self.view(v, idx) for v in ("graph", "sequence") if v in self.views]
        auxiliary = torch.zeros(())
        if "human" in self.views:
            encoded, auxiliary = self.network["features"](self.human[idx])
            parts.append(encoded)
        out = self.network["head"](torch.cat(parts, dim=-1))
        log_variance = out[:, 1] if self.params["uncertainty"] else None
        return out[:, 0], log_variance, auxiliary

    def loss(self, outputs, target: torch.Tensor) -> torch.Tensor:
        mean, log_variance, auxiliary = outputs
        loss = self.params["mse_weight"] * torch.mean((target - mean) ** 2)
        if log_variance is not None:
            loss = loss + self.params["uncertainty_weight"] * heteroscedastic_loss(mean, log_variance, target)
        return loss + self.params["aux_weight"] * auxiliary

    def point_and_spread(self, outputs):
        mean, log_variance, _ = outputs
        return mean, None if log_variance is None else torch.exp(0.5 * log_variance)

