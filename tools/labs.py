"""Generate each lab's learner notebook and book page from its one solved source.

A lab's single source of truth is ``labs/source/<name>.ipynb``: a complete,
solved notebook. In its code cells, each solution sits between marker lines
(the convention of nbgrader and otter)::

    def leaky_relu(z, negative_slope=0.01):
        # BEGIN SOLUTION
        # STUB: return ...  # use keras.ops.where
        return keras.ops.where(z > 0, z, negative_slope * z)
        # END SOLUTION

From it, this tool writes two files that are never edited by hand:

``labs/<name>.ipynb`` (the learner's notebook, opened in Colab or Jupyter)
    Each solution region becomes its ``# STUB:`` lines (markers removed), or
    ``...  # your code here`` when it has none. Outputs are stripped.
``labs/<name>.md`` (the book page, a MyST notebook)
    Markers and stub lines are removed; each cell with a solution is folded
    behind a "Show solution" button.

Cells tagged ``learner-only`` appear only in the learner's notebook, and cells
tagged ``book-only`` only on the book page.

Usage::

    python -m tools.labs          # write the generated files
    python -m tools.labs --check  # exit 1 if any generated file is stale
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

import nbformat

from tools import course

SOURCE_FOLDER = "labs/source"
BEGIN, END, STUB = "# BEGIN SOLUTION", "# END SOLUTION", "# STUB:"
DEFAULT_STUB = "...  # your code here"
CHECK_CALL = "checks.check_"   # a cell that runs an exercise check
SOLUTION_PROMPTS = {"code_prompt_show": "Show solution", "code_prompt_hide": "Hide solution"}
# Plain Markdown: Colab and Jupyter do not render MyST directives.
LEARNER_NOTE = (
    "> **Your copy of the lab.** Each exercise cell holds a stub (`...`) for you to complete, and\n"
    "> the cell after it checks your answer. The worked solutions are not in this notebook: they are\n"
    "> on this lab's page of the course book, folded under **Show solution**."
)
BOOK_NOTE = (
    "```{note}\n"
    "This page shows the lab with its solutions folded away: try each exercise first, then click\n"
    "**Show solution**. To do the exercises, open the lab as a notebook with the rocket icon at the top\n"
    "of the page (Colab or Binder): that copy has stubs in place of the solutions.\n"
    "```"
)


class MarkerError(ValueError):
    """A solution region is malformed (unbalanced or nested markers)."""


def split_solution(source: str, *, where: str = "cell") -> tuple[str, str, bool]:
    """Split a code cell's source into its book and learner versions.

    Parameters
    ----------
    source : str
        The solved cell's source, with ``# BEGIN SOLUTION`` / ``# END SOLUTION`` regions.
    where : str
        A description of the cell, for error messages.

    Returns
    -------
    book, learner, has_solution : str, str, bool

    Raises
    ------
    MarkerError
        For an END without a BEGIN, a BEGIN without an END, or nested regions.
    """
    book: list[str] = []
    learner: list[str] = []
    stubs: list[str] = []
    region_indent: str | None = None
    has_solution = False
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if stripped == BEGIN:
            if region_indent is not None:
                raise MarkerError(f"{where}, line {number}: nested {BEGIN}")
            region_indent, stubs, has_solution = indent, [], True
        elif stripped == END:
            if region_indent is None:
                raise MarkerError(f"{where}, line {number}: {END} without {BEGIN}")
            learner.extend(stubs or [f"{region_indent}{DEFAULT_STUB}"])
            region_indent = None
        elif region_indent is not None and stripped.startswith(STUB):
            stubs.append(indent + stripped[len(STUB):].strip())
        elif region_indent is not None:
            book.append(line)
        else:
            book.append(line)
            learner.append(line)
    if region_indent is not None:
        raise MarkerError(f"{where}: {BEGIN} without {END}")
    return "\n".join(book), "\n".join(learner), has_solution


def _tags(cell: dict[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _title_index(cells: list[Any]) -> int:
    for index, cell in enumerate(cells):
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            return index
    raise MarkerError("the lab has no markdown title cell ('# ...')")


def learner_notebook(solved: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The learner's notebook: stubs for solutions, no outputs, no book-only cells."""
    notebook = copy.deepcopy(solved)
    cells = []
    for index, cell in enumerate(notebook.cells):
        if "book-only" in _tags(cell):
            continue
        if cell.cell_type == "code":
            _, learner, _ = split_solution(cell.source, where=f"{name} cell {index}")
            cell.source, cell.outputs, cell.execution_count = learner, [], None
        tags = [t for t in _tags(cell) if t != "learner-only"]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
        cells.append(cell)
    note = nbformat.v4.new_markdown_cell(LEARNER_NOTE)
    note.id = "learner-note"  # fixed, so that regenerating gives identical files
    cells.insert(_title_index(cells) + 1, note)
    notebook.cells = cells
    notebook.metadata.pop("widgets", None)
    return notebook


def _code_cell_markdown(source: str, metadata: dict[str, Any]) -> str:
    lines = ["```{code-cell} ipython3"]
    if metadata:
        lines += ["---", *_yaml(metadata).splitlines(), "---"]
    lines += [source, "```"]
    return "\n".join(lines)


def _yaml(metadata: dict[str, Any]) -> str:
    import yaml

    plain = json.loads(json.dumps(metadata))  # NotebookNode -> plain dicts for safe_dump
    return yaml.safe_dump(plain, sort_keys=True, allow_unicode=True).rstrip()


def book_page(solved: nbformat.NotebookNode, name: str) -> str:
    """The book page: a MyST notebook with every solution folded behind a button.

    A code cell keeps its source's ``mystnb`` metadata (such as ``image.alt``); on a solution
    cell, the "Show solution" prompts are added to it and win on their keys.
    """
    header = {
        "jupytext": {"text_representation": {"extension": ".md", "format_name": "myst"}},
        "kernelspec": solved.metadata.get(
            "kernelspec", {"display_name": "Python 3", "language": "python", "name": "python3"}
        ),
    }
    blocks = [f"---\n{_yaml(header)}\n---"]
    cells = [c for c in solved.cells if "learner-only" not in _tags(c)]
    title = _title_index(cells)
    generated = (
        f"<!-- Generated by `python -m tools.labs` from {SOURCE_FOLDER}/{name}.ipynb; "
        "do not edit by hand. -->"
    )
    for index, cell in enumerate(cells):
        tags = [t for t in _tags(cell) if t != "book-only"]
        if cell.cell_type == "markdown":
            blocks.append(cell.source)
            if index == title:
                blocks += [generated, BOOK_NOTE]
            continue
        if cell.cell_type != "code":
            continue
        book, _, has_solution = split_solution(cell.source, where=f"{name} cell {index}")
        metadata: dict[str, Any] = {}
        mystnb = dict(cell.metadata.get("mystnb", {}))  # e.g. a figure's image alt text
        if has_solution:
            tags = sorted(set(tags) | {"hide-input"})
            mystnb.update(SOLUTION_PROMPTS)
        if CHECK_CALL in book:  # its feedback wraps in the book instead of scrolling (assets/book.css)
            tags = sorted(set(tags) | {"wrap-output"})
        if mystnb:
            metadata["mystnb"] = mystnb
        if tags:
            metadata["tags"] = tags
        blocks.append(_code_cell_markdown(book, metadata))
    return "\n\n".join(blocks) + "\n"


def lab_sources(root: Path = course.ROOT) -> list[Path]:
    """The solved source notebook of every lab, sorted."""
    return sorted((root / SOURCE_FOLDER).glob("*.ipynb"))


def generated_files(root: Path = course.ROOT) -> dict[Path, str]:
    """Every generated file's path and exact content."""
    files: dict[Path, str] = {}
    for source in lab_sources(root):
        solved = nbformat.read(source, as_version=4)
        name = source.stem
        learner = learner_notebook(solved, name)
        files[root / "labs" / f"{name}.ipynb"] = nbformat.writes(learner) + "\n"
        files[root / "labs" / f"{name}.md"] = book_page(solved, name)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the labs' learner notebooks and book pages.")
    parser.add_argument("--check", action="store_true", help="report stale files instead of writing them")
    args = parser.parse_args(argv)
    stale = []
    for path, content in generated_files().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == content:
            continue
        stale.append(path.relative_to(course.ROOT))
        if not args.check:
            path.write_text(content, encoding="utf-8")
            print(f"wrote {path.relative_to(course.ROOT)}")
    if args.check and stale:
        print("stale generated lab files (run `python -m tools.labs`): " + ", ".join(map(str, stale)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
