"""rxnyield: data, featurizers, models, training and statistics behind the UAM journal-club paper."""

__version__ = "0.1.0"
