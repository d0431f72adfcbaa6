"""Every number in the built pages' prose is tied to the page's run, or a reviewed constant.

The unit tests feed the checker small pages; the book test runs it on every chapter
and lab page of the strict build, and shows that it catches a number copied by hand.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tools import prose_numbers


def page(prose: str, code: str = "model.fit(x, y, epochs=10, learning_rate=0.1)") -> str:
    return (
        "<html><body><article>"
        f'<div class="cell docutils container"><div class="cell_input"><pre>{code}</pre></div>'
        '<div class="cell_output"><pre>loss 2.32 accuracy 0.95</pre></div></div>'
        f"{prose}</article></body></html>"
    )


def numbers(html: str, constants: dict[str, str] | None = None) -> list[str]:
    return [f.number for f in prose_numbers.unexplained_numbers(html, "chapters/99-test", constants or {})]


def test_a_number_typed_by_hand_is_reported_with_its_context():
    findings = prose_numbers.unexplained_numbers(
        page("<p>The network reaches an accuracy of 0.95 after training.</p>"), "chapters/99-test", {}
    )
    assert [f.number for f in findings] == ["0.95"]
    assert "accuracy of 0.95 after training" in str(findings[0]) and str(findings[0]).startswith("chapters/99-test")


def test_a_glued_number_is_tied_to_the_run():
    assert numbers(page('<p>An accuracy of <span class="pasted-text">0.95</span>.</p>')) == []


def test_settings_stated_in_the_code_are_not_measurements():
    assert numbers(page("<p>We train for 10 epochs with a learning rate of 0.1.</p>")) == []


def test_a_setting_does_not_excuse_a_measurement_written_differently():
    # The learning rate is written 0.1 in the code; an accuracy of 0.10 is a measurement.
    assert numbers(page("<p>Its validation accuracy is 0.10.</p>")) == ["0.10"]


@pytest.mark.parametrize(
    "prose",
    [
        '<p>As <span class="math notranslate nohighlight">\\(0.5^{19} \\approx 2 \\times 10^{-6}\\)</span> shows.</p>',
        "<p>See section 3 and chapter 2, then exercises 1.3 and step 12.</p>",
        "<h2>5. Training with vanishing gradients</h2>",
        '<p>As <a class="reference internal" href="../bibliography.html#id3">Glorot and Bengio (2010)</a> say.</p>',
        "<p>Call <code>keras.layers.LeakyReLU(negative_slope=0.3)</code>.</p>",
        "<p>float32, x86-64 and ReLU6 are names, not numbers.</p>",
    ],
)
def test_math_references_headings_citations_and_names_are_not_prose_numbers(prose):
    assert numbers(page(prose)) == []


def test_reviewed_constants_are_excused_by_the_page_list():
    html = page("<p>The sigmoid's slope is at most 0.25 and tanh's 1.</p>")
    assert numbers(html) == ["0.25", "1"]
    assert numbers(html, {"0.25": "the sigmoid's largest slope", "1": "tanh's largest slope"}) == []


def test_numbers_with_separators_signs_and_exponents_are_read_whole():
    assert numbers(page("<p>It grew to 1,900, then −3.5 and 10⁶.</p>")) == ["1,900", "−3.5", "10⁶"]


def test_every_chapter_and_lab_has_a_page_to_check():
    pages = prose_numbers.notebook_pages()
    assert "chapters/01-vanishing-exploding-gradients" in pages and "labs/01-diagnose-gradients" in pages


@pytest.mark.slow
def test_no_number_in_the_built_prose_is_typed_by_hand(built_book):
    _, html = built_book
    findings = prose_numbers.check_book(html, prose_numbers.notebook_pages())
    assert not findings, f"{len(findings)} numbers neither glued nor reviewed:\n" + "\n".join(map(str, findings[:40]))


@pytest.mark.slow
def test_the_checker_catches_a_glued_number_copied_by_hand(built_book):
    """Replace the first glued value of chapter 1 by its text, as a hand-typed copy would be."""
    _, html = built_book
    name = "chapters/01-vanishing-exploding-gradients"
    original = (html / f"{name}.html").read_text(encoding="utf-8")
    assert prose_numbers.glued_count(original) > 50
    soup = BeautifulSoup(original, "html.parser")
    glued = next(
        span
        for span in soup.select("span.pasted-text")
        if any(c.isdigit() for c in span.get_text()) and "." in span.get_text()
    )
    copied = glued.get_text()
    glued.replace_with(copied)
    findings = prose_numbers.unexplained_numbers(str(soup), name)
    assert [f.number for f in findings] == [copied.split(" ")[0]], findings
