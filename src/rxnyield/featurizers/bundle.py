"""Everything a training job needs about a dataset, computed once per dataset and saved as one `.npz`.

Each *unique* molecule (reactant side and products) is featurized once; reactions refer to molecules by
index. A reaction's reactants are stored as a set of (reaction, molecule) pairs, never as an ordered
list, which is what makes every model built on it invariant to reactant order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rxnyield.data.reactions import ReactionSet
from rxnyield.featurizers.descriptors import MOLECULE_DESCRIPTORS, ahneman_dft
from rxnyield.featurizers.graph import GraphFeaturizer
from rxnyield.featurizers.reaction import drfp, ecfp, one_hot
from rxnyield.featurizers.smiles import reaction_sequence


@dataclass(frozen=True)
class FeatureBundle:
    molecules: np.ndarray        # (n_mol,) SMILES of every unique molecule
    atoms: np.ndarray            # (n_atoms, atom features) of all molecules, concatenated
    atom_molecule: np.ndarray    # (n_atoms,) molecule index of each atom
    edge_index: np.ndarray       # (2, n_edges) into `atoms`
    bonds: np.ndarray            # (n_edges, bond features)
    reactant_pairs: np.ndarray   # (n_pairs, 2) rows of (reaction, molecule): the reactant sets
    product_index: np.ndarray    # (n_rxn,) molecule index of each reaction's product
    ids: np.ndarray              # (n_rxn,) dataset reaction ids, in reaction-table order
    yields: np.ndarray           # (n_rxn,) yield in percent
    human: dict[str, np.ndarray]  # feature-set name -> (n_rxn, n_features)

    @property
    def n_reactions(self) -> int:
        return len(self.ids)

    def molecule_graphs(self, molecules) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(atoms, atom_molecule, edge_index, bonds) of the listed molecules, repeats allowed, as one graph.

        Graph k of the result is molecule `molecules[k]`; used to encode per reaction instead of per
        unique molecule (the benchmark's baseline).
        """
        atoms, owners, edges, bonds, offset = [], [], [], [], 0
        for k, molecule in enumerate(molecules):
            atom_rows = np.flatnonzero(self.atom_molecule == molecule)
            edge_rows = np.flatnonzero(np.isin(self.edge_index[0], atom_rows))
            atoms.append(self.atoms[atom_rows])
            owners.append(np.full(len(atom_rows), k))
            edges.append(self.edge_index[:, edge_rows] - atom_rows[0] + offset)
            bonds.append(self.bonds[edge_rows])
            offset += len(atom_rows)
        return np.concatenate(atoms), np.concatenate(owners), np.concatenate(edges, axis=1), np.concatenate(bonds)

    def save(self, path: Path) -> None:
        arrays = {k: v for k, v in self.__dict__.items() if k != "human"}
        arrays.update({f"human_{name}": values for name, values in self.human.items()})
        with open(path, "wb") as handle:
            np.savez_compressed(handle, **arrays)

    @classmethod
    def load(cls, path: Path) -> "FeatureBundle":
        with np.load(path, allow_pickle=False) as data:
            fields = {k: data[k] for k in data.files if not k.startswith("human_")}
            human = {k.removeprefix("human_"): data[k] for k in data.files if k.startswith("human_")}
        return cls(**fields, human=human)


def featurize(reactions: ReactionSet, spec: dict, root: Path = Path("."), control_seed: int = 0,
              graph_featurizer: GraphFeaturizer | None = None) -> FeatureBundle:
    """Graphs of the unique molecules, reactant sets, and every human feature set the dataset supports.

    `control_seed` draws the random stand-ins of the DFT descriptors (feature set `dft_random`).
    """
    graph_featurizer = graph_featurizer or GraphFeaturizer()
    molecules = sorted(set().union(*reactions.reactants) | set(reactions.products))
    index = {smiles: i for i, smiles in enumerate(molecules)}
    graphs = [graph_featurizer(smiles) for smiles in molecules]
    offsets = np.cumsum([0] + [len(g.atoms) for g in graphs])
    pairs = np.array([(r, index[m]) for r, mols in enumerate(reactions.reactants) for m in mols], dtype=np.int64)
    product_index = np.array([index[p] for p in reactions.products], dtype=np.int64)

    human = {}
    for name, describe in MOLECULE_DESCRIPTORS.items():
        # Reaction-level features: Σ over the reactant set (order-free) next to the product's descriptors.
        descriptors = describe(molecules).to_numpy()
        summed = np.zeros((len(reactions), descriptors.shape[1]))
        np.add.at(summed, pairs[:, 0], descriptors[pairs[:, 1]])
        human[name] = np.hstack([summed, descriptors[product_index]])
    human["onehot"] = one_hot(pairs, len(reactions), len(molecules))
    human["ecfp"] = ecfp(molecules, pairs, product_index)
    human["drfp"] = drfp([reaction_sequence(r, p) for r, p in zip(reactions.reactants, reactions.products)])
    if spec.get("descriptor_tables"):
        human["dft"] = ahneman_dft(reactions.table, spec["descriptor_tables"], root)
        human["dft_random"] = ahneman_dft(reactions.table, spec["descriptor_tables"], root, random_seed=control_seed)

    return FeatureBundle(
        molecules=np.array(molecules),
        atoms=np.concatenate([g.atoms for g in graphs]),
        atom_molecule=np.repeat(np.arange(len(graphs)), [len(g.atoms) for g in graphs]),
        edge_index=np.concatenate([g.edge_index + offsets[i] for i, g in enumerate(graphs)], axis=1),
        bonds=np.concatenate([g.bonds for g in graphs]),
        reactant_pairs=pairs,
        product_index=product_index,
        ids=reactions.ids,
        yields=reactions.yields,
        human=human,
    )
