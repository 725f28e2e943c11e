"""End to end: a clean quick-profile build trained from scratch agrees byte for byte with one built from the
committed run cache (supplemented, where it holds no current run of this machine's class, with the first build's
runs, and less a few it re-trains), and the PDF shows the variables."""

import inspect
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from rxnyield.reproduce import compare_builds, reproduce
from conftest import END_TO_END_PROFILE, ROOT


def test_compare_builds_reports_each_differing_or_missing_file(tmp_path):
    for name in ("build_a", "build_b"):
        (tmp_path / name / "src/tex/output").mkdir(parents=True)
        (tmp_path / name / "src/tex/output/same.txt").write_text("0.93")
    (tmp_path / "build_a/src/tex/output/x.txt").write_text("0.91")
    (tmp_path / "build_b/src/tex/output/x.txt").write_text("0.92")
    (tmp_path / "build_a/src/tex/output/only_a.txt").write_text("1")
    for name in ("build_a", "build_b"):  # timings differ by nature and are not compared
        (tmp_path / name / "src/tex/output/compute_table.tex").write_text(name)
    assert compare_builds(tmp_path / "build_a", tmp_path / "build_b", "results/quick") == [
        "only in build_a: src/tex/output/only_a.txt", "differs: src/tex/output/x.txt"]


# pytest-xdist (`-n 2 --dist loadgroup`) sends the tests of one group to one worker, which builds the fixture once.
ON_THE_QUICK_BUILDS_WORKER = pytest.mark.xdist_group("end_to_end")


def test_the_tests_of_the_quick_builds_share_one_xdist_worker():
    """A test of the quick builds outside their group would build them again on the other worker (twenty minutes
    more on CI)."""
    users = [test for name, test in globals().items()
             if name.startswith("test_") and "quick_builds" in inspect.signature(test).parameters]
    groups = [[mark.args for mark in getattr(test, "pytestmark", []) if mark.name == "xdist_group"] for test in users]
    assert len(users) == 2 and groups == [[ON_THE_QUICK_BUILDS_WORKER.args]] * len(users)


def test_xdist_runs_a_group_first_and_on_one_worker(tmp_path):
    """The pinned pytest and pytest-xdist keep `--dist loadgroup`'s promise: a group's tests go to one worker and,
    as the largest unit of work, before any other. pytest 9.2.0 with pytest-xdist 3.8.0 silently drops every group
    (pytest-xdist#1386): CI's end-to-end build then started only when its worker reached the module, minutes in,
    and its two tests could land on both workers, building the quick profile twice."""
    (tmp_path / "test_grouped.py").write_text(textwrap.dedent("""
        import pytest

        @pytest.mark.parametrize("i", range(4))
        def test_alone(i):
            pass

        @pytest.mark.xdist_group("together")
        @pytest.mark.parametrize("i", range(3))
        def test_grouped(i):
            pass
    """))
    done = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p",
                           "no:cacheprovider", "test_grouped.py"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    ran = re.findall(r"\[(gw\d)\] \[ *\d+%\] PASSED test_grouped.py::(test_\w+)", done.stdout)
    grouped = {worker for worker, test in ran if test == "test_grouped"}
    assert len(ran) == 7 and len(grouped) == 1, done.stdout
    assert [test for worker, test in ran if worker in grouped][:3] == ["test_grouped"] * 3, done.stdout


@pytest.fixture(scope="module")
def quick_builds(tmp_path_factory):
    if shutil.which("latexmk") is None or shutil.which("pdftotext") is None:
        pytest.fail("latexmk and pdftotext are required: run the tests through `make test`, which installs them")
    workdir = tmp_path_factory.mktemp("reproduce")
    return workdir, reproduce(END_TO_END_PROFILE, workdir, ROOT, from_cache=True)


@pytest.mark.slow
@ON_THE_QUICK_BUILDS_WORKER
def test_a_clean_quick_build_is_byte_identical_to_the_one_from_the_cache(quick_builds):
    workdir, differences = quick_builds
    assert differences == []
    assert list((workdir / "build_a/results/quick/runs").glob("*/*/*/seed*/predictions.csv"))
    assert "restored" in (workdir / "build_b.log").read_text()


@pytest.mark.slow
@ON_THE_QUICK_BUILDS_WORKER
def test_quick_pdf_shows_the_variables_and_no_unresolved_references(quick_builds):
    workdir, _ = quick_builds
    build = workdir / "build_a"
    text = subprocess.run(["pdftotext", str(build / "ms.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "??" not in text
    for name in ("bh_dft_rf_r2_trimean", "sm_mpnn_r2_trimean", "bh_n_reactions", "config_mpnn_epochs"):
        value = (build / "src/tex/output" / f"{name}.txt").read_text()
        assert value and value in text, name
    assert "Built from the quick profile" in text
    assert "src/scripts/parity.py" in text  # \script{} ties the figure to its script
