"""The repository cache never serves a stale run: dry runs of the quick profile in copies of the repository.

A cache of placeholder files holds every job of the quick profile under its current key; each test changes
one thing and checks what Snakemake then plans to compute. The last tests train one cheap run for real.
"""

from __future__ import annotations

import lzma
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import END_TO_END_PROFILE, ROOT
from rxnyield.cache import (CACHE_DIR, COLUMNS_DIR, MANIFEST, NothingComparable, RefusedEntry, cache_mode,
                            choose_checks, check, check_budget, current_entries, expected_seconds, load_profile,
                            profile_jobs, read_manifest, refresh, run_of, split_columns, store, train_job, unpack,
                            write_manifest)
from rxnyield.config import pretrained_checkpoints, run_dir, run_names, runs
from rxnyield.provenance import digest, package_versions, readable_cpu_class, versions_digest
from rxnyield.reproduce import clean_copy, head_commit, supplement_cache

BIN = Path(sys.executable).parent
HEAVY_RULES = {"validate", "featurize", "pretrain", "train"}
BENCHMARK = ("s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
             "{s}\t0:00:01\t100\t100\t100\t100\t0\t0\t90\t{s}\n")
CHEAP_RUN = ("bh", "onehot_rf", "FullCV_01", 0)


def run(root: Path, *command: str, cache: str = "on") -> str:
    """A command in a copy of the repository, with that copy's package; its stdout and stderr."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", PYTHONPATH=str(root / "src"),
               RXNYIELD_CACHE=cache)
    done = subprocess.run(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert done.returncode == 0, done.stdout
    return done.stdout


def restore(root: Path, cache: str = "on") -> str:
    return run(root, sys.executable, "-m", "rxnyield.cache", "restore", "--profile", "quick", cache=cache)


def planned(root: Path, *targets: str) -> list[tuple[str, str]]:
    """(rule, wildcards) of every job a dry run of the quick profile plans."""
    jobs = []
    for line in run(root, str(BIN / "snakemake"), "--profile", "profiles/quick", "-n", *targets).splitlines():
        if rule := re.match(r"(?:local)?rule (\w+):$", line):
            jobs.append([rule.group(1), ""])
        elif (wildcards := re.match(r"\s+wildcards: (.*)", line)) and jobs:
            jobs[-1][1] = wildcards.group(1)
    return [tuple(job) for job in jobs]


def heavy(jobs) -> set[str]:
    return {rule for rule, _ in jobs if rule in HEAVY_RULES}


def trained(jobs) -> set[tuple]:
    """(dataset, model, split, seed) of the planned training jobs."""
    found = [dict(part.split("=") for part in wildcards.split(", ")) for rule, wildcards in jobs if rule == "train"]
    return {(w["dataset"], w["model"], w["split"], int(w["seed"])) for w in found}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def rewrite_entry(cache_dir: Path, key: str, change, manifest_too: bool) -> None:
    """Alter the predictions of a cache entry; with `manifest_too`, also their hash in the manifest."""
    entries = read_manifest(cache_dir)
    files = unpack(cache_dir, key, entries[key], tuple(entries[key]["files"]))
    name = next(n for n in files if n.endswith("predictions.csv"))
    files[name] = change(files[name])
    stored = store(cache_dir, key, files)
    entries[key] = {**entries[key], **(stored if manifest_too else {"shared": stored["shared"]})}
    write_manifest(cache_dir, entries)


def write_placeholder_results(root: Path) -> Path:
    """Placeholder outputs, benchmarks and stamps of every job of the quick profile under its current key, as if
    the profile had been built; the results directory."""
    config, _, _ = load_profile("quick", root)
    results = root / config["results_dir"]
    for number, job in enumerate(profile_jobs(config, root)):
        for name in (*job.files, job.stamp):
            (results / name).parent.mkdir(parents=True, exist_ok=True)
            (results / name).write_text(BENCHMARK.format(s=1 + number) if name.endswith(".tsv") else name)
        (results / job.stamp).write_text(job.provenance.to_json())
    return results


@pytest.fixture(scope="module")
def cached_repo(tmp_path_factory) -> Path:
    """A copy of the repository whose quick cache holds every job (placeholder files), and no results."""
    root = tmp_path_factory.mktemp("cached") / "repo"
    clean_copy(ROOT, root)
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    results = write_placeholder_results(root)
    config, _, _ = load_profile("quick", root)
    refresh(config, root, root / CACHE_DIR / "quick")
    shutil.rmtree(results)
    return root


@pytest.fixture
def repo(cached_repo, tmp_path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(cached_repo, root)
    return root


def test_a_restored_tree_computes_nothing_heavy_and_the_report_finds_its_benchmarks(repo, monkeypatch):
    config, _, _ = load_profile("quick", repo)
    assert restore(repo).startswith(f"cache src/data/cache/quick: {len(runs(config))} runs restored, 0 up to date, "
                                    f"0 to train")
    assert heavy(planned(repo)) == set()
    for data_file in (repo / "src/data").rglob("*.csv"):
        os.utime(data_file)
    assert heavy(planned(repo)) == set()
    from rxnyield.report.aggregate import compute_cost, training_cpus

    monkeypatch.chdir(repo)
    compute = compute_cost(config, training_cpus(config))
    assert len(compute) == len(runs(config)) + 2 + len(pretrained_checkpoints(config))


def test_a_forest_setting_misses_only_that_forest_and_its_learning_curve(repo):
    restore(repo)
    edit(repo / "config/quick.yaml", "dft_rf: {n_estimators: 20}", "dft_rf: {n_estimators: 21}")
    config, _, _ = load_profile("quick", repo)
    forest = {r for r in runs(config) if r[1] == "dft_rf" or config["models"][r[1]].get("curve_of") == "dft_rf"}
    jobs = planned(repo)
    assert trained(jobs) == forest and "pretrain" not in heavy(jobs)
    assert f"{len(forest)} to train ({len(forest)} changed settings)" in restore(repo)


def test_editing_the_uam_module_misses_only_uam_type_runs_and_their_pretraining(repo):
    restore(repo)
    with (repo / "src/rxnyield/models/uam.py").open("a") as module:
        module.write("# an edit\n")
    config, _, _ = load_profile("quick", repo)
    uam_type = {r for r in runs(config) if config["models"][r[1]]["type"] == "uam"}
    jobs = planned(repo)  # straight after the edit: Snakemake alone re-trains runs restored for the old key
    assert trained(jobs) == uam_type
    checkpoints = pretrained_checkpoints(config)
    assert {w for rule, w in jobs if rule == "pretrain"} == {f"dataset={d}, scope={s}, encoders={e}"
                                                             for d, s, e in checkpoints}
    assert len(checkpoints) == 4  # BH's, SM's, the longer one on BH's and the unseen-additive test's own
    assert f"{len(uam_type)} to train ({len(uam_type)} changed code) + 4 pre-trainings" in restore(repo)


def test_report_code_and_figure_scripts_train_nothing(repo):
    restore(repo)
    for path in ("src/scripts/parity.py", "src/rxnyield/report/figures.py", "src/rxnyield/uncertainty.py"):
        with (repo / path).open("a") as source:
            source.write("# an edit\n")
    jobs = planned(repo)
    assert heavy(jobs) == set() and ("parity", "") in jobs


def test_an_altered_entry_is_refused_and_its_run_trained(repo):
    cache_dir = repo / CACHE_DIR / "quick"
    key = next(k for k, e in read_manifest(cache_dir).items() if e["name"] == "bh/mpnn/FullCV_01/seed1")
    rewrite_entry(cache_dir, key, lambda data: data + b"0", manifest_too=False)
    output = restore(repo)
    assert (f"cache: refused train bh/mpnn/FullCV_01/seed1: {cache_dir.relative_to(repo)}/{key}.tar.xz: "
            f"runs/bh/mpnn/FullCV_01/seed1/predictions.csv does not match its sha256 in {MANIFEST}") in output
    assert "1 to train (1 refused)" in output
    assert not (repo / "results/quick/runs/bh/mpnn/FullCV_01/seed1/predictions.csv").exists()
    assert (repo / "results/quick/runs/bh/mpnn/FullCV_01/seed0/predictions.csv").exists()  # the other seed's
    assert trained(planned(repo)) == {("bh", "mpnn", "FullCV_01", 1)}


def test_a_new_split_trains_only_its_own_runs(repo):
    restore(repo)
    old, _, _ = load_profile("quick", repo)
    edit(repo / "config/quick.yaml", "splits: [FullCV_01, FullCV_02]", "splits: [FullCV_01, FullCV_02, FullCV_03]")
    new, _, _ = load_profile("quick", repo)
    assert trained(planned(repo)) == set(runs(new)) - set(runs(old)) != set()


def set_components(cache_dir: Path, **components: str) -> None:
    """Give every cached training run other key components, as another machine or older code would have."""
    entries = read_manifest(cache_dir)
    for entry in entries.values():
        if entry["job"] == "train":
            entry["components"].update(components)
    write_manifest(cache_dir, {digest(key): entry for key, entry in entries.items()})


@pytest.mark.parametrize("committed", ["half its runs", "runs of another CPU class"])
def test_the_second_reproduce_build_trains_only_the_checks_whatever_the_committed_cache_serves(
        cached_repo, tmp_path, monkeypatch, committed):
    """`make reproduce --from-cache` (the end-to-end test) trains each run once from scratch: its second build
    restores the committed runs current here and the first build's others, and re-trains only the runs CI's check
    would choose. A committed cache that served a few runs but not most made the second build train them all again
    (CI on the Intel machine: 108 of 132 quick runs trained twice, 39 min)."""
    from rxnyield import provenance

    first, second = tmp_path / "build_a", tmp_path / "build_b"
    for build in (first, second):
        shutil.copytree(cached_repo, build)
    try:
        if committed == "half its runs":  # as where code changed under half of them, in both clean copies
            entries = read_manifest(cached_repo / CACHE_DIR / "quick")
            dropped = [key for key, entry in sorted(entries.items()) if entry["job"] == "train"][::2]
            for build in (first, second):
                write_manifest(build / CACHE_DIR / "quick",
                               {key: entry for key, entry in entries.items() if key not in dropped})
        else:  # here and in the subprocesses (on an AVX2 machine, forcing AVX2 would change nothing)
            native = provenance.machine_cpu_class()
            monkeypatch.setenv("ATEN_CPU_CAPABILITY", "default" if native.startswith("avx2") else "avx2")
            provenance.package_versions.cache_clear()
            assert package_versions()["cpu"] != native
        config, _, _ = load_profile("quick", second)
        served = {key for key, entry in current_entries(config, second, read_manifest(second / CACHE_DIR / "quick"))
                  .items() if entry["job"] == "train"}
        assert bool(served) == (committed == "half its runs")
        write_placeholder_results(first)  # the first build's runs, trained on this machine's class
        with open(tmp_path / "log", "w") as log:
            line = supplement_cache("quick", first, second, "0123abc", log)
        entries = read_manifest(first / CACHE_DIR / "quick")  # the committed ones and the first build's
        here = {key: entry for key, entry in entries.items() if entry["cpu"] == package_versions()["cpu"]}
        chosen = choose_checks(config, here, "0123abc", check_budget("quick"))
        assert chosen and line.endswith("re-trains " + ", ".join(entries[key]["name"] for key in chosen))
        assert f"restores the {len(served - set(chosen))} committed quick runs" in line
        assert set(read_manifest(second / CACHE_DIR / "quick")) == set(entries) - set(chosen)
        restore(second, cache="this-cpu")
        assert trained(planned(second)) == {run_of(entries[key]["name"]) for key in chosen}
    finally:
        monkeypatch.undo()
        provenance.package_versions.cache_clear()


def as_computed_on(root: Path, cpu_class: str) -> dict:
    """Give every entry of the quick cache the key its job has on another CPU class, as a cache filled on such a
    machine would hold it; the entries as they were."""
    cache_dir = root / CACHE_DIR / "quick"
    entries = read_manifest(cache_dir)
    config, _, _ = load_profile("quick", root)
    moved = {}
    for job in profile_jobs(config, root):
        key = job.key_on(cpu_class)
        (cache_dir / f"{job.key}.tar.xz").rename(cache_dir / f"{key}.tar.xz")
        components = {**entries[job.key]["components"], "versions": versions_digest(cpu_class)}
        moved[key] = {**entries[job.key], "components": components, "cpu": cpu_class}
    write_manifest(cache_dir, moved)
    return entries


def test_runs_computed_on_another_cpu_class_are_served_and_named_unless_this_cpu_is_asked(repo, monkeypatch):
    """A cache filled on another kind of machine serves this one (same code, settings, data and versions; other
    float rounding) and says so; this machine's own run of a job comes first; `this-cpu` trains the others."""
    config, _, _ = load_profile("quick", repo)
    own = as_computed_on(repo, "avx512 (SomeVendor)")
    n = len(runs(config))
    elsewhere = (f"({n} computed on SomeVendor AVX-512 CPUs; this machine: "
                 f"{readable_cpu_class(package_versions()['cpu'])}, other float rounding)")
    assert f"{n} runs restored, 0 up to date {elsewhere}, 0 to train" in restore(repo)
    assert heavy(planned(repo)) == set()
    assert f"0 runs restored, {n} up to date {elsewhere}, 0 to train" in restore(repo)
    cache_dir = repo / CACHE_DIR / "quick"
    assert refresh(config, repo, cache_dir).startswith(f"cache {cache_dir}: {len(own)} entries (0 new), 0 pruned")
    job = train_job(config, *CHEAP_RUN, repo)
    shutil.copy(cache_dir / f"{job.key_on('avx512 (SomeVendor)')}.tar.xz", cache_dir / f"{job.key}.tar.xz")
    write_manifest(cache_dir, {**read_manifest(cache_dir), job.key: own[job.key]})
    assert f"1 runs restored, {n - 1} up to date ({n - 1} computed on SomeVendor" in restore(repo)
    from rxnyield.report.aggregate import compute_cost, training_cpus
    from rxnyield.report.tables import compute_summary

    monkeypatch.chdir(repo)
    here = readable_cpu_class(package_versions()["cpu"])
    compute = compute_cost(config, training_cpus(config))
    assert (f"Its {n} training runs were computed on SomeVendor AVX-512 CPUs ({n - 1}) and {here} CPUs (1); a "
            f"job's times are those of the machine it ran on.") in compute_summary(compute)
    assert "restored" in (repo / config["results_dir"] / job.stamp).read_text()
    assert "cpu" not in (repo / config["results_dir"] / job.stamp).read_text()
    assert (f"0 runs restored, 1 up to date, {n - 1} to train ({n - 1} computed on another CPU class)"
            in restore(repo, cache="this-cpu"))
    assert trained(planned(repo)) == set(runs(config)) - {CHEAP_RUN}


def test_a_fresh_clone_says_which_runs_an_edit_misses_in_a_cache_computed_on_another_cpu_class(repo):
    """A regression: with no stamps to read, the reason came from the manifest entry, which has no `key`, and
    restore failed with a KeyError; the CPU class alone must not count as a changed version."""
    as_computed_on(repo, "avx512 (SomeVendor)")
    with (repo / "src/rxnyield/models/uam.py").open("a") as module:
        module.write("# an edit\n")
    config, _, _ = load_profile("quick", repo)
    uam_type = [r for r in runs(config) if config["models"][r[1]]["type"] == "uam"]
    assert f"{len(uam_type)} to train ({len(uam_type)} changed code)" in restore(repo)
    others = len(runs(config)) - len(uam_type)
    to_train, reasons = restore(repo, cache="this-cpu").split(" to train (")
    assert to_train.endswith(f" {len(runs(config))}")
    assert set(reasons.split(")")[0].split(", ")) == {f"{others} computed on another CPU class",
                                                       f"{len(uam_type)} changed code"}  # in either order


def test_a_run_never_timed_is_estimated_from_its_base_model_or_the_dataset_whose_reactions_it_splits():
    config, _, _ = load_profile("paper", ROOT)
    family = {"bh/yieldbert": [10.0, 20.0], "bh/uam": [30.0]}
    assert expected_seconds(config, "train", "bh_tests/yieldbert/Test1/seed0", {}, family) == 15.0
    assert expected_seconds(config, "train", "bh/uam_human_dft/FullCV_01/seed0", {}, family) == 30.0
    assert expected_seconds(config, "train", "sm/uam_human_dft/random_split_0/seed0", {}, family) is None
    assert expected_seconds(config, "pretrain", "sm/all/shared", {}, family) is None


def test_an_unknown_cache_mode_is_an_error_that_names_the_modes(monkeypatch):
    monkeypatch.setenv("RXNYIELD_CACHE", "sometimes")
    with pytest.raises(ValueError, match="RXNYIELD_CACHE=sometimes: expected one of on, this-cpu, off"):
        cache_mode()


def test_the_check_refuses_a_stale_cache_and_skips_one_from_another_cpu_class(repo):
    cache_dir = repo / CACHE_DIR / "quick"
    set_components(cache_dir, code="older code")
    with pytest.raises(RefusedEntry, match="no cached run is current for this code and config") as stale:
        check("quick", repo, "0123abc", budget_s=120)
    assert not isinstance(stale.value, NothingComparable)
    set_components(cache_dir, versions="avx512 elsewhere")
    with pytest.raises(NothingComparable, match="other package versions or CPU class"):
        check("quick", repo, "0123abc", budget_s=120)


def test_the_check_skips_runs_of_this_cpu_class_that_cost_more_than_its_budget(repo):
    with pytest.raises(NothingComparable, match=r"of its \d+ current runs computed on this CPU class .*, none chosen "
                                                r"for this commit .* fits in 0.5 s"):
        check("quick", repo, "0123abc", budget_s=0.5)


def test_each_seed_of_a_run_is_its_own_cache_entry_under_its_own_path(config):
    first, second = (train_job(config, "bh", "mpnn", "FullCV_01", k, ROOT) for k in (0, 1))
    assert first.key != second.key
    assert (second.name, second.stamp) == ("bh/mpnn/FullCV_01/seed1", "runs/bh/mpnn/FullCV_01/seed1/provenance.json")
    assert second.files[0] == "runs/bh/mpnn/FullCV_01/seed1/predictions.csv"
    assert second.files[-1] == "benchmarks/train/bh/mpnn/FullCV_01/seed1.tsv"
    assert run_of(second.name) == ("bh", "mpnn", "FullCV_01", 1)


def test_checks_rotate_with_the_commit_and_keep_to_the_budget(config):
    models = list(config["models"])
    entries = {digest("/".join(run_names(*run))): {"job": "train", "name": "/".join(run_names(*run)),
                                                   "wall_s": models.index(run[1]) + 1.0} for run in runs(config)}
    picks = {commit: choose_checks(config, entries, commit, 20) for commit in ("a1", "b2", "c3", "d4")}
    assert all(0 < sum(entries[k]["wall_s"] for k in keys) <= 20 for keys in picks.values())
    assert len({tuple(keys) for keys in picks.values()}) > 1
    assert picks["a1"] == choose_checks(config, entries, "a1", 20)
    dearest = max(entries.values(), key=lambda e: e["wall_s"])
    assert all(entries[k]["name"] != dearest["name"] for keys in picks.values() for k in keys)


PREDICTIONS_OF_A_SPLIT = "reaction_id,y_true,y_pred,y_sigma\n" + "".join(
    f"{i},{i * 0.731:.10g},{{pred}}{i},0.5\n" for i in range(200))


def test_runs_of_one_split_store_their_ids_and_yields_once_and_read_back_byte_identical(tmp_path):
    predictions = {f"{k}.csv": PREDICTIONS_OF_A_SPLIT.format(pred=k).encode() for k in range(1, 4)}
    entries = {f"key{k}": store(tmp_path, f"key{k}", {"runs/x/predictions.csv": data, "metrics.json": b"{}"})
               for k, data in enumerate(predictions.values())}
    assert len(list((tmp_path / COLUMNS_DIR).iterdir())) == 1
    for (key, entry), data in zip(entries.items(), predictions.values()):
        assert unpack(tmp_path, key, entry, ("runs/x/predictions.csv", "metrics.json")) == {
            "runs/x/predictions.csv": data, "metrics.json": b"{}"}
        assert (tmp_path / f"{key}.tar.xz").stat().st_size < len(lzma.compress(data)) * 0.8


@pytest.mark.parametrize("data", [b"a,b,c\n1,2,3", b"a,b\n1,2\n", b"a,b,c\n1,2\n", b""])
def test_a_file_the_shared_columns_cannot_rebuild_is_stored_whole(tmp_path, data):
    name = "runs/x/predictions.csv"
    assert split_columns(data) is None
    entry = store(tmp_path, "key", {name: data})
    assert entry["shared"] == {} and unpack(tmp_path, "key", entry, (name,)) == {name: data}


def test_altered_shared_columns_are_refused_in_every_entry_that_reads_them(tmp_path):
    name = "runs/x/predictions.csv"
    entries = {key: store(tmp_path, key, {name: PREDICTIONS_OF_A_SPLIT.format(pred=k).encode()})
               for k, key in enumerate(("first", "second"))}
    (columns,) = (tmp_path / COLUMNS_DIR).iterdir()
    columns.write_bytes(lzma.compress(lzma.decompress(columns.read_bytes()).replace(b"7", b"8")))
    for key, entry in entries.items():
        with pytest.raises(RefusedEntry, match=f"{columns.name} does not match its sha256"):
            unpack(tmp_path, key, entry, (name,))


def test_a_manifest_of_another_format_is_refused_in_one_line(tmp_path):
    """An entry of an older layout lacks fields this code needs: the whole manifest is refused, not misread."""
    write_manifest(tmp_path, {"key": {"job": "train", "name": "bh/mpnn/FullCV_01/seed0", "files": {}}})
    manifest = tmp_path / MANIFEST
    manifest.write_text(manifest.read_text().replace('"format": 2', '"format": 1'))
    with pytest.raises(RefusedEntry, match=r"manifest.json: cache format 1, this code reads format 2"):
        read_manifest(tmp_path)


# -- one cheap run trained for real ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trained_repo(tmp_path_factory) -> Path:
    """A copy of the repository with one forest run of the quick profile trained, and cached."""
    root = tmp_path_factory.mktemp("trained") / "repo"
    clean_copy(ROOT, root)
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    run(root, str(BIN / "snakemake"), "--profile", "profiles/quick", run_target(CHEAP_RUN))
    config, _, _ = load_profile("quick", root)
    refresh(config, root, root / CACHE_DIR / "quick")
    return root


def run_target(run: tuple) -> str:
    return (run_dir("results/quick", *run) / "predictions.csv").as_posix()


def test_touched_data_and_a_new_split_do_not_refeaturize_a_trained_tree(trained_repo, tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(trained_repo, root)
    for data_file in (root / "src/data").rglob("*.csv"):
        os.utime(data_file)
    assert planned(root, run_target(CHEAP_RUN)) == []
    edit(root / "config/quick.yaml", "splits: [FullCV_01, FullCV_02]", "splits: [FullCV_01, FullCV_02, FullCV_03]")
    assert planned(root, run_target(CHEAP_RUN)) == []
    new_run = ("bh", "onehot_rf", "FullCV_03", 0)
    assert trained(planned(root, run_target(new_run))) == {new_run}


def test_a_featurizer_module_featurization_does_not_import_refeaturizes_nothing(trained_repo, tmp_path):
    """A regression: the featurize rule once took every file of `featurizers/` as input, so adding Kwon et al.'s
    features (applied by the MPNN itself) re-featurized, and so re-trained, every run."""
    root = tmp_path / "repo"
    shutil.copytree(trained_repo, root)
    (root / "src/rxnyield/featurizers/another.py").write_text('"""Features a model computes itself."""\n')
    assert planned(root, run_target(CHEAP_RUN)) == []
    with (root / "src/rxnyield/featurizers/graph.py").open("a") as module:
        module.write("# an edit\n")
    assert ("featurize", "dataset=bh") in planned(root, run_target(CHEAP_RUN))


def test_restoring_over_a_run_trained_for_another_key_makes_snakemake_forget_it(trained_repo, tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(trained_repo, root)
    edit(root / "config/quick.yaml", "onehot_rf: {n_estimators: 20}", "onehot_rf: {n_estimators: 21}")
    shutil.move(root / CACHE_DIR, tmp_path / "cache")  # trained with 21 trees, not cached
    run(root, str(BIN / "snakemake"), "--profile", "profiles/quick", run_target(CHEAP_RUN))
    shutil.move(tmp_path / "cache", root / CACHE_DIR)
    edit(root / "config/quick.yaml", "onehot_rf: {n_estimators: 21}", "onehot_rf: {n_estimators: 20}")
    assert "1 runs restored" in restore(root)
    assert planned(root, run_target(CHEAP_RUN)) == []


@pytest.mark.parametrize("cache", ["on", "off"])
def test_a_restored_run_trained_again_is_not_trained_a_third_time(trained_repo, tmp_path, cache):
    """A regression: a run restored for an earlier key (or with the cache off), then trained, was trained once
    more by the next build, because its input set had changed since Snakemake recorded it."""
    root = tmp_path / "repo"
    shutil.copytree(trained_repo, root)
    shutil.rmtree(root / ".snakemake")
    shutil.rmtree(root / run_dir("results/quick", *CHEAP_RUN))  # as a fresh clone has it: only the cache
    assert "1 runs restored" in restore(root)
    if cache == "on":
        edit(root / "config/quick.yaml", "onehot_rf: {n_estimators: 20}", "onehot_rf: {n_estimators: 21}")
    assert "0 runs restored, 0 up to date" in restore(root, cache=cache)
    assert trained(planned(root, run_target(CHEAP_RUN))) == {CHEAP_RUN}
    run(root, str(BIN / "snakemake"), "--profile", "profiles/quick", run_target(CHEAP_RUN), cache=cache)
    assert "0 runs restored, 1 up to date" in restore(root, cache=cache)
    assert planned(root, run_target(CHEAP_RUN)) == []


def test_the_ci_check_retrains_a_cached_run_and_requires_identical_files(trained_repo, tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(trained_repo, root)
    assert check("quick", root, "0123abc", budget_s=120) == []
    cache_dir = root / CACHE_DIR / "quick"
    key = next(k for k, e in read_manifest(cache_dir).items() if e["job"] == "train")
    rewrite_entry(cache_dir, key, lambda data: data.replace(b"\n", b"\r\n"), manifest_too=True)
    assert check("quick", root, "0123abc", budget_s=120) == [
        "{}/{}/{}/seed{}: runs/{}/{}/{}/seed{}/predictions.csv differs from the cached file".format(*CHEAP_RUN,
                                                                                                   *CHEAP_RUN)]


# -- the committed caches are real ----------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("profile", sorted(p.parent.name for p in (ROOT / CACHE_DIR).glob(f"*/{MANIFEST}")
                                            if p.parent.name != END_TO_END_PROFILE))
def test_the_committed_cache_retrains_byte_identically(profile, tmp_path):
    """CI re-trains a few runs of each committed cache, chosen by the commit, and requires the cached bytes. A
    cache computed on another CPU class or with other package versions is skipped (its keys say so). The end-to-end
    test's profile is left out: that test compares every run its committed cache serves with one trained from
    scratch, which covers the few this check would pick."""
    root = tmp_path / "repo"
    clean_copy(ROOT, root)
    try:
        differences = check(profile, root, head_commit(ROOT), check_budget(profile))
    except NothingComparable as reason:
        pytest.skip(str(reason))
    assert differences == []
