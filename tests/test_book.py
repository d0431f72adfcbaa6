"""The book builds strictly: `jupyter-book build . -n -W --keep-going` with zero warnings.

The pages' outputs come from Jupyter Book's execution cache, which nbval's run of
every notebook fills in the same session (tools/nbval_cache.py): each notebook
executes once. A cell that raises, a warning printed to stderr (``stderr_output:
warn``), a broken cross-reference or citation each fail the build. The build itself
is the session fixture ``built_book`` (tests/conftest.py), shared with the browser test.
"""

from __future__ import annotations

import html as html_module
import re

import pytest

from tools import course


@pytest.mark.slow
def test_book_builds_with_zero_warnings(built_book):
    result, _ = built_book
    log = result["stdout"] + result["stderr"]
    # Sphinx reports "path: WARNING: message" (or ERROR/CRITICAL); the kernel's
    # own "[IPKernelApp] WARNING | ..." process log line is not a book warning.
    warnings = [line for line in log.splitlines() if re.search(r"\b(WARNING|ERROR|CRITICAL|SEVERE):", line)]
    assert result["returncode"] == 0 and not warnings, "\n".join(warnings[:30]) or log[-3000:]


@pytest.mark.slow
def test_the_build_executes_no_notebook_that_nbval_executed(built_book):
    """Every page nbval executed in this session comes from the cache: no notebook runs twice.

    MyST-NB logs "<page>: Using cached notebook: ID=<n>" for a page it takes from the
    cache and "<page>: Executing notebook using local CWD" for one it executes; Sphinx
    reads (and logs) only the pages that changed since the last build.
    """
    result, _ = built_book
    pages = result["pages"]
    expected = {page.removesuffix(".md") for state in pages.values() for page in state}
    if not expected:
        pytest.skip("nbval executed no notebook in this session (run with chapters/ and labs/)")
    assert not pages["missing"], f"nbval did not finish these pages in time: {pages['missing']}"
    assert not pages["failed"], f"nbval failed these pages (the build executed them): {pages['failed']}"
    log = re.sub(r"\x1b\[[0-9;]*m", "", result["stdout"] + result["stderr"]).splitlines()

    def pages_logging(message: str) -> set[str]:
        pattern = re.compile(rf"/([^/]+/[^/]+)\.(?:md|ipynb): {message}")
        return {match.group(1) for line in log if (match := pattern.search(line))}

    executed, cached = pages_logging("Executing notebook"), pages_logging("Using cached notebook: ID=")
    assert not executed & expected, "the build executed notebooks again:\n" + "\n".join(
        line for line in log if "Executing notebook" in line
    )
    read = {match.group(1) for line in log if (match := re.match(r"reading sources\.\.\. \[\s*\d+%\] (\S+)$", line))}
    assert read & expected <= cached, f"read, but not from the cache: {sorted(read & expected - cached)}"


@pytest.mark.slow
def test_every_toc_page_is_built_with_its_figures(built_book):
    _, html = built_book
    for entry in course.toc_files():
        page = html / f"{entry}.html"
        assert page.is_file(), f"{page} was not built"
    for notebook in course.notebook_paths():
        page = (html / notebook.relative_to(course.ROOT)).with_suffix(".html").read_text(encoding="utf-8")
        assert "Traceback" not in page, f"{notebook.name} shows a traceback"
        figures = len(re.findall(r'<img [^>]*src="[^"]*\.png"', page))
        plot_calls = sum("plt.show()" in "".join(c["source"]) for c in course.code_cells(notebook))
        assert figures >= plot_calls, f"{notebook.name}: {plot_calls} figures drawn, {figures} on the page"


@pytest.mark.slow
def test_every_check_passes_on_the_lab_book_pages(built_book):
    """The book executes each lab's solved version: every check on the page must pass.

    Read from the HTML the reader gets (the copies in _build/jupyter_execute are not
    rewritten with outputs when a page comes from the execution cache).
    """
    _, html = built_book
    for page in sorted((course.ROOT / "labs").glob("*.md")):
        if page.name == "README.md":
            continue
        calls = len(re.findall(r"^\s*checks\.check_\w+\(", page.read_text(encoding="utf-8"), re.M))
        assert calls, f"{page.name} calls no check"
        built = (html / "labs" / f"{page.stem}.html").read_text(encoding="utf-8")
        text = html_module.unescape(re.sub(r"<[^>]+>", "", built))
        verdicts = re.findall(r"(✅|❌|⏳|⚠️) Exercise [\w.]+", text)
        assert len(verdicts) == calls and set(verdicts) == {"✅"}, f"{page.name}: {calls} checks, verdicts {verdicts}"


@pytest.mark.slow
def test_every_notebook_page_has_a_colab_link_to_its_own_notebook(built_book):
    _, html = built_book
    repository = course.load_config()["repository"]
    org_repo = repository["url"].rstrip("/").split("github.com/")[1]
    for notebook in course.notebook_paths():
        relative = notebook.relative_to(course.ROOT)
        page = (html / relative).with_suffix(".html").read_text(encoding="utf-8")
        expected = (
            f"https://colab.research.google.com/github/{org_repo}/blob/{repository['branch']}/{relative.as_posix()}"
        )
        assert expected in page, f"{relative.with_suffix('.html')} has no Colab link to {expected}"


@pytest.mark.slow
def test_every_download_of_a_page_is_the_learners_version(built_book):
    """No download hands out a lab's solutions or a notebook with raw MyST (tools/book_downloads.py)."""
    from tools import render

    _, html = built_book
    for kind, source_path in render.sources():
        name = source_path.stem
        downloaded = html / "_sources" / kind / f"{name}.ipynb"
        expected = course.ROOT / kind / f"{name}.ipynb"
        assert downloaded.read_text(encoding="utf-8") == expected.read_text(encoding="utf-8"), downloaded
        if kind != "labs":
            continue
        page = (html / "_sources" / kind / f"{name}.md").read_text(encoding="utf-8")
        source = render.nbformat.read(source_path, as_version=4)
        for cell in source.cells:
            if cell.cell_type != "code":
                continue
            book, learner, has_solution = render.split_solution(cell.source)
            solution_only = set(book.splitlines()) - set(learner.splitlines())
            # A line of brackets alone (a call's closing ")") gives nothing away, and other cells have it too.
            leaked = [line for line in solution_only if re.search(r"\w", line) and line in page.splitlines()]
            assert not leaked, f"{name}.md download shows solution lines: {leaked[:3]}"
