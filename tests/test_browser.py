"""The built book, read in a real browser with the network blocked.

Playwright drives Debian's Chromium (``tools/install-browser.sh``, run by ``make test``;
set ``CHROMIUM`` to use another Chromium-based browser). The book is served from
``_build/html`` on 127.0.0.1, and every request to any other host is refused and
recorded, so a page that still needs a CDN fails here.

Each page gets one test that reports every problem it finds: title and main heading,
console errors, failed requests, images, MathJax, solution and hide-input toggles,
widgets with a static figure, alt text and heading order. A full-page screenshot of
each page is saved in ``_build/screenshots/`` (a CI artifact, not committed).
"""

from __future__ import annotations

import json
import re

import pytest

from tools import browser as chromium_tools
from tools import course, figures, screenshots

pytestmark = pytest.mark.slow

SCREENSHOTS = course.ROOT / "_build" / "screenshots"
BOOK_TITLE = course.load_config()["title"]
# Sphinx's own page, beside the table of contents, and its expected main heading.
EXTRA_PAGES = {"search": "Search"}


def _source_title(entry: str) -> str:
    """The first '# ' heading of a toc entry's source, as the reader should see it."""
    for suffix in (".md", ".ipynb"):
        path = course.ROOT / f"{entry}{suffix}"
        if not path.is_file():
            continue
        if suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        else:
            text = path.read_text(encoding="utf-8")
        match = re.search(r"^# (.+)$", text, re.M)
        assert match, f"{path.name} has no '# ' title"
        return re.sub(r"[`*_]", "", match.group(1)).strip()
    raise AssertionError(f"no source for toc entry {entry}")


PAGES = {entry: _source_title(entry) for entry in course.toc_files()} | EXTRA_PAGES


@pytest.fixture(scope="module")
def book_url(built_book):
    result, html = built_book
    assert result["returncode"] == 0, "the book did not build; see test_book.py"
    with chromium_tools.serve(html) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    try:
        with chromium_tools.chromium() as browser:
            yield browser
    except chromium_tools.BrowserMissing as error:
        pytest.fail(str(error), pytrace=False)


ARTICLE = "article.bd-article"

# The page's own content: the article, or the main column on Sphinx's search page.
HEADINGS_JS = """() => Array.from((document.querySelector('article.bd-article')
        || document.querySelector('#main-content')).querySelectorAll('h1, h2, h3, h4, h5, h6')).map(h => {
    const copy = h.cloneNode(true);
    copy.querySelectorAll('.headerlink').forEach(a => a.remove());
    return [Number(h.tagName[1]), copy.textContent.trim()];
})"""

IMAGES_JS = """() => Array.from(document.images).map(img => ({
    src: img.getAttribute('src'),
    loaded: img.complete && img.naturalWidth > 0,
    alt: (img.getAttribute('alt') || '').trim(),
    caption: !!(img.closest('figure') && img.closest('figure').querySelector('figcaption')),
}))"""

WIDGETS_JS = """() => Array.from(document.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-view+json"]')).map(script => {
    const output = script.closest('.cell_output') || script.parentElement;
    const section = script.closest('section');
    return {
        rendered: !!output.querySelector('.jupyter-widgets'),
        section: section ? (section.querySelector('h1, h2, h3, h4') || {}).textContent : null,
        figures: section ? section.querySelectorAll('img').length : 0,
    };
})"""


def _looks_like_a_file_name(alt: str) -> bool:
    return bool(re.search(r"\.(png|jpe?g|svg|gif)$", alt, re.I) or "_images/" in alt)


def _check_headings(headings: list[list]) -> list[str]:
    problems = []
    if not headings or headings[0][0] != 1:
        problems.append(f"the article does not start with an h1: {headings[:1]}")
    if sum(level == 1 for level, _ in headings) != 1:
        problems.append(f"{sum(level == 1 for level, _ in headings)} h1 headings in the article")
    for (previous, _), (level, text) in zip(headings, headings[1:], strict=False):
        if level > previous + 1:
            problems.append(f"heading h{level} '{text}' follows an h{previous}: a level is skipped")
    return problems


def _check_toggles(page) -> tuple[int, list[str]]:
    """Open every folded block (hide-input cells, solutions); each must show its content."""
    problems = []
    details = page.locator(f"{ARTICLE} details.hide")
    for index in range(details.count()):
        block = details.nth(index)
        summary = block.locator("summary").first
        label = summary.inner_text().split("\n")[0].strip()
        summary.click()
        content = block.locator(":scope > :not(summary)").first
        if not block.evaluate("d => d.open") or not content.is_visible():
            problems.append(f"'{label}' toggle {index + 1} did not reveal its content")
    toggles = page.locator(f"{ARTICLE} .toggle")
    for index in range(toggles.count()):
        block = toggles.nth(index)
        button = page.locator(f'button[data-target="{block.get_attribute("id")}"]')
        button.click()
        content = block.locator(":scope > :not(.admonition-title):not(button)").first
        if "toggle-hidden" in (block.get_attribute("class") or "") or not content.is_visible():
            problems.append(f"solution toggle {block.get_attribute('id')} did not reveal its content")
    return details.count() + toggles.count(), problems


# Pages that fold content (the labs their solutions, chapter 1 its exercises): each must have toggles.
FOLDS_CONTENT = {
    "labs/01-diagnose-gradients",
    "labs/02-initializers-from-scratch",
    "labs/03-activations-from-scratch",
    "chapters/01-vanishing-exploding-gradients",
}


@pytest.mark.parametrize("entry", list(PAGES))
def test_page_reads_well_offline(browser, book_url, entry):
    problems: list[str] = []
    with chromium_tools.PageVisit(browser, book_url, entry) as visit:
        page = visit.page
        heading = PAGES[entry]
        expected_title = f"{heading} — {BOOK_TITLE}" if entry != "search" else f"Search - {BOOK_TITLE}"
        if page.title() != expected_title:
            problems.append(f"title {page.title()!r}, expected {expected_title!r}")

        headings = page.evaluate(HEADINGS_JS)
        if not headings or headings[0][1] != heading:
            problems.append(f"main heading {headings[:1]}, expected {heading!r}")
        problems += _check_headings(headings)

        math = visit.wait_for_math()
        if math and math["typeset"] != math["total"]:
            problems.append(f"MathJax typeset {math['typeset']} of {math['total']} formulas")
        if math and math["errors"]:
            problems.append(f"{math['errors']} MathJax errors (mjx-merror)")
        if page.locator("span.math, div.math").count() and math is None:
            problems.append("the page has formulas but MathJax did not load")

        widgets = page.evaluate(WIDGETS_JS)
        if widgets:
            page.wait_for_selector(".jupyter-widgets")
            widgets = page.evaluate(WIDGETS_JS)
        for widget in widgets:
            if not widget["rendered"]:
                problems.append(f"a widget in '{widget['section']}' did not render")
            if widget["figures"] == 0:
                problems.append(f"the widget in '{widget['section']}' has no static figure beside it")

        page.wait_for_load_state("networkidle")
        for image in page.evaluate(IMAGES_JS):
            if image["src"].startswith("data:"):
                image["src"] = image["src"][:30] + "..."
            if not image["loaded"]:
                problems.append(f"image {image['src']} did not load")
            if not image["caption"] and (not image["alt"] or _looks_like_a_file_name(image["alt"])):
                problems.append(f"image {image['src']} has no alt text or caption (alt={image['alt']!r})")
        # Figure text at least 9 CSS px as shown at 1280 and 1024 px, and a link to the full image.
        problems += figures.check_page(page)

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{entry.replace('/', '__')}.png"), full_page=True)

        toggles, toggle_problems = _check_toggles(page)
        problems += toggle_problems
        if entry in FOLDS_CONTENT and not toggles:  # the toggle check is not vacuous
            problems.append("no folded block found, where the page folds solutions or exercises")
        page.wait_for_timeout(200)  # let anything a click started log its errors

        problems += [f"console error: {text}" for text in visit.console_errors]
        problems += [f"failed request: {failure}" for failure in visit.failed]
        problems += [f"request to another host (blocked): {url}" for url in visit.blocked]
    assert not problems, f"{entry}.html:\n  " + "\n  ".join(problems)


def test_every_built_page_is_checked(built_book):
    """A page added to the book without reaching the list above would go unchecked."""
    _, html = built_book
    built = {
        str(p.relative_to(html).with_suffix(""))
        for p in html.rglob("*.html")
        if not p.relative_to(html).parts[0].startswith("_")
    }
    assert built - {"index"} == set(PAGES), f"pages built but not checked: {sorted(built - set(PAGES))}"
    assert FOLDS_CONTENT <= set(PAGES), f"not pages of the book: {sorted(FOLDS_CONTENT - set(PAGES))}"


def test_the_how_to_page_screenshots_can_be_taken(browser, book_url):
    """The shots of "How to use this course", retaken from this build (artifacts, not committed).

    The committed copies in assets/how-to/ are the same shots, taken by `make screenshots`.
    """
    taken = screenshots.take(browser, book_url, SCREENSHOTS / "how-to")
    assert all(path.stat().st_size > 10_000 for path in taken), taken
    committed = sorted(p.name for p in screenshots.OUT.glob("*.png"))
    assert committed == sorted(screenshots.SHOTS), "run `make book screenshots` and commit assets/how-to/"
