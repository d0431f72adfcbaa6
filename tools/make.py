"""Small commands the Makefile runs: the Python check and a quieter book build.

``python tools/make.py check-python`` (run with the interpreter that will create
``.venv``, before anything is installed, so it uses the standard library only)
stops with one line when that Python is outside ``requires-python``.

``python -m tools.make book-build jupyter-book build ...`` runs the build and shows
its progress and warnings, without the MyST configuration dumps and the closing
"HTML pages are in" box; the Makefile prints one "The book is at" line instead.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")
BORDER = re.compile(r"=+")
HIDDEN = re.compile(r"(MdParserConfig|NbParserConfig)\(|^The HTML pages are in ")


def supported(spec: str, version: tuple[int, int]) -> bool:
    """Whether ``version`` satisfies a ``>=X.Y,<X.Z`` requires-python range."""
    bounds = {op: tuple(map(int, v.split("."))) for op, v in re.findall(r"(>=|<)\s*([0-9.]+)", spec)}
    return bounds.get(">=", (0,)) <= version < bounds.get("<", (99,))


def requires_python(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """Return the ``requires-python`` range of the package."""
    match = re.search(r'^requires-python\s*=\s*"([^"]*)"', pyproject.read_text(encoding="utf-8"), re.M)
    if not match:
        raise ValueError(f"{pyproject} has no requires-python")
    return match.group(1)


def check_python() -> int:
    """Exit status 0 if this Python is supported; else print one line saying what to do."""
    spec = requires_python()
    if supported(spec, sys.version_info[:2]):
        return 0
    print(
        f"make: the course needs Python {spec} (pyproject.toml), and {sys.executable} is "
        f"Python {sys.version.split()[0]}. Run make with PYTHON=python3.N, for a 3.N in that range.",
        file=sys.stderr,
    )
    return 1


def filter_build_output(lines: Iterable[str]) -> Iterator[str]:
    """Yield the build's lines, without configuration dumps, blank runs and the closing box."""
    box: list[str] = []
    blank = False
    for line in lines:
        plain = ANSI.sub("", line).strip()
        if box or BORDER.fullmatch(plain):
            box.append(line)
            if len(box) > 1 and BORDER.fullmatch(plain):
                if not any("Finished generating HTML" in kept for kept in box):
                    yield from box
                box = []
        elif not plain:
            blank = True
        elif not HIDDEN.search(plain):
            yield "\n" * blank + line
            blank = False
    yield from box


def book_build(command: list[str]) -> int:
    """Run the book build, printing its filtered output as it comes; return its exit status."""
    build = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    assert build.stdout is not None
    for line in filter_build_output(build.stdout):
        sys.stdout.write(line)
        sys.stdout.flush()
    return build.wait()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["check-python"]:
        return check_python()
    if args[:1] == ["book-build"] and len(args) > 1:
        return book_build(args[1:])
    print("usage: tools/make.py check-python | book-build COMMAND...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
