"""A SMILES tokenizer written for the project: regex tokens, a vocabulary built from the data.

The regex is the atom-level SMILES tokenization of Schwaller et al. (bracket atoms, two-letter halogens,
bonds, branches, ring closures). The vocabulary is saved with the model that uses it; nothing is
downloaded. A reaction is written with its reactant-side molecules sorted, so the same *set* of
reactants always gives the same sequence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SMILES_TOKEN = re.compile(
    r"(\[[^\]]+]|Br?|Cl?|N|O|S|P|F|I|b|c|n|o|s|p|\(|\)|\.|=|#|-|\+|\\|\/|:|~|@|\?|>|\*|\$|%[0-9]{2}|[0-9])")
PAD, UNK, CLS, SEP = "[PAD]", "[UNK]", "[CLS]", "[SEP]"
SPECIAL_TOKENS = (PAD, UNK, CLS, SEP)


def reaction_sequence(reactants, product: str) -> str:
    """Canonical reaction SMILES of a reactant set: molecules sorted, then `>>product`."""
    return ".".join(sorted(reactants)) + ">>" + product


def tokenize(smiles: str) -> list[str]:
    """Regex tokens of a SMILES string; refuses strings the regex does not cover completely."""
    tokens = SMILES_TOKEN.findall(smiles)
    if "".join(tokens) != smiles:
        raise ValueError(f"SMILES {smiles!r} has characters outside the tokenizer's grammar")
    return tokens


@dataclass(frozen=True)
class SmilesTokenizer:
    vocabulary: tuple[str, ...]  # special tokens first, then data tokens in sorted order

    @classmethod
    def build(cls, sequences) -> "SmilesTokenizer":
        tokens = sorted({token for sequence in sequences for token in tokenize(sequence)})
        return cls(SPECIAL_TOKENS + tuple(tokens))

    @property
    def index(self) -> dict[str, int]:
        return {token: i for i, token in enumerate(self.vocabulary)}

    def unknown_tokens(self, sequence: str) -> list[str]:
        index = self.index
        return sorted({t for t in tokenize(sequence) if t not in index})

    def encode(self, sequence: str) -> list[int]:
        """[CLS] tokens [SEP] as ids; unknown tokens become [UNK]."""
        index = self.index
        unknown = index[UNK]
        return [index[CLS], *(index.get(t, unknown) for t in tokenize(sequence)), index[SEP]]

    def decode(self, ids) -> str:
        return "".join(self.vocabulary[i] for i in ids if self.vocabulary[i] not in SPECIAL_TOKENS)

    def encode_batch(self, sequences) -> "list[list[int]]":
        return [self.encode(s) for s in sequences]
