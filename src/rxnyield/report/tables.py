"""LaTeX tables (booktabs) of the summaries; the best value per column is marked by rule, not by hand."""

from __future__ import annotations

import pandas as pd

from rxnyield.config import dataset_models, model_splits
from rxnyield.report.variables import mean_std

COLUMNS = (("r2", "mean_std", r"$R^2$ mean $\pm$ std", 3), ("r2", "trimean_iqr", r"$R^2$ trimean [IQR]", 3),
           ("mae", "trimean_iqr", r"MAE trimean [IQR]", 2), ("rmse", "trimean_iqr", r"RMSE trimean [IQR]", 2))
HIGHER_IS_BETTER = {"r2": True, "mae": False, "rmse": False}


def cell(row: pd.Series, kind: str, digits: int, best: bool) -> str:
    if kind == "mean_std":
        text = mean_std(row, digits)
        lead = f"{row['mean']:.{digits}f}"
    else:
        text = f"{row['trimean']:.{digits}f} [{row['iqr']:.{digits}f}]"
        lead = f"{row['trimean']:.{digits}f}"
    return text.replace(lead, f"\\textbf{{{lead}}}", 1) if best else text


def results_table(config: dict, summary: pd.DataFrame) -> str:
    """All models × datasets; bold marks the best mean (mean ± std column) or trimean (robust columns)."""
    lines = [r"\begin{tabular}{l" + "r" * len(COLUMNS) + "}", r"\toprule",
             "Model & " + " & ".join(h for _, _, h, _ in COLUMNS) + r" \\"]
    for dataset, spec in config["datasets"].items():
        models = dataset_models(config, dataset)
        lines += [r"\midrule", rf"\multicolumn{{{len(COLUMNS) + 1}}}{{l}}{{\emph{{{spec['title']}}} "
                  rf"({len(spec['splits'])} splits)}} \\"]
        rows = {m: {k: summary[(summary["dataset"] == dataset) & (summary["model"] == m) & (summary["metric"] == k)]
                    .iloc[0] for k in HIGHER_IS_BETTER} for m in models}
        best = {}
        for metric, kind, _, _ in COLUMNS:
            statistic = "mean" if kind == "mean_std" else "trimean"
            values = {m: rows[m][metric][statistic] for m in models}
            pick = max if HIGHER_IS_BETTER[metric] else min
            best[(metric, kind)] = pick(values, key=values.get)
        for model in models:
            cells = [cell(rows[model][metric], kind, digits, best[(metric, kind)] == model)
                     for metric, kind, _, digits in COLUMNS]
            label = config["models"][model]["label"]
            n_splits = len(model_splits(config, model, dataset))
            if n_splits < len(spec["splits"]):
                label += f" ({n_splits} split{'s' if n_splits > 1 else ''})"
            lines.append(label + " & " + " & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"
