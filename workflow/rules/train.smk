from rxnyield.cache import train_inputs
from rxnyield.config import (ALL_REACTIONS, METRICS, PREDICTIONS, RESOLVED_CONFIG, feature_dataset, needs_pretraining,
                             pretrain_checkpoint, pretrain_settings, pretrain_stamp, run_checkpoint, run_config,
                             run_dir, run_names, run_stamp)
from rxnyield.provenance import pretrain_provenance, train_provenance


rule pretrain:
    """Contrastive (InfoNCE) pre-training of the graph and SMILES encoders, no yields: on all reactions of a
    dataset (scope `all`), or on one split's training reactions only (scope: the split's name; an out-of-sample
    test's held-out reactions stay unseen); the shared encoders, or a model's own where it overrides
    `pretraining` settings."""
    input:
        features=lambda w: features_file(RESULTS, feature_dataset(CONFIG, w.dataset)),
        # a split family of another dataset's reactions is validated on its own (its split orders)
        validated=lambda w: ([validated_summary(RESULTS, w.dataset)] if w.scope != ALL_REACTIONS
                             and feature_dataset(CONFIG, w.dataset) != w.dataset else []),
    output:
        checkpoint=pretrain_checkpoint(RESULTS, "{dataset}", "{scope}", "{encoders}"),
        provenance=pretrain_stamp(RESULTS, "{dataset}", "{scope}", "{encoders}"),
    params:
        settings=lambda w: json.dumps(pretrain_settings(CONFIG, w.dataset, w.scope, w.encoders), sort_keys=True),
        provenance=lambda w: pretrain_provenance(CONFIG, w.dataset, w.scope, w.encoders).to_json(),
    log:
        log_file(RESULTS, "pretrain", "{dataset}", "{scope}", "{encoders}"),
    benchmark:
        benchmark_file(RESULTS, "pretrain", "{dataset}", "{scope}", "{encoders}")
    threads: CONFIG["threads"]
    resources:
        mem_mb=4000,
        runtime=120,
    conda:
        ENVIRONMENT
    shell:
        "rxnyield pretrain --resolved {params.settings:q} --features {input.features} --out {output.checkpoint}"
        " > {log} 2>&1 && printf '%s\\n' {params.provenance:q} > {output.provenance}"  # the key, once it succeeded


RUN = run_dir(RESULTS, "{dataset}", "{model}", "{split}", "{seed}")


rule train:
    """One (dataset, model, split, seed): fit on the split's training set, predict its test set.

    A run restored from the repository cache for its current key has no inputs (rxnyield.cache.train_inputs):
    nothing is featurized or pre-trained for it. Its key (rxnyield.provenance) is a param: new code re-trains it.
    """
    input:
        unpack(train_inputs(CONFIG, lambda w: dict(
            # a split family of another dataset's reactions is validated on its own (its split orders)
            validated=([validated_summary(RESULTS, w.dataset)]
                       if feature_dataset(CONFIG, w.dataset) != w.dataset else []),
            features=features_file(RESULTS, feature_dataset(CONFIG, w.dataset)),
            checkpoint=([pretrain_checkpoint(RESULTS, *run_checkpoint(CONFIG, w.dataset, w.model, w.split))]
                        if needs_pretraining(CONFIG, w.model) else []),
        ))),
    output:
        predictions=RUN / PREDICTIONS,
        metrics=RUN / METRICS,
        config=RUN / RESOLVED_CONFIG,
        provenance=run_stamp(RESULTS, "{dataset}", "{model}", "{split}", "{seed}"),
    params:
        run=lambda w: json.dumps(run_config(CONFIG, w.dataset, w.model, w.split, int(w.seed)), sort_keys=True),
        out_dir=lambda w: run_dir(RESULTS, w.dataset, w.model, w.split, w.seed),
        provenance=lambda w: train_provenance(CONFIG, w.dataset, w.model, w.split, int(w.seed)).to_json(),
    log:
        log_file(RESULTS, "train", *run_names("{dataset}", "{model}", "{split}", "{seed}")),
    benchmark:
        benchmark_file(RESULTS, "train", *run_names("{dataset}", "{model}", "{split}", "{seed}"))
    threads: CONFIG["threads"]
    resources:
        mem_mb=4000,
        runtime=60,
    conda:
        ENVIRONMENT
    shell:
        "rxnyield train --resolved {params.run:q} --features {input.features} --out-dir {params.out_dir}"
        " > {log} 2>&1 && printf '%s\\n' {params.provenance:q} > {output.provenance}"  # the key, once it succeeded
