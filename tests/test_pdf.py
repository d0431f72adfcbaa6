"""make pdf: the whole book as one PDF, printed offline by Chromium (tools/pdf.py)."""

from __future__ import annotations

import pytest

from tools import course, pdf


@pytest.mark.slow
def test_the_book_prints_as_one_pdf_with_figures_and_typeset_math(built_book, tmp_path):
    from pypdf import PdfReader

    _, html = built_book
    printed = pdf.print_pages(html)
    out = pdf.join(printed, tmp_path / pdf.PDF_NAME)
    reader = PdfReader(out)
    assert [item.title for item in reader.outline] == [title for _, title, _ in printed]
    assert [entry for entry, _, _ in printed] == course.toc_files()
    assert len(reader.pages) > 3 * len(printed)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())  # headings wrap
    assert "Vanishing and exploding gradients" in text and "Bibliography" in text
    # Math typeset by MathJax prints as glyphs, not as TeX source.
    assert "\\mathcal" not in text and "\\(" not in text
    images = sum(len(page.images) for page in reader.pages)
    figures = len(list((html / "_images").glob("*.png")))
    assert images >= figures // 2, f"{images} images in the PDF for {figures} figures in the book"
