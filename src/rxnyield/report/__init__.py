"""From per-split runs to the manuscript: aggregation, tables, variables and figures."""
