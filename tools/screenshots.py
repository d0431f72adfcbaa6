"""Screenshots of the built book for the "How to use this course" page.

``make screenshots`` (``python -m tools.screenshots``) takes them from ``_build/html``
after ``make book`` and writes them to ``assets/how-to/``, which the page shows.
The browser test takes the same shots into ``_build/screenshots/how-to/`` on every
run, so a shot that no longer works fails a test.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools import browser as chromium_tools
from tools import course

OUT = course.ROOT / "assets" / "how-to"
CHAPTER = "chapters/01-vanishing-exploding-gradients"
SETUP = "chapters/00-setup"
LAB = "labs/01-diagnose-gradients"


def _clip(page: Any, locator: Any, max_height: int = 900, pad: int = 8) -> dict[str, float]:
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    return {
        "x": max(box["x"] - pad, 0),
        "y": max(box["y"] - pad, 0),
        "width": box["width"] + 2 * pad,
        "height": min(box["height"] + 2 * pad, max_height),
    }


def read_online(visit: chromium_tools.PageVisit, path: Path) -> None:
    """Show a chapter as a reader first sees it: the book's menu, the page, its contents."""
    visit.wait_for_math()
    visit.page.screenshot(path=str(path))


def launch_menu(visit: chromium_tools.PageVisit, path: Path) -> None:
    """Open the rocket menu at the top of a chapter: Binder and Colab."""
    page = visit.page
    page.locator(".dropdown-launch-buttons button").first.click()
    menu = page.locator(".dropdown-launch-buttons .dropdown-menu")
    menu.wait_for(state="visible")
    box = menu.bounding_box()
    page.screenshot(
        path=str(path),
        clip={"x": box["x"] - 360, "y": 0, "width": box["width"] + 400, "height": box["y"] + box["height"] + 16},
    )


def setup_cell(visit: chromium_tools.PageVisit, path: Path) -> None:
    """Show the setup cell of every notebook and the versions line it prints."""
    page = visit.page
    cell = page.locator("article .cell").first
    page.screenshot(path=str(path), clip=_clip(page, cell))


def check_feedback(visit: chromium_tools.PageVisit, path: Path) -> None:
    """Show an exercise check's feedback on an unfinished, a wrong and a crashing answer."""
    page = visit.page
    cell = page.locator("article .cell", has_text="check_relative_change(absolute_change)")
    page.screenshot(path=str(path), clip=_clip(page, cell))


def lab_solution(visit: chromium_tools.PageVisit, path: Path) -> None:
    """Show a lab exercise in the book, its solution unfolded, and its check passing."""
    page = visit.page
    section = page.locator("article section section").first
    section.locator("details.hide summary").first.click()
    page.screenshot(path=str(path), clip=_clip(page, section, max_height=1100))


#: File name -> (page, what to do on it).
SHOTS: dict[str, tuple[str, Callable[[chromium_tools.PageVisit, Path], None]]] = {
    "read-online.png": (CHAPTER, read_online),
    "launch-menu.png": (CHAPTER, launch_menu),
    "setup-cell.png": (SETUP, setup_cell),
    "check-feedback.png": (SETUP, check_feedback),
    "lab-solution.png": (LAB, lab_solution),
}


def take(browser: Any, book_url: str, out: Path) -> list[Path]:
    """Take every shot in :data:`SHOTS` into ``out``; the paths written.

    Consecutive shots of the same page share one visit (a chapter's load is about 2 CPU s of
    Chromium); each shot leaves the page as the next one expects it.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for entry, shots in itertools.groupby(SHOTS.items(), key=lambda item: item[1][0]):
        with chromium_tools.PageVisit(browser, book_url, entry) as visit:
            for name, (_, shoot) in shots:
                shoot(visit, out / name)
                problems = visit.console_errors + visit.failed + visit.blocked
                if problems:
                    raise RuntimeError(f"{name}: {entry} reported {problems}")
                written.append(out / name)
    return written


def main() -> int:
    if not (chromium_tools.HTML / "index.html").is_file():
        print("error: no built book in _build/html; run `make book` first", file=sys.stderr)
        return 1
    try:
        with chromium_tools.serve() as url, chromium_tools.chromium() as browser:
            for path in take(browser, url, OUT):
                print(path.relative_to(course.ROOT))
    except chromium_tools.BrowserMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
