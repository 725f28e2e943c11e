"""Loading, validating and splitting the shipped HTE reaction data."""

from rxnyield.data.reactions import ReactionSet, load_reactions, load_split, split_molecules

__all__ = ["ReactionSet", "load_reactions", "load_split", "split_molecules"]
