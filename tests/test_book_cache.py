"""A change to utils/ (or the pins) re-executes the book's notebooks: tools/book_cache.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tools import book_cache, course

PAGE = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---
# Probe

```{code-cell} ipython3
import importlib.util
spec = importlib.util.spec_from_file_location("value", "utils/value.py")
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
print(f"utils prints {module.VALUE}")
```
"""


def make_book(root: Path, *, with_extension: bool) -> None:
    extensions = f"  local_extensions:\n    tools.book_cache: {course.ROOT}\n" if with_extension else ""
    (root / "_config.yml").write_text(
        f"title: Probe\nexecute:\n  execute_notebooks: cache\nsphinx:\n{extensions or '  config: {}'}\n",
        encoding="utf-8",
    )
    (root / "_toc.yml").write_text("format: jb-book\nroot: page\n", encoding="utf-8")
    (root / "page.md").write_text(PAGE, encoding="utf-8")
    (root / "utils").mkdir(exist_ok=True)
    (root / "requirements.txt").write_text("numpy==1.0\n", encoding="utf-8")


def build(root: Path) -> str:
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run([str(jupyter_book), "build", str(root)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return (root / "_build" / "html" / "page.html").read_text(encoding="utf-8")


def test_inputs_hash_follows_paths_and_contents(tmp_path):
    (tmp_path / "utils").mkdir()
    (tmp_path / "utils" / "a.py").write_text("A = 1\n")
    first = book_cache.inputs_hash(tmp_path, ["utils/**/*.py"])
    (tmp_path / "utils" / "a.py").write_text("A = 2\n")
    second = book_cache.inputs_hash(tmp_path, ["utils/**/*.py"])
    (tmp_path / "utils" / "a.py").rename(tmp_path / "utils" / "b.py")
    third = book_cache.inputs_hash(tmp_path, ["utils/**/*.py"])
    assert len({first, second, third}) == 3


def test_refresh_cache_empties_a_cache_of_other_inputs_only(tmp_path):
    cache = tmp_path / ".jupyter_cache"
    (cache / "executed").mkdir(parents=True)
    assert book_cache.refresh_cache(cache, "abc") is True  # no stamp: filled by unknown inputs
    assert not (cache / "executed").exists() and (cache / book_cache.STAMP).read_text().strip() == "abc"
    (cache / "executed").mkdir()
    assert book_cache.refresh_cache(cache, "abc") is False and (cache / "executed").exists()
    assert book_cache.refresh_cache(cache, "def") is True and not (cache / "executed").exists()


@pytest.mark.slow
@pytest.mark.parametrize("with_extension", [True, False], ids=["with book_cache", "without (the old fault)"])
def test_changing_a_printed_value_in_utils_and_rebuilding_shows_the_new_value(tmp_path, with_extension):
    make_book(tmp_path, with_extension=with_extension)
    (tmp_path / "utils" / "value.py").write_text("VALUE = 1\n", encoding="utf-8")
    assert "utils prints 1" in build(tmp_path)
    (tmp_path / "utils" / "value.py").write_text("VALUE = 2\n", encoding="utf-8")
    page = build(tmp_path)
    # Without the extension the page keeps the old output: the fault this extension fixes.
    assert ("utils prints 2" in page) is with_extension, "utils prints 1" in page
