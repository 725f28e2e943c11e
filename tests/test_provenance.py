"""Provenance keys: each component follows what a job reads, and nothing else."""

import copy
from dataclasses import asdict
from pathlib import Path

import pytest

from conftest import ROOT
from rxnyield.config import ConfigError
from rxnyield.provenance import (featurize_settings, module_closure, package_versions, pretrain_provenance,
                                 readable_cpu_class, split_digests, train_provenance, validation_settings)


def test_a_split_key_covers_its_own_rows_only(tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text("split,position,id,subset\na,0,1,train\na,1,2,test\nb,0,2,train\nb,1,1,test\n")
    before = split_digests(orders)
    appended = tmp_path / "appended.csv"
    appended.write_text(orders.read_text() + "c,0,1,train\nc,1,2,test\n")
    changed = tmp_path / "changed.csv"
    changed.write_text(orders.read_text().replace("b,1,1,test", "b,1,3,test"))
    assert {s: split_digests(appended)[s] for s in "ab"} == before
    assert split_digests(changed)["a"] == before["a"] and split_digests(changed)["b"] != before["b"]


def test_the_code_of_a_job_is_what_its_modules_import():
    forest = module_closure(("rxnyield.job", "rxnyield.models.forest"))
    uam = module_closure(("rxnyield.job", "rxnyield.models.uam"))
    assert "rxnyield.models.uam" not in forest and "rxnyield.train" not in forest
    assert {"rxnyield.pretrain", "rxnyield.nn.moe", "rxnyield.nn.heads", "rxnyield.featurizers.bundle",
            "rxnyield.nn", "rxnyield"} < set(uam)
    assert not any(m.startswith("rxnyield.report") or m.startswith("rxnyield.config") for m in uam)


def test_a_setting_changes_the_settings_component_of_its_runs_only(config):
    before = train_provenance(config, "bh", "dft_rf", "FullCV_01", 0, ROOT)
    edited = copy.deepcopy(config)
    edited["models"]["dft_rf"]["n_estimators"] += 1
    after = train_provenance(edited, "bh", "dft_rf", "FullCV_01", 0, ROOT)
    assert after.changed(asdict(before)) == ["settings"] and after.key != before.key
    assert train_provenance(edited, "bh", "mpnn", "FullCV_01", 0, ROOT) == train_provenance(config, "bh", "mpnn",
                                                                                           "FullCV_01", 0, ROOT)


def test_each_seed_of_a_run_has_its_own_key_and_narrowing_the_seeds_keeps_the_others(config):
    first, second = (train_provenance(config, "bh", "mpnn", "FullCV_01", k, ROOT) for k in (0, 1))
    assert second.changed(asdict(first)) == ["settings"] and second.key != first.key
    narrowed = copy.deepcopy(config)
    narrowed["models"]["mpnn"]["torch_seeds"] = [0]  # a run does not depend on its model's other seeds
    assert train_provenance(narrowed, "bh", "mpnn", "FullCV_01", 0, ROOT) == first


def test_which_runs_a_model_has_and_how_the_report_shows_them_are_in_no_key(config):
    """Raising a costly variant's `max_splits` (one more split), running it on fewer datasets, relabelling it or
    pairing it with another reference trains no run it already has."""
    before = train_provenance(config, "bh", "uam_human_dft", "FullCV_01", 0, ROOT)
    edited = copy.deepcopy(config)
    edited["models"]["uam_human_dft"].update(max_splits=2, datasets=["bh"], label="renamed", compare_to="uam_short")
    edited["models"]["dft_rf_lc025"]["curve_of"] = "drfp_rf"
    assert train_provenance(edited, "bh", "uam_human_dft", "FullCV_01", 0, ROOT) == before
    assert (train_provenance(edited, "bh", "dft_rf_lc025", "FullCV_01", 0, ROOT)
            == train_provenance(config, "bh", "dft_rf_lc025", "FullCV_01", 0, ROOT))
    edited["models"]["uam_human_dft"]["epochs"] += 1  # a setting of the run itself
    assert train_provenance(edited, "bh", "uam_human_dft", "FullCV_01", 0, ROOT).changed(asdict(before)) == ["settings"]


def test_the_split_list_is_in_no_settings_but_a_missing_split_stops_the_planning(config):
    assert "splits" not in featurize_settings(config, "bh")["dataset_spec"]
    fewer = copy.deepcopy(config)
    fewer["datasets"]["bh"]["splits"] = ["FullCV_01"]
    assert validation_settings(fewer, "bh", ROOT) == validation_settings(config, "bh", ROOT)
    assert {"FullCV_10", "Test4"} <= set(validation_settings(config, "bh", ROOT)["dataset_spec"]["splits"])
    with pytest.raises(ConfigError, match="datasets.bh.splits: 'FullCV_99' is not a split of"):
        train_provenance(config, "bh", "dft_rf", "FullCV_99", 0, ROOT)


def test_a_pretraining_key_names_its_scope_and_reads_its_splits_rows(config):
    """Encoders of all BH reactions, and of each unseen-additive test's training reactions: distinct keys, and
    a test's key covers its own rows of the split orders (so does the key of a run that loads them)."""
    everything = pretrain_provenance(config, "bh", "all", "encoders", ROOT)
    tests = {t: pretrain_provenance(config, "bh_tests", t, "encoders", ROOT) for t in ("Test1", "Test2")}
    assert len({everything.key, *(p.key for p in tests.values())}) == 3
    assert tests["Test1"].changed(asdict(tests["Test2"])) == ["settings", "data"]
    assert tests["Test1"].code == everything.code
    scoped, transductive = (train_provenance(config, "bh_tests", m, "Test1", 0, ROOT)
                            for m in ("uam", "uam_transductive"))
    assert scoped.key != transductive.key
    # another seed of the scoped run: its own key (the pre-training it loads is the same: test_config)
    reseeded = train_provenance(config, "bh_tests", "uam", "Test1", 1, ROOT)
    assert reseeded.key != scoped.key and reseeded.data == scoped.data
    with pytest.raises(ConfigError, match="datasets.bh_tests.splits: 'Test9' is not a split of"):
        pretrain_provenance(config, "bh_tests", "Test9", "encoders", ROOT)


def test_the_cpu_vector_extensions_torch_may_use_are_part_of_the_versions(monkeypatch):
    """AVX-512 and AVX2 kernels give other bytes for the same seed (BH pre-training): a run computed on another
    kind of CPU must not be served as this one's."""
    from rxnyield import provenance

    cpuinfo = Path("/proc/cpuinfo").read_text()
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", "avx2")
    provenance.package_versions.cache_clear()
    forced = provenance.package_versions()
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", "default")
    provenance.package_versions.cache_clear()
    assert forced["cpu"] == provenance.cpu_class(cpuinfo, forced="avx2")
    assert provenance.package_versions()["cpu"] == provenance.cpu_class(cpuinfo, forced="default") != forced["cpu"]
    provenance.package_versions.cache_clear()


def test_the_cpu_class_names_a_vendor_other_than_the_one_the_committed_caches_were_computed_on():
    """Same flags, other vendor, other bytes (an Intel Xeon re-trained every cached torch run differently): the
    vendor is part of the class, and AMD's bare name keeps the committed caches' keys."""
    from rxnyield.provenance import cpu_class

    flags = "flags\t\t: fpu sse avx avx2 avx512f avx512bw\n"
    assert cpu_class("vendor_id\t: AuthenticAMD\n" + flags) == "avx512"
    assert cpu_class("vendor_id\t: GenuineIntel\n" + flags) == "avx512 (GenuineIntel)"
    assert cpu_class("vendor_id\t: GenuineIntel\nflags\t\t: fpu sse avx avx2\n") == "avx2 (GenuineIntel)"
    assert cpu_class("processor\t: 0\n") == "default"  # no vendor, no vector flags
    # forced kernels replace the vector extension, never the vendor: an Intel machine forced to AVX-512 kernels
    # would take the runs computed on AMD for its own
    assert cpu_class("vendor_id\t: GenuineIntel\n" + flags, forced="avx512") == "avx512 (GenuineIntel)"
    assert cpu_class("vendor_id\t: AuthenticAMD\n" + flags, forced="avx2") == "avx2"


def test_a_run_on_another_cpu_class_has_another_key_that_differs_in_its_versions_only(config):
    """What a cache filled on another kind of machine holds a run under (`rxnyield.cache.serving_entry`)."""
    run = train_provenance(config, "bh", "mpnn", "FullCV_01", 0, ROOT)
    assert run.on_cpu(package_versions()["cpu"]) == run
    elsewhere = run.on_cpu("avx2 (SomeVendor)")
    assert run.changed(asdict(elsewhere)) == ["versions"] and elsewhere.key != run.key
    assert (readable_cpu_class("avx512"), readable_cpu_class("avx512 (GenuineIntel)")) == ("AMD AVX-512",
                                                                                          "Intel AVX-512")
