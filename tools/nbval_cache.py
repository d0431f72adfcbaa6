"""pytest plugin: nbval executes every notebook once, and the book reuses that execution.

``make test`` runs nbval on every notebook (``--nbval-lax``), then builds the book
strictly. Without this plugin, the build's MyST-NB execution (``execute_notebooks:
cache``) ran every page a second time. With it:

* nbval also executes each lab's BOOK page ``labs/<name>.md`` (the solved version;
  ``labs/<name>.ipynb`` is the learner's stubs, a different notebook). The page is
  read with MyST-NB's own reader, as the build reads it (:func:`book_page_file_class`).
* When the last cell of a notebook has run and every cell passed, before nbval stops
  the kernel, the plugin asks the kernel for its widget state and stores the book
  page's executed notebook in the build's execution cache (jupyter-cache, the folder
  ``_build/.jupyter_cache``): for a lab, the page nbval executed; for a chapter,
  ``chapters/<name>.md`` with the outputs of the learner's ``chapters/<name>.ipynb``,
  whose code cells are the same (asserted). MyST-NB keys the cache by the code cells
  (source and metadata) and the kernelspec, so the build finds every page there and
  executes nothing ("Using cached notebook" in its log; tests/test_book.py checks it).
* A notebook with a failing (or skipped, or deselected) cell stores nothing and leaves
  a "failed" marker instead; ``wait_for_pages`` (used by the ``built_book`` fixture)
  waits until every page that this session's nbval items produce is stored or failed.
  A failed page is executed by the build, which then reports the failure itself.

The test items are ordered so that this cannot deadlock under ``--dist loadscope``:
notebooks first (slowest first), then the browser's tests, then the other tests, then the
other modules that use the built book (:func:`pytest_collection_modifyitems`).
"""

from __future__ import annotations

import functools
import json
import time
from pathlib import Path
from queue import Empty
from typing import Any

import nbformat
import pytest
from filelock import FileLock

from tools import book_cache, course

CACHE = course.ROOT / "_build" / ".jupyter_cache"  # jupyter-book's default execution cache
LOCK = CACHE.with_name(".jupyter_cache.lock")  # beside the cache: refresh_cache may remove the folder
STATE_MARK = "\x1fwidget-state:"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# Asked of the kernel after the last cell: the state of every open widget, as nbclient saves it.
STATE_CODE = (
    "import json as _nbval_cache_json, sys as _nbval_cache_sys\n"
    "_nbval_cache_widgets = _nbval_cache_sys.modules.get('ipywidgets')\n"
    "print(" + repr(STATE_MARK) + " + _nbval_cache_json.dumps(None if _nbval_cache_widgets is None else\n"
    "      _nbval_cache_widgets.Widget.get_manager_state(drop_defaults=True)))"
)
# Seconds each notebook took under nbval in one run (2 shared cores, loaded): the slowest are queued
# first, so that the two workers finish their notebooks at about the same time. Unlisted: 10.
EXPECTED_SECONDS = {
    "chapters/02-initialization.ipynb": 85,
    "chapters/04-smooth-activations.ipynb": 60,
    "chapters/03-nonsaturating-activations.ipynb": 75,
    "labs/01-diagnose-gradients.md": 72,
    "chapters/01-vanishing-exploding-gradients.ipynb": 62,
    "labs/01-diagnose-gradients.ipynb": 50,
    "labs/02-initializers-from-scratch.md": 35,
    "chapters/00-setup.ipynb": 33,
    "labs/02-initializers-from-scratch.ipynb": 24,
    "labs/03-activations-from-scratch.ipynb": 15,
    "labs/03-activations-from-scratch.md": 13,
    "labs/04-smooth-activations.md": 20,
    "labs/04-smooth-activations.ipynb": 15,
    "chapters/05-normalization-and-residuals.ipynb": 75,
    "labs/05-normalization-and-residuals.md": 20,
    "labs/05-normalization-and-residuals.ipynb": 18,
}

# Seconds the longest test modules took in one run of the whole suite (workers on 2 shared cores,
# loaded; --durations=0, summed per module). Among the tests that are not notebooks, the longest are
# queued first (within the other tests, and within the book's): a module runs on one worker, so one
# of them queued last would keep that worker busy while the others have finished. Unlisted: 0.
EXPECTED_TEST_SECONDS = {
    "tests/test_checks_lab1.py": 217,
    "tests/test_checks_lab2.py": 177,
    "tests/test_colab_like.py": 107,
    "tests/test_environment.py": 91,
    "tests/test_diagnostics.py": 73,
    "tests/test_book_cache.py": 65,
    "tests/test_checks_lab3.py": 44,
    "tests/test_widgets.py": 39,
    "tests/test_robustness.py": 39,
    "tests/test_package.py": 38,
    "tests/test_setup.py": 37,
    "tests/test_experiments.py": 33,
    "tests/test_training.py": 28,
    "tests/test_properties_lab1.py": 27,
    "tests/test_pdf.py": 23,
}

# The book's longest module, queued right after the notebooks: the worker that takes it waits for
# the last notebook and builds the book while the other worker runs unit tests, and its
# Chromium pages then share the cores with them, instead of running alone at the end.
EARLY_BOOK_SCOPES = {"tests/test_browser.py"}

_results = pytest.StashKey[dict[str, Any]]()


# --- Reading a book page as MyST-NB does -----------------------------------------------


def md_config(root: Path = course.ROOT):
    """Return the book's MyST parser configuration (the ``parse`` section of ``_config.yml``)."""
    from myst_parser.config.main import MdParserConfig

    parse = course.load_config(root).get("parse", {})
    return MdParserConfig(enable_extensions=set(parse.get("myst_enable_extensions", [])))


def read_page(path: Path, root: Path = course.ROOT) -> nbformat.NotebookNode:
    """Read a MyST Markdown book page as the notebook the build executes (MyST-NB's reader)."""
    from myst_nb.core.read import read_myst_markdown_notebook

    return read_myst_markdown_notebook(
        path.read_text(encoding="utf-8"), config=md_config(root), add_source_map=True, path=str(path)
    )


def page_of(path: Path) -> Path | None:
    """Return the book page whose outputs a notebook run gives: a lab page itself, a chapter's page."""
    if path.suffix == ".md":
        return path
    folder = path.parent.name
    if folder == "chapters" and path.with_suffix(".md").is_file():
        return path.with_suffix(".md")
    return None  # a lab's learner notebook (stubs) is no book page


def is_lab_page(path: Path) -> bool:
    return (
        path.suffix == ".md"
        and path.parent.name == "labs"
        and path.name != "README.md"
        and path.parent.parent == course.ROOT
    )


@functools.cache
def book_page_file_class():
    from nbval.plugin import IPyNbFile

    class _BookPageFile(IPyNbFile):
        """nbval's collector for a MyST Markdown book page, read with MyST-NB's reader."""

        def collect(self):
            # nbval's collect reads the file with nbformat.read: let it read the page instead.
            original = nbformat.read
            nbformat.read = lambda *args, **kwargs: read_page(Path(self.path))
            try:
                return list(super().collect())
            finally:
                nbformat.read = original

    return _BookPageFile


# --- Storing an executed page in the cache --------------------------------------------


def session_dir(config: pytest.Config) -> Path:
    """Return a folder shared by every xdist worker of this test run (beside their temporary folders)."""
    basetemp = config._tmp_path_factory.getbasetemp()
    path = (basetemp.parent if hasattr(config, "workerinput") else basetemp) / "nbval-cache"
    path.mkdir(exist_ok=True)
    return path


def marker(config: pytest.Config, page: Path, state: str) -> Path:
    name = page.relative_to(course.ROOT).as_posix().replace("/", "__")
    return session_dir(config) / f"{name}.{state}"


def kernel_request(kernel, code: str, timeout: float = 60) -> str:
    """Run ``code`` in nbval's kernel; return what it printed."""
    msg_id = kernel.execute_cell_input(code, allow_stdin=False)
    kernel.await_reply(msg_id, timeout=timeout)
    printed = []
    while True:
        msg = kernel.get_message("iopub", timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(printed)


def widget_state(kernel) -> dict[str, Any] | None:
    """Ask the kernel for its widget state (ipywidgets 7 or 8); None without widgets."""
    printed = kernel_request(kernel, STATE_CODE)
    state = json.loads(printed.split(STATE_MARK, 1)[1])
    return state if state and state.get("state") else None


def language_info(kernel, timeout: float = 30) -> dict[str, Any]:
    msg_id = kernel.kc.kernel_info()
    while True:
        msg = kernel.get_message("shell", timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg["content"]["language_info"]


def executed_page(
    page: Path,
    sources: list[str],
    outputs: list[list[Any]],
    widgets: dict[str, Any] | None,
    language: dict[str, Any] | None,
) -> nbformat.NotebookNode:
    """Return the book page's notebook with the outputs of a notebook with the same code cells."""
    nb = read_page(page)
    cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    page_sources = [cell.source for cell in cells]
    if page_sources != sources:
        pairs = enumerate(zip(page_sources, sources, strict=False))
        first = next((i for i, (a, b) in pairs if a != b), min(len(sources), len(page_sources)))
        raise ValueError(
            f"{page.name}: code cell {first} differs from the executed notebook's "
            f"({len(page_sources)} and {len(sources)} code cells)"
        )
    for count, (cell, cell_outputs) in enumerate(zip(cells, outputs, strict=True), start=1):
        cell.execution_count = count
        cell.outputs = [nbformat.from_dict(dict(output)) for output in cell_outputs]
        for output in cell.outputs:
            if output.output_type == "execute_result":
                output.execution_count = count
    if language:
        nb.metadata.language_info = nbformat.from_dict(language)
    if widgets:
        nb.metadata.widgets = nbformat.from_dict({WIDGET_STATE: widgets})
    return nb


def store(nb: nbformat.NotebookNode, page: Path, seconds: float, cache: Path = CACHE, root: Path = course.ROOT) -> int:
    """Store an executed page in the book's execution cache; return its record's id.

    First make the cache's stamp agree with tools/book_cache.py (which empties a cache
    filled from other inputs), so that the build does not empty what this stored.
    """
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(cache.with_name(cache.name + ".lock"))):
        book_cache.refresh_cache(cache, book_cache.inputs_hash(root, book_cache.DEFAULT_INPUTS))
        record = get_cache(str(cache)).cache_notebook_bundle(
            CacheBundleIn(nb, str(page), data={"execution_seconds": seconds, "executed_by": "nbval"}),
            check_validity=False,
            overwrite=True,
        )
        return record.pk


# --- pytest hooks ------------------------------------------------------------------------


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("nbval", False) or config.getoption("nbval_lax", False))


# A kernel that dies before it answers gets one more start. jupyter_client chooses a kernel's five
# ports in the worker, and the kernel binds them a moment later; with workers starting kernels
# and the browser tests opening servers, a port can be taken in between, and the kernel exits at once
# (nbval sends its stderr to /dev/null). A fresh-clone run lost chapter 3 that way ("Kernel died
# before replying to kernel_info", every cell an error) where the same tree passed before and after.
# The second start chooses new ports; a kernel that dies twice still fails the notebook.
KERNEL_DIED = "Kernel died before replying to kernel_info"


def start_kernel_once_more_if_it_died(start: Any) -> Any:
    """Wrap nbval's ``start_new_kernel`` so that a kernel that died at start-up is started once more."""

    @functools.wraps(start)
    def start_new_kernel(*args: Any, **kwargs: Any) -> Any:
        try:
            return start(*args, **kwargs)
        except RuntimeError as error:
            if KERNEL_DIED not in str(error):
                raise
            return start(*args, **kwargs)

    return start_new_kernel


def pytest_configure(config: pytest.Config) -> None:
    if _enabled(config):
        import nbval.kernel

        if not hasattr(nbval.kernel.start_new_kernel, "__wrapped__"):
            nbval.kernel.start_new_kernel = start_kernel_once_more_if_it_died(nbval.kernel.start_new_kernel)
    # pytest-xdist's loadscope queues the scopes with the most tests first unless told not to
    # (--no-loadscope-reorder): keep this plugin's order, or a book test can wait for a small
    # notebook queued behind it.
    # (Not --dist loadgroup with xdist_group marks: pytest-xdist 3.8 groups by renaming item._nodeid,
    # which pytest 9 no longer reads, so a notebook's cells would be split across workers.)
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False
    config.stash[_results] = {"passed": {}, "failed": set(), "seconds": {}, "pages": [], "enabled": _enabled(config)}


def pytest_collect_file(file_path: Path, parent):
    if _enabled(parent.config) and is_lab_page(Path(file_path)):
        return book_page_file_class().from_parent(parent, path=Path(file_path))
    return None


def _notebook(item: pytest.Item):
    from nbval.plugin import IPyNbCell

    return item.parent if isinstance(item, IPyNbCell) else None


def _scope(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Notebooks first (slowest first), then :data:`EARLY_BOOK_SCOPES`, then the other tests.

    Under ``--dist loadscope`` a worker that reaches the book has then had every notebook
    handed out before it, so ``built_book`` can wait for them without a deadlock. The other
    tests, the book's included, are queued longest module first (:data:`EXPECTED_TEST_SECONDS`),
    the rest in their collection order: a book module queued last (the PDF's, 10 s) would run
    alone at the end while the other worker has nothing left, and by the time a worker reaches
    one after the longest modules, the early book module has built the book.
    """
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        first_index.setdefault(_scope(item), index)

    def key(item: pytest.Item) -> tuple:
        scope = _scope(item)
        if _notebook(item) is not None:
            return (0, -EXPECTED_SECONDS.get(scope, 10), first_index[scope])
        if scope in EARLY_BOOK_SCOPES:
            return (1, 0, first_index[scope])
        return (2, -EXPECTED_TEST_SECONDS.get(scope, 0), first_index[scope])

    items.sort(key=key)  # stable: a scope's items keep their order
    pages = {}
    for item in items:
        notebook = _notebook(item)
        if notebook is not None and page_of(Path(notebook.path)) is not None:
            pages[str(Path(notebook.path))] = str(page_of(Path(notebook.path)))
    config.stash[_results]["pages"] = sorted(set(pages.values()))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    outcome = yield
    notebook = _notebook(item)
    if notebook is None:
        return
    report = outcome.get_result()
    results = item.config.stash[_results]
    path = str(notebook.path)
    results["seconds"][path] = results["seconds"].get(path, 0.0) + report.duration
    if report.when == "call" and report.passed:
        results["passed"].setdefault(path, set()).add(item.cell_num)
    elif report.failed or report.skipped:
        results["failed"].add(path)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After a notebook's last cell, before nbval stops its kernel: store the book page."""
    notebook = _notebook(item)
    if notebook is None or (nextitem is not None and nextitem.parent is notebook):
        return
    page = page_of(Path(notebook.path))
    if page is None:
        return
    results = item.config.stash[_results]
    path = str(notebook.path)
    code_cells = [cell for cell in notebook.nb.cells if cell.cell_type == "code"]
    cell_items = {i.cell_num: i for i in item.session.items if _notebook(i) is notebook}
    complete = (
        path not in results["failed"]
        and results["passed"].get(path) == set(range(len(code_cells)))
        and notebook.kernel is not None
        and notebook.kernel.is_alive()
        and not notebook.timed_out
    )
    if not complete:
        marker(item.config, page, "failed").write_text("a cell failed, was skipped or did not run\n")
        return
    try:
        nb = executed_page(
            page,
            [cell.source for cell in code_cells],
            [cell_items[n].test_outputs or [] for n in range(len(code_cells))],
            widget_state(notebook.kernel),
            language_info(notebook.kernel),
        )
        pk = store(nb, page, results["seconds"].get(path, 0.0))
    except (Exception, Empty) as error:  # the build then executes the page and reports
        marker(item.config, page, "failed").write_text(f"{type(error).__name__}: {error}\n")
        raise
    marker(item.config, page, "stored").write_text(f"{pk}\n")


def wait_for_pages(config: pytest.Config, timeout: float = 900, poll: float = 1.0) -> dict[str, list[str]]:
    """Wait until every page that this session's nbval items produce is stored or failed.

    Returns the pages by state: ``stored``, ``failed``, and ``missing`` (after the timeout).
    """
    results = config.stash[_results]
    pages = [Path(p) for p in results["pages"]] if results["enabled"] else []
    deadline = time.monotonic() + timeout
    while True:
        states: dict[str, list[str]] = {"stored": [], "failed": [], "missing": []}
        for page in pages:
            name = page.relative_to(course.ROOT).as_posix()
            state = next((s for s in ("stored", "failed") if marker(config, page, s).is_file()), "missing")
            states[state].append(name)
        if not states["missing"] or time.monotonic() > deadline:
            return states
        time.sleep(poll)
