"""Build ms.pdf with showyourwork 0.4.3's own `showyourwork build`, offline and without conda.

    .venv/bin/python scripts/showyourwork/build.py [--profile quick] [--cores 2] [--venv .venv-showyourwork]
                                                   [SNAKEMAKE_ARGUMENT ...]

Run it with the project's Python, in a git repository (showyourwork requires one): that Python's bin
directory goes on PATH, so the jobs' `python` and `rxnyield` are the project's, while showyourwork and its
Snakemake 7 run from a separate virtual environment (--venv, made once from requirements.txt and
showyourwork==0.4.3 installed with --no-deps). RXNYIELD_PROFILE names the profile whose config files the
Snakefile reads (showyourwork passes no profile). Two things are replaced: the conda switches of
showyourwork's Snakemake command line (showyourwork_without_conda.py) and tectonic (bin/tectonic), whose
TeX bundle held the LaTeX packages of showyourwork's stylesheet: they come from Debian here, installed
(apt-get, with sudo unless root) where kpsewhich does not find them. Other arguments go to `showyourwork
build`, which passes them to Snakemake.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REQUIREMENTS = HERE / "requirements.txt"
# A file of each Debian package that showyourwork's stylesheet (resources/styles/*.tex) needs beyond
# `make paper`'s TeX packages.
TEX_PACKAGES = {"stackengine.sty": "texlive-latex-extra", "tikz.sty": "texlive-pictures",
                "fontawesome5.sty": "texlive-fonts-extra", "listofitems.sty": "texlive-plain-generic"}


def install_tex() -> None:
    missing = sorted(package for name, package in TEX_PACKAGES.items()
                     if subprocess.run(["kpsewhich", name], capture_output=True).returncode != 0)
    if missing:
        print("installing Debian packages:", *missing, flush=True)
        apt = ([] if os.geteuid() == 0 else ["sudo"]) + ["apt-get"]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run([*apt, "update", "-qq"], check=True)
        subprocess.run([*apt, "install", "-y", "-qq", "--no-install-recommends", *missing], check=True, env=env)


def install(venv: Path) -> Path:
    """The showyourwork environment's Python, installed unless it already is (from this requirements.txt)."""
    python = venv / "bin" / "python"
    stamp = venv / ".installed"
    if not stamp.exists() or stamp.stat().st_mtime < REQUIREMENTS.stat().st_mtime:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(python), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
        subprocess.run([*pip, "--no-deps", "showyourwork==0.4.3"], check=True)
        stamp.touch()
    return python


def build(profile: str, cores: int, venv: Path, snakemake_args: list[str]) -> int:
    install_tex()
    python = install(venv.resolve())
    path = os.pathsep.join([str(HERE / "bin"), str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = dict(os.environ, PATH=path, PYTHONPATH=str(ROOT / "src"), RXNYIELD_PROFILE=profile)
    command = [str(python), str(HERE / "showyourwork_without_conda.py"), "--cores", str(cores), *snakemake_args]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="paper", help="paper, quick or full (config/NAME.yaml)")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv-showyourwork")
    args, snakemake_args = parser.parse_known_args(argv)
    return build(args.profile, args.cores, args.venv, snakemake_args)


if __name__ == "__main__":
    sys.exit(main())
