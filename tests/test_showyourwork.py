"""Opt-in (`RXNYIELD_TEST_SHOWYOURWORK=1`): `showyourwork build` of the quick profile prints the values of
`make paper PROFILE=quick`.

showyourwork 0.4.3's own command line and workflow files (prep.smk; build.smk, which includes our
Snakefile) run through scripts/showyourwork/build.py, in a new virtual environment (showyourwork with
--no-deps, Snakemake 7.32.4), in a clean copy of the working tree made a git repository. Replaced because
they cannot exist offline: the `--use-conda --conda-frontend conda` of showyourwork's Snakemake command
line (no conda environments: the jobs run this Python's `python` and `rxnyield` from PATH) and tectonic
(bin/tectonic: pdfLaTeX through latexmk, with Debian's TeX packages, which build.py installs if missing).

The reference is a `make paper PROFILE=quick` build (Snakemake 9) of another clean copy. To train once,
showyourwork's copy gets the reference's results/quick without its aggregate/ and without Snakemake's
metadata: under showyourwork the aggregation, every variable, table and figure, and the article run; no
validation, featurization or training does (checked in its log). Measured: 15 min on two shared cores.
"""

import filecmp
import os
import re
import shutil
import subprocess
import sys
from collections import Counter

import pytest

from rxnyield.reproduce import build, clean_copy
from conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    os.environ.get("RXNYIELD_TEST_SHOWYOURWORK") != "1",
    reason="opt-in: set RXNYIELD_TEST_SHOWYOURWORK=1 to install showyourwork 0.4.3 and build the quick article")]

DECIMAL = re.compile(r"-?\d+\.\d+")


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_showyourwork_build_prints_the_values_of_make_paper(tmp_path):
    reference, article = tmp_path / "reference", tmp_path / "showyourwork"
    clean_copy(ROOT, reference)
    with open(tmp_path / "reference.log", "w") as log:
        build(reference, "quick", log)
    clean_copy(ROOT, article)
    subprocess.run(["git", "init", "-q"], cwd=article, check=True)
    shutil.copytree(reference / "results/quick", article / "results/quick")
    shutil.rmtree(article / "results/quick/aggregate")
    run = subprocess.run([sys.executable, "scripts/showyourwork/build.py", "--profile", "quick",
                          "--venv", str(tmp_path / "venv")], cwd=article, capture_output=True, text=True)
    output = run.stdout + run.stderr
    (tmp_path / "showyourwork.log").write_text(output)
    assert run.returncode == 0, f"showyourwork build failed: see {tmp_path / 'showyourwork.log'}"
    for step in ("validate", "featurize", "pretrain", "train"):
        assert f"Running user rule {step}..." not in output
    assert "Running user rule aggregate..." in output

    # ms.pdf is showyourwork's: compiled in its .showyourwork/compile with its stylesheet (showyourwork.tex)
    assert filecmp.cmp(article / "ms.pdf", article / ".showyourwork/compile/ms.pdf", shallow=False)
    # every file that \variable typesets, byte for byte
    # (the variable index is in no PDF: showyourwork builds what the article needs, `make paper` also that)
    def typeset(directory):
        return sorted(p.name for p in (directory / "src/tex/output").iterdir() if p.name != "variable_index.md")

    outputs = typeset(reference)
    assert typeset(article) == outputs
    _, mismatch, errors = filecmp.cmpfiles(reference / "src/tex/output", article / "src/tex/output", outputs,
                                           shallow=False)
    assert (mismatch, errors) == ([], [])
    # and the printed numbers: the same decimals, as often, plus showyourwork's stamp ("0.4.3", read "0.4")
    expected, printed = pdf_text(reference / "ms.pdf"), pdf_text(article / "ms.pdf")
    assert Counter(DECIMAL.findall(printed)) - Counter(DECIMAL.findall(expected)) == Counter({"0.4": 1})
    assert Counter(DECIMAL.findall(expected)) - Counter(DECIMAL.findall(printed)) == Counter()
    for name in ("profile", "bh_n_reactions", "config_mpnn_epochs", "bh_uam_r2_trimean"):
        assert (article / "src/tex/output" / f"{name}.txt").read_text() in printed, name
    assert "??" not in printed
