# Builds ms.pdf the showyourwork way, without conda or tectonic: the article's inputs are read off
# ms.tex (\variable, \includegraphics, \input, \bibliography) and latexmk compiles it. TeX itself comes from
# the system (`make tex` installs Debian's packages): environment.yml holds no TeX.
from rxnyield.config.layout import MANUSCRIPT
from rxnyield.report.article import tex_dependencies


rule stylesheet:
    """showyourwork generates src/tex/showyourwork.sty at build time; so do we (\\variable, \\script)."""
    input:
        "workflow/showyourwork.sty",
    output:
        "src/tex/showyourwork.sty",
    log:
        log_file(RESULTS, "stylesheet"),
    conda:
        ENVIRONMENT
    shell:
        "cp {input} {output} 2> {log}"


rule article:
    input:
        tex=MANUSCRIPT,
        stylesheet=rules.stylesheet.output,
        dependencies=tex_dependencies(MANUSCRIPT),
    output:
        "ms.pdf",
    log:
        log_file(RESULTS, "article"),
    conda:
        ENVIRONMENT
    shell:
        "latexmk -pdf -cd -interaction=nonstopmode -halt-on-error {input.tex} > {log} 2>&1"
        " || (grep -A3 '^!' src/tex/ms.log; echo 'LaTeX failed: see {log} and src/tex/ms.log'; exit 1);"
        " cp src/tex/ms.pdf {output}"


localrules: stylesheet, article
