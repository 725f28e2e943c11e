import json

from rxnyield.config import dataset_files, dataset_settings

DATASETS = list(CONFIG["datasets"])


wildcard_constraints:
    dataset="|".join(DATASETS),


rule validate:
    """Checksums, SMILES, yields, duplicates and split coverage; nothing downstream runs on bad data.

    Re-runs when a dataset file changes. The manifest is `ancient`: adding an unrelated file to it (a
    quoted value, say) must not re-validate, and so re-train, every dataset.
    """
    input:
        manifest=ancient(f"{CONFIG['data_dir']}/MANIFEST.sha256"),
        files=lambda w: [str(p) for p in dataset_files(CONFIG["datasets"][w.dataset], Path("."))],
    output:
        summary=f"{RESULTS}/validated/{{dataset}}.json",
    params:
        settings=lambda w: json.dumps(dataset_settings(CONFIG, w.dataset), sort_keys=True),
    log:
        f"{RESULTS}/logs/validate/{{dataset}}.log",
    shell:
        "rxnyield validate --resolved {params.settings:q} --out {output.summary} 2>&1 | tee {log}"


rule featurize:
    """Graphs and descriptors of every unique molecule of a dataset, reused by every training job.

    The featurizer code is an input: changing how molecules are described re-featurizes (and so re-trains).
    """
    input:
        validated=rules.validate.output.summary,
        code=sorted(str(p) for p in Path("src/rxnyield/featurizers").glob("*.py")),
    output:
        features=f"{RESULTS}/features/{{dataset}}/features.npz",
    params:
        settings=lambda w: json.dumps(dataset_settings(CONFIG, w.dataset), sort_keys=True),
    log:
        f"{RESULTS}/logs/featurize/{{dataset}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/featurize/{{dataset}}.tsv"
    resources:
        mem_mb=2000,
        runtime=10,
    shell:
        "rxnyield featurize --resolved {params.settings:q} --out {output.features} > {log} 2>&1"
