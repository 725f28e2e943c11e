from rxnyield.config import (METRICS, PREDICTIONS, RESOLVED_CONFIG, encoders_of, feature_dataset, needs_pretraining,
                             pretrain_checkpoint, pretrain_settings, run_config, run_dir)


rule pretrain:
    """Contrastive (InfoNCE) pre-training of the graph and SMILES encoders on all reactions, no yields:
    the dataset's shared encoders, or a model's own where it overrides `pretraining` settings."""
    input:
        features=rules.featurize.output.features,
    output:
        checkpoint=pretrain_checkpoint(RESULTS, "{dataset}", "{encoders}"),
    params:
        settings=lambda w: json.dumps(pretrain_settings(CONFIG, w.dataset, w.encoders), sort_keys=True),
    log:
        log_file(RESULTS, "pretrain", "{dataset}", "{encoders}"),
    benchmark:
        benchmark_file(RESULTS, "pretrain", "{dataset}", "{encoders}")
    threads: CONFIG["threads"]
    resources:
        mem_mb=4000,
        runtime=120,
    conda:
        ENVIRONMENT
    shell:
        "rxnyield pretrain --resolved {params.settings:q} --features {input.features} --out {output.checkpoint}"
        " > {log} 2>&1"


RUN = run_dir(RESULTS, "{dataset}", "{model}", "{split}")


rule train:
    """One (dataset, model, split): fit on the split's training set, predict its test set."""
    input:
        # a split family of another dataset's reactions is validated on its own (its split orders)
        validated=lambda w: ([validated_summary(RESULTS, w.dataset)]
                             if feature_dataset(CONFIG, w.dataset) != w.dataset else []),
        features=lambda w: features_file(RESULTS, feature_dataset(CONFIG, w.dataset)),
        checkpoint=lambda w: ([pretrain_checkpoint(RESULTS, feature_dataset(CONFIG, w.dataset),
                                                   encoders_of(CONFIG, w.model))]
                              if needs_pretraining(CONFIG, w.model) else []),
    output:
        predictions=RUN / PREDICTIONS,
        metrics=RUN / METRICS,
        config=RUN / RESOLVED_CONFIG,
    params:
        run=lambda w: json.dumps(run_config(CONFIG, w.dataset, w.model, w.split), sort_keys=True),
        out_dir=lambda w: run_dir(RESULTS, w.dataset, w.model, w.split),
    log:
        log_file(RESULTS, "train", "{dataset}", "{model}", "{split}"),
    benchmark:
        benchmark_file(RESULTS, "train", "{dataset}", "{model}", "{split}")
    threads: CONFIG["threads"]
    resources:
        mem_mb=4000,
        runtime=60,
    conda:
        ENVIRONMENT
    shell:
        "rxnyield train --resolved {params.run:q} --features {input.features} --out-dir {params.out_dir}"
        " > {log} 2>&1"
