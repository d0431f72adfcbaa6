# Two commands do everything on a fresh machine (prerequisites: README.md, "Two commands"):
#   make book   set up .venv, build the HTML book, print where it is
#   make test   set up .venv and Chromium, run every test (units, notebooks, strict book build, browser)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup book test unit bench lab browser screenshots pdf clean

# The supported Pythons are pyproject.toml's requires-python: stop early, saying so, outside them.
define CHECK_PYTHON
import re, sys
spec = re.search(r'^requires-python\s*=\s*"([^"]*)"', open("pyproject.toml").read(), re.M).group(1)
bounds = {op: tuple(map(int, v.split("."))) for op, v in re.findall(r"(>=|<)\s*([0-9.]+)", spec)}
if not bounds.get(">=", (0,)) <= sys.version_info[:2] < bounds.get("<", (99,)):
    sys.exit(f"make: the course needs Python {spec} (pyproject.toml), and {sys.executable} is "
             f"Python {sys.version.split()[0]}. Run make with PYTHON=python3.N, for a 3.N in that range.")
endef
export CHECK_PYTHON

# Runs `jupyter-book build` and shows its progress and warnings, without the MyST configuration
# dumps and the closing "HTML pages are here" box (the book target prints one line instead).
define BOOK_BUILD
import os, re, subprocess, sys
ansi, border = re.compile(r"\x1b\[[0-9;]*m"), re.compile(r"=+")
hidden = re.compile(r"(MdParserConfig|NbParserConfig)\(|^The HTML pages are in ")
build = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         errors="replace", env=dict(os.environ, PYTHONUNBUFFERED="1"))
box, blank = [], False
for line in build.stdout:
    plain = ansi.sub("", line).strip()
    if box or border.fullmatch(plain):
        box.append(line)
        if len(box) > 1 and border.fullmatch(plain):
            if not any("Finished generating HTML" in kept for kept in box):
                sys.stdout.writelines(box)
            box = []
    elif not plain:
        blank = True
    elif not hidden.search(plain):
        sys.stdout.write("\n" * blank + line)
        blank = False
    sys.stdout.flush()
sys.stdout.writelines(box)
sys.exit(build.wait())
endef
export BOOK_BUILD

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c "$$CHECK_PYTHON"
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
	@$(BIN)/python -c "$$BOOK_BUILD" $(BIN)/jupyter-book build . -n -W --keep-going
	@echo "The book is at $(CURDIR)/_build/html/index.html"

# Debian's Chromium for the browser test, installed where missing (tools/install-browser.sh).
browser:
	tools/install-browser.sh

# Unit tests, every notebook (nbval), the strict book build and the browser test, on 2 workers.
test: $(STAMP) browser
	$(BIN)/python -m pytest -n 2 --dist loadscope

# Fast feedback while editing utils/: unit tests only.
unit: $(STAMP)
	$(BIN)/python -m pytest tests -m "not slow"

# Wall time and peak memory of each notebook on a fresh kernel (budget: 60 s each).
bench: $(STAMP)
	$(BIN)/python -m tools.bench

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
