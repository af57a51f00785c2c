# Neural Machines by Hand — build, test and run the book.
# `make book` and `make test` are the two commands a new reader needs (see README.md).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HTML := _build/html
# Debian's Chromium drives the browser test (tests/built/test_browser.py); never `playwright install`.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

# Floating-point results must not depend on the number of threads.
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

NOTEBOOKS := $(shell find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)

.PHONY: help venv book test lint unit nbval build check-html pdf check-pdf check-wheel lab execute serve report benchmarks clean

help:
	@echo "make book   - build the HTML book into $(HTML)"
	@echo "make test   - lint, unit tests, strict nbval on every notebook, book build, built-book checks"
	@echo "make pdf    - print the whole book as one PDF, $(PDF) (offline, with Debian's Chromium)"
	@echo "make lab    - open the notebooks in JupyterLab with the book's kernel"
	@echo "make execute - re-execute every notebook in place (fresh kernel each, top to bottom)"
	@echo "make serve  - serve $(HTML) on http://localhost:8000"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	@touch $(STAMP)

venv: $(STAMP)

book: venv
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book: $(abspath $(HTML))/index.html"

# Everything CI checks, failing on the first red step.
test: venv lint unit nbval build check-html
	@echo "make test: all checks passed"

lint: venv
	$(BIN)/ruff check .

unit: venv
	$(BIN)/pytest tests --ignore=tests/built --ignore=tests/pdf -q

# Strict nbval on a nudged trajectory: tools/nbval_plugin.py (loaded by conftest.py) runs
# tools/portability/jitter.py in every kernel of this step (and of `make report`), which multiplies each parameter
# by 1 ± ε after its optimiser's first step, as another CPU's BLAS kernels would. An output downstream of training
# that is still compared then fails here, not on a reader's machine. ε is the plugin's DEFAULT_JITTER unless
# NBVAL_JITTER says otherwise (`make nbval NBVAL_JITTER=0` re-executes on the stored trajectory);
# NBVAL_JITTER_MODE=gauss draws the factors from N(0, 1) instead of ±1. NBVAL_FILES picks notebooks.
NBVAL_JITTER ?=
NBVAL_JITTER_MODE ?= sign
NBVAL_FILES ?= $(NOTEBOOKS)
nbval: venv
	@if [ -z "$(NBVAL_FILES)" ]; then \
		echo "nbval: no notebook under book/ yet, nothing to re-execute"; exit 0; \
	fi; \
	$(BIN)/pytest --nbval --nbval-current-env --nmbook-jitter$(if $(NBVAL_JITTER),=$(NBVAL_JITTER)) \
		--nmbook-jitter-mode=$(NBVAL_JITTER_MODE) -p no:randomly -n 2 --dist loadfile -q $(NBVAL_FILES)

build: venv
	rm -rf _build
	$(BIN)/jupyter-book build . -W -n --keep-going

# Checks of the built book in _build/html (they fail, not skip, when it is missing), including every page
# opened offline in headless Chromium: a missing Chromium is an error, not a skip.
check-html: venv
	@test -x "$(CHROMIUM)" || { echo "check-html: no Chromium at $(CHROMIUM): install Debian's package with" \
		"'apt-get install -y chromium' (or set CHROMIUM=/path/to/chromium); never 'playwright install'" >&2; exit 1; }
	$(BIN)/pytest tests/built -q -n 2

# The whole book as one PDF: the single-page HTML build (in $(PDF_DIR)/src, apart from $(HTML)), printed by
# Debian's Chromium through Playwright (tools/pdf.py): title page, outline, page numbers, MathJax typeset first.
# No TeX, no network, no downloaded browser or fonts. `make check-pdf` checks the result with pypdf (tests/pdf).
PDF_DIR := _build/pdf
PDF := $(PDF_DIR)/nmbook.pdf
pdf: venv
	@test -x "$(CHROMIUM)" || { echo "pdf: no Chromium at $(CHROMIUM): install Debian's package with" \
		"'apt-get install -y chromium' (or set CHROMIUM=/path/to/chromium); never 'playwright install'" >&2; exit 1; }
	rm -rf $(PDF_DIR)
	$(BIN)/jupyter-book build . --builder singlehtml --path-output $(PDF_DIR)/src -W -n --keep-going
	$(BIN)/python tools/pdf.py $(PDF_DIR)/src/_build/singlehtml $(PDF)
	@echo "The PDF: $(abspath $(PDF))"

# Checks of the PDF (they fail, not skip, when it is missing): run `make pdf` first.
check-pdf: venv
	$(BIN)/pytest tests/pdf -q

# The package as a user installs it: build the wheel, install it (not editable) into a fresh virtual environment
# with NumPy, matplotlib and seaborn at their pinned versions, and import every module of nmbook from there.
check-wheel: venv
	$(BIN)/python tools/check_wheel.py

lab: venv
	$(BIN)/jupyter lab book/

execute: venv
	$(BIN)/python tools/execute_notebooks.py $(NOTEBOOKS)

report: venv
	$(BIN)/python tools/execute_notebooks.py --report book/execution_report.md $(NOTEBOOKS)

serve:
	$(PYTHON) -m http.server 8000 --bind 127.0.0.1 --directory $(HTML)

clean:
	rm -rf _build .pytest_cache .ruff_cache
