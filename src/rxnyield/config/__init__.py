"""The workflow configuration, one module per job: `loading` (merge the YAML files, validate them against
the schema, expand variants and learning curves), `queries` (which models run where, resolved settings of
a job) and `layout` (every file's path). The names below are the package's public interface."""
# ruff: noqa: F401

from rxnyield.config.layout import (AGGREGATE_FILES, ALL_REACTIONS, METRICS, PREDICTIONS, RESOLVED_CONFIG,
                                    SHARED_ENCODERS, TIMING, aggregate_dir, aggregate_file, benchmark_file,
                                    features_file, features_stamp, log_file, pretrain_checkpoint, pretrain_stamp,
                                    run_dir, run_names, run_stamp, seed_name, validated_summary)
from rxnyield.config.loading import (ConfigError, config_sources, curve_model, load_config, load_schema,
                                     profile_config_files, validate_config)
from rxnyield.config.merging import merge
from rxnyield.config.queries import (compared_models, dataset_files, dataset_models, dataset_settings,
                                     encoder_settings, encoders_of, feature_dataset, headline_models, model_datasets,
                                     model_seeds, model_splits, needs_pretraining, out_of_sample_datasets,
                                     pretrain_settings, pretrained_checkpoints, pretraining_scope,
                                     random_split_datasets, reported_models, run_checkpoint, run_config, run_seeds,
                                     runs, sigma_kinds, sigma_pairs, sigma_sources)
