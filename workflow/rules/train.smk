from rxnyield.config import run_config, run_dir, runs

MODELS = list(config["models"])


wildcard_constraints:
    model="|".join(MODELS),
    split="[A-Za-z0-9_]+",


rule train:
    """One (dataset, model, split): fit on the split's training set, predict its test set."""
    input:
        features=rules.featurize.output.features,
    output:
        predictions=f"{RESULTS}/runs/{{dataset}}/{{model}}/{{split}}/predictions.csv",
        metrics=f"{RESULTS}/runs/{{dataset}}/{{model}}/{{split}}/metrics.json",
        config=f"{RESULTS}/runs/{{dataset}}/{{model}}/{{split}}/config.yaml",
    params:
        run=lambda w: json.dumps(run_config(config, w.dataset, w.model, w.split), sort_keys=True),
        out_dir=lambda w: run_dir(RESULTS, w.dataset, w.model, w.split),
    log:
        f"{RESULTS}/logs/train/{{dataset}}/{{model}}/{{split}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/{{dataset}}/{{model}}/{{split}}.tsv"
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=60,
    shell:
        "rxnyield train --resolved {params.run:q} --features {input.features} --out-dir {params.out_dir}"
        " > {log} 2>&1"
