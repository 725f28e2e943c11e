"""Deep merge of configuration mappings: a profile's overlay onto the base config, and a model's own
pre-training overrides onto the shared settings."""

from __future__ import annotations

import copy


def merge(base: dict, override: dict) -> dict:
    """Deep merge: mappings merge key by key, anything else in `override` replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
