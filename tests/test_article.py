"""The manuscript, the rules and showyourwork.yml agree on what is produced and by which script."""

import re

import yaml

from rxnyield.report.article import tex_dependencies, tex_scripts
from rxnyield.report.variables import variable_names
from conftest import ROOT

MANUSCRIPT = ROOT / "src" / "tex" / "ms.tex"
PRODUCED_TEX = {f"src/tex/output/{name}.tex" for name in (
    "results_table", "ablation_table", "statistics_r2", "statistics_mae", "statistics_rmse", "amide_main",
    "amide_ablation", "uncertainty_table", "out_of_sample_bh_tests", "compute_table", "compute_summary")}
PRODUCED_FIGURES = {f"src/tex/figures/{name}.pdf" for name in ("parity", "split_errors", "ablations", "uncertainty", "learning_curves")}


def test_dependency_scan_reads_variables_graphics_inputs_and_bibliography(tmp_path):
    tex = tmp_path / "ms.tex"
    tex.write_text(r"\variable{output/a.txt} % \variable{output/commented.txt}" "\n"
                   r"\includegraphics[width=2cm]{figures/f.pdf} \input{output/t} \bibliography{bib}")
    assert tex_dependencies(tex) == [f"{tmp_path.as_posix()}/{n}"
                                     for n in ("output/a.txt", "figures/f.pdf", "output/t.tex", "bib.bib")]


def test_every_manuscript_input_is_made_by_a_rule_or_shipped(config):
    variables = {f"src/tex/output/{name}.txt" for name in variable_names(config)}
    for dependency in tex_dependencies(MANUSCRIPT):
        relative = dependency.removeprefix(f"{ROOT.as_posix()}/")
        assert relative in variables | PRODUCED_TEX | PRODUCED_FIGURES or (ROOT / relative).is_file(), relative


def test_every_figure_names_an_existing_script_listed_in_showyourwork_yml():
    listed = yaml.safe_load((ROOT / "showyourwork.yml").read_text())["dependencies"]
    scripts = tex_scripts(MANUSCRIPT)
    assert scripts == ["src/scripts/parity_plot.py", "src/scripts/split_errors.py", "src/scripts/ablation_plot.py",
                       "src/scripts/uncertainty_plot.py", "src/scripts/learning_curves.py"]
    for script in scripts:
        assert (ROOT / script).is_file() and script in listed


def test_manuscript_has_no_hand_typed_decimals():
    skip = re.compile(r"\\(variable|input|includegraphics|script|cite\w*|ref|label|usepackage|documentclass)"
                      r"(\[[^]]*\])?\{[^}]*\}")
    for number, line in enumerate(MANUSCRIPT.read_text().splitlines(), 1):
        code = re.split(r"(?<!\\)%", line, maxsplit=1)[0]
        assert not re.search(r"(?<![\w.\\])\d+\.\d+", skip.sub("", code)), f"ms.tex:{number}: {line}"
