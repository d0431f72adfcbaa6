# Two commands do everything on a fresh machine (prerequisites: README.md, "Two commands"):
#   make book   set up .venv, build the HTML book, print where it is
#   make test   set up .venv and Chromium, lint, run every test (units, notebooks, strict book build, browser)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup book test lint unit bench profile-tests lab browser screenshots pdf clean

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) tools/make.py check-python   # requires-python, before anything is installed
	@echo "==> Creating $(VENV) with $$($(PYTHON) -c 'import sys; print(sys.executable, sys.version.split()[0])')"
	@$(PYTHON) -m venv $(VENV)
	@echo "==> Installing pip, then the pinned environment (requirements.txt) and the course package; the first time takes a few minutes"
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install -r requirements.txt -e .
	@touch $(STAMP)
	@echo "Set up $(VENV): $$($(BIN)/python --version), the pinned environment and the course package."

setup: $(STAMP)

book: $(STAMP)
	@echo "==> Building the book into _build/html (the first build executes every notebook: a few minutes)"
	@$(BIN)/python -m tools.make book-build $(BIN)/jupyter-book build . -n -W --keep-going
	@echo "The book is at $(CURDIR)/_build/html/index.html"

# Debian's Chromium for the browser test, installed where missing (tools/install-browser.sh).
browser:
	tools/install-browser.sh

# Unit tests, every notebook (nbval), the strict book build and the browser test, on 2 workers: one
# per core. A third worker fills the moments a worker waits (on the package index, say), but three
# processes with TensorFlow's thread pools on 2 cores cost about 20% more CPU for the same tests,
# Chromium's pages included (tools/cpu_profile.py measures it): the run took longer.
test: $(STAMP) browser lint
	$(BIN)/python -m pytest -n 2 --dist loadscope --durations=25

# ruff, stripped notebooks and up-to-date generated files: the hooks of .pre-commit-config.yaml,
# which call the tools pinned in $(VENV) (hence $(BIN) first on PATH).
lint: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/pre-commit run --all-files

# Fast feedback while editing utils/: unit tests only.
unit: $(STAMP)
	$(BIN)/python -m pytest tests -m "not slow"

# Wall time and peak memory of each notebook on a fresh kernel (budget: 60 s each).
bench: $(STAMP)
	$(BIN)/python -m tools.bench

# CPU seconds per test file and per test of the whole suite, notebook kernels included (the
# test run is CPU-bound: its wall time is about its CPU time over the cores). Run after make test.
profile-tests: $(STAMP) browser
	$(BIN)/python -m tools.cpu_profile

# Retake the screenshots of how-to-use.md from the built book (after make book).
screenshots: $(STAMP) browser
	$(BIN)/python -m tools.screenshots

# The whole book as one PDF, printed offline by Debian's Chromium (tools/pdf.py).
pdf: book browser
	$(BIN)/python -m tools.pdf

lab: $(STAMP)
	$(BIN)/jupyter lab

clean:
	rm -rf _build
