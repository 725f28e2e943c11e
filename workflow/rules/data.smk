import json

from rxnyield.config import dataset_files
from rxnyield.provenance import (FEATURIZE_STAMP, WRITE_STAMP, featurize_provenance, featurize_settings,
                                 validation_settings)

DATASETS = list(config["datasets"])


wildcard_constraints:
    dataset="|".join(DATASETS),


rule validate:
    """Checksums, SMILES, yields, duplicates and split coverage; nothing downstream runs on bad data.

    Re-runs when a dataset file changes. The manifest is `ancient`: adding an unrelated file to it (a
    quoted value, say) must not re-validate, and so re-train, every dataset. It checks every split of the
    split-order file, whichever the config names (a name the file lacks stops the planning, see
    rxnyield.provenance): naming one more split re-validates, re-featurizes and re-trains nothing.
    """
    input:
        manifest=ancient(f"{config['data_dir']}/MANIFEST.sha256"),
        files=lambda w: [str(p) for p in dataset_files(config["datasets"][w.dataset], Path("."))],
    output:
        summary=f"{RESULTS}/validated/{{dataset}}.json",
    params:
        settings=lambda w: json.dumps(validation_settings(config, w.dataset), sort_keys=True),
    log:
        f"{RESULTS}/logs/validate/{{dataset}}.log",
    shell:
        "rxnyield validate --resolved {params.settings:q} --out {output.summary} 2>&1 | tee {log}"


rule featurize:
    """Graphs and descriptors of every unique molecule of a dataset, reused by every training job.

    The featurizer code is an input: changing how molecules are described re-featurizes (and so re-trains).
    Its settings leave the split list out: featurization does not read it.
    """
    input:
        validated=rules.validate.output.summary,
        code=sorted(str(p) for p in Path("src/rxnyield/featurizers").glob("*.py")),
    output:
        features=f"{RESULTS}/features/{{dataset}}/features.npz",
        provenance=f"{RESULTS}/{FEATURIZE_STAMP}",
    params:
        settings=lambda w: json.dumps(featurize_settings(config, w.dataset), sort_keys=True),
        provenance=lambda w: featurize_provenance(config, w.dataset).to_json(),
    log:
        f"{RESULTS}/logs/featurize/{{dataset}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/featurize/{{dataset}}.tsv"
    resources:
        mem_mb=2000,
        runtime=10,
    shell:
        "rxnyield featurize --resolved {params.settings:q} --out {output.features} > {log} 2>&1" + WRITE_STAMP
