from rxnyield.config import out_of_sample_datasets
from rxnyield.report.variables import variable_names

AGGREGATE = f"{RESULTS}/aggregate"
TEX_OUTPUT = "src/tex/output"
FIGURES = "src/tex/figures"
# The report code is an input of every report rule: editing a table or figure function redraws it.
REPORT_CODE = sorted(str(p) for p in Path("src/rxnyield/report").glob("*.py")) + [
    "src/rxnyield/stats.py", "src/rxnyield/uncertainty.py"]


rule aggregate:
    """Metrics per split, robust summaries (mean, std, median, trimean, IQR), paired comparisons of each
    variant with its reference (Wilcoxon, bootstrap interval of the median difference), all predictions."""
    input:
        code=REPORT_CODE,
        metrics=[str(run_dir(RESULTS, d, m, s) / "metrics.json") for d, m, s in runs(CONFIG)],
        predictions=[str(run_dir(RESULTS, d, m, s) / "predictions.csv") for d, m, s in runs(CONFIG)],
    output:
        per_split=f"{AGGREGATE}/metrics_per_split.csv",
        summary=f"{AGGREGATE}/summary.csv",
        paired=f"{AGGREGATE}/paired.csv",
        uncertainty=f"{AGGREGATE}/uncertainty_per_split.csv",
        uncertainty_summary=f"{AGGREGATE}/uncertainty_summary.csv",
        sigma_paired=f"{AGGREGATE}/sigma_paired.csv",
        calibration=f"{AGGREGATE}/calibration.csv",
        retention=f"{AGGREGATE}/retention.csv",
        compute=f"{AGGREGATE}/compute_cost.csv",
        predictions=f"{AGGREGATE}/predictions.csv",
        config=f"{AGGREGATE}/config.json",
    params:
        config=json.dumps(CONFIG),
    log:
        f"{RESULTS}/logs/aggregate.log",
    shell:
        "rxnyield aggregate --resolved {params.config:q} --out-dir {AGGREGATE} > {log} 2>&1"


rule variables:
    input:
        code=REPORT_CODE,
        script="src/scripts/variables.py",
        per_split=rules.aggregate.output.per_split,
        summary=rules.aggregate.output.summary,
        paired=rules.aggregate.output.paired,
        uncertainty=rules.aggregate.output.uncertainty,
        uncertainty_summary=rules.aggregate.output.uncertainty_summary,
        sigma_paired=rules.aggregate.output.sigma_paired,
        config=rules.aggregate.output.config,
        quoted=CONFIG["quoted_values"],
        measured_gpu=CONFIG["measured_gpu"],
    output:
        [f"{TEX_OUTPUT}/{name}.txt" for name in variable_names(CONFIG)],
    shell:
        "python {input.script} --aggregate {AGGREGATE} --out-dir {TEX_OUTPUT}"


rule results_table:
    input:
        code=REPORT_CODE,
        script="src/scripts/results_table.py",
        summary=rules.aggregate.output.summary,
        config=rules.aggregate.output.config,
    output:
        f"{TEX_OUTPUT}/results_table.tex",
    shell:
        "python {input.script} --aggregate {AGGREGATE} --out {output}"


rule parity_plot:
    input:
        code=REPORT_CODE,
        script="src/scripts/parity_plot.py",
        predictions=rules.aggregate.output.predictions,
        config=rules.aggregate.output.config,
    output:
        f"{FIGURES}/parity.pdf",
    shell:
        "python {input.script} --aggregate {AGGREGATE} --out {output}"


rule split_errors:
    input:
        code=REPORT_CODE,
        script="src/scripts/split_errors.py",
        per_split=rules.aggregate.output.per_split,
        config=rules.aggregate.output.config,
    output:
        f"{FIGURES}/split_errors.pdf",
    shell:
        "python {input.script} --aggregate {AGGREGATE} --out {output}"


rule ablation_table:
    input:
        code=REPORT_CODE,
        script="src/scripts/ablation_table.py",
        summary=rules.aggregate.output.summary,
        paired=rules.aggregate.output.paired,
        config=rules.aggregate.output.config,
    output:
        f"{TEX_OUTPUT}/ablation_table.tex",
    shell:
        "python {input.script} --aggregate {AGGREGATE} --out {output}"


rule statistics_tables:
    input:
        code=REPORT_CODE,
        script="src/scripts/statistics_tables.py",
        summary=rules.aggregate.output.summary,
        config=rules.aggregate.output.config,
    output:
        [f"{TEX_OUTPUT}/statistics_{metric}.tex" for metric in ("r2", "mae", "rmse")],
    shell:
        "python {input.script} --aggregate {AGGREGATE} --out-dir {TEX_OUTPUT}"


rule quoted_tables:
    """The UAM paper's amide-coupling tables: quoted values from a data file, not results of this build."""
    input:
        code=REPORT_CODE,
        script="src/scripts/quoted_tables.py",
        quoted=CONFIG["quoted_tables"],
    output:
        [f"{TEX_OUTPUT}/amide_{table}.tex" for table in ("main", "ablation")],
    shell:
        "python {input.script} --quoted {input.quoted} --out-dir {TEX_OUTPUT}"


rule ablation_plot:
    input:
        code=REPORT_CODE,
        script="src/scripts/ablation_plot.py",
        per_split=rules.aggregate.output.per_split,
        config=rules.aggregate.output.config,
    output:
        f"{FIGURES}/ablations.pdf",
    shell:
        "python {input.script} --aggregate {AGGREGATE} --out {output}"


rule uncertainty_table:
    input:
        code=REPORT_CODE,
        script="src/scripts/uncertainty_table.py",
        summary=rules.aggregate.output.uncertainty_summary,
        config=rules.aggregate.output.config,
    output:
        f"{TEX_OUTPUT}/uncertainty_table.tex",
    shell:
        "python {input.script} --aggregate {AGGREGATE} --out {output}"


rule uncertainty_plot:
    input:
        code=REPORT_CODE,
        script="src/scripts/uncertainty_plot.py",
        calibration=rules.aggregate.output.calibration,
        retention=rules.aggregate.output.retention,
        config=rules.aggregate.output.config,
    output:
        f"{FIGURES}/uncertainty.pdf",
    shell:
        "python {input.script} --aggregate {AGGREGATE} --out {output}"


rule out_of_sample_table:
    """Per-split R² on the out-of-sample datasets (BH's unseen additives) with the published values."""
    input:
        code=REPORT_CODE,
        script="src/scripts/out_of_sample_table.py",
        per_split=rules.aggregate.output.per_split,
        config=rules.aggregate.output.config,
        quoted=CONFIG["quoted_out_of_sample"],
    output:
        [f"{TEX_OUTPUT}/out_of_sample_{d}.tex" for d in out_of_sample_datasets(CONFIG)],
    shell:
        "python {input.script} --aggregate {AGGREGATE} --quoted {input.quoted} --out-dir {TEX_OUTPUT}"


rule learning_curves:
    input:
        code=REPORT_CODE,
        script="src/scripts/learning_curves.py",
        per_split=rules.aggregate.output.per_split,
        config=rules.aggregate.output.config,
    output:
        f"{FIGURES}/learning_curves.pdf",
    shell:
        "python {input.script} --aggregate {AGGREGATE} --out {output}"


rule compute_table:
    """Appendix: wall time, CPU time and memory per job family, from the `benchmark:` TSVs."""
    input:
        code=REPORT_CODE,
        script="src/scripts/compute_table.py",
        compute=rules.aggregate.output.compute,
    output:
        table=f"{TEX_OUTPUT}/compute_table.tex",
        summary=f"{TEX_OUTPUT}/compute_summary.tex",
    shell:
        "python {input.script} --aggregate {AGGREGATE} --out {output.table} --summary {output.summary}"


localrules: compute_table, learning_curves, out_of_sample_table, uncertainty_table, uncertainty_plot, aggregate, variables, results_table, parity_plot, split_errors, ablation_table, statistics_tables,
    quoted_tables, ablation_plot
