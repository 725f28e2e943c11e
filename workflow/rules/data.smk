import json

from rxnyield.config import (benchmark_file, dataset_files, features_file, features_stamp, log_file,
                             validated_summary)
from rxnyield.provenance import featurize_provenance, featurize_settings, featurizer_sources, validation_settings


rule validate:
    """Checksums, SMILES, yields, duplicates and split coverage; nothing downstream runs on bad data.

    Re-runs when a dataset file changes. The manifest is `ancient`: adding an unrelated file to it (a
    quoted value, say) must not re-validate, and so re-train, every dataset. It checks every split of the
    split-order file, whichever the config names (a name the file lacks stops the config's loading):
    naming one more split re-validates, re-featurizes and re-trains nothing.
    """
    input:
        manifest=ancient(f"{CONFIG['data_dir']}/MANIFEST.sha256"),
        files=lambda w: [str(p) for p in dataset_files(CONFIG["datasets"][w.dataset], Path("."))],
    output:
        summary=validated_summary(RESULTS, "{dataset}"),
    params:
        settings=lambda w: json.dumps(validation_settings(CONFIG, w.dataset), sort_keys=True),
    log:
        log_file(RESULTS, "validate", "{dataset}"),
    conda:
        ENVIRONMENT
    shell:
        "rxnyield validate --resolved {params.settings:q} --out {output.summary} 2>&1 | tee {log}"


rule featurize:
    """Graphs and descriptors of every unique molecule of a dataset, reused by every training job.

    The featurizer modules it imports are inputs (and all its code is in its key): changing how molecules are
    described re-featurizes (and so re-trains); a featurizer module it does not import changes nothing. Its
    settings leave the split list out: featurization does not read it.
    """
    input:
        validated=rules.validate.output.summary,
        code=featurizer_sources(),
    output:
        features=features_file(RESULTS, "{dataset}"),
        provenance=features_stamp(RESULTS, "{dataset}"),
    params:
        settings=lambda w: json.dumps(featurize_settings(CONFIG, w.dataset), sort_keys=True),
        provenance=lambda w: featurize_provenance(CONFIG, w.dataset).to_json(),
    log:
        log_file(RESULTS, "featurize", "{dataset}"),
    benchmark:
        benchmark_file(RESULTS, "featurize", "{dataset}")
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENVIRONMENT
    shell:
        "rxnyield featurize --resolved {params.settings:q} --out {output.features} > {log} 2>&1"
        " && printf '%s\\n' {params.provenance:q} > {output.provenance}"  # the key, once it succeeded
