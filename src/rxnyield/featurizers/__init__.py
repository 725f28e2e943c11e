"""Molecule and reaction featurizers, and the per-dataset feature bundle every training job reuses."""
