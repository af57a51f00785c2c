# Neural Machines by Hand — build, test and run the book.
# `make book` and `make test` are the two commands a new reader needs (see README.md).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# The Python that creates the virtual environment (3.11 or newer), and where it lives:
# `make test PYTHON=python3.13 VENV=$HOME/.venvs/nmbook-3.13` tests another Python beside .venv (keep
# a second environment outside the checkout: the book build reads every folder of it but .venv).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HTML := _build/html
# Debian's Chromium drives the browser test (tests/built/test_browser.py); never `playwright install`.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

# Floating-point results must not depend on the number of threads.
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

# Progress: every step of `make test` announces what it does, how long it usually takes (2 cores)
# and how long make has been running; `make test` ends with its total time.
MAKE_START := $(shell date +%s)
elapsed = $$(( $$(date +%s) - $(MAKE_START) ))
, := ,
step = @printf '\n==> make %s (+%ss): %s\n' '$(1)' "$(elapsed)" '$(2)'

NOTEBOOKS := $(shell find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)

.PHONY: help venv clean-venv book test lint unit nbval build check-html pdf check-pdf check-wheel lab check-lab execute serve report benchmarks clean

help:
	@echo "make book   - build the HTML book into $(HTML)"
	@echo "make test   - lint, unit tests, strict nbval on every notebook, book build, built-book checks"
	@echo "make pdf    - print the whole book as one PDF, $(PDF) (offline, with Debian's Chromium)"
	@echo "make lab    - open the notebooks in JupyterLab with the book's kernel (LAB_ARGS=... for more options)"
	@echo "make check-lab - the JupyterLab browser test (tests/lab): two chapters opened and run"
	@echo "make clean-venv - delete $(VENV) (the next make builds it again)"
	@echo "make execute - re-execute every notebook in place (fresh kernel each, top to bottom)"
	@echo "make serve  - serve $(HTML) on http://localhost:8000"

# mk/venv.sh creates $(VENV) from $(PYTHON) (stopping with one sentence if it is older than 3.11),
# rebuilds it when PYTHON= names another Python than the one it was built from or when its Python no
# longer runs, and reinstalls when requirements.txt or pyproject.toml changed. Silent when up to date.
# setuptools always warns that an editable install of a flat layout can be shadowed by a folder of
# the same name (an informational BuildBackendWarning); PYTHONWARNINGS silences that one message.
venv:
	@PYTHONWARNINGS="ignore:Editable installation" mk/venv.sh "$(PYTHON)" "$(VENV)" \
		$(if $(filter command environment,$(origin PYTHON)),yes,no)

clean-venv:
	rm -rf $(VENV)

book: venv
	$(call step,book,build the HTML book into $(HTML) (about 2 minutes))
	$(BIN)/jupyter-book build . -W -n --keep-going $(QUIET_IMAGES)
	@echo "The book: $(abspath $(HTML))/index.html"

# Everything CI checks, failing on the first red step.
test: venv lint unit nbval build check-html
	@echo "make test: all checks passed in $(elapsed) s"

lint: venv
	$(call step,lint,ruff check and ruff format --check of the package$(,) tests$(,) tools and notebooks (a few seconds))
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: venv
	$(call step,unit,the unit tests in tests/ (about 1 minute; 5 torch parity tests skip without torch))
	$(BIN)/pytest tests --ignore=tests/built --ignore=tests/pdf --ignore=tests/lab -q

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
	$(call step,nbval,the notebooks re-executed and compared under strict nbval (all of them: about 3 minutes on 2 workers))
	@if [ -z "$(NBVAL_FILES)" ]; then \
		echo "nbval: no notebook under book/ yet, nothing to re-execute"; exit 0; \
	fi; \
	PYTHONPATH="$(CURDIR)/mk$${PYTHONPATH:+:$$PYTHONPATH}" $(BIN)/pytest --nbval --nbval-current-env \
		--nmbook-jitter$(if $(NBVAL_JITTER),=$(NBVAL_JITTER)) --nmbook-jitter-mode=$(NBVAL_JITTER_MODE) \
		-p no:randomly -p nbval_progress -n 2 --dist loadfile -q -o console_output_style=classic $(NBVAL_FILES)

# Sphinx prints a line per image it copies ("copying images... [ 3%] <hash>.png", in colour): dropped,
# every other line is kept (the build's exit status too: the recipes run with pipefail).
QUIET_IMAGES := | sed -u '/copying images\.\.\./d'
build: venv
	$(call step,build,jupyter-book build with warnings as errors (about 2 minutes))
	rm -rf _build
	$(BIN)/jupyter-book build . -W -n --keep-going $(QUIET_IMAGES)

# Checks of the built book in _build/html (they fail, not skip, when it is missing), including every page
# opened offline in headless Chromium: a missing Chromium is an error, not a skip.
check-html: venv
	$(call step,check-html,the built book checked offline and opened page by page in Chromium (about 1 minute))
	@test -x "$(CHROMIUM)" || { echo "check-html: no Chromium at $(CHROMIUM): install Debian's package with" \
		"'apt-get install -y chromium' (or set CHROMIUM=/path/to/chromium); never 'playwright install'" >&2; exit 1; }
	$(BIN)/pytest tests/built -q -n 2

# The whole book as one PDF: the single-page HTML build (in $(PDF_DIR)/src, apart from $(HTML)), printed by
# Debian's Chromium through Playwright (tools/pdf.py): title page, outline, page numbers, MathJax typeset first.
# No TeX, no network, no downloaded browser or fonts. `make check-pdf` checks the result with pypdf (tests/pdf).
PDF_DIR := _build/pdf
PDF := $(PDF_DIR)/nmbook.pdf
pdf: venv
	$(call step,pdf,the single-page build printed to $(PDF) by Chromium (about 1 minute))
	@test -x "$(CHROMIUM)" || { echo "pdf: no Chromium at $(CHROMIUM): install Debian's package with" \
		"'apt-get install -y chromium' (or set CHROMIUM=/path/to/chromium); never 'playwright install'" >&2; exit 1; }
	rm -rf $(PDF_DIR)
	$(BIN)/jupyter-book build . --builder singlehtml --path-output $(PDF_DIR)/src -W -n --keep-going $(QUIET_IMAGES)
	$(BIN)/python tools/pdf.py $(PDF_DIR)/src/_build/singlehtml $(PDF)
	@echo "The PDF: $(abspath $(PDF))"

# Checks of the PDF (they fail, not skip, when it is missing): run `make pdf` first.
check-pdf: venv
	$(BIN)/pytest tests/pdf -q

# The package as a user installs it: build the wheel, install it (not editable) into a fresh virtual environment
# with NumPy, matplotlib and seaborn at their pinned versions, and import every module of nmbook from there.
check-wheel: venv
	$(BIN)/python tools/check_wheel.py

# JupyterLab on the book's kernel, the notebooks' Markdown rendered as MyST (jupyterlab-myst), news
# and update checks off (jupyter-config/, added to JUPYTER_CONFIG_PATH). JUPYTER_PREFER_ENV_PATH puts
# $(VENV)'s kernel before a `python3` kernel a user may have installed in ~/.local/share/jupyter. As root it passes --allow-root;
# LAB_ARGS adds options (e.g. LAB_ARGS="--no-browser --port=8890"), LAB_ROOT picks the folder.
LAB_ROOT ?= book
LAB_ARGS ?=
LAB_CONFIG := $(CURDIR)/jupyter-config
LAB_ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: venv
	$(call step,lab,JupyterLab on $(LAB_ROOT)/ (its address is printed below; Ctrl-C twice stops it))
	JUPYTER_CONFIG_PATH="$(LAB_CONFIG)$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" JUPYTER_PREFER_ENV_PATH=1 \
		$(BIN)/jupyter lab --ServerApp.root_dir="$(LAB_ROOT)" $(LAB_ALLOW_ROOT) $(LAB_ARGS)

# The JupyterLab browser test (tests/lab): `make lab` started on a copy of two chapters, opened and
# run in Debian's Chromium; checks that MyST renders and the {eval} numbers show. About 2-4 minutes.
check-lab: venv
	$(call step,check-lab,two chapters opened and run in JupyterLab in Chromium (about 3 minutes))
	@test -x "$(CHROMIUM)" || { echo "check-lab: no Chromium at $(CHROMIUM): install Debian's package with" \
		"'apt-get install -y chromium' (or set CHROMIUM=/path/to/chromium); never 'playwright install'" >&2; exit 1; }
	$(BIN)/pytest tests/lab -q

execute: venv
	$(BIN)/python tools/execute_notebooks.py $(NOTEBOOKS)

report: venv
	$(BIN)/python tools/execute_notebooks.py --report book/execution_report.md $(NOTEBOOKS)

# Every sweep of benchmarks/, rewriting benchmarks/results/*.csv (about nine hours on one core), through the
# sweep runner of benchmarks/_common.py: `make benchmarks JOBS=2` runs two at a time (the same rows),
# BENCHMARK_ARGS="--resume" keeps the rows already there, "--only reversal" picks sweeps (benchmarks/_run_all.py).
benchmarks: venv
	$(BIN)/python benchmarks/_run_all.py --jobs $(or $(JOBS),1) $(BENCHMARK_ARGS)

serve:
	$(PYTHON) -m http.server 8000 --bind 127.0.0.1 --directory $(HTML)

clean:
	rm -rf _build .pytest_cache .ruff_cache
