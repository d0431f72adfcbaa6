"""Execute each course notebook once on a fresh kernel; report wall time and peak memory.

Usage::

    python -m tools.bench [NOTEBOOK ...]

With no arguments it runs every notebook under chapters/ and labs/, and each
lab's solved source (labs/source/), which is what the book executes: the
budget holds for a lab solved or not. The budget is 60 s per notebook on a
2-core CPU; the command exits with status 1 when a notebook fails or goes
over it.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools import course

BUDGET_SECONDS = 60.0
PEAK_MEMORY_CELL = (
    "import resource as _r, sys as _s\n"
    "print('PEAK_RSS_KB', _r.getrusage(_r.RUSAGE_SELF).ru_maxrss // (1024 if _s.platform == 'darwin' else 1))"
)


def run_notebook(path: Path) -> tuple[float, float | None, str]:
    """Execute ``path`` on a fresh kernel; return (seconds, peak MiB, status)."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY_CELL))
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    try:
        client.execute()
    except Exception as error:  # report and go on with the other notebooks
        return time.perf_counter() - start, None, f"FAILED: {type(error).__name__}"
    seconds = time.perf_counter() - start
    peak = None
    for output in notebook.cells[-1].outputs:
        for line in output.get("text", "").splitlines():
            if line.startswith("PEAK_RSS_KB"):
                peak = int(line.split()[1]) / 1024
    status = "ok" if seconds <= BUDGET_SECONDS else f"OVER {BUDGET_SECONDS:.0f} s"
    return seconds, peak, status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every course notebook")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        if path.suffix != ".ipynb" or not path.is_file():
            parser.error(
                f"notebooks: {str(path)!r} is not a notebook file (.ipynb); give chapters/*.ipynb, labs/*.ipynb "
                "or labs/source/*.ipynb (a lab's book page, .md, runs as labs/source/<name>.ipynb)"
            )
    paths = [p.resolve() for p in args.notebooks] or [
        *course.notebook_paths(),
        *sorted((course.ROOT / "labs" / "source").glob("*.ipynb")),
    ]

    print(
        f"{platform.processor() or platform.machine()}, {_cpu_count()} CPUs, "
        f"Python {platform.python_version()}; budget {BUDGET_SECONDS:.0f} s per notebook\n"
    )
    header = f"{'notebook':<52} {'wall (s)':>9} {'peak (MiB)':>11}  status"
    print(header)
    print("-" * len(header))
    total, worst = 0.0, 0
    for path in paths:
        seconds, peak, status = run_notebook(path)
        total += seconds
        worst = max(worst, 0 if status == "ok" else 1)
        name = str(path.relative_to(course.ROOT)) if path.is_relative_to(course.ROOT) else str(path)
        peak_text = f"{peak:.0f}" if peak is not None else "-"
        print(f"{name:<52} {seconds:>9.1f} {peak_text:>11}  {status}", flush=True)
    print("-" * len(header))
    print(f"{'total':<52} {total:>9.1f}")
    return worst


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
