"""Print the built book as one PDF, offline, with the Chromium the browser test uses.

Every page of the table of contents is opened from ``_build/html`` (served on
127.0.0.1, every other host refused, see :mod:`tools.browser`), MathJax is given
time to typeset, and Chromium prints it with the book's print styles. The pages are
joined in the order of ``_toc.yml``, with one bookmark per page, into
``_build/html/taming-gradients.pdf``, which the book links to from its first page.

Usage::

    python -m tools.pdf            # after the book is built (make pdf does both)
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from tools import browser, course

PDF_NAME = "taming-gradients.pdf"
MARGIN = {"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"}


def print_pages(html: Path = browser.HTML, entries: list[str] | None = None) -> list[tuple[str, str, bytes]]:
    """Each table-of-contents page (or each of ``entries``) as (entry, title, PDF bytes), in order."""
    printed = []
    with browser.serve(html) as book_url, browser.chromium() as chromium:
        for entry in course.toc_files() if entries is None else entries:
            with browser.PageVisit(chromium, book_url, entry) as visit:
                visit.wait_for_math()
                visit.page.emulate_media(media="print")
                title = visit.page.title().split(" — ")[0].strip()
                data = visit.page.pdf(format="A4", print_background=True, margin=MARGIN)
                if visit.blocked:
                    raise RuntimeError(f"{entry} asked for other hosts while printing: {visit.blocked[:3]}")
            printed.append((entry, title, data))
    return printed


def join(printed: list[tuple[str, str, bytes]], out: Path) -> Path:
    """Join the pages' PDFs into one, with a bookmark per page."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for _, title, data in printed:
        first = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(data)))
        writer.add_outline_item(title, first)
    writer.add_metadata({"/Title": "Taming Gradients", "/Author": "The Taming Gradients authors"})
    with out.open("wb") as file:
        writer.write(file)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=browser.HTML)
    args = parser.parse_args(argv)
    if not (args.html / "index.html").is_file():
        print(f"no built book at {args.html}: run `make book` first", file=sys.stderr)
        return 1
    printed = print_pages(args.html)
    out = join(printed, args.html / PDF_NAME)
    print(f"The book as one PDF ({len(printed)} pages of the table of contents): {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
