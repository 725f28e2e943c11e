from rxnyield.cache import train_inputs
from rxnyield.config import (encoders_of, feature_dataset, needs_pretraining, pretrain_checkpoint, pretrain_settings,
                             run_config, run_dir, runs)
from rxnyield.provenance import PRETRAIN_STAMP, TRAIN_STAMP, WRITE_STAMP, pretrain_provenance, train_provenance

MODELS = list(config["models"])


wildcard_constraints:
    model="|".join(MODELS),
    dataset="|".join(config["datasets"]),
    split="[A-Za-z0-9_]+",
    encoders="[a-z][a-z0-9_]*",


rule pretrain:
    """Contrastive (InfoNCE) pre-training of the graph and SMILES encoders on all reactions, no yields:
    the dataset's shared encoders, or a model's own where it overrides `pretraining` settings."""
    input:
        features=rules.featurize.output.features,
    output:
        checkpoint=str(pretrain_checkpoint(RESULTS, "{dataset}", "{encoders}")),
        provenance=f"{RESULTS}/{PRETRAIN_STAMP}",
    params:
        settings=lambda w: json.dumps(pretrain_settings(config, w.dataset, w.encoders), sort_keys=True),
        provenance=lambda w: pretrain_provenance(config, w.dataset, w.encoders).to_json(),
    log:
        f"{RESULTS}/logs/pretrain/{{dataset}}/{{encoders}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/pretrain/{{dataset}}/{{encoders}}.tsv"
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=120,
    shell:
        "rxnyield pretrain --resolved {params.settings:q} --features {input.features} --out {output.checkpoint}"
        " > {log} 2>&1" + WRITE_STAMP


rule train:
    """One (dataset, model, split): fit on the split's training set, predict its test set.

    A run restored from the repository cache for its current key has no inputs (rxnyield.cache.train_inputs):
    nothing is featurized or pre-trained for it. Its key (rxnyield.provenance) is a param: new code re-trains it.
    """
    input:
        unpack(train_inputs(config, lambda w: dict(
            # a split family of another dataset's reactions is validated on its own (its split orders)
            validated=([f"{RESULTS}/validated/{w.dataset}.json"]
                       if feature_dataset(config, w.dataset) != w.dataset else []),
            features=f"{RESULTS}/features/{feature_dataset(config, w.dataset)}/features.npz",
            checkpoint=([str(pretrain_checkpoint(RESULTS, feature_dataset(config, w.dataset),
                                                 encoders_of(config, w.model)))]
                        if needs_pretraining(config, w.model) else []),
        ))),
    output:
        predictions=f"{RESULTS}/runs/{{dataset}}/{{model}}/{{split}}/predictions.csv",
        metrics=f"{RESULTS}/runs/{{dataset}}/{{model}}/{{split}}/metrics.json",
        config=f"{RESULTS}/runs/{{dataset}}/{{model}}/{{split}}/config.yaml",
        provenance=f"{RESULTS}/{TRAIN_STAMP}",
    params:
        run=lambda w: json.dumps(run_config(config, w.dataset, w.model, w.split), sort_keys=True),
        out_dir=lambda w: run_dir(RESULTS, w.dataset, w.model, w.split),
        provenance=lambda w: train_provenance(config, w.dataset, w.model, w.split).to_json(),
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
        " > {log} 2>&1" + WRITE_STAMP
