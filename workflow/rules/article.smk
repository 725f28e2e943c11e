# Builds ms.pdf the showyourwork way, without conda or tectonic: the article's inputs are read off
# ms.tex (\variable, \includegraphics, \input, \bibliography) and latexmk compiles it. TeX itself comes from
# the system (`make tex` installs Debian's packages): environment.yml holds no TeX. src/tex/showyourwork.sty
# is showyourwork's template stylesheet, committed; without showyourwork its fallback definitions apply.
from rxnyield.config.layout import MANUSCRIPT
from rxnyield.report.article import tex_dependencies


rule article:
    input:
        tex=MANUSCRIPT,
        stylesheet="src/tex/showyourwork.sty",
        dependencies=tex_dependencies(MANUSCRIPT),
    output:
        "ms.pdf",
    log:
        log_file(RESULTS, "article"),
    conda:
        ENVIRONMENT
    localrule: True
    shell:
        "latexmk -pdf -cd -interaction=nonstopmode -halt-on-error {input.tex} > {log} 2>&1"
        " || (grep -A3 '^!' src/tex/ms.log; echo 'LaTeX failed: see {log} and src/tex/ms.log'; exit 1);"
        " cp src/tex/ms.pdf {output}"
