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

import functools
import http.server
import json
import os
import re
import threading
from pathlib import Path

import pytest

from tools import course

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = course.ROOT / "_build" / "screenshots"
BOOK_TITLE = course.load_config()["title"]
VIEWPORT = {"width": 1280, "height": 900}
# Sphinx's own pages, beside the table of contents: their expected main heading.
EXTRA_PAGES = {"genindex": "Index", "search": "Search"}


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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="module")
def book_url(built_book):
    result, html = built_book
    assert result["returncode"] == 0, "the book did not build; see test_book.py"
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run tools/install-browser.sh "
                    "(make test does), or set CHROMIUM to a Chromium-based browser", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                # Belt and braces with the request filter below: no host but this one resolves.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            ],
        )
        yield browser
        browser.close()


class PageVisit:
    """One page in a fresh browser context, with everything it logged and requested."""

    def __init__(self, browser, book_url: str, entry: str):
        self.book_url = book_url
        self.context = browser.new_context(viewport=VIEWPORT)
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.console_errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        self.page.on("response", self._response)
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.goto(f"{book_url}{entry}.html", wait_until="load")

    def _route(self, route):
        if route.request.url.startswith(self.book_url):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("internetdisconnected")

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def _response(self, response):
        # Chromium asks every site for /favicon.ico by itself; the book does not link one.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def close(self):
        self.context.close()


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

MATH_JS = """async () => {
    if (!window.MathJax || !MathJax.startup) return null;
    await MathJax.startup.promise;
    const math = Array.from(document.querySelectorAll('span.math, div.math'));
    return {
        total: math.length,
        typeset: math.filter(m => m.querySelector('mjx-container')).length,
        errors: document.querySelectorAll('mjx-merror').length,
    };
}"""

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
    for (previous, _), (level, text) in zip(headings, headings[1:]):
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


@pytest.mark.parametrize("entry", list(PAGES))
def test_page_reads_well_offline(browser, book_url, entry):
    visit = PageVisit(browser, book_url, entry)
    page = visit.page
    problems: list[str] = []
    try:
        heading = PAGES[entry]
        expected_title = f"{heading} — {BOOK_TITLE}" if entry != "search" else f"Search - {BOOK_TITLE}"
        if page.title() != expected_title:
            problems.append(f"title {page.title()!r}, expected {expected_title!r}")

        headings = page.evaluate(HEADINGS_JS)
        if not headings or headings[0][1] != heading:
            problems.append(f"main heading {headings[:1]}, expected {heading!r}")
        problems += _check_headings(headings)

        math = page.evaluate(MATH_JS)
        if math and math["typeset"] != math["total"]:
            problems.append(f"MathJax typeset {math['typeset']} of {math['total']} formulas")
        if math and math["errors"]:
            problems.append(f"{math['errors']} MathJax errors (mjx-merror)")
        if page.locator("span.math, div.math").count() and math is None:
            problems.append("the page has formulas but MathJax did not load")

        widgets = page.evaluate(WIDGETS_JS)
        if widgets:
            page.wait_for_selector(".jupyter-widgets", timeout=15_000)
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

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{entry.replace('/', '__')}.png"), full_page=True)

        _, toggle_problems = _check_toggles(page)
        problems += toggle_problems
        page.wait_for_timeout(200)  # let anything a click started log its errors

        problems += [f"console error: {text}" for text in visit.console_errors]
        problems += [f"failed request: {failure}" for failure in visit.failed]
        problems += [f"request to another host (blocked): {url}" for url in visit.blocked]
    finally:
        visit.close()
    assert not problems, f"{entry}.html:\n  " + "\n  ".join(problems)


def test_every_built_page_is_checked(built_book):
    """A page added to the book without reaching the list above would go unchecked."""
    _, html = built_book
    built = {str(p.relative_to(html).with_suffix("")) for p in html.rglob("*.html")
             if not p.relative_to(html).parts[0].startswith("_")}
    assert built - {"index"} == set(PAGES), f"pages built but not checked: {sorted(built - set(PAGES))}"


def test_toggles_are_found_where_the_book_folds_content(browser, book_url):
    """The toggle check above is not vacuous: the labs fold solutions, chapter 1 folds exercises."""
    counts = {}
    for entry in ("labs/01-diagnose-gradients", "chapters/01-vanishing-exploding-gradients"):
        visit = PageVisit(browser, book_url, entry)
        try:
            counts[entry], problems = _check_toggles(visit.page)
            assert not problems, problems
        finally:
            visit.close()
    assert all(counts.values()), counts
