"""tools/nbval_cache.py: what nbval executed is stored where the book build finds it.

The whole path (nbval executes every notebook, the strict build executes none) is
tested on the real book by tests/test_book.py; these tests take its parts on a toy
two-page book: a MyST page and a notebook with the same code cells.
"""

from __future__ import annotations

import nbformat
import pytest
from jupyter_cache import get_cache
from nbval.kernel import CURRENT_ENV_KERNEL_NAME, RunningKernel

from tools import book_cache, course, nbval_cache

PAGE = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---
# A toy page

Some prose with $x^2$.

```{code-cell} ipython3
:tags: [hide-input]
print("one")
```

:::{note}
A colon fence.
:::

```{code-cell} ipython3
2 + 2
```
"""
SOURCES = ['print("one")', "2 + 2"]
OUTPUTS = [
    [nbformat.v4.new_output("stream", name="stdout", text="one\n")],
    [nbformat.v4.new_output("execute_result", data={"text/plain": "4"}, execution_count=None)],
]


@pytest.fixture
def book(tmp_path):
    (tmp_path / "_config.yml").write_text("parse:\n  myst_enable_extensions: [colon_fence, dollarmath]\n")
    (tmp_path / "utils").mkdir()
    (tmp_path / "utils" / "a.py").write_text("A = 1\n")
    (tmp_path / "page.md").write_text(PAGE, encoding="utf-8")
    return tmp_path


def test_the_page_is_read_as_the_build_reads_it(book):
    nb = nbval_cache.read_page(book / "page.md", root=book)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [cell.source for cell in code] == SOURCES
    assert code[0].metadata == {"tags": ["hide-input"]}
    assert nb.metadata.kernelspec.name == "python3"


def test_a_stored_page_is_what_the_build_matches_with_outputs_and_widgets(book):
    widgets = {
        "version_major": 2,
        "version_minor": 0,
        "state": {
            "abc": {
                "model_name": "IntSliderModel",
                "model_module": "@jupyter-widgets/controls",
                "model_module_version": "2.0.0",
                "state": {"value": 3},
            }
        },
    }
    nb = nbval_cache.executed_page(book / "page.md", SOURCES, OUTPUTS, widgets, {"name": "python"})
    cache = book / "_build" / ".jupyter_cache"
    nbval_cache.store(nb, book / "page.md", 1.5, cache=cache, root=book)

    # The build reads the page afresh and asks the cache, as MyST-NB's NotebookClientCache does.
    page = nbval_cache.read_page(book / "page.md", root=book)
    _, merged = get_cache(str(cache)).merge_match_into_notebook(page)
    code = [cell for cell in merged.cells if cell.cell_type == "code"]
    assert [cell.outputs[0].get("text") for cell in code] == ["one\n", None]
    assert code[1].outputs[0].data["text/plain"] == "4" and code[1].outputs[0].execution_count == 2
    assert merged.metadata.widgets[nbval_cache.WIDGET_STATE]["state"]["abc"]["state"] == {"value": 3}
    assert merged.metadata.language_info.name == "python"
    # tools/book_cache.py keeps what was stored: the stamp agrees with the inputs.
    assert book_cache.refresh_cache(cache, book_cache.inputs_hash(book, book_cache.DEFAULT_INPUTS)) is False


def test_a_changed_code_cell_is_not_stored_under_the_page(book):
    with pytest.raises(ValueError, match="code cell 1 differs"):
        nbval_cache.executed_page(book / "page.md", [SOURCES[0], "2 + 3"], OUTPUTS, None, None)


def test_a_cache_of_other_inputs_is_emptied_before_storing(book):
    cache = book / "_build" / ".jupyter_cache"
    (cache / "executed" / "stale").mkdir(parents=True)
    (cache / book_cache.STAMP).write_text("other inputs\n")
    nb = nbval_cache.executed_page(book / "page.md", SOURCES, OUTPUTS, None, None)
    nbval_cache.store(nb, book / "page.md", 1.0, cache=cache, root=book)
    assert not (cache / "executed" / "stale").exists()
    assert len(get_cache(str(cache)).list_cache_records()) == 1


def test_the_widget_state_is_asked_of_the_kernel_with_an_outputs_trait(tmp_path):
    """An Output whose ``outputs`` trait is assigned keeps its figure in the saved state."""
    kernel = RunningKernel(CURRENT_ENV_KERNEL_NAME, cwd=str(tmp_path))
    try:
        assert nbval_cache.widget_state(kernel) is None  # no ipywidgets imported yet
        nbval_cache.kernel_request(
            kernel,
            (
                "import ipywidgets\n"
                "slider = ipywidgets.IntSlider(value=7)\n"
                "out = ipywidgets.Output()\n"
                "out.outputs = ({'output_type': 'display_data', 'metadata': {},\n"
                "                'data': {'image/png': 'iVBORw0KGgo=', 'text/plain': '<Figure>'}},)\n"
            ),
        )
        state = nbval_cache.widget_state(kernel)
        assert nbval_cache.language_info(kernel)["name"] == "python"
    finally:
        kernel.stop()
    models = {entry["model_name"]: entry["state"] for entry in state["state"].values()}
    assert models["IntSliderModel"]["value"] == 7
    assert models["OutputModel"]["outputs"][0]["data"]["image/png"] == "iVBORw0KGgo="


def test_the_early_book_modules_exist_and_use_the_built_book():
    for scope in nbval_cache.EARLY_BOOK_SCOPES:
        assert "built_book" in (course.ROOT / scope).read_text(encoding="utf-8"), scope


def test_notebooks_are_queued_first_then_the_browser_then_the_longest_modules(request):
    """The order that lets ``built_book`` wait for nbval under ``--dist loadscope``, and keeps both workers busy."""
    items = request.session.items
    if not any(nbval_cache._notebook(item) for item in items):
        pytest.skip("no notebook collected in this run")

    def kind(item):
        if nbval_cache._notebook(item):
            return 0
        return 1 if nbval_cache._scope(item) in nbval_cache.EARLY_BOOK_SCOPES else 2

    kinds = [kind(item) for item in items]
    assert kinds == sorted(kinds)
    # Among the other tests, the book's included, the longest modules are queued first.
    scopes = list(dict.fromkeys(nbval_cache._scope(i) for i, k in zip(items, kinds, strict=True) if k == 2))
    expected = [nbval_cache.EXPECTED_TEST_SECONDS.get(scope, 0) for scope in scopes]
    assert expected == sorted(expected, reverse=True), list(zip(scopes, expected, strict=True))
    # Another book module is queued after the five longest modules at least, by which time the early
    # book module has built the book (the other worker does not wait for it).
    longest = sorted(nbval_cache.EXPECTED_TEST_SECONDS.values(), reverse=True)[4]
    for path in (course.ROOT / "tests").glob("test_*.py"):
        scope = f"tests/{path.name}"
        if "built_book" in path.read_text(encoding="utf-8") and scope not in nbval_cache.EARLY_BOOK_SCOPES:
            assert nbval_cache.EXPECTED_TEST_SECONDS.get(scope, 0) < longest, scope
    # pytest-xdist would otherwise queue the scopes with the most tests first.
    assert getattr(request.config.option, "loadscopereorder", False) is False


def test_a_kernel_that_dies_at_start_up_is_started_once_more():
    calls = []

    def start(died):
        def start_new_kernel(**kwargs):
            calls.append(kwargs)
            if len(calls) <= died:
                raise RuntimeError(nbval_cache.KERNEL_DIED)
            return "manager", "client"

        return nbval_cache.start_kernel_once_more_if_it_died(start_new_kernel)

    assert start(died=1)(kernel_name="python3") == ("manager", "client")
    assert calls == [{"kernel_name": "python3"}] * 2
    calls.clear()
    with pytest.raises(RuntimeError, match=nbval_cache.KERNEL_DIED):
        start(died=2)()  # dead twice: the notebook fails
    assert len(calls) == 2

    def other_failure(**kwargs):
        calls.append(kwargs)
        raise RuntimeError("Kernel didn't respond in 60 seconds")

    calls.clear()
    with pytest.raises(RuntimeError, match="didn't respond"):
        nbval_cache.start_kernel_once_more_if_it_died(other_failure)()
    assert len(calls) == 1, "only a kernel that died is started again"
