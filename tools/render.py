"""Generate each chapter's and lab's two renderings from its one source.

Every chapter and lab has one source of truth, ``<folder>/source/<name>.ipynb``
(``chapters/`` or ``labs/``), written in MyST: citations (``{cite:p}``),
self-check questions (``{exercise}`` / ``{solution}`` with ``:class: dropdown``)
and numbers glued from the page's own run (``{glue:text}`name:format```, see
:mod:`utils.report`). A lab's source is solved: in its code cells, each solution
sits between marker lines (the convention of nbgrader and otter)::

    def leaky_relu(z, negative_slope=0.01):
        # BEGIN SOLUTION
        # STUB: return ...  # use keras.ops.where
        return keras.ops.where(z > 0, z, negative_slope * z)
        # END SOLUTION

From each source, this tool writes two files that are never edited by hand:

``<folder>/<name>.ipynb`` (the notebook a learner opens in Colab or Jupyter)
    Plain Markdown that Jupyter and Colab render: citations as "Author (year)",
    self-check answers folded in HTML ``<details>``, and each glued number as its
    name in code font (the cell above computes it). In a lab, each solution region
    becomes its ``# STUB:`` lines (markers removed), or ``...  # your code here``
    when it has none. Outputs are stripped.
``<folder>/<name>.md`` (the book page, a MyST notebook)
    The source's Markdown as it is. In a lab, markers and stub lines are removed
    and each cell with a solution is folded, with its outputs, behind a
    "Show solution" button.

Cells tagged ``learner-only`` appear only in the notebook, and cells tagged
``book-only`` only on the book page.

Usage::

    python -m tools.render          # write the generated files
    python -m tools.render --check  # exit 1 if any generated file is stale
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

import nbformat

from tools import course

FOLDERS = ("chapters", "labs")
BEGIN, END, STUB = "# BEGIN SOLUTION", "# END SOLUTION", "# STUB:"
DEFAULT_STUB = "...  # your code here"
CHECK_CALL = "checks.check_"  # a cell that runs an exercise check
SOLUTION_PROMPTS = {"code_prompt_show": "Show solution", "code_prompt_hide": "Hide solution"}
# Plain Markdown: Colab and Jupyter do not render MyST directives.
LEARNER_NOTE = (
    "> **Your copy of the lab.** Each exercise cell holds a stub (`...`) for you to complete, and\n"
    "> the cell after it checks your answer. The worked solutions are not in this notebook: they are\n"
    "> on this lab's page of the course book, folded under **Show solution**."
)
GLUE_NOTE = (
    "> **Numbers in the text.** Where the course book quotes a number that a cell measured, this\n"
    "> notebook shows the number's name in code font, such as `{example}`: the cell above it computes\n"
    "> the value (its `report.glue(...)` line names it) and prints it, or you can print it yourself.\n"
    "> Your numbers can differ a little from the book's, which come from the book's own run."
)
BOOK_NOTE = (
    "```{note}\n"
    "This page shows the lab with its solutions folded away: try each exercise first, then click\n"
    "**Show solution**. To do the exercises, open the lab as a notebook with the rocket icon at the top\n"
    "of the page (Colab or Binder): that copy has stubs in place of the solutions.\n"
    "```"
)

# MyST syntax that Jupyter and Colab show raw, and what the notebook shows instead.
GLUE_ROLE = re.compile(r"\{glue(?::text|:any)?\}`([A-Za-z_][A-Za-z0-9_]*)(?::[^`]*)?`")
CITE_ROLE = re.compile(r"\{cite(:p|:t)?\}`([^`]+)`")
DOC_ROLE = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`")
DIRECTIVE = re.compile(
    r"^(?P<indent>[ \t]*)```\{(?P<name>exercise|solution|admonition|note|tip|warning)\}(?P<argument>[^\n]*)\n"
    r"(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.M | re.S,
)
OPTION = re.compile(r"^[ \t]*:(?P<key>[a-z-]+):[ \t]*(?P<value>[^\n]*)\n", re.M)
ANY_ROLE = re.compile(r"\{[a-z]+(?::[a-z]+)?\}`")


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
            # The one space after the marker separates it; any more is the stub's own indentation.
            text = stripped[len(STUB) :].rstrip()
            stubs.append(indent + (text[1:] if text.startswith(" ") else text))
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
    raise MarkerError("the notebook has no markdown title cell ('# ...')")


def load_bibliography(root: Path = course.ROOT) -> dict[str, tuple[str, str]]:
    """Each ``references.bib`` key's author names, as a citation writes them, and year."""
    from pybtex.database import parse_file

    entries: dict[str, tuple[str, str]] = {}
    for key, entry in parse_file(str(root / "references.bib")).entries.items():
        last = [" ".join(person.last_names) for person in entry.persons.get("author", [])]
        last = [re.sub(r"[{}]|\\.", "", name) for name in last]
        if len(last) == 1:
            names = last[0]
        elif len(last) == 2:
            names = f"{last[0]} and {last[1]}"
        else:
            names = f"{last[0]} et al."
        entries[key] = (names, entry.fields["year"])
    return entries


def _citation(match: re.Match[str], bibliography: dict[str, tuple[str, str]], where: str) -> str:
    kind, keys = match.group(1) or ":p", [key.strip() for key in match.group(2).split(",")]
    unknown = [key for key in keys if key not in bibliography]
    if unknown:
        raise MarkerError(f"{where}: unknown citation key(s) {unknown}; add them to references.bib")
    if kind == ":t":
        return "; ".join(f"{bibliography[key][0]} ({bibliography[key][1]})" for key in keys)
    return "(" + "; ".join(f"{bibliography[key][0]}, {bibliography[key][1]}" for key in keys) + ")"


def _directive(match: re.Match[str], counter: list[int]) -> str:
    indent, name = match.group("indent"), match.group("name")
    argument = match.group("argument").strip()
    body = match.group("body")
    options = dict((m.group("key"), m.group("value").strip()) for m in OPTION.finditer(body))
    body = OPTION.sub("", body).strip("\n")
    lines = [line[len(indent) :] if line.startswith(indent) else line.lstrip() for line in body.splitlines()]
    text = "\n".join(lines).strip()

    def indented(block: str) -> str:
        return "\n".join(f"{indent}{line}" if line else "" for line in block.splitlines())

    if name == "exercise":
        counter[0] += 1
        return indented(f"**Question {counter[0]}.** {text}")
    if name == "solution" or "dropdown" in options.get("class", ""):
        summary = "Answer" if name == "solution" else (argument or "Details")
        return indented(f"<details>\n<summary>{summary}</summary>\n\n{text}\n\n</details>")
    title = argument or name.capitalize()
    quoted = "\n".join(f"> {line}" if line else ">" for line in f"**{title}.** {text}".splitlines())
    return indented(quoted)


def notebook_markdown(source: str, bibliography: dict[str, tuple[str, str]], *, where: str = "cell") -> str:
    """Rewrite a MyST Markdown cell in the plain Markdown that Jupyter and Colab render.

    Raises
    ------
    MarkerError
        For a citation key missing from ``references.bib``, or MyST syntax this
        tool does not know how to render (it would show raw in the notebook).
    """
    counter = [0]
    text = DIRECTIVE.sub(lambda m: _directive(m, counter), source)
    text = GLUE_ROLE.sub(lambda m: f"`{m.group(1)}`", text)
    text = CITE_ROLE.sub(lambda m: _citation(m, bibliography, where), text)
    text = DOC_ROLE.sub(lambda m: Path(m.group(1)).name.replace("-", " ").capitalize() + " page", text)
    leftover = ANY_ROLE.search(text) or re.search(r"^[ \t]*(```|:::)\{", text, re.M)
    if leftover:
        raise MarkerError(f"{where}: MyST syntax the notebook cannot render: {leftover.group(0)!r}")
    return text


def _renumber_questions(cells: list[Any]) -> None:
    number = 0
    for cell in cells:
        if cell.cell_type != "markdown":
            continue

        def renumber(match: re.Match[str]) -> str:
            nonlocal number
            number += 1
            return f"**Question {number}.**"

        cell.source = re.sub(r"\*\*Question \d+\.\*\*", renumber, cell.source)


def learner_notebook(
    source: nbformat.NotebookNode,
    name: str,
    *,
    kind: str = "labs",
    bibliography: dict[str, tuple[str, str]] | None = None,
) -> nbformat.NotebookNode:
    """Make the notebook a learner opens: plain Markdown, stubs for solutions, no outputs, no book-only cells."""
    bibliography = load_bibliography() if bibliography is None else bibliography
    notebook = copy.deepcopy(source)
    cells, glued = [], []
    for index, cell in enumerate(notebook.cells):
        if "book-only" in _tags(cell):
            continue
        where = f"{name} cell {index}"
        if cell.cell_type == "code":
            _, learner, _ = split_solution(cell.source, where=where)
            cell.source, cell.outputs, cell.execution_count = learner, [], None
        elif cell.cell_type == "markdown":
            glued += GLUE_ROLE.findall(cell.source)
            cell.source = notebook_markdown(cell.source, bibliography, where=where)
        tags = [t for t in _tags(cell) if t != "learner-only"]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
        cells.append(cell)
    _renumber_questions(cells)
    notes = []
    if kind == "labs":
        notes.append(("learner-note", LEARNER_NOTE))
    if glued:
        notes.append(("numbers-note", GLUE_NOTE.format(example=glued[0])))
    for offset, (cell_id, text) in enumerate(notes, start=1):
        note = nbformat.v4.new_markdown_cell(text)
        note.id = cell_id  # fixed, so that regenerating gives identical files
        cells.insert(_title_index(cells) + offset, note)
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


def book_page(source: nbformat.NotebookNode, name: str, *, kind: str = "labs") -> str:
    """Make the book page, a MyST notebook; in a lab, every solution is folded behind a button.

    A code cell keeps its source's ``mystnb`` metadata (such as ``image.alt``); on a solution
    cell, the "Show solution" prompts are added to it and win on their keys.
    """
    header = {
        "jupytext": {"text_representation": {"extension": ".md", "format_name": "myst"}},
        "kernelspec": source.metadata.get(
            "kernelspec", {"display_name": "Python 3", "language": "python", "name": "python3"}
        ),
    }
    blocks = [f"---\n{_yaml(header)}\n---"]
    cells = [c for c in source.cells if "learner-only" not in _tags(c)]
    title = _title_index(cells)
    generated = f"<!-- Generated by `python -m tools.render` from {kind}/source/{name}.ipynb; do not edit by hand. -->"
    for index, cell in enumerate(cells):
        tags = [t for t in _tags(cell) if t != "book-only"]
        if cell.cell_type == "markdown":
            blocks.append(cell.source)
            if index == title:
                blocks.append(generated)
                if kind == "labs":
                    blocks.append(BOOK_NOTE)
            continue
        if cell.cell_type != "code":
            continue
        book, _, has_solution = split_solution(cell.source, where=f"{name} cell {index}")
        metadata: dict[str, Any] = {}
        mystnb = dict(cell.metadata.get("mystnb", {}))  # e.g. a figure's image alt text
        if has_solution:  # the whole cell: its outputs (a printed answer, counts) would give it away
            tags = sorted(set(tags) | {"hide-cell"})
            mystnb.update(SOLUTION_PROMPTS)
        if CHECK_CALL in book:  # its feedback wraps in the book instead of scrolling (assets/book.css)
            tags = sorted(set(tags) | {"wrap-output"})
        if mystnb:
            metadata["mystnb"] = mystnb
        if tags:
            metadata["tags"] = tags
        blocks.append(_code_cell_markdown(book, metadata))
    return "\n\n".join(blocks) + "\n"


def learner_page(source: nbformat.NotebookNode, name: str, *, kind: str = "labs") -> str:
    """Write the learner's notebook as a MyST Markdown file: what the book hands out as the page's ``.md`` download.

    The book page's own source holds a lab's solutions, so :mod:`tools.book_downloads`
    replaces the page's download with this file (and its ``.ipynb`` with the notebook).
    """
    learner = learner_notebook(source, name, kind=kind)
    header = {
        "jupytext": {"text_representation": {"extension": ".md", "format_name": "myst"}},
        "kernelspec": learner.metadata.get(
            "kernelspec", {"display_name": "Python 3", "language": "python", "name": "python3"}
        ),
    }
    blocks = [f"---\n{_yaml(header)}\n---"]
    for cell in learner.cells:
        if cell.cell_type == "markdown":
            blocks.append(cell.source)
        elif cell.cell_type == "code":
            tags = _tags(cell)
            blocks.append(_code_cell_markdown(cell.source, {"tags": tags} if tags else {}))
    return "\n\n".join(blocks) + "\n"


def sources(root: Path = course.ROOT) -> list[tuple[str, Path]]:
    """Every chapter's and lab's source notebook, as (kind, path), sorted."""
    return [(kind, path) for kind in FOLDERS for path in sorted((root / kind / "source").glob("*.ipynb"))]


def generated_files(root: Path = course.ROOT) -> dict[Path, str]:
    """Every generated file's path and exact content."""
    files: dict[Path, str] = {}
    bibliography = load_bibliography(root)
    for kind, path in sources(root):
        source = nbformat.read(path, as_version=4)
        name = path.stem
        learner = learner_notebook(source, name, kind=kind, bibliography=bibliography)
        files[root / kind / f"{name}.ipynb"] = nbformat.writes(learner) + "\n"
        files[root / kind / f"{name}.md"] = book_page(source, name, kind=kind)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the chapters' and labs' notebooks and book pages.")
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
        print("stale generated files (run `python -m tools.render`): " + ", ".join(map(str, stale)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
