"""LaTeX tables (booktabs) of the summaries; the best value per column is marked by rule, not by hand."""

from __future__ import annotations

import pandas as pd

from rxnyield.config import (ALL_REACTIONS, compared_models, headline_models, model_seeds, model_splits,
                             needs_pretraining, pretraining_scope, random_split_datasets, reported_models,
                             sigma_sources)
from rxnyield.models import model_entry
from rxnyield.report.frames import rows
from rxnyield.report.variables import (OUTSIDE_DEPARTURES, departure_pairs, mean_std, median_interval, p_value, stat,
                                       uncertainty_row, versus_label)

COLUMNS = (("r2", "mean_std", r"$R^2$ mean $\pm$ std", 3), ("r2", "trimean_iqr", r"$R^2$ trimean [IQR]", 3),
           ("mae", "trimean_iqr", r"MAE trimean [IQR]", 2), ("rmse", "trimean_iqr", r"RMSE trimean [IQR]", 2))
HIGHER_IS_BETTER = {"r2": True, "mae": False, "rmse": False}
METRIC_TITLES = {"r2": "$R^2$", "mae": "MAE (yield \\%)", "rmse": "RMSE (yield \\%)"}
DIGITS = {"r2": 3, "mae": 2, "rmse": 2}


def tabular(columns: str, header: str, body: list[str]) -> str:
    """A booktabs tabular: the column spec, one header row, and the body rows (midrules included)."""
    return "\n".join([rf"\begin{{tabular}}{{{columns}}}", r"\toprule", header + r" \\", *body,
                      r"\bottomrule", r"\end{tabular}"]) + "\n"


def cell(row: pd.Series, kind: str, digits: int, best: bool) -> str:
    if kind == "mean_std":
        text = mean_std(row, digits)
        lead = f"{row['mean']:.{digits}f}"
    else:
        text = f"{row['trimean']:.{digits}f} [{row['iqr']:.{digits}f}]"
        lead = f"{row['trimean']:.{digits}f}"
    return text.replace(lead, f"\\textbf{{{lead}}}", 1) if best else text


def model_label(config: dict, model: str, dataset: str) -> str:
    """The model's label, with its number of splits where it ran on fewer than the dataset has."""
    label = config["models"][model]["label"]
    n_splits = len(model_splits(config, model, dataset))
    if n_splits < len(config["datasets"][dataset]["splits"]):
        label += f" ({n_splits} split{'s' if n_splits > 1 else ''})"
    return label


def runs_cell(config: dict, model: str, dataset: str) -> str:
    """How many runs a model's statistics are over: `10` splits, or `10 $\\times$ 3` splits x seeds."""
    splits, seeds = len(model_splits(config, model, dataset)), len(model_seeds(config, model))
    return f"{splits} $\\times$ {seeds}" if seeds > 1 else str(splits)


def dataset_heading(config: dict, dataset: str, columns: int) -> list[str]:
    spec = config["datasets"][dataset]
    return [r"\midrule", rf"\multicolumn{{{columns}}}{{l}}{{\emph{{{spec['title']}}} ({len(spec['splits'])} splits)}} \\"]


def results_table(config: dict, summary: pd.DataFrame) -> str:
    """Headline models × random-split datasets; bold marks the best mean (mean ± std column) or trimean
    (robust columns)."""
    lines = []
    for dataset in random_split_datasets(config):
        models = headline_models(config, dataset)
        lines += dataset_heading(config, dataset, len(COLUMNS) + 1)
        best = {}
        for metric, kind, _, _ in COLUMNS:
            statistic = "mean" if kind == "mean_std" else "trimean"
            values = {m: stat(summary, dataset, m, metric)[statistic] for m in models}
            pick = max if HIGHER_IS_BETTER[metric] else min
            best[(metric, kind)] = pick(values, key=values.get)
        for model in models:
            cells = [cell(stat(summary, dataset, model, metric), kind, digits, best[(metric, kind)] == model)
                     for metric, kind, _, digits in COLUMNS]
            lines.append(model_label(config, model, dataset) + " & " + " & ".join(cells) + r" \\")
    return tabular("l" + "r" * len(COLUMNS), "Model & " + " & ".join(h for _, _, h, _ in COLUMNS), lines)


def ablation_table(config: dict, summary: pd.DataFrame, paired: pd.DataFrame) -> str:
    """Each variant against its reference on the same splits: R², the paired ΔR² and Wilcoxon's p.

    (Mean ± std of every variant is in the appendix tables.)

    Bold p: the difference is distinguishable from split-to-split noise at the configured alpha.
    """
    alpha = config["statistics"]["alpha"]
    confidence = round(100 * config["statistics"]["confidence"])
    header = (r"Model & splits $\times$ seeds & $R^2$ trimean [IQR] & $\Delta R^2$ trimean & "
              rf"$\Delta R^2$ median [{confidence}\% CI] & Wilcoxon $p$")
    lines = []
    for dataset in config["datasets"]:
        variants = compared_models(config, dataset)
        if not variants:
            continue
        lines += dataset_heading(config, dataset, 6)
        references = [r for r in dict.fromkeys(config["models"][m]["compare_to"] for m in variants)
                      if r not in variants]
        for model in references + variants:
            r2 = stat(summary, dataset, model, "r2")
            cells = [runs_cell(config, model, dataset), f"{r2['trimean']:.3f} [{r2['iqr']:.3f}]"]
            if model in variants:
                difference = stat(paired, dataset, model, "r2")
                p = p_value(difference["p_wilcoxon"])
                cells += [f"{difference['trimean']:+.3f}", median_interval(difference, 3),
                          rf"\textbf{{{p}}}" if difference["p_wilcoxon"] < alpha else p]
            else:
                cells += ["reference", "", ""]
            label = config["models"][model]["label"]
            if model in variants and config["models"][model]["compare_to"] != references[0]:
                label = versus_label(config, model)
            lines.append(label + " & " + " & ".join(cells) + r" \\")
    return tabular("lrrrrr", header, lines)


def statistics_table(config: dict, summary: pd.DataFrame, metric: str) -> str:
    """Every model and variant: mean ± std, median, trimean and IQR of one metric across splits."""
    digits = DIGITS[metric]
    lines = []
    for dataset in config["datasets"]:
        lines += dataset_heading(config, dataset, 5)
        for model in reported_models(config, dataset):
            row = stat(summary, dataset, model, metric)
            cells = [mean_std(row, digits)] + [f"{row[k]:.{digits}f}" for k in ("median", "trimean", "iqr")]
            lines.append(model_label(config, model, dataset) + " & " + " & ".join(cells) + r" \\")
    return tabular("lrrrr", rf"{METRIC_TITLES[metric]} & mean $\pm$ std & median & trimean & IQR", lines)


def quoted_table(quoted: pd.DataFrame, table: str) -> str:
    """Values quoted from the literature, as printed there (mean ± std over the authors' runs)."""
    lines = [r"\midrule"]
    for _, row in rows(quoted, table=table).iterrows():
        cells = [f"{row[f'{k}_mean']} $\\pm$ {row[f'{k}_std']}" for k in ("mae", "rmse", "r2")]
        lines.append(f"{row['model']} & " + " & ".join(cells) + r" \\")
    return tabular("lrrr", r"Model & MAE & RMSE & $R^2$", lines)


UNCERTAINTY_COLUMNS = (("spearman", r"Spearman $\rho(\sigma, |e|)$", 2), ("retention_gain", "retention gain", 2),
                       ("nll", "NLL", 2), ("miscalibration", "miscalibration", 3), ("coverage_95", r"95\% coverage", 2))


def uncertainty_table(config: dict, uncertainty_summary: pd.DataFrame) -> str:
    """Every σ of every headline model: trimean [IQR] across splits of each uncertainty metric."""
    lines = []
    for dataset in config["datasets"]:
        sources = sigma_sources(config, dataset)
        if not sources:
            continue
        lines += dataset_heading(config, dataset, len(UNCERTAINTY_COLUMNS) + 2)
        for model, kind in sources:
            summaries = [uncertainty_row(uncertainty_summary, dataset, model, kind, metric)
                         for metric, _, _ in UNCERTAINTY_COLUMNS]
            cells = [f"{row['trimean']:.{digits}f} [{row['iqr']:.{digits}f}]"
                     for row, (_, _, digits) in zip(summaries, UNCERTAINTY_COLUMNS)]
            lines.append(f"{model_label(config, model, dataset)} & {kind} & " + " & ".join(cells) + r" \\")
    header = "Model & $\\sigma$ & " + " & ".join(h for _, h, _ in UNCERTAINTY_COLUMNS)
    return tabular("ll" + "r" * len(UNCERTAINTY_COLUMNS), header, lines)


# What the contrastive encoders of an out-of-sample row saw: all reactions, the test's training reactions, or
# nothing (encoders trained end to end with the head, as the released UAM's); rows of models without them: blank.
PRETRAINED_ON = {True: "all reactions", False: "training reactions", None: "none (end to end)"}


def out_of_sample_rows(config: dict, dataset: str) -> list[str]:
    """The headline models of an out-of-sample dataset, each followed by its variants there, and theirs (the
    released UAM, the described UAM, that on encoders pre-trained on all reactions, say)."""
    variants = compared_models(config, dataset)

    def with_variants(model: str) -> list[str]:
        return [model, *(m for v in variants if config["models"][v]["compare_to"] == model for m in with_variants(v))]

    return [m for reference in headline_models(config, dataset) for m in with_variants(reference)]


def out_of_sample_label(config: dict, model: str) -> str:
    """A row's label: a variant's is prefixed with its reference's, unless it already begins with it (`UAM as
    described` under `UAM`; `UAM as described, transductive pre-training`)."""
    spec = config["models"][model]
    if "compare_to" not in spec:
        return spec["label"]
    reference = config["models"][spec["compare_to"]]["label"]
    return spec["label"] if spec["label"].startswith(reference) else f"{reference}, {spec['label']}"


def sees_held_out_reactions(config: dict, dataset: str, model: str) -> bool | None:
    """Whether a model's pre-trained encoders saw the test reactions of a dataset's splits (without yields);
    None for a model that loads no pre-trained encoders."""
    if not needs_pretraining(config, model):
        return None
    return pretraining_scope(config, dataset, model, config["datasets"][dataset]["splits"][0]) == ALL_REACTIONS


def out_of_sample_table(config: dict, per_split: pd.DataFrame, quoted: pd.DataFrame, dataset: str) -> str:
    """R² of every headline model (and its variants) on each split of an out-of-sample dataset, next to the
    published values (quoted rows, in italics); a model with several seeds shows their mean. A column says which
    reactions a model's contrastive encoders were pre-trained on: the test's training reactions, or all
    reactions, the held-out ones included (no yields: transductive). Bold marks the best reproduced value per
    split among the rows whose encoders did not see the held-out reactions ("--": a model not run there)."""
    splits = config["datasets"][dataset]["splits"]
    models = out_of_sample_rows(config, dataset)
    table = (rows(per_split, dataset=dataset).pivot_table(index="model", columns="split", values="r2",
                                                          aggfunc="mean")
             .reindex(index=models, columns=splits))
    seen = {m: sees_held_out_reactions(config, dataset, m) for m in models}
    honest = table.loc[[m for m in models if not seen[m]]]
    best = {split: honest[split].idxmax() if honest[split].notna().any() else None for split in splits}
    lines = [r"\midrule"]
    for model in models:
        cells = []
        for split in splits:
            value = table.loc[model, split]
            text = "--" if pd.isna(value) else f"{value:.3f}"
            cells.append(rf"\textbf{{{text}}}" if best[split] == model else text)
        pretrained_on = PRETRAINED_ON[seen[model]] if model_entry(config["models"][model]).encoders else ""
        lines.append(f"{out_of_sample_label(config, model)} & {pretrained_on} & " + " & ".join(cells) + r" \\")
    published = rows(quoted, dataset=dataset)
    if not published.empty:
        lines.append(r"\midrule")
        for _, row in published.iterrows():
            lines.append(rf"\emph{{{row['model']} (published)}} & & " + " & ".join(
                rf"\emph{{{row[split]}}}" for split in splits) + r" \\")
    return tabular("ll" + "r" * len(splits), "$R^2$ & contrastive pre-training on & " + " & ".join(splits), lines)


def reproduction_table(config: dict, summary: pd.DataFrame, paired: pd.DataFrame, published: pd.DataFrame) -> str:
    """Each re-implemented method's R² next to its published value on the same splits: mean ± std (splits, x
    seeds where several), the gap (ours − published) in published standard deviations, the yardstick of
    "reproduced", and what each paired variant of the method changes (trimean of its R² differences over the
    pairs, and how many pairs: a variant may run on fewer splits): where a gap comes from, measured rather than
    guessed. The departures no entry of the build can switch (the authors' per-batch schedule, their atom and bond
    features) are measured outside it (`departure_pairs`), on the method's entry or on a variant of it against the
    build's runs of that entry, and marked with a dagger."""
    lines = []
    outside = {(departure.label, dataset, model): pair["differences"] for departure in OUTSIDE_DEPARTURES
               for (dataset, model, variant), pair in departure_pairs(config, departure).items()
               if variant == departure.authors}
    for dataset in random_split_datasets(config):
        quoted = rows(published, dataset=dataset)
        quoted = quoted[quoted["model"].isin(headline_models(config, dataset))]
        if quoted.empty:
            continue
        lines += dataset_heading(config, dataset, 5)
        for _, row in quoted.iterrows():
            ours = stat(summary, dataset, row["model"], "r2")
            gap = (ours["mean"] - float(row["mean"])) / float(row["std"])
            reproduced = mean_std(ours, 3) if ours["n"] > 1 else f"{ours['mean']:.3f}"
            variants = rows(paired, dataset=dataset, reference=row["model"], metric="r2")
            measured = [f"{config['models'][v['model']]['label']} {v['trimean']:+.3f} ({int(v['n'])})"
                        for _, v in variants.iterrows()]
            for (label, where, model), differences in outside.items():  # measured by benchmarks/outside_build.py
                if where != dataset or row["model"] not in (model, config["models"][model].get("compare_to")):
                    continue
                at = "" if model == row["model"] else f" at {config['models'][model]['label']}"
                measured.append(f"{label}{at}$^\\dagger$ {differences['trimean']:+.3f} ({int(differences['n'])})")
            measured = "; ".join(measured) or "--"
            lines.append(rf"{config['models'][row['model']]['label']} \cite{{{row['cite']}}} & "
                         rf"{float(row['mean']):.3f} $\pm$ {float(row['std']):.3f} ({row['n_splits']}) & {reproduced} "
                         rf"({runs_cell(config, row['model'], dataset)}) & {gap:+.1f} & {measured} \\")
    return tabular("lrrrp{0.3\\linewidth}", r"$R^2$ & published (splits) & this paper (splits $\times$ seeds) & "
                   r"gap (published std) & paired variants ($\Delta R^2$)", lines)


def seed_variance_table(config: dict, seed_variance: pd.DataFrame) -> str:
    """Each model with several seeds per split: the standard deviation of its test R² between seeds (the
    root of the mean within-split variance) and between splits (of the split means), the seeds' share of
    the two variances, and how many CPU classes its runs were computed on."""
    lines = []
    for dataset in random_split_datasets(config):
        shown = rows(seed_variance, dataset=dataset, metric="r2")
        if shown.empty:
            continue
        lines += dataset_heading(config, dataset, 6)
        for _, row in shown.iterrows():
            seed, split = row["between_seed"], row["between_split"]
            share = "--" if pd.isna(split) or seed + split == 0 else f"{100 * seed / (seed + split):.0f}\\%"
            between_split = "--" if pd.isna(split) else f"{split ** 0.5:.4f}"
            lines.append(f"{config['models'][row['model']]['label']} & {int(row['n_splits'])} $\\times$ "
                         f"{int(row['n_seeds'])} & {seed ** 0.5:.4f} & {between_split} & {share} & "
                         f"{int(row['cpu_classes'])}" + r" \\")
    return tabular("lrrrrr", r"$R^2$ & splits $\times$ seeds & std between seeds & std between splits & "
                   r"seeds' share & CPU classes", lines)


def compute_table(compute: pd.DataFrame) -> str:
    """Compute cost of the build per job family: jobs, wall and CPU hours, median wall s, peak memory."""
    lines = [r"\midrule"]
    for family, group in compute.groupby("family", sort=False):
        lines.append(f"{family.replace('_', ' ')} & {len(group)} & {group['wall_s'].sum() / 3600:.2f} & "
                     f"{group['cpu_s'].sum() / 3600:.2f} & {group['wall_s'].median():.0f} & "
                     f"{group['max_rss_mb'].max():.0f}" + r" \\")
    lines += [r"\midrule", f"total & {len(compute)} & {compute['wall_s'].sum() / 3600:.2f} & "
              f"{compute['cpu_s'].sum() / 3600:.2f} & & {compute['max_rss_mb'].max():.0f}" + r" \\"]
    return tabular("lrrrrr", r"Jobs & count & wall (h) & CPU (h) & median wall (s) & peak RSS (MB)", lines)


def compute_summary(compute: pd.DataFrame, top: int = 3) -> str:
    """The sentences that say where the time went: total job wall time, the costliest config entries (training
    jobs grouped by model, featurize and pretrain jobs by dataset) and the CPU classes the training runs were
    computed on (several where the cache restored runs computed on another class)."""
    per_entry = compute.groupby(["rule", "name"], sort=False)["wall_s"].agg(["size", "sum"])
    costliest = per_entry.sort_values("sum", ascending=False, kind="stable").head(top)
    entries = []
    for (rule, name), (jobs, wall) in costliest.iterrows():
        escaped = name.replace("_", r"\_")
        entries.append(rf"\texttt{{{escaped}}} ({rule}, {jobs:.0f} job{'s' if jobs > 1 else ''}, {wall / 3600:.2f} h)")
    listing = entries[0] if len(entries) == 1 else f"{', '.join(entries[:-1])} and {entries[-1]}"
    classes = compute.loc[compute["rule"] == "train", "computed_on"].value_counts()
    ordered = sorted(classes.items(), key=lambda item: (-item[1], item[0]))
    if len(ordered) == 1:
        where = f"Its {classes.sum()} training runs were computed on {ordered[0][0]} CPUs."
    else:
        places = [f"{cpu} CPUs ({n})" for cpu, n in ordered]
        where = (f"Its {classes.sum()} training runs were computed on {', '.join(places[:-1])} and {places[-1]}; "
                 f"a job's times are those of the machine it ran on.")
    return (f"The jobs of this build ran for {compute['wall_s'].sum() / 3600:.2f} h of wall time in all; the "
            f"costliest entries were {listing}. {where}\n")
