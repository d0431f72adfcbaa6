"""The book builds strictly: `jupyter-book build . -n -W --keep-going` with zero warnings.

The build executes every notebook (through Jupyter Book's cache), so a cell
that raises, a warning printed to stderr (``stderr_output: warn``), a broken
cross-reference or citation each fail it. The build itself is the session
fixture ``built_book`` (tests/conftest.py), shared with the browser test.
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
        text = html_module.unescape(re.sub(r"<[^>]+>", "", (html / "labs" / f"{page.stem}.html").read_text(encoding="utf-8")))
        verdicts = re.findall(r"(✅|❌|⏳|⚠️) Exercise [\w.]+", text)
        assert len(verdicts) == calls and set(verdicts) == {"✅"}, (
            f"{page.name}: {calls} checks, verdicts {verdicts}"
        )


@pytest.mark.slow
def test_every_notebook_page_has_a_colab_link_to_its_own_notebook(built_book):
    _, html = built_book
    repository = course.load_config()["repository"]
    org_repo = repository["url"].rstrip("/").split("github.com/")[1]
    for notebook in course.notebook_paths():
        relative = notebook.relative_to(course.ROOT)
        page = (html / relative).with_suffix(".html").read_text(encoding="utf-8")
        expected = (f"https://colab.research.google.com/github/{org_repo}/blob/"
                    f"{repository['branch']}/{relative.as_posix()}")
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
            leaked = [line for line in solution_only if line.strip() and line in page.splitlines()]
            assert not leaked, f"{name}.md download shows solution lines: {leaked[:3]}"
