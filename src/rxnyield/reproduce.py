"""`make reproduce`: build a profile twice from clean copies of the repository and compare the outputs.

Two builds in separate directories must give byte-identical `\\variable` files, tables, per-split
metrics and predictions; every differing or missing file is printed and the check fails. With `--slurm`
the second build submits its jobs to SLURM (`profiles/slurm`) instead of running them locally; with
`--from-cache` it restores the committed run cache first, as `make paper` does, so that a build trained from
scratch is compared with the cached runs. A run the committed cache does not hold as current for this machine
(computed on another CPU class or with other package versions, or its code changed since) the second build
restores from the first build's runs, and it re-trains a few runs of this machine's class (`supplement_cache`).
The first build runs its commands in processes forked from a server that imported the library once
(`rxnyield.forkserver`), the second in plain processes: the comparison checks that forking changes nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from rxnyield import forkserver
from rxnyield.cache import (SWITCH, cache_dir_of, check_budget, choose_checks, current_entries, load_profile,
                            read_manifest, write_manifest)
from rxnyield.config import load_config, profile_config_files
from rxnyield.provenance import package_versions

ROOT = Path(__file__).resolve().parents[2]
COMPARED = ("src/tex/output/**/*", "{results}/runs/**/predictions.csv", "{results}/runs/**/metrics.json",
            "{results}/aggregate/*.csv")
# Measurements of the build itself (wall and CPU time, memory) differ between any two runs by nature.
MEASURED = ("src/tex/output/compute_table.tex", "src/tex/output/compute_summary.tex",
            "{results}/aggregate/compute_cost.csv")


def project_files(root: Path) -> list[str]:
    """Tracked and untracked-but-not-ignored files: what a fresh clone of the working tree would hold."""
    listing = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=root,
                             check=True, capture_output=True, text=True).stdout
    return [name for name in listing.split("\0") if name and (root / name).is_file()]


def clean_copy(root: Path, target: Path) -> None:
    for name in project_files(root):
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, destination)


def copy_environment(directory: Path, **extra: str) -> dict[str, str]:
    """This interpreter's environment for commands run in the copy `directory`: its package first on the import
    path, this environment's `bin` (Snakemake, `rxnyield`) first on PATH, and `extra` variables."""
    bin_dir = Path(sys.executable).parent
    return dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
                PYTHONPATH=str(directory / "src"), **extra)


def cache_command(directory: Path, command: str, profile: str, log, env: dict[str, str]) -> None:
    """`python -m rxnyield.cache <command> --profile <profile>` in the copy `directory`, logged to `log`."""
    subprocess.run([sys.executable, "-m", "rxnyield.cache", command, "--profile", profile], cwd=directory, env=env,
                   check=True, stdout=log, stderr=subprocess.STDOUT)


def build(directory: Path, profile: str, log, slurm: bool = False, from_cache: bool = False,
          forked: bool = False) -> None:
    """Run the whole workflow of `profile` in `directory` with this interpreter's environment; with `slurm`,
    the profile's configuration through the SLURM executor (`profiles/slurm`); with `from_cache`, after
    restoring the committed cache's current runs computed on this machine's CPU class (a run computed on another
    class has other bytes by design: it is trained). Otherwise the cache is off: every run is trained. With
    `forked`, every `rxnyield` command runs in a process forked from a server that imported the library once
    (`rxnyield.forkserver`)."""
    bin_dir = Path(sys.executable).parent
    env = copy_environment(directory, **{SWITCH: "this-cpu" if from_cache else "off"})
    if from_cache:
        cache_command(directory, "restore", profile, log, env)
    command = [str(bin_dir / "snakemake"), "--profile", f"profiles/{profile}"]
    if slurm:
        command = [str(bin_dir / "snakemake"), "--profile", "profiles/slurm", "--configfile",
                   *profile_config_files(profile)]
    server = contextlib.nullcontext(env)
    if forked:
        threads = load_config(*(directory / name for name in profile_config_files(profile)))["threads"]
        server = forkserver.running(env, log, threads)
    with server as env:
        subprocess.run(command, cwd=directory, env=env, check=True, stdout=log, stderr=subprocess.STDOUT)


def compared_files(directory: Path, results_dir: str) -> set[str]:
    found = set()
    for pattern in COMPARED:
        for path in directory.glob(pattern.format(results=results_dir)):
            if path.is_file():
                found.add(path.relative_to(directory).as_posix())
    return found - {name.format(results=results_dir) for name in MEASURED}


def compare_builds(first: Path, second: Path, results_dir: str) -> list[str]:
    """One line per file that differs or exists in one build only; empty when the builds agree."""
    a, b = compared_files(first, results_dir), compared_files(second, results_dir)
    problems = [f"only in {first.name}: {name}" for name in sorted(a - b)]
    problems += [f"only in {second.name}: {name}" for name in sorted(b - a)]
    problems += [f"differs: {name}" for name in sorted(a & b)
                 if not filecmp.cmp(first / name, second / name, shallow=False)]
    if not a | b:
        problems.append(f"no outputs found to compare under {first} and {second}")
    return problems


def head_commit(root: Path) -> str:
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, stdout=subprocess.PIPE, text=True)
    return done.stdout.strip() if done.returncode == 0 else "no-git"


def supplement_cache(profile: str, first: Path, second: Path, commit: str, log) -> str:
    """Make the cache of `profile` in `second` the committed one plus every run `first` trained from scratch that
    it lacks (`refresh` keeps a committed entry where `first` trained the same key), less the few runs of this
    machine's CPU class that CI's check would re-train for `commit` (`choose_checks`, within the profile's check
    budget). The second build then restores the committed runs that are current here (compared byte for byte with
    the first build's), restores the first build's others, and re-trains the chosen ones in plain processes: one
    from-scratch build instead of up to two, whatever share of the committed cache is current on this machine's
    class (a cache filled on another CPU class or with other package versions serves none of its runs). Returns a
    line that says so."""
    config, _, _ = load_profile(profile, second)
    committed = cache_dir_of(config, second)
    current = current_entries(config, second, read_manifest(committed))
    served = {key for key, entry in current.items() if entry["job"] == "train"}
    cache_command(first, "refresh", profile, log, copy_environment(first))
    shutil.rmtree(committed, ignore_errors=True)  # a profile without a committed cache has none
    shutil.copytree(cache_dir_of(config, first), committed)
    entries = read_manifest(committed)
    here = package_versions()["cpu"]
    retrained = choose_checks(config, {key: entry for key, entry in entries.items() if entry.get("cpu") == here},
                              commit, check_budget(profile))
    for key in retrained:
        (committed / f"{key}.tar.xz").unlink()
    write_manifest(committed, {key: entry for key, entry in entries.items() if key not in retrained})
    from_first = {key for key, e in entries.items() if e["job"] == "train" and e.get("cpu") == here} - served
    return (f"{second.name} restores the {len(served - set(retrained))} committed {profile} runs current on this "
            f"machine and {len(from_first - set(retrained))} runs {first.name} trained, and re-trains "
            f"{', '.join(entries[key]['name'] for key in retrained)}")


def reproduce(profile: str, workdir: Path, root: Path = ROOT, slurm: bool = False,
              from_cache: bool = False) -> list[str]:
    """Build `profile` in workdir/build_a and workdir/build_b (through SLURM with `slurm`, from the committed
    cache with `from_cache`, supplemented with the first build's runs: see `supplement_cache`) and return their
    differences."""
    results_dir = load_config(*(root / name for name in profile_config_files(profile)))["results_dir"]
    builds = [workdir / "build_a", workdir / "build_b"]
    for directory, on_slurm in zip(builds, (False, slurm)):
        shutil.rmtree(directory, ignore_errors=True)
        clean_copy(root, directory)
        with open(workdir / f"{directory.name}.log", "w") as log:
            restored = from_cache and directory == builds[1]
            where = ("through SLURM" if on_slurm else "locally") + (", from the cache" if restored else "")
            print(f"building {profile} {where} in {directory} (log: {log.name})", flush=True)
            if restored:
                line = supplement_cache(profile, builds[0], directory, head_commit(root), log)
                print(line, file=log, flush=True)
                print(line, flush=True)
            build(directory, profile, log, on_slurm, restored, forked=directory == builds[0])
    return compare_builds(*builds, results_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--workdir", type=Path, help="keep the two builds here (default: a temporary directory)")
    parser.add_argument("--slurm", action="store_true", help="run the second build through the SLURM executor")
    parser.add_argument("--from-cache", action="store_true",
                        help="the second build restores the committed run cache first (compares it with the first)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rxnyield-reproduce-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        problems = reproduce(args.profile, workdir, slurm=args.slurm, from_cache=args.from_cache)
    for line in problems:
        print(line)
    print(f"reproduce: {'FAILED, ' + str(len(problems)) + ' difference(s)' if problems else 'identical outputs'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
