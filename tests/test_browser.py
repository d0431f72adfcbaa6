"""The built book, read in a real browser with the network blocked.

Playwright drives Debian's Chromium (``tools/install-browser.sh``, run by ``make test``;
set ``CHROMIUM`` to use another Chromium-based browser). The book is served from
``_build/html`` on 127.0.0.1, and every request to any other host is refused and
recorded, so a page that still needs a CDN fails here.

Each page gets one test that reports every problem it finds: title and main heading,
console errors, failed requests, images, MathJax, solution and hide-input toggles,
explorers (each control moved must change the figure; legible text, controls that fit,
at 1024 and 1280 px), alt text and heading order. A screenshot of each page's first
screen is saved in ``_build/screenshots/`` as JPEG (not committed); ``FULL_PAGE_SHOTS=1``
shoots whole pages instead.
"""

from __future__ import annotations

import itertools
import json
import os
import re

import pytest

from tools import browser as chromium_tools
from tools import course, figures, layout, screenshots

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

# Explorers: the book shows their kernel-free rendering (utils.static_explorer), never a dead widget.
DEAD_WIDGETS_JS = """() => document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"], .jupyter-widgets').length"""

EXPLORER_LAYOUT_JS = """explorer => {
    const svg = explorer.querySelector('svg.tg-explorer-figure');
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const sizes = Array.from(svg.querySelectorAll('text, tspan')).map(
        t => parseFloat(getComputedStyle(t).fontSize) * scale);
    const controls = Array.from(explorer.querySelectorAll('.tg-control')).map(c => c.getBoundingClientRect());
    let overlaps = 0;
    controls.forEach((a, i) => controls.slice(i + 1).forEach(b => {
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) overlaps++;
    }));
    return {
        smallest_text: Math.min(...sizes),
        tracks: Array.from(explorer.querySelectorAll('input[type=range]')).map(r => r.getBoundingClientRect().width),
        clipped: Array.from(explorer.querySelectorAll('output, select')).filter(
            o => o.scrollWidth > o.clientWidth + 1).map(o => o.textContent || o.value),
        overlaps: overlaps,
        lines: svg.querySelectorAll('path').length,
    };
}"""

# Move one control to another setting (the last option, or the first if it is already there).
MOVE_CONTROL_JS = """control => {
    const last = control.tagName === 'SELECT' ? control.options.length - 1 : Number(control.max);
    const current = control.tagName === 'SELECT' ? control.selectedIndex : Number(control.value);
    const target = current === last ? 0 : last;
    if (control.tagName === 'SELECT') control.selectedIndex = target; else control.value = String(target);
    control.dispatchEvent(new Event('input', {bubbles: true}));
    return target;
}"""


def _explorer_layout_at(page, width: int) -> list[str]:
    """Every explorer at the page's current width: legible, with controls that fit."""
    problems = []
    explorers = page.locator(f"{ARTICLE} .tg-explorer")
    for index in range(explorers.count()):
        name = f"explorer {index + 1}"
        measured = explorers.nth(index).evaluate(EXPLORER_LAYOUT_JS)
        if measured["lines"] == 0:
            problems.append(f"{name} at {width} px: its figure has no line")
        if measured["smallest_text"] < 9:
            problems.append(f"{name} at {width} px: figure text {measured['smallest_text']:.1f} px (< 9)")
        if any(track < 150 for track in measured["tracks"]):
            problems.append(f"{name} at {width} px: slider tracks {measured['tracks']} px (< 150)")
        if measured["clipped"]:
            problems.append(f"{name} at {width} px: clipped readouts or menus {measured['clipped']}")
        if measured["overlaps"]:
            problems.append(f"{name} at {width} px: {measured['overlaps']} overlapping controls")
    return problems


def _explorer_controls(page) -> tuple[int, list[str]]:
    """Every explorer: each control moved must change the figure."""
    problems = []
    explorers = page.locator(f"{ARTICLE} .tg-explorer")
    for index in range(explorers.count()):
        explorer = explorers.nth(index)
        controls = explorer.locator(".tg-control input, .tg-control select")
        for number in range(controls.count()):
            control = controls.nth(number)
            label = explorer.locator(".tg-control span").nth(number).inner_text()
            before = explorer.locator("svg.tg-explorer-figure").inner_html()
            control.evaluate(MOVE_CONTROL_JS)
            after = explorer.locator("svg.tg-explorer-figure").inner_html()
            if after == before:
                problems.append(f"explorer {index + 1}: moving '{label}' did not change the figure")
    return explorers.count(), problems


# The widths a page is measured at, the one it loads at (browser.VIEWPORT) first: each is set once,
# and the figures (figures.check_page) and the explorers are measured there (a resize lays the
# whole page out again, MathJax included).
MEASURE_WIDTHS = sorted(
    set(figures.VIEWPORT_WIDTHS) | set(layout.WIDTHS), key=lambda w: w != chromium_tools.VIEWPORT["width"]
)


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


# Open every folded block of the article: hide-input cells and exercises (details.hide) and
# sphinx-togglebutton's solutions (.toggle, opened by the button whose data-target is its id).
# The first of each kind has been opened by a real click (_check_toggles); the rest are clicked here,
# in one call: a Playwright click scrolls the block into view and waits for it, about 0.1 s of
# Chromium per block, two seconds on a chapter with twenty folded cells.
TOGGLES_JS = """([article, labels]) => {
    const problems = [];
    const shown = e => {
        if (!e) return false;
        const box = e.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && getComputedStyle(e).visibility !== 'hidden';
    };
    const details = Array.from(document.querySelectorAll(`${article} details.hide`));
    details.forEach((block, index) => {
        const summary = block.querySelector('summary');
        const label = labels[index] || summary.innerText.split('\\n')[0].trim();
        if (index > 0) summary.click();  // the first: clicked by Playwright
        if (!block.open || !shown(block.querySelector(':scope > :not(summary)')))
            problems.push(`'${label}' toggle ${index + 1} did not reveal its content`);
    });
    const toggles = Array.from(document.querySelectorAll(`${article} .toggle`));
    toggles.forEach((block, index) => {
        const button = document.querySelector(`button[data-target="${block.id}"]`);
        if (index > 0 && button) button.click();  // the first: clicked by Playwright
        if (block.classList.contains('toggle-hidden')
                || !shown(block.querySelector(':scope > :not(.admonition-title):not(button)')))
            problems.push(`solution toggle ${block.id} did not reveal its content`);
    });
    return [details.length + toggles.length, problems];
}"""


def _check_toggles(page) -> tuple[int, list[str]]:
    """Open every folded block (hide-input cells, solutions); each must show its content.

    The first block of each kind is opened as a reader opens it, by a Playwright click (which
    also checks that nothing covers it); the others by a click in the page (TOGGLES_JS).
    """
    details = page.locator(f"{ARTICLE} details.hide")
    labels = []  # as the reader saw it, before the click
    if details.count():
        summary = details.first.locator("summary").first
        labels.append(summary.inner_text().split("\n")[0].strip())
        summary.click()
    toggles = page.locator(f"{ARTICLE} .toggle")
    if toggles.count():
        page.locator(f'button[data-target="{toggles.first.get_attribute("id")}"]').click()
    count, problems = page.evaluate(TOGGLES_JS, [ARTICLE, labels])
    return count, problems


# Pages that fold content (the labs their solutions, chapter 1 its exercises): each must have toggles.
FOLDS_CONTENT = {
    "labs/01-diagnose-gradients",
    "labs/02-initializers-from-scratch",
    "labs/03-activations-from-scratch",
    "labs/04-smooth-activations",
    "labs/05-normalization-and-residuals",
    "chapters/01-vanishing-exploding-gradients",
    "chapters/04-smooth-activations",
    "chapters/05-normalization-and-residuals",
}


# Pages with an explorer: each must show a working one.
HAS_EXPLORER = {
    "chapters/01-vanishing-exploding-gradients",
    "chapters/02-initialization",
    "chapters/03-nonsaturating-activations",
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

        if page.evaluate(DEAD_WIDGETS_JS):
            problems.append("a live widget is shown, which cannot work without a kernel")

        # Every image fetched, loaded or failed (the book has no lazy images: the page's load event
        # waited for them). Not "networkidle", which waits half a second more on every page.
        page.wait_for_function("() => Array.from(document.images).every(image => image.complete)")
        for image in page.evaluate(IMAGES_JS):
            if image["src"].startswith("data:"):
                image["src"] = image["src"][:30] + "..."
            if not image["loaded"]:
                problems.append(f"image {image['src']} did not load")
            if not image["caption"] and (not image["alt"] or _looks_like_a_file_name(image["alt"])):
                problems.append(f"image {image['src']} has no alt text or caption (alt={image['alt']!r})")

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # The first screen, as JPEG: a chapter's full-page shot costs Chromium about 2 CPU s, so
        # the whole page is shot only on request (FULL_PAGE_SHOTS=1), for a reviewer.
        page.screenshot(
            path=str(SCREENSHOTS / f"{entry.replace('/', '__')}.jpg"),
            full_page=os.environ.get("FULL_PAGE_SHOTS") == "1",
            quality=85,
        )
        toggles, toggle_problems = _check_toggles(page)
        problems += toggle_problems
        if entry in FOLDS_CONTENT and not toggles:  # the toggle check is not vacuous
            problems.append("no folded block found, where the page folds solutions or exercises")
        # With every folded block open, each width once (a resize lays the whole page out again,
        # MathJax included): figure text of at least 9 CSS px as shown and a link to the full image,
        # legible explorers whose controls fit, and nothing that scrolls sideways.
        for width in MEASURE_WIDTHS:
            # Set here, so that check_page and overflowing_blocks_at (which wait for the layout to
            # settle) find the page at this width and check_page leaves it there.
            if page.viewport_size["width"] != width:
                page.set_viewport_size({"width": width, "height": chromium_tools.VIEWPORT["height"]})
            if width in figures.VIEWPORT_WIDTHS:
                problems += figures.check_page(page, widths=(width,))
            if width in layout.WIDTHS:
                problems += layout.overflowing_blocks_at(page, (width,))
                problems += _explorer_layout_at(page, width)
        explorers, explorer_problems = _explorer_controls(page)
        problems += explorer_problems
        if entry in HAS_EXPLORER and not explorers:  # the explorer check is not vacuous
            problems.append("no explorer found, where the page has one")
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
    assert HAS_EXPLORER <= set(PAGES), f"not pages of the book: {sorted(HAS_EXPLORER - set(PAGES))}"


def test_the_how_to_page_screenshots_can_be_taken(browser, book_url):
    """The shots of "How to use this course", retaken from this build (artifacts, not committed).

    The committed copies in assets/how-to/ are the same shots, taken by `make screenshots`.
    """
    taken = screenshots.take(browser, book_url, SCREENSHOTS / "how-to")
    assert all(path.stat().st_size > 10_000 for path in taken), taken
    committed = sorted(p.name for p in screenshots.OUT.glob("*.png"))
    assert committed == sorted(screenshots.SHOTS), "run `make book screenshots` and commit assets/how-to/"


# The live widget as JupyterLab and Colab draw it: the vendored renderer of the book
# (@jupyter-widgets/html-manager, the same controls and CSS) on a page of its own.
LIVE_CONTROLS_JS = """() => Array.from(document.querySelectorAll('.widget-hbox')).map(row => {
    const rect = e => e.getBoundingClientRect();
    const controls = Array.from(row.children).map(w => ({
        label: (w.querySelector('.widget-label') || {}).textContent,
        box: [rect(w).left, rect(w).right, rect(w).top, rect(w).bottom],
        track: w.querySelector('.slider-container') ? rect(w.querySelector('.slider-container')).width : null,
        readout: w.querySelector('.widget-readout')
            ? w.querySelector('.widget-readout').scrollWidth - w.querySelector('.widget-readout').clientWidth : 0,
    }));
    return controls;
})"""


def _live_page(directory, explorers) -> None:
    from ipywidgets.embed import embed_data

    data = embed_data(views=explorers)
    (directory / "vendor").symlink_to(course.ROOT / ".vendor" / "vendor")
    views = "".join(
        f'<div><script type="application/vnd.jupyter.widget-view+json">{json.dumps(view)}</script></div>'
        for view in data["view_specs"]
    )
    (directory / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8">'
        "<script>var require = {paths: {'@jupyter-widgets/html-manager/dist': 'vendor/html-manager'}};</script>"
        '<script src="vendor/require.js"></script><script src="vendor/html-manager/embed-amd.js"></script>'
        f'<script type="application/vnd.jupyter.widget-state+json">{json.dumps(data["manager_state"])}</script>'
        f"</head><body>{views}</body></html>",
        encoding="utf-8",
    )


def test_the_live_explorers_controls_fit(browser, tmp_path):
    """Slider tracks of at least 150 px, readouts not clipped, a gap between controls (point 4 of issue 14)."""
    import numpy as np

    from utils import widgets

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((32, 64)), rng.integers(0, 4, 32)
    explorers = [
        widgets.gradient_norm_explorer(x, y, num_layers=3),
        widgets.initialization_explorer(x, y, num_layers=3, units=8),
        widgets.activation_explorer(num_layers=2, units=8),
    ]
    _live_page(tmp_path, explorers)
    problems = []
    with chromium_tools.serve(tmp_path) as url:
        page = browser.new_page(viewport={"width": 1024, "height": 900})
        page.goto(f"{url}/index.html")
        page.wait_for_selector(".widget-slider", timeout=30_000)
        rows = page.evaluate(LIVE_CONTROLS_JS)
        page.close()
    assert len(rows) == 3 and sum(len(row) for row in rows) == 11, rows
    for row in rows:
        for control in row:
            if control["track"] is not None and control["track"] < 150:
                problems.append(f"'{control['label']}' has a slider track of {control['track']:.0f} px (< 150)")
            if control["readout"] > 0:
                problems.append(f"'{control['label']}': its readout is clipped by {control['readout']} px")
        for a, b in itertools.combinations(row, 2):
            (left, right, top, bottom), (left2, right2, top2, bottom2) = a["box"], b["box"]
            apart = left2 - right >= 8 or left - right2 >= 8 or top2 >= bottom or top >= bottom2
            if not apart:
                problems.append(f"'{a['label']}' and '{b['label']}' touch or overlap")
    assert not problems, "\n".join(problems)
