"""tools.layout finds the blocks a reader would scroll sideways, on tiny pages in Chromium."""

from __future__ import annotations

import pytest

from tools import browser as chromium_tools
from tools import layout

# Needs Chromium, which `make unit` does not install (`make test` does).
pytestmark = pytest.mark.slow

PAGE = """<html><body style="width: 600px">
<article class="bd-article" style="padding: 0 20px">
  <div class="cell_input"><pre style="overflow-x: auto">{code}</pre></div>
  <div class="cell_output"><table><tr><td style="white-space: nowrap">{cell}</td></tr></table></div>
  <div class="math">short</div>
</article></body></html>"""


@pytest.fixture(scope="module")
def page():
    try:
        with chromium_tools.chromium() as browser:
            context = browser.new_context(viewport={"width": 800, "height": 600})
            yield context.new_page()
            context.close()
    except chromium_tools.BrowserMissing as error:
        pytest.fail(str(error), pytrace=False)


def test_a_page_that_fits_has_no_problem(page):
    page.set_content(PAGE.format(code="x = 1", cell="one"))
    assert layout.overflowing_blocks(page) == []


def test_a_pre_that_scrolls_is_named_by_its_first_line(page):
    page.set_content(PAGE.format(code="wide = " + "1 + " * 200 + "1\nsecond line", cell="one"))
    (problem,) = layout.overflowing_blocks(page)
    assert problem.startswith("code 'wide = 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 ...': content ")
    assert problem.endswith(" px box")


def test_a_table_wider_than_the_article_is_reported_once(page):
    page.set_content(PAGE.format(code="x = 1", cell="cell " * 200))
    table, whole_page = layout.overflowing_blocks(page)  # the table, not also the output that holds it
    assert table.startswith("table 'cell cell")
    assert " px past the edge of the article's 560 px column" in table
    assert whole_page.startswith("the page is ") and whole_page.endswith(" px wide in a 800 px window")


def test_hidden_overflow_is_still_reported(page):
    """overflow: hidden does not make a block fit: its content is still wider than its box."""
    page.set_content(PAGE.format(code="x = 1", cell="one").replace("overflow-x: auto", "overflow: hidden"))
    page.evaluate("() => { document.querySelector('pre').textContent = 'y = ' + '2 * '.repeat(300) + '2'; }")
    assert [p.split(":")[0] for p in layout.overflowing_blocks(page)] == [
        "code 'y = 2 * 2 * 2 * 2 * 2 * 2 * 2 * 2 * 2...'"
    ]


def test_folded_blocks_are_not_measured(page):
    page.set_content(PAGE.format(code="x = 1", cell="one").replace("<pre", "<details><summary>Show</summary><pre"))
    page.evaluate("() => { document.querySelector('pre').textContent = 'z = ' + '3 - '.repeat(300) + '3'; }")
    assert layout.overflowing_blocks(page) == []


def test_each_width_prefixes_its_problems(page):
    page.set_content(PAGE.format(code="wide = " + "1 + " * 200 + "1", cell="one").replace("width: 600px", ""))
    problems = layout.overflowing_blocks_at(page, (700, 900))
    assert [p.split(":")[0] for p in problems] == ["at 700 px", "at 900 px"]
    assert page.viewport_size["width"] == 900
