"""Open the built book in Debian's Chromium, offline: shared by the browser test and the screenshots.

The book is served from ``_build/html`` on 127.0.0.1. Every request to another host
is refused and recorded, and Chromium resolves no other host name, so a page that
still needs a CDN shows up as a blocked request and a console error.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tools import course

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
HTML = course.ROOT / "_build" / "html"
VIEWPORT = {"width": 1280, "height": 900}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-quic",
    # Without these Chromium phones home at start-up, which this machine's network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Belt and braces with the request filter in PageVisit: no host but this one resolves.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


class BrowserMissing(RuntimeError):
    """Chromium is not installed where we look."""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # `format`: the base class's name
        pass


@contextlib.contextmanager
def serve(html: Path = HTML) -> Iterator[str]:
    """Serve a built book on 127.0.0.1 on a free port; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Open a headless Chromium browser driven by Playwright (never Playwright's own download)."""
    if not CHROMIUM.is_file():
        raise BrowserMissing(
            f"Chromium not found at {CHROMIUM}: run tools/install-browser.sh "
            "(make test does), or set CHROMIUM to a Chromium-based browser"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class PageVisit:
    """One page in a fresh browser context, with everything it logged and requested.

    Use as a context manager; ``page`` is the Playwright page.
    """

    def __init__(self, browser: Any, book_url: str, entry: str):
        self.book_url = book_url
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.console_errors: list[str] = []
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        # Generous: under `make test` the other worker is running notebooks on the same 2 cores.
        self.page.set_default_timeout(30_000)
        self.page.set_default_navigation_timeout(90_000)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        self.page.on("response", self._response)
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.goto(f"{book_url}{entry}.html", wait_until="load")

    def __enter__(self) -> PageVisit:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.context.close()

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(self.book_url):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("internetdisconnected")

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _response(self, response: Any) -> None:
        # Chromium asks every site for /favicon.ico by itself; the book does not link one.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def wait_for_math(self) -> dict[str, int] | None:
        """Wait for MathJax to finish; counts of formulas, typeset formulas and TeX errors."""
        return self.page.evaluate("""async () => {
            if (!window.MathJax || !MathJax.startup) return null;
            await MathJax.startup.promise;
            const math = Array.from(document.querySelectorAll('span.math, div.math'));
            return {
                total: math.length,
                typeset: math.filter(m => m.querySelector('mjx-container')).length,
                errors: document.querySelectorAll('mjx-merror').length,
            };
        }""")
