"""Contrastive pre-training of the graph and SMILES encoders (the UAM paper's first stage).

Both encoders see every reaction of a dataset, without yields, and learn to map the two views of the
same reaction close together (symmetric InfoNCE). A random `validation_fraction` of the reactions
(90/10 in the paper) is held out to report the loss on unseen pairs. The checkpoint holds the
tokenizer vocabulary, the sizes and the weights, so downstream models rebuild the exact encoders.

Seeing the test reactions' structures is transductive. Where that matters (Ahneman's unseen-additive
tests), the pre-training is restricted to one split's training reactions (`pretraining_rows`): the
vocabulary and the weights then come from those alone, and tokens only held-out reactions use are [UNK].
The positional table still covers the longest reaction of the bundle (a size, not a learned value:
positions no pre-training reaction reaches stay at their initialisation), so every reaction can be encoded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from rxnyield.featurizers.bundle import FeatureBundle
from rxnyield.featurizers.smiles import SmilesTokenizer, reaction_sequence
from rxnyield.nn.losses import info_nce
from rxnyield.nn.mpnn import GraphEncoderSettings, ReactionGraphEncoder, graph_inputs
from rxnyield.nn.transformer import SequenceEncoderSettings, SmilesEncoder, pad
from rxnyield.nn.device import creating_on, make_deterministic, torch_device


def bundle_sequences(bundle: FeatureBundle) -> list[str]:
    """Canonical reaction SMILES (sorted reactant set) of every reaction of a bundle."""
    members: list[list[str]] = [[] for _ in range(bundle.n_reactions)]
    for reaction, molecule in bundle.reactant_pairs:
        members[reaction].append(str(bundle.molecules[molecule]))
    return [reaction_sequence(m, str(bundle.molecules[p])) for m, p in zip(members, bundle.product_index)]


class ReactionEncoders(nn.Module):
    """The two views: graph encoder (+ projection for the contrastive space) and SMILES encoder."""

    def __init__(self, atom_features: int, bond_features: int, vocabulary_size: int, max_length: int,
                 settings: dict):
        super().__init__()
        graph, sequence, width = settings["graph"], settings["sequence"], settings["out_features"]
        self.graph = ReactionGraphEncoder.mpnn(atom_features, bond_features, GraphEncoderSettings.from_params(graph))
        self.graph_projection = nn.Linear(self.graph.out_features, width)
        self.sequence = SmilesEncoder(vocabulary_size, max_length, SequenceEncoderSettings.from_params(sequence),
                                      width)


class EncoderInputs:
    """Tensors both encoders read for a bundle: graph, reactant counts, products and padded token ids."""

    def __init__(self, bundle: FeatureBundle, tokenizer: SmilesTokenizer):
        self.graph, self.reactants, self.products = graph_inputs(bundle)
        encoded = tokenizer.encode_batch(bundle_sequences(bundle))
        self.tokens = pad(encoded)
        self.lengths = torch.as_tensor([len(e) for e in encoded])

    def graph_embedding(self, encoders: ReactionEncoders, idx: torch.Tensor) -> torch.Tensor:
        return encoders.graph(self.graph, self.reactants[idx], self.products[idx])

    def sequence_embedding(self, encoders: ReactionEncoders, idx: torch.Tensor) -> torch.Tensor:
        return encoders.sequence(self.tokens[idx, : int(self.lengths[idx].max())])


def new_encoders(bundle: FeatureBundle, tokenizer: SmilesTokenizer, max_length: int, settings: dict):
    return ReactionEncoders(bundle.atoms.shape[1], bundle.bonds.shape[1], len(tokenizer.vocabulary), max_length,
                            settings)


def pretraining_rows(resolved: dict, bundle: FeatureBundle, root: Path = Path(".")) -> np.ndarray | None:
    """The bundle rows a pre-training job may see: None (every reaction) unless its resolved settings name a
    split (`rxnyield.config.pretrain_settings`), then that split's training reactions only, as `rxnyield.job`
    picks them."""
    if "split" not in resolved:
        return None
    from rxnyield.data.reactions import load_reactions, load_split

    reactions = load_reactions(resolved["dataset"], resolved["dataset_spec"], root)
    if not np.array_equal(reactions.ids, bundle.ids):
        raise ValueError(f"the features were built from another reaction table than "
                         f"{resolved['dataset_spec']['reactions']}")
    train, _ = load_split(resolved["dataset_spec"], resolved["split"], reactions, root)
    return train


def pretrain(bundle: FeatureBundle, settings: dict, seeds: dict, threads: int, rows: np.ndarray | None = None) -> dict:
    """Train both encoders with InfoNCE on the reactions `rows` of a bundle (default: all of them); return the
    checkpoint dictionary."""
    device = torch_device()
    make_deterministic(threads, device)
    torch.manual_seed(seeds["torch"])
    with creating_on(device):
        return pretrain_on_device(bundle, settings, seeds, rows)


def pretrain_on_device(bundle: FeatureBundle, settings: dict, seeds: dict, rows: np.ndarray | None = None) -> dict:
    rows = np.arange(bundle.n_reactions) if rows is None else np.asarray(rows, dtype=np.int64)
    sequences = bundle_sequences(bundle)
    tokenizer = SmilesTokenizer.build(sequences[i] for i in rows)
    inputs = EncoderInputs(bundle, tokenizer)
    max_length = int(inputs.lengths.max())  # every reaction of the bundle fits (see the module's docstring)
    encoders = new_encoders(bundle, tokenizer, max_length, settings)
    rng = np.random.default_rng(seeds["data"])
    order = rows[rng.permutation(len(rows))]
    n_validation = int(round(settings["validation_fraction"] * len(rows)))
    validation, train = torch.as_tensor(order[:n_validation]), order[n_validation:]
    optimizer = torch.optim.AdamW(encoders.parameters(), lr=settings["lr"], weight_decay=settings["weight_decay"])
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=settings["epochs"])

    def loss_of(idx: torch.Tensor) -> torch.Tensor:
        graph = encoders.graph_projection(inputs.graph_embedding(encoders, idx))
        return info_nce(graph, inputs.sequence_embedding(encoders, idx), settings["temperature"])

    def held_out_loss(idx: torch.Tensor) -> float:
        size = settings["batch_size"]
        losses = [loss_of(idx[s:s + size]).item() for s in range(0, len(idx), size) if len(idx[s:s + size]) > 1]
        return float(np.mean(losses)) if losses else float("nan")

    history = {"train_loss": [], "validation_loss": []}
    progress = tqdm(range(settings["epochs"]), desc="contrastive pre-training", unit="epoch", disable=None)
    for _ in progress:
        encoders.train()
        shuffled = torch.as_tensor(rng.permutation(train))
        total = 0.0
        for start in range(0, len(shuffled), settings["batch_size"]):
            batch = shuffled[start:start + settings["batch_size"]]
            if len(batch) < 2:  # InfoNCE needs negatives
                continue
            optimizer.zero_grad()
            loss = loss_of(batch)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        schedule.step()
        encoders.eval()
        with torch.no_grad():
            validation_loss = held_out_loss(validation)
        history["train_loss"].append(total / len(train))
        history["validation_loss"].append(validation_loss)
        progress.set_postfix(loss=f"{history['train_loss'][-1]:.4f}", val=f"{validation_loss:.4f}")
    return {"settings": settings, "vocabulary": list(tokenizer.vocabulary), "max_length": max_length,
            "reactions": len(rows), "state": {k: v.cpu() for k, v in encoders.state_dict().items()},
            "history": history}


def save_checkpoint(checkpoint: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(checkpoint, path)


def load_checkpoint(path: Path) -> dict:
    return torch.load(path, map_location="cpu", weights_only=True)
