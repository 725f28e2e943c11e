from rxnyield.config import AGGREGATE_FILES, aggregate_dir, log_file, run_dir, runs
from rxnyield.report.catalog import PRODUCTS

AGGREGATE = aggregate_dir(RESULTS)
# The report code is an input of every report rule: editing a table or figure function redraws it (provenance.py
# names the CPU classes the compute appendix and the measurements quote).
REPORT_CODE = sorted(str(p) for p in Path("src/rxnyield/report").glob("*.py")) + [
    "src/rxnyield/stats.py", "src/rxnyield/uncertainty.py", "src/rxnyield/provenance.py"]


rule aggregate:
    """Metrics per run (split, seed), robust summaries over splits x seeds (mean, std, median, trimean, IQR),
    paired comparisons of each variant with its reference (Wilcoxon, bootstrap interval of the median
    difference), the seed-variance split, all predictions."""
    input:
        code=REPORT_CODE,
        metrics=[run_dir(RESULTS, *run) / METRICS for run in runs(CONFIG)],
        predictions=[run_dir(RESULTS, *run) / PREDICTIONS for run in runs(CONFIG)],
    output:
        **{role: AGGREGATE / name for role, name in AGGREGATE_FILES.items()},
    params:
        config=json.dumps(CONFIG),
        out_dir=AGGREGATE,
    log:
        log_file(RESULTS, "aggregate"),
    localrule: True
    conda:
        ENVIRONMENT
    shell:
        "rxnyield aggregate --resolved {params.config:q} --out-dir {params.out_dir} > {log} 2>&1"


# One rule per figure, table and variable family of the manuscript (rxnyield.report.catalog).
for product in PRODUCTS:

    rule:
        name:
            product.script
        input:
            code=REPORT_CODE,
            script=product.script_path,
            data=product.inputs(CONFIG),
        output:
            product.outputs(CONFIG),
        params:
            aggregate=AGGREGATE,
            out_dir=lambda w, output: Path(output[0]).parent,
        log:
            log_file(RESULTS, "report", product.script),
        localrule: True
        conda:
            ENVIRONMENT
        shell:
            "python {input.script} --aggregate {params.aggregate} --out-dir {params.out_dir} > {log} 2>&1"
