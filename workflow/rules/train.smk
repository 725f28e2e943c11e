from rxnyield.config import (encoders_of, feature_dataset, needs_pretraining, pretrain_checkpoint, pretrain_settings,
                             run_config, run_dir, runs)

MODELS = list(CONFIG["models"])


wildcard_constraints:
    model="|".join(MODELS),
    dataset="|".join(CONFIG["datasets"]),
    split="[A-Za-z0-9_]+",
    encoders="[a-z][a-z0-9_]*",


rule pretrain:
    """Contrastive (InfoNCE) pre-training of the graph and SMILES encoders on all reactions, no yields:
    the dataset's shared encoders, or a model's own where it overrides `pretraining` settings."""
    input:
        features=rules.featurize.output.features,
    output:
        checkpoint=str(pretrain_checkpoint(RESULTS, "{dataset}", "{encoders}")),
    params:
        settings=lambda w: json.dumps(pretrain_settings(CONFIG, w.dataset, w.encoders), sort_keys=True),
    log:
        f"{RESULTS}/logs/pretrain/{{dataset}}/{{encoders}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/pretrain/{{dataset}}/{{encoders}}.tsv"
    threads: CONFIG["threads"]
    resources:
        mem_mb=4000,
        runtime=120,
    shell:
        "rxnyield pretrain --resolved {params.settings:q} --features {input.features} --out {output.checkpoint}"
        " > {log} 2>&1"


rule train:
    """One (dataset, model, split): fit on the split's training set, predict its test set."""
    input:
        # a split family of another dataset's reactions is validated on its own (its split orders)
        validated=lambda w: ([f"{RESULTS}/validated/{w.dataset}.json"]
                             if feature_dataset(CONFIG, w.dataset) != w.dataset else []),
        features=lambda w: f"{RESULTS}/features/{feature_dataset(CONFIG, w.dataset)}/features.npz",
        checkpoint=lambda w: ([str(pretrain_checkpoint(RESULTS, feature_dataset(CONFIG, w.dataset),
                                                       encoders_of(CONFIG, w.model)))]
                              if needs_pretraining(CONFIG, w.model) else []),
    output:
        predictions=f"{RESULTS}/runs/{{dataset}}/{{model}}/{{split}}/predictions.csv",
        metrics=f"{RESULTS}/runs/{{dataset}}/{{model}}/{{split}}/metrics.json",
        config=f"{RESULTS}/runs/{{dataset}}/{{model}}/{{split}}/config.yaml",
    params:
        run=lambda w: json.dumps(run_config(CONFIG, w.dataset, w.model, w.split), sort_keys=True),
        out_dir=lambda w: run_dir(RESULTS, w.dataset, w.model, w.split),
    log:
        f"{RESULTS}/logs/train/{{dataset}}/{{model}}/{{split}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/{{dataset}}/{{model}}/{{split}}.tsv"
    threads: CONFIG["threads"]
    resources:
        mem_mb=4000,
        runtime=60,
    shell:
        "rxnyield train --resolved {params.run:q} --features {input.features} --out-dir {params.out_dir}"
        " > {log} 2>&1"
