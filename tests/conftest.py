"""Shared fixtures (the Agg backend is selected in the repository's conftest.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from filelock import FileLock
from hypothesis import settings

from tools import course, nbval_cache
from utils import setup

# Property tests (tests/test_properties_*.py) draw the same examples on every run and machine, and
# keep no example database: CI is reproducible, and a failure names its example in the report.
settings.register_profile("course", derandomize=True, database=None, deadline=None)
settings.load_profile("course")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def seeded():
    """Seed Python, NumPy and Keras with 0 for one test."""
    setup.set_seed(0)


@pytest.fixture(scope="session")
def batch():
    """A fixed batch of 256 standard-normal inputs (64 features) and labels in 0-9."""
    rng = np.random.default_rng(0)
    return rng.standard_normal((256, 64)).astype("float32"), rng.integers(0, 10, 256)


BOOK_BUILD = ["build", ".", "-n", "-W", "--keep-going"]
PAGE_TIMEOUT = 900  # seconds the build waits for nbval to execute every page


def _build_book(pages: dict[str, list[str]]) -> dict[str, object]:
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), *BOOK_BUILD], cwd=course.ROOT, capture_output=True, text=True, timeout=1800
    )
    return {"returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr, "pages": pages}


@pytest.fixture(scope="session")
def built_book(request, tmp_path_factory, worker_id):
    """``jupyter-book build . -n -W --keep-going``, run once for the whole test session.

    Returns the build's result (returncode, stdout, stderr, and ``pages``: the book pages
    this session's nbval run stored in the execution cache, those it failed, and those
    still missing after the timeout) and the HTML folder. The build first waits until
    nbval has executed every page (tools/nbval_cache.py), so that it executes none
    itself; after ``PAGE_TIMEOUT`` it builds anyway (and executes what is missing).
    Under pytest-xdist the first worker to ask builds while the others wait, then reuse
    its result.
    """
    html = course.ROOT / "_build" / "html"
    if worker_id == "master":
        return _build_book(nbval_cache.wait_for_pages(request.config, PAGE_TIMEOUT)), html
    shared = tmp_path_factory.getbasetemp().parent / "book-build.json"
    with FileLock(f"{shared}.lock"):
        if shared.is_file():
            result = json.loads(shared.read_text(encoding="utf-8"))
        else:
            result = _build_book(nbval_cache.wait_for_pages(request.config, PAGE_TIMEOUT))
            shared.write_text(json.dumps(result), encoding="utf-8")
    return result, html


_background = pytest.StashKey[list]()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Under pytest-xdist, start test_environment.py's resolves as the run starts, when it will run them.

    Its ``start_resolutions`` says why; the first worker to get here starts them.
    """
    for item in session.items:
        if item.nodeid.startswith("tests/test_environment.py::test_pinned_environment"):
            folder = item.module.shared_resolve_folder()
            if folder is not None:
                session.config.stash[_background] = item.module.start_resolutions(folder)
            return


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Wait for the resolves this worker started: the worker that runs their tests reads their results."""
    for thread in session.config.stash.get(_background, []):
        thread.join()
