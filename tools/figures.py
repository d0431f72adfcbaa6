"""The book's figures as a reader sees them: text size on the page, and a link to the full image.

Every figure a notebook shows is a PNG that records, in its :data:`utils.plotting.MIN_TEXT_KEY`
text chunk, the height of its smallest text in image pixels (``utils.setup.configure`` arranges
it). The page scales the image to its column, so that text shows at
``min_text_px * clientWidth / naturalWidth`` CSS pixels; :func:`check_page` measures that for
every image of a cell output, at each viewport width, and checks that a scaled-down image links
to its full-resolution file. The browser test (``tests/test_browser.py``) calls it on every page.
"""

from __future__ import annotations

import io
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from utils.plotting import MIN_TEXT_KEY

#: The smallest text, in CSS pixels as rendered, that the book accepts in a figure.
MIN_RENDERED_TEXT_PX = 9.0
#: The viewport widths at which the figures are checked (a laptop, a small desktop window).
VIEWPORT_WIDTHS = (1280, 1024)

# Every image of a cell output, with its size on the page and the link around it.
FIGURES_JS = """() => Array.from(document.querySelectorAll('article.bd-article .cell_output img')).map(img => {
    const link = img.closest('a');
    return {
        src: img.currentSrc || img.src,
        alt: (img.getAttribute('alt') || '').trim(),
        clientWidth: img.clientWidth,
        naturalWidth: img.naturalWidth,
        href: link ? link.href : null,
    };
})"""


def recorded_min_text_px(png: bytes) -> float | None:
    """Return the smallest text size a PNG records (:data:`MIN_TEXT_KEY`), or None if it records none.

    Parameters
    ----------
    png : bytes
        A PNG file.

    Returns
    -------
    float or None
        The height of the figure's smallest text, in image pixels.
    """
    from PIL import Image

    try:
        with Image.open(io.BytesIO(png)) as image:
            image.load()  # text chunks after the image data are read only with it
            value = image.info.get(MIN_TEXT_KEY)
    except OSError:
        return None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _name(image: dict[str, Any]) -> str:
    alt = image.get("alt") or ""
    if alt and not alt.endswith(".png"):
        return f"figure {alt[:80]!r}"
    src = image["src"]
    return f"figure {src[:40] + '...' if src.startswith('data:') else src.rsplit('/', 1)[-1]}"


def image_problems(
    images: Iterable[dict[str, Any]],
    read_png: Callable[[str], bytes],
    *,
    viewport_width: int,
    minimum: float = MIN_RENDERED_TEXT_PX,
) -> list[str]:
    """Check the images of one page at one viewport width; one line per problem.

    Parameters
    ----------
    images : iterable of dict
        What :data:`FIGURES_JS` returns: ``src``, ``alt``, ``clientWidth``, ``naturalWidth``, ``href``.
    read_png : callable
        Returns the bytes of the file at an image's ``src``.
    viewport_width : int
        The width the page was laid out at, for the messages.
    minimum : float
        The smallest acceptable text size as rendered, in CSS pixels.

    Returns
    -------
    list of str
        Empty when every figure is legible and can be opened at full resolution.
    """
    problems = []
    for image in images:
        name = _name(image)
        if not image["naturalWidth"]:
            continue  # not loaded: the page test reports it
        scale = image["clientWidth"] / image["naturalWidth"]
        smallest = recorded_min_text_px(read_png(image["src"]))
        if smallest is None:
            problems.append(f"{name} records no text size ({MIN_TEXT_KEY}): drawn without setup.configure?")
        elif smallest * scale < minimum:
            problems.append(
                f"{name}: smallest text {smallest:.1f} px drawn, {smallest * scale:.1f} px shown at a "
                f"{viewport_width} px window ({image['clientWidth']} of {image['naturalWidth']} px), "
                f"below {minimum:g}"
            )
        if image["src"].startswith("data:"):
            if scale < 1:
                problems.append(f"{name} is shown scaled down and, inline, cannot be opened at full resolution")
        elif image["href"] != image["src"]:
            problems.append(f"{name} does not link to its full-resolution file (link: {image['href']})")
    return problems


def read_url(url: str) -> bytes:
    """Read the bytes at a URL of the served book, or of a ``data:`` URL."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def check_page(page: Any, *, widths: Iterable[int] = VIEWPORT_WIDTHS) -> list[str]:
    """Check every cell-output figure of an open Playwright page at each viewport width.

    The viewport is restored to its first size afterwards.

    Parameters
    ----------
    page : playwright.sync_api.Page
        A book page, loaded.
    widths : iterable of int
        Viewport widths in CSS pixels.

    Returns
    -------
    list of str
        One line per problem, naming the figure by its alt text.
    """
    original = page.viewport_size
    cache: dict[str, bytes] = {}

    def read(url: str) -> bytes:
        if url not in cache:
            cache[url] = read_url(url)
        return cache[url]

    problems = []
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": original["height"]})
            page.wait_for_timeout(100)  # let the layout settle
            problems += image_problems(page.evaluate(FIGURES_JS), read, viewport_width=width)
    finally:
        page.set_viewport_size(original)
    return problems
