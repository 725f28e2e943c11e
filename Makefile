# Two commands on a fresh machine: `make paper` builds ms.pdf, `make test` runs the tests.
# Each installs what is missing first (Debian TeX packages, a virtual environment, Python deps).
PROFILE ?= paper
CACHE ?= on
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TEX_PACKAGES := latexmk texlive-latex-recommended texlive-fonts-recommended lmodern poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SNAKEMAKE := PATH="$(abspath $(BIN)):$$PATH" $(BIN)/snakemake

.PHONY: help paper unlock cache cache-check test test-fast reproduce slurm showyourwork bench install tex clean
.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  PROFILE=quick|paper (default paper) selects the configuration of 'make paper'"
	@echo "  CACHE=this-cpu: 'make paper' restores only runs computed on this machine's CPU class (it trains the others)"
	@echo "  CACHE=off: 'make paper' neither restores nor keeps runs from src/data/cache/ (it trains them)"

paper: install tex unlock ## build ms.pdf, restoring cached runs first (PROFILE=quick: tiny configuration; ARGS=... more Snakemake arguments)
	RXNYIELD_CACHE=$(CACHE) $(BIN)/python -m rxnyield.cache restore --profile $(PROFILE)
	RXNYIELD_CACHE=$(CACHE) $(SNAKEMAKE) --profile profiles/$(PROFILE) $(ARGS)

unlock: install ## lift the lock a build killed hard left behind, unless a build runs in this directory
	@# A running build is a `snakemake --profile` process whose working directory is this one (one running in
	@# another checkout must not keep this one's stale lock); the unlock command itself (`snakemake --unlock
	@# --profile`) does not match, nor does pgrep's bracketed pattern.
	@for pid in $$(pgrep -f "[s]nakemake --profile"); do \
	  [ "$$(readlink /proc/$$pid/cwd)" = "$(CURDIR)" ] && exit 0; \
	done; $(SNAKEMAKE) --unlock --profile profiles/$(PROFILE) >/dev/null 2>&1 || true

cache: install ## store PROFILE's current runs in src/data/cache/PROFILE (after a build); prune stale entries
	$(BIN)/python -m rxnyield.cache refresh --profile $(PROFILE)

cache-check: install ## re-train cached runs the commit picks (BUDGET=s of training); require identical files (make test does it)
	$(BIN)/python -m rxnyield.cache check --profile $(PROFILE) --commit $$(git rev-parse HEAD) $(if $(BUDGET),--budget $(BUDGET))

test: install tex ## run the test suite (unit tests and an end-to-end quick build)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pytest

test-fast: install ## the unit tests only (no end-to-end build of the quick profile)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pytest -m "not slow"

reproduce: install tex ## two clean quick builds in separate directories must agree byte for byte
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m rxnyield.reproduce --profile quick

slurm: install tex ## start a one-node SLURM cluster here; a quick build through it must equal a local one
	$(BIN)/pip install --quiet -e '.[slurm]'
	bash scripts/slurm/start_localhost_cluster.sh
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m rxnyield.reproduce --profile quick --slurm

showyourwork: install tex ## build ms.pdf with showyourwork 0.4.3's own workflow, without conda (README)
	$(BIN)/python scripts/showyourwork/build.py --profile $(PROFILE)

bench: install ## print measured speed-ups (graph encoding per unique molecule vs per reaction)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python benchmarks/graph_encoding.py --dataset bh
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python benchmarks/graph_encoding.py --dataset sm

install: $(INSTALLED) ## the virtual environment with pinned Python dependencies

$(INSTALLED): pyproject.toml requirements-nodeps.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet --no-deps -r requirements-nodeps.txt
	touch $@

tex: ## Debian's TeX packages and pdftotext, if missing
	@if ! command -v latexmk >/dev/null || ! command -v pdftotext >/dev/null \
	   || ! kpsewhich booktabs.sty >/dev/null; then \
	  echo "installing Debian packages: $(TEX_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(TEX_PACKAGES); \
	fi

clean: ## remove every generated file (keeps the virtual environment)
	rm -rf results .snakemake ms.pdf src/tex/output src/tex/figures/*.pdf .showyourwork ms.synctex.gz
	cd src/tex && rm -f ms.aux ms.bbl ms.blg ms.fdb_latexmk ms.fls ms.log ms.out ms.pdf
