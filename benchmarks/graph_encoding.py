"""Benchmark: one graph-encoder training step on a 128-reaction batch, two ways.

* per unique molecule (what the models do): every distinct molecule of the dataset is encoded once and
  reactions gather their embeddings;
* per reaction (the naive way): each reaction's molecules are encoded as their own graphs.

Both must give the same reaction embeddings (within 1e-5); the script prints the times and their ratio.
Usage: python benchmarks/graph_encoding.py [--dataset bh] [--features results/paper/features/bh/features.npz]
"""

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from rxnyield.config import load_config
from rxnyield.data.reactions import load_reactions
from rxnyield.featurizers.bundle import FeatureBundle, featurize
from rxnyield.nn.mpnn import GraphBatch, GraphEncoderSettings, ReactionGraphEncoder, graph_inputs
from rxnyield.nn.device import creating_on, make_deterministic, torch_device

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--dataset", default="bh")
parser.add_argument("--features", type=Path)
parser.add_argument("--batch", type=int, default=128)
parser.add_argument("--repeats", type=int, default=5)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()

config = load_config("config/config.yaml")
spec = config["datasets"][args.dataset]
bundle = (FeatureBundle.load(args.features) if args.features
          else featurize(load_reactions(args.dataset, spec), spec))
device = torch_device()  # RXNYIELD_DEVICE=cpu forces the CPU on a GPU machine
make_deterministic(args.threads, device)
creating_on(device).__enter__()  # for the rest of the script, as the models create their tensors
torch.manual_seed(0)
sizes = config["pretraining"]["graph"]
encoder = ReactionGraphEncoder.mpnn(bundle.atoms.shape[1], bundle.bonds.shape[1], GraphEncoderSettings.from_params(sizes))
batch = np.random.default_rng(0).choice(bundle.n_reactions, args.batch, replace=False)
graph, counts, products = graph_inputs(bundle)
batch_tensor = torch.as_tensor(batch)

# Per reaction: reaction r's reactant molecules and its product, each as a separate graph.
pairs = bundle.reactant_pairs[np.isin(bundle.reactant_pairs[:, 0], batch)]
owner = torch.as_tensor(np.searchsorted(np.sort(batch), pairs[:, 0]))
order = torch.as_tensor(np.argsort(np.argsort(batch)))  # batch position of each sorted reaction
per_reaction_reactants = GraphBatch.from_arrays(*bundle.molecule_graphs(pairs[:, 1]))
per_reaction_products = GraphBatch.from_arrays(*bundle.molecule_graphs(bundle.product_index[batch]))


def unique_step():
    return encoder(graph, counts[batch_tensor], products[batch_tensor])


def per_reaction_step():
    molecules = encoder.reactant_encoder(per_reaction_reactants)
    summed = torch.zeros(len(batch), molecules.shape[1]).index_add(0, owner, molecules)[order]
    return torch.cat([summed, encoder.product_encoder(per_reaction_products)], dim=-1)


def timed(step):
    times = []
    for _ in range(args.repeats):
        encoder.zero_grad()
        start = time.perf_counter()
        out = step()
        out.square().sum().backward()
        if device.type == "cuda":
            torch.cuda.synchronize()  # kernels run asynchronously: wait before reading the clock
        times.append(time.perf_counter() - start)
    return out.detach(), float(np.median(times))


unique_out, unique_s = timed(unique_step)
naive_out, naive_s = timed(per_reaction_step)
difference = (unique_out - naive_out).abs().max().item()
assert difference < 1e-5, f"the two encodings differ by {difference}"
print(f"dataset {args.dataset}: {len(bundle.molecules)} unique molecules, batch of {args.batch} reactions "
      f"({len(pairs)} reactant graphs + {args.batch} product graphs per reaction-wise step), {args.threads} threads, "
      f"device {device}")
print(f"per unique molecule: {unique_s * 1000:.1f} ms per training step (forward + backward, median of "
      f"{args.repeats})")
print(f"per reaction:        {naive_s * 1000:.1f} ms per training step")
print(f"speed-up: {naive_s / unique_s:.1f}x; max |difference| of reaction embeddings {difference:.2e}")
