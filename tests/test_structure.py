"""The repository's conventions: table of contents, notebooks, configuration."""

from __future__ import annotations

import json
import re

import pytest

from tools import course

NOTEBOOKS = course.notebook_paths()
NOTEBOOK_IDS = [str(p.relative_to(course.ROOT)) for p in NOTEBOOKS]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found under chapters/ or labs/"


def test_every_notebook_is_in_the_toc():
    listed = set(course.toc_files())
    missing = [
        str(p.relative_to(course.ROOT).with_suffix(""))
        for p in NOTEBOOKS
        if str(p.relative_to(course.ROOT).with_suffix("")) not in listed
    ]
    assert not missing, f"add these notebooks to _toc.yml: {missing}"


def test_every_toc_entry_exists():
    missing = [
        entry
        for entry in course.toc_files()
        if not any((course.ROOT / f"{entry}{suffix}").is_file() for suffix in (".md", ".ipynb"))
    ]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_notebook_starts_with_the_standard_setup_cell(path):
    cells = course.code_cells(path)
    assert cells, f"{path.name} has no code cells"
    first = "".join(cells[0]["source"])
    assert first == course.setup_cell_source(), (
        f"the first code cell of {path.name} must be exactly:\n{course.setup_cell_source()}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_notebook_opens_with_a_title_and_uses_python3(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    first = notebook["cells"][0]
    assert first["cell_type"] == "markdown" and "".join(first["source"]).startswith("# ")
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


def test_setup_cell_installs_from_the_configured_repository():
    repository = course.load_config()["repository"]
    assert repository["branch"] == "main"
    source = course.setup_cell_source()
    assert f'    repository = "{repository["url"].rstrip("/")}"\n' in source
    assert re.search(r'^    %pip install --quiet "taming-gradients @ git\+\{repository\}@main"$', source, re.M)
    # What the magic installs once IPython has expanded {repository}: the configured repository.
    assert course.install_target() == f"taming-gradients @ git+{repository['url'].rstrip('/')}@main"


def test_book_configuration():
    config = course.load_config()
    execute = config["execute"]
    assert execute["execute_notebooks"] == "cache"
    assert execute["allow_errors"] is False
    assert isinstance(execute["timeout"], int) and execute["timeout"] >= 60
    assert execute["stderr_output"] == "warn"
    assert {"dollarmath", "amsmath", "colon_fence"} <= set(config["parse"]["myst_enable_extensions"])
    assert "sphinx_exercise" in config["sphinx"]["extra_extensions"]
    assert config["bibtex_bibfiles"] == ["references.bib"]
    assert config["only_build_toc_files"] is True
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert config["launch_buttons"]["binderhub_url"]


def test_no_deprecated_leaky_relu_argument():
    sources = [*course.ROOT.glob("utils/*.py"), *NOTEBOOKS, *course.ROOT.glob("*.md")]
    offenders = [p.name for p in sources if re.search(r"LeakyReLU\(\s*alpha\s*=", p.read_text(encoding="utf-8"))]
    assert not offenders, f"use LeakyReLU(negative_slope=...) (Keras 3) in: {offenders}"


def test_cited_keys_exist_in_references_bib():
    bib = (course.ROOT / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    texts = [p.read_text(encoding="utf-8") for p in [*NOTEBOOKS, *course.ROOT.glob("*.md")]]
    cited = {
        key.strip()
        for text in texts
        for group in re.findall(r"\{cite[:\w]*\}`([^`]+)`", text)
        for key in group.split(",")
    }
    assert cited <= keys, f"unknown citation keys: {sorted(cited - keys)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_every_figure_has_alt_text(path):
    """Without it, the HTML book's alt text for a figure is its file name."""
    for cell in course.code_cells(path):
        source = "".join(cell["source"])
        if "plt.show()" not in source:
            continue
        mystnb = cell["metadata"].get("mystnb", {})
        text = mystnb.get("image", {}).get("alt") or mystnb.get("figure", {}).get("caption") or ""
        where = f"{path.relative_to(course.ROOT)}, the figure cell starting {source.splitlines()[0]!r}"
        assert text.strip(), (
            f"{where} has no alt text. Add cell metadata "
            '{"mystnb": {"image": {"alt": "<kind of plot, axes, series compared>"}}} '
            "(for a lab, in labs/source/, then run `python -m tools.labs`)"
        )
        assert ".png" not in text and "/" not in text, (
            f"{where}: the alt text {text!r} looks like a file name; describe the figure instead"
        )


UTILS_MODULES = sorted(path.stem for path in (course.ROOT / "utils").glob("*.py") if not path.stem.startswith("_")) + [
    "checks"
]


def prose_texts():
    """(where, text) of every Markdown cell of the book's notebooks and of the top-level pages."""
    for path in NOTEBOOKS:
        if path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            yield from (
                (f"{path.relative_to(course.ROOT)} cell {index}", "".join(cell["source"]))
                for index, cell in enumerate(cells)
                if cell["cell_type"] == "markdown"
            )
        else:
            yield str(path.relative_to(course.ROOT)), path.read_text(encoding="utf-8")
    for path in course.ROOT.glob("*.md"):
        yield path.name, path.read_text(encoding="utf-8")


def test_the_prose_names_utils_functions_that_exist():
    """A function moved between modules must not leave its old name in the text (`widgets.plot_...`)."""
    import importlib

    pattern = re.compile(rf"`(?:utils\.)?({'|'.join(UTILS_MODULES)})\.([A-Za-z_]\w*)")
    named, stale = 0, []
    for where, text in prose_texts():
        for module, name in pattern.findall(text):
            named += 1
            if not hasattr(importlib.import_module(f"utils.{module}"), name):
                stale.append(f"{where}: {module}.{name}")
    assert named >= 10, f"the pattern found only {named} names in the prose; is it still right?"
    assert not stale, "the text names functions that utils does not have:\n" + "\n".join(stale)


SHOWN_CODE_WIDTH = 80  # characters the book's code box shows at 1024 and 1280 px (README, "Conventions")


SOURCES = sorted(p for folder in course.SOURCE_FOLDERS for p in (course.ROOT / folder).glob("*.ipynb"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_shown_code_lines_fit_the_books_column(path):
    """The browser test measures every block; this names the line at once, without building the book."""
    long = []
    for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        if cell["cell_type"] != "code" or "remove-cell" in cell.get("metadata", {}).get("tags", []):
            continue
        for line in "".join(cell["source"]).splitlines():
            # A lab's `# STUB:` line becomes the learner's placeholder; the book shows the solution instead.
            if len(line) > SHOWN_CODE_WIDTH and not line.lstrip().startswith("# STUB:"):
                long.append(f"cell {index}: {len(line)} characters: {line.strip()[:60]}")
    assert not long, "\n".join(long)
