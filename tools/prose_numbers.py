"""Find the numbers in a built page's prose that are not tied to its own run.

The book's promise is that a measured number in the text is the number the page's
cells printed in this build. Measured numbers are glued (:mod:`utils.report`) and
arrive in the HTML as ``<span class="pasted-text">``. Every other number in the
prose must be one of:

* a setting the page's code states (it occurs as a number in a code cell's source,
  such as ``num_layers=20`` or ``learning_rate=0.1``);
* inside math (a formula, a definition or closed-form arithmetic), a citation, a
  heading or a code span;
* a reference to a part of the course ("section 3", "chapter 2", "exercise 1.3");
* on the page's reviewed list of constants, which says why each is there: the
  ``prose_constants`` entry of its source notebook's metadata
  (``chapters/source/<name>.ipynb``), a mapping from the number as written to the
  reason, for example ``{"0.25": "the sigmoid's largest slope, 1/4 (closed form)"}``.

Anything else is reported with its context: a number typed by hand, which is true
on one machine at best. ``tests/test_prose_numbers.py`` runs this on the built book;
an author runs it on a build of their own::

    python -m tools.prose_numbers                 # every chapter and lab page of _build/html
    python -m tools.prose_numbers --html /tmp/b/_build/html chapters/02-initialization
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

from tools import course

CONSTANTS_KEY = "prose_constants"  # in a source notebook's metadata

# Digits, an optional thousands separator and decimals, an optional superscript exponent.
NUMBER = re.compile(
    r"(?<![\w.⁰¹²³⁴⁵⁶⁷⁸⁹])(?<!\w[-−])[−-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|"
    r"(?<![\w.⁰¹²³⁴⁵⁶⁷⁸⁹,])(?<!\w[-−])[−-]?\d+(?:\.\d+)?(?:[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?(?![\w])"
)
REFERENCE = re.compile(r"(?:sections?|chapters?|labs?|exercises?|questions?|parts?|steps?)\s+$", re.I)
CODE_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w])")
SKIPPED = (
    "div.cell_input",
    "div.cell_output",
    "pre",
    "code",
    "span.math",
    "div.math",
    "span.pasted-text",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p.admonition-title",
    "p.rubric",
    "a.reference.internal[href*='bibliography']",
    "span.caption-number",
    "div.exercise p.admonition-title",
    "script",
    "style",
    "mjx-container",
)


@dataclass(frozen=True)
class Finding:
    """A number in the prose that nothing ties to the page's run."""

    page: str
    number: str
    context: str

    def __str__(self) -> str:
        return f"{self.page}: {self.number!r} in «{self.context}»"


def code_numbers(soup: BeautifulSoup) -> set[str]:
    """Every number that occurs in the page's code cells' sources (the settings it states), as written.

    Compared as written, not by value: a measured accuracy "0.10" is not excused by a
    learning rate written ``0.1``.
    """
    numbers: set[str] = set()
    for block in soup.select("div.cell_input"):
        numbers.update(match.group(0) for match in CODE_NUMBER.finditer(block.get_text()))
    return numbers


def glued_count(html: str) -> int:
    """How many glued values the page shows."""
    return len(BeautifulSoup(html, "html.parser").select("span.pasted-text"))


def unexplained_numbers(html: str, page: str, constants: dict[str, str] | None = None) -> list[Finding]:
    """Find the numbers in a built page's prose that are neither glued, settings, nor reviewed constants.

    Parameters
    ----------
    html : str
        The built page.
    page : str
        Its path without suffix, for the report (for example ``chapters/01-...``).
    constants : dict of str to str, optional
        Reviewed numbers for this page, as written, with their reasons; by default
        the list in the page's source notebook (:func:`page_constants`).
    """
    constants = page_constants(page) if constants is None else constants
    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one("article") or soup
    settings = code_numbers(article)
    for selector in SKIPPED:
        for element in article.select(selector):
            element.decompose()
    findings = []
    for paragraph in article.find_all(["p", "li", "td", "th", "dd", "dt", "summary"]):
        if paragraph.find(["p", "li", "td"]):  # counted in the inner block
            continue
        text = " ".join(paragraph.get_text(" ").split())
        for match in NUMBER.finditer(text):
            number = match.group(0)
            before = text[max(0, match.start() - 40) : match.start()]
            if number in constants or number.lstrip("−-") in constants:
                continue
            if REFERENCE.search(before):
                continue
            if number.replace(",", "").lstrip("−-") in settings:
                continue
            context = text[max(0, match.start() - 50) : match.end() + 30]
            findings.append(Finding(page, number, context))
    return findings


def page_constants(page: str, root: Path = course.ROOT) -> dict[str, str]:
    """Return the reviewed constants of a page, from its source notebook's metadata (empty if none)."""
    kind, _, name = page.partition("/")
    source = root / kind / "source" / f"{name}.ipynb"
    if not source.is_file():
        return {}
    return dict(json.loads(source.read_text(encoding="utf-8"))["metadata"].get(CONSTANTS_KEY, {}))


def notebook_pages(root: Path = course.ROOT) -> list[str]:
    """Every page built from a chapter or lab source, as ``<folder>/<name>``."""
    return [
        f"{kind}/{path.stem}"
        for kind in ("chapters", "labs")
        for path in sorted((root / kind / "source").glob("*.ipynb"))
    ]


def check_book(html_root: Path, pages: list[str]) -> list[Finding]:
    """Every unexplained number on the given built pages."""
    findings: list[Finding] = []
    for page in pages:
        html = (html_root / f"{page}.html").read_text(encoding="utf-8")
        findings += unexplained_numbers(html, page)
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="default: every chapter and lab page")
    parser.add_argument("--html", type=Path, default=course.ROOT / "_build" / "html")
    args = parser.parse_args(argv)
    pages = args.pages or notebook_pages()
    findings = check_book(args.html, pages)
    for finding in findings:
        print(finding)
    for page in pages:
        html = (args.html / f"{page}.html").read_text(encoding="utf-8")
        print(f"{page}: {glued_count(html)} glued numbers")
    print(f"{len(findings)} unexplained numbers")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
