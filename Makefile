# hatpaper: `make` reproduces everything, `make test` checks it.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORES ?= all
# Debian packages that build the paper (amsmath, booktabs, natbib, siunitx, cleveref, ...).
TEX_PACKAGES := texlive-latex-base texlive-latex-recommended texlive-fonts-recommended \
	texlive-latex-extra texlive-science latexmk
TEX_FILES := siunitx.sty cleveref.sty booktabs.sty natbib.sty microtype.sty

.PHONY: all setup tex test lint quick report readme-images readme-claims readme-check readme-timings bench lock clean \
	archive paper-from-archive

all: setup
	$(BIN)/snakemake --cores $(CORES)

setup: $(STAMP) tex

$(STAMP): pyproject.toml requirements.lock
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --constraint requirements.lock --editable '.[workflow,dev,slurm]'
	touch $@

tex:
	@if command -v latexmk >/dev/null 2>&1 && kpsewhich $(TEX_FILES) | wc -l | grep -qx 5; then \
		exit 0; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing TeX Live from Debian packages: $(TEX_PACKAGES)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEX_PACKAGES) >/dev/null; \
	else \
		echo "LaTeX is missing. Install latexmk and TeX Live, for example on Debian/Ubuntu:" >&2; \
		echo "  sudo apt-get install $(TEX_PACKAGES)" >&2; \
		exit 1; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakemake --lint --configfile config/quick.yaml

test: setup lint
	$(BIN)/pytest

quick: setup
	$(BIN)/snakemake --cores $(CORES) --configfile config/quick.yaml

# Snakemake's HTML report of the last run (figures with captions, runtimes, provenance).
report: setup
	$(BIN)/snakemake --report results/report.html

# The README's images: the rule graph (needs graphviz) and a figure of the last run.
readme-images: setup
	$(BIN)/snakemake --rulegraph | dot -Tpng -Gdpi=70 -o workflow/report/images/rulegraph.png
	pdftoppm -png -r 60 -singlefile results/figures/heatmap_1d.pdf workflow/report/images/heatmap_1d

# The README's table of claim verdicts, regenerated from results/claims.csv of the last run.
readme-claims: $(STAMP)
	$(BIN)/python -m hatlib.readme --readme README.md --claims results/claims.csv

# Fail when the README's table of claim verdicts disagrees with results/claims.csv.
readme-check: $(STAMP)
	$(BIN)/python -m hatlib.readme --check --readme README.md --claims results/claims.csv

# The README's table of a run's times (per stage, from results/benchmarks/, and the run's
# wall time from its Snakemake log; LOG defaults to the newest one).
LOG ?= $(lastword $(sort $(wildcard .snakemake/log/*.snakemake.log)))
readme-timings: $(STAMP)
	$(BIN)/python -m hatlib.timings --log $(LOG) --benchmarks results/benchmarks --readme README.md

# Benchmarks: print timings and keep them under results/bench/.
bench: $(STAMP)
	$(BIN)/python -m hatlib.bench training --output results/bench/training.csv
	$(BIN)/python -m hatlib.bench_deep --output results/bench/deep.csv
	$(BIN)/python -m hatlib.bench fem --output results/bench/fem.csv

# The expensive results (data, training runs, FEM spectra, GD steps, job benchmarks) in one
# archive with a manifest; CONFIGFILE names extra config files as given to Snakemake.
ARCHIVE_OUTPUT ?= results/archive/results.tar.gz
CONFIG_ARGS = $(foreach file,$(CONFIGFILE),--configfile $(file))
archive: $(STAMP)
	$(BIN)/python -m hatlib.archive $(CONFIG_ARGS) create --output $(ARCHIVE_OUTPUT)

# Restore ARCHIVE (a path or URL) after checking it, then build the paper without training.
paper-from-archive: setup
	@test -n "$(ARCHIVE)" || { echo "usage: make paper-from-archive ARCHIVE=path-or-URL" >&2; exit 2; }
	$(BIN)/python -m hatlib.archive $(CONFIG_ARGS) restore $(ARCHIVE)
	$(BIN)/snakemake --cores $(CORES) $(if $(CONFIGFILE),--configfile $(CONFIGFILE))

# Rewrite requirements.lock from the current environment (after changing pyproject.toml).
lock: $(STAMP)
	{ echo "# Exact versions of every Python package the project installs (pip constraints)."; \
	  echo "# Regenerate with: make lock"; \
	  $(BIN)/pip freeze --exclude-editable | sed 's/^torch==\([0-9.]*\)+cpu$$/torch==\1/'; } > requirements.lock

clean:
	rm -rf results paper/generated .snakemake
