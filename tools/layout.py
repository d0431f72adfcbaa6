"""Find the blocks of a built page that a reader would have to scroll sideways.

The browser test calls :func:`overflowing_blocks` at each reading width (1024 and 1280 px):
a code cell, an output, a table, a display formula or a figure must fit in its box. The
check measures what the browser laid out, so hiding the overflow (``overflow: hidden``)
would not make a block fit: its content stays wider than its box.
"""

from __future__ import annotations

from typing import Any

ARTICLE = "article.bd-article"
# The reading widths of the browser test, in CSS px: the right-hand page contents sidebar
# shows at 1280 and folds away at 1024 (sphinx-book-theme's 1200 px breakpoint).
WIDTHS = (1024, 1280)
# What can be too wide, most specific first: the first selector an element matches names its kind.
BLOCKS = {
    "code": "pre",
    "table": "table, .pst-scrollable-table-container",
    "math": "div.math, mjx-container[display='true']",
    "figure": "figure, img, svg:not(mjx-container svg), .jupyter-widgets",
    "output": ".cell_output, .cell_output .output, .cell_output .text_html",
}
EXCERPT_CHARS = 40

OVERFLOW_JS = """([articleSelector, blocks, excerptChars]) => {
    const article = document.querySelector(articleSelector);
    if (!article) return [];
    const style = getComputedStyle(article);
    const box = article.getBoundingClientRect();
    // The article's content box: a block may use all of it, not its padding.
    const left = box.left + parseFloat(style.paddingLeft);
    const right = box.right - parseFloat(style.paddingRight);
    const found = [];
    for (const [kind, selector] of Object.entries(blocks)) {
        for (const element of article.querySelectorAll(selector)) {
            if (found.some(f => f.element === element)) continue;
            const rect = element.getBoundingClientRect();
            // Folded away (a closed details lays its content out, but does not show it).
            if (!element.checkVisibility() || (rect.width === 0 && rect.height === 0)) continue;
            const scrolls = element.scrollWidth > element.clientWidth + 1 && element.clientWidth > 0;
            const sticksOut = rect.left < left - 1 || rect.right > right + 1;
            if (!scrolls && !sticksOut) continue;
            // Its first line of text; else an image's alt text; else its tag and first class.
            const image = element.matches('img') ? element : element.querySelector('img[alt]');
            const text = element.innerText || (image && image.getAttribute('alt')) || '';
            const line = text.split('\\n').map(s => s.trim()).find(s => s)
                || [element.tagName.toLowerCase(), ...element.classList].slice(0, 2).join('.');
            found.push({
                element, kind,
                excerpt: line.length > excerptChars ? line.slice(0, excerptChars - 3) + '...' : line,
                detail: scrolls
                    ? `content ${element.scrollWidth} px wide in a ${element.clientWidth} px box`
                    : `${Math.round(Math.max(left - rect.left, rect.right - right))} px past the edge of `
                      + `the article's ${Math.round(right - left)} px column`,
            });
        }
    }
    // Name the innermost block: a wide pre, not also the output that holds it.
    return found
        .filter(f => !found.some(g => g !== f && f.element.contains(g.element)))
        .map(f => `${f.kind} '${f.excerpt}': ${f.detail}`);
}"""

# Open every folded block (hide-input cells, solutions) so that its content is measured too.
UNFOLD_JS = """() => {
    document.querySelectorAll('details').forEach(d => { d.open = true; });
    document.querySelectorAll('.toggle-hidden').forEach(t => t.classList.remove('toggle-hidden'));
}"""

PAGE_JS = """() => {
    const root = document.documentElement;
    return root.scrollWidth > root.clientWidth + 1
        ? `the page is ${root.scrollWidth} px wide in a ${root.clientWidth} px window` : null;
}"""


def overflowing_blocks(page: Any, *, article: str = ARTICLE) -> list[str]:
    """Name every block of the page's article whose content is wider than its box.

    A block is a code block (``pre``), a table, a display formula, a figure or image, a
    widget, or a cell output. It overflows if it scrolls sideways (its content is wider
    than its box) or if it sticks out of the article's content box. Folded blocks (closed
    toggles) take no space and are not measured: open them first.

    Parameters
    ----------
    page : playwright.sync_api.Page
        A loaded page, laid out at the viewport width to check.
    article : str, optional
        CSS selector of the element whose content is checked (the book's article).

    Returns
    -------
    list of str
        One line per overflowing block, its kind and the start of its first line of text,
        e.g. ``"code 'import sys': content 812 px wide in a 684 px box"``; and a line if the
        whole page is wider than the window. Empty if everything fits.
    """
    problems = page.evaluate(OVERFLOW_JS, [article, BLOCKS, EXCERPT_CHARS])
    whole_page = page.evaluate(PAGE_JS)
    return problems + ([whole_page] if whole_page else [])


def overflowing_blocks_at(page: Any, widths: tuple[int, ...] = WIDTHS, *, article: str = ARTICLE) -> list[str]:
    """Run :func:`overflowing_blocks` at each viewport width, each line prefixed with its width.

    The page's viewport is left at the last width.
    """
    problems = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": page.viewport_size["height"]})
        page.wait_for_timeout(100)  # let the theme's layout and MathJax settle at the new width
        problems += [f"at {width} px: {problem}" for problem in overflowing_blocks(page, article=article)]
    return problems


if __name__ == "__main__":  # list every overflowing block of the built book: python -m tools.layout
    import sys

    from tools import browser, course

    entries = sys.argv[1:] or course.toc_files()
    with browser.serve() as url, browser.chromium() as chromium:
        for entry in entries:
            with browser.PageVisit(chromium, url, entry) as visit:
                visit.wait_for_math()
                visit.page.evaluate(UNFOLD_JS)
                for problem in overflowing_blocks_at(visit.page):
                    print(f"{entry}: {problem}")
