"""The manuscript, the rules and showyourwork.yml agree on what is produced and by which script."""

import re

import pytest
import yaml

from rxnyield.config.layout import MANUSCRIPT
from rxnyield.report.article import tex_dependencies, tex_scripts
from rxnyield.report.catalog import PRODUCTS, products_of_kind, showyourwork_dependencies
from conftest import ROOT

MANUSCRIPT = ROOT / MANUSCRIPT


def test_dependency_scan_reads_variables_graphics_inputs_and_bibliography(tmp_path):
    tex = tmp_path / "ms.tex"
    tex.write_text(r"\variable{output/a.txt} % \variable{output/commented.txt}" "\n"
                   r"\includegraphics[width=2cm]{figures/f.pdf} \input{output/t} \bibliography{bib}")
    assert tex_dependencies(tex) == [f"{tmp_path.as_posix()}/{n}"
                                     for n in ("output/a.txt", "figures/f.pdf", "output/t.tex", "bib.bib")]


def test_every_manuscript_input_is_made_by_a_product_or_shipped_and_every_product_is_used(config):
    produced = {path.as_posix() for product in PRODUCTS for path in product.outputs(config)}
    used = set()
    for dependency in tex_dependencies(MANUSCRIPT):
        relative = dependency.removeprefix(f"{ROOT.as_posix()}/")
        assert relative in produced or (ROOT / relative).is_file(), relative
        used.add(relative)
    unused = {p for p in produced - used if p.endswith((".tex", ".pdf"))}  # not every variable is quoted
    assert not unused, f"made but never shown: {sorted(unused)}"


def test_each_figure_has_its_script_named_in_its_caption_and_every_product_a_script():
    figures = [product.script_path.as_posix() for product in products_of_kind("figure")]
    assert tex_scripts(MANUSCRIPT) == figures
    for product in PRODUCTS:
        assert (ROOT / product.script_path).is_file(), product.script
    assert {p.stem for p in (ROOT / "src" / "scripts").glob("*.py")} == {p.script for p in PRODUCTS} | {"paths"}


def test_showyourwork_yml_lists_what_the_catalog_says_each_script_reads(config):
    """showyourwork.yml is written by `python -m rxnyield.report.catalog --showyourwork` (see its header)."""
    listed = yaml.safe_load((ROOT / "showyourwork.yml").read_text())["dependencies"]
    assert listed == showyourwork_dependencies(config)


# What the manuscript may type by hand: the arguments of these commands (file names, labels, paths) are not numbers.
NOT_PROSE = re.compile(r"\\(variable|input|includegraphics|script|cite\w*|ref|label|usepackage|documentclass|texttt)"
                       r"(\[[^]]*\])?\{[^}]*\}")


@pytest.mark.parametrize("pattern", [
    r"(?<![\w.\\])\d+\.\d+",            # a decimal: every measured or quoted value is a \variable
    r"(?<![\w.\\])\d+[\s~-]*epochs?\b",  # an epoch count: a setting or a quoted value (the text once typed
])                                       # "300 epochs" and Schwaller et al.'s "15 epochs" by hand)
def test_manuscript_types_no_number_by_hand(pattern):
    for number, line in enumerate(MANUSCRIPT.read_text().splitlines(), 1):
        prose = NOT_PROSE.sub("", re.split(r"(?<!\\)%", line, maxsplit=1)[0])
        assert not re.search(pattern, prose), f"ms.tex:{number}: {line}"
