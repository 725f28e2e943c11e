"""Yield-BERT (Schwaller et al., Mach. Learn.: Sci. Technol. 2:015016, 2021): a reaction BERT, fine-tuned.

The encoder is rxnfp's pretrained reaction BERT (`bert_pretrained`: 12 layers, width 256, 4 heads),
loaded offline from the files inside the installed `rxnfp` wheel with Hugging Face transformers; nothing
is fetched from a hub. The reaction SMILES (sorted reactant set, so order-free) is tokenized with the
atom-level regex into rxnfp's vocabulary; the [CLS] pooler output goes through dropout and a linear
layer to the standardized yield, trained with MSE, as in the authors' fine-tuning. No σ.

`bert_dropout` is BERT's own `hidden_dropout_prob`, the dropout after every embedding, attention output and
feed-forward layer: the authors set it to their tuned 0.7987 (rxn_yields trained_models/*/config.json,
model_args.json `"config": {"hidden_dropout_prob": 0.7987}`), which their classification head also uses.
Left out, BERT keeps the pretrained model's 0.1 and only the head drops at `dropout`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import numpy as np
import torch
from torch import nn

from rxnyield.featurizers.bundle import FeatureBundle
from rxnyield.featurizers.smiles import tokenize
from rxnyield.models.torch_trainer import PointTrainer
from rxnyield.nn.transformer import pad
from rxnyield.pretrain import bundle_sequences


def pretrained_bert_dir() -> Path:
    """The pretrained reaction BERT shipped in the rxnfp wheel (config.json, pytorch_model.bin, vocab.txt)."""
    path = Path(str(files("rxnfp") / "models" / "transformers" / "bert_pretrained"))
    if not (path / "config.json").exists():
        raise FileNotFoundError(f"{path}: rxnfp's pretrained BERT is missing; `make install` installs rxnfp")
    return path


class BertVocabulary:
    """rxnfp's vocabulary: one token per line; the reaction arrow `>>` is a single token there."""

    def __init__(self, path: Path):
        self.tokens = path.read_text().split("\n")
        self.index = {token: i for i, token in enumerate(self.tokens) if token}

    @staticmethod
    def tokens_of(sequence: str) -> list[str]:
        merged: list[str] = []
        for token in tokenize(sequence):
            if token == ">" and merged and merged[-1] == ">":
                merged[-1] = ">>"
            else:
                merged.append(token)
        return merged

    def unknown_tokens(self, sequence: str) -> list[str]:
        return sorted({t for t in self.tokens_of(sequence) if t not in self.index})

    def encode(self, sequence: str) -> list[int]:
        """[CLS] tokens [SEP] as ids; a token outside the vocabulary becomes [UNK]."""
        unknown = self.index["[UNK]"]
        return [self.index["[CLS]"], *(self.index.get(t, unknown) for t in self.tokens_of(sequence)),
                self.index["[SEP]"]]


class BertRegressor(nn.Module):
    def __init__(self, bert_dir: Path, dropout: float, layers: int | None = None, bert_dropout: float | None = None):
        """`layers`: keep only the first N pretrained transformer layers (a cheap smoke-test model);
        `bert_dropout`: BERT's hidden dropout (None: the pretrained config's)."""
        super().__init__()
        from transformers import BertModel
        from transformers.utils import logging

        logging.set_verbosity_error()  # the pretraining heads in the checkpoint are unused on purpose
        overrides = {} if bert_dropout is None else {"hidden_dropout_prob": bert_dropout}
        self.bert = BertModel.from_pretrained(bert_dir, **overrides)
        if layers is not None:
            self.bert.encoder.layer = self.bert.encoder.layer[:layers]
            self.bert.config.num_hidden_layers = layers
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(self.bert.config.hidden_size, 1)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        pooled = self.bert(input_ids=tokens, attention_mask=(tokens != 0).long()).pooler_output
        return self.output(self.dropout(pooled)).squeeze(-1)


class YieldBERTModel(PointTrainer):
    """Fine-tunes the whole BERT and the regression layer on standardized yields."""

    BUNDLE_STATE = ("tokens", "lengths")

    def build(self, bundle: FeatureBundle, train_idx: np.ndarray) -> nn.Module:
        bert_dir = pretrained_bert_dir()
        self.vocabulary = BertVocabulary(bert_dir / "vocab.txt")
        return BertRegressor(bert_dir, self.params["dropout"], self.params.get("layers"),
                             self.params.get("bert_dropout"))

    def prepare(self, bundle: FeatureBundle) -> None:
        encoded = [self.vocabulary.encode(s) for s in bundle_sequences(bundle)]
        self.tokens = pad(encoded)
        self.lengths = torch.as_tensor([len(e) for e in encoded])

    def forward(self, idx: torch.Tensor):
        return self.network(self.tokens[idx, : int(self.lengths[idx].max())])
