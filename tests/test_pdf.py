"""make pdf: the whole book as one PDF, printed offline by Chromium (tools/pdf.py)."""

from __future__ import annotations

import re

import pytest

from tools import course, pdf


@pytest.mark.slow
def test_the_book_prints_as_one_pdf_with_figures_and_typeset_math(built_book, tmp_path):
    from pypdf import PdfReader

    _, html = built_book
    # The first page, a chapter with figures and math, and the last page: printing every page
    # the same way takes a minute (make pdf does it).
    toc = course.toc_files()
    entries = [toc[0], "chapters/01-vanishing-exploding-gradients", toc[-1]]
    printed = pdf.print_pages(html, entries)
    out = pdf.join(printed, tmp_path / pdf.PDF_NAME)
    reader = PdfReader(out)
    assert [item.title for item in reader.outline] == [title for _, title, _ in printed]
    assert [entry for entry, _, _ in printed] == entries
    assert len(reader.pages) > 3 * len(printed)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())  # headings wrap
    assert "Vanishing and exploding gradients" in text and "Bibliography" in text
    # Math typeset by MathJax prints as glyphs, not as TeX source.
    assert "\\mathcal" not in text and "\\(" not in text
    images = sum(len(page.images) for page in reader.pages)
    chapter = (html / f"{entries[1]}.html").read_text(encoding="utf-8")
    figures = len(re.findall(r'<img [^>]*src="\.\./_images/[^"]+\.png"', chapter))
    assert figures and images >= figures // 2, f"{images} images in the PDF for {figures} figures in chapter 1"
