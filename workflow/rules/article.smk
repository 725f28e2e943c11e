# Builds ms.pdf the showyourwork way, without conda or tectonic: the article's inputs are read off
# ms.tex (\variable, \includegraphics, \input, \bibliography) and latexmk compiles it.
from rxnyield.report.article import tex_dependencies

MANUSCRIPT = "src/tex/ms.tex"


rule article:
    input:
        tex=MANUSCRIPT,
        stylesheet="src/tex/showyourwork.sty",
        dependencies=tex_dependencies(MANUSCRIPT),
    output:
        "ms.pdf",
    log:
        f"{RESULTS}/logs/article.log",
    shell:
        "latexmk -pdf -cd -interaction=nonstopmode -halt-on-error {input.tex} > {log} 2>&1"
        " || (grep -A3 '^!' src/tex/ms.log; echo 'LaTeX failed: see {log} and src/tex/ms.log'; exit 1);"
        " cp src/tex/ms.pdf {output}"


localrules: article
