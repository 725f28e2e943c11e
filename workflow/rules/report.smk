from rxnyield.report.variables import variable_names

AGGREGATE = f"{RESULTS}/aggregate"
TEX_OUTPUT = "src/tex/output"
FIGURES = "src/tex/figures"


rule aggregate:
    """Metrics per split, robust summaries (mean, std, median, trimean, IQR) and all predictions."""
    input:
        metrics=[str(run_dir(RESULTS, d, m, s) / "metrics.json") for d, m, s in runs(config)],
        predictions=[str(run_dir(RESULTS, d, m, s) / "predictions.csv") for d, m, s in runs(config)],
    output:
        per_split=f"{AGGREGATE}/metrics_per_split.csv",
        summary=f"{AGGREGATE}/summary.csv",
        predictions=f"{AGGREGATE}/predictions.csv",
        config=f"{AGGREGATE}/config.json",
    params:
        config=json.dumps(config),
    log:
        f"{RESULTS}/logs/aggregate.log",
    shell:
        "rxnyield aggregate --resolved {params.config:q} --out-dir {AGGREGATE} > {log} 2>&1"


rule variables:
    input:
        script="src/scripts/variables.py",
        per_split=rules.aggregate.output.per_split,
        summary=rules.aggregate.output.summary,
        config=rules.aggregate.output.config,
        quoted=config["quoted_values"],
    output:
        [f"{TEX_OUTPUT}/{name}.txt" for name in variable_names(config)],
    shell:
        "python {input.script} --aggregate {AGGREGATE} --out-dir {TEX_OUTPUT}"


rule results_table:
    input:
        script="src/scripts/results_table.py",
        summary=rules.aggregate.output.summary,
        config=rules.aggregate.output.config,
    output:
        f"{TEX_OUTPUT}/results_table.tex",
    shell:
        "python {input.script} --aggregate {AGGREGATE} --out {output}"


rule parity_plot:
    input:
        script="src/scripts/parity_plot.py",
        predictions=rules.aggregate.output.predictions,
        config=rules.aggregate.output.config,
    output:
        f"{FIGURES}/parity.pdf",
    shell:
        "python {input.script} --aggregate {AGGREGATE} --out {output}"


rule split_errors:
    input:
        script="src/scripts/split_errors.py",
        per_split=rules.aggregate.output.per_split,
        config=rules.aggregate.output.config,
    output:
        f"{FIGURES}/split_errors.pdf",
    shell:
        "python {input.script} --aggregate {AGGREGATE} --out {output}"


localrules: aggregate, variables, results_table, parity_plot, split_errors
