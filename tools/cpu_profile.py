"""Where the test suite spends its CPU: seconds per test and per file, notebook kernels included.

The test run is CPU-bound (every pytest-xdist worker stays busy to the end), so its wall
time is about its total CPU time divided by the cores, and CPU seconds, unlike wall times,
barely move when other processes share the machine. As a pytest plugin this module records,
for every test, the wall time, the CPU of the test process and the CPU of the children it
reaped during the test: subprocesses, and notebook kernels, whose whole CPU lands on the
notebook's last cell. Run as a command it runs the suite as ``make test`` does, with the
plugin, and prints the table, then the busy CPU seconds of the whole machine during the run
(:func:`machine_busy_seconds`: everything the wall time is made of, start-up included)::

    python -m tools.cpu_profile [PYTEST ARGUMENTS ...]   # default: the whole suite, as make test
    python -m tools.cpu_profile --report FOLDER          # the table of a finished run

Each worker appends to ``FOLDER/cpu-<pid>.tsv`` (``TAMING_GRADIENTS_CPU_PROFILE``, default
``_build/cpu-profile``); a run starts with an empty folder.
"""

from __future__ import annotations

import argparse
import collections
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tools import course

ENVIRONMENT = "TAMING_GRADIENTS_CPU_PROFILE"
DEFAULT_FOLDER = course.ROOT / "_build" / "cpu-profile"
SUITE = ["-n", "2", "--dist", "loadscope"]  # as the Makefile's test target


def _cpu_seconds() -> tuple[float, float]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """Time one test (setup, call and teardown) and append its line to this process's file."""
    start, (own, children) = time.perf_counter(), _cpu_seconds()
    yield
    own_after, children_after = _cpu_seconds()
    folder = Path(os.environ.get(ENVIRONMENT, DEFAULT_FOLDER))
    folder.mkdir(parents=True, exist_ok=True)
    if type(item).__name__ == "IPyNbCell" and (nextitem is None or nextitem.parent is not item.parent):
        # nbval ended this notebook's kernel: give its record (written as the kernel is reaped,
        # just after its launcher) a moment, so that it lands on this notebook's last cell.
        deadline = time.monotonic() + 2
        while not (folder / f"kernels-{os.getpid()}.tsv").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
    children_after += forked_kernels_cpu(folder)
    with open(folder / f"cpu-{os.getpid()}.tsv", "a", encoding="utf-8") as out:
        wall = time.perf_counter() - start
        out.write(f"{item.nodeid}\t{wall:.3f}\t{own_after - own:.3f}\t{children_after - children:.3f}\n")


def forked_kernels_cpu(folder: Path) -> float:
    """CPU seconds of the forked kernels (tools.forked_kernels) that ended since the last call.

    A forked kernel is not this process's child: the server's handler that reaped it records
    its CPU in ``kernels-<this pid>.tsv`` (this pid: the launcher's parent), which this reads
    and empties.
    """
    path = folder / f"kernels-{os.getpid()}.tsv"
    if not path.exists():
        return 0.0
    seconds = sum(float(line) for line in path.read_text(encoding="utf-8").split())
    path.unlink()
    return seconds


def pytest_configure(config: pytest.Config) -> None:
    """Set the folder in the environment, where forked kernels' handlers record their CPU."""
    folder = Path(os.environ.setdefault(ENVIRONMENT, str(DEFAULT_FOLDER)))
    folder.mkdir(parents=True, exist_ok=True)


def machine_busy_seconds(stat: Path = Path("/proc/stat")) -> float | None:
    r"""CPU seconds all the machine's cores have been busy since boot (Linux), or None elsewhere.

    Every process counts: the test workers' start-up, the forked kernels, Chromium, and anything
    else that runs meanwhile. A run's difference of two readings is the CPU its wall time is made
    of, on an otherwise idle machine.

    Examples
    --------
    >>> import tempfile
    >>> stat = Path(tempfile.mkdtemp()) / "stat"
    >>> _ = stat.write_text("cpu  100 5 20 900 30 0 3 2 0 0\ncpu0 50 2 10 450 15 0 1 1 0 0\n")
    >>> machine_busy_seconds(stat) * os.sysconf("SC_CLK_TCK")  # idle (900) and waiting for I/O (30) left out
    130.0
    """
    try:
        fields = stat.read_text(encoding="ascii").splitlines()[0].split()
    except (OSError, IndexError):
        return None
    if fields[:1] != ["cpu"]:
        return None
    ticks = [int(field) for field in fields[1:9]]  # user nice system idle iowait irq softirq steal
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


class Row(collections.namedtuple("Row", "wall own children tests")):
    """Seconds of one file (or test): wall, own CPU, children's CPU; and how many tests."""

    @property
    def cpu(self) -> float:
        return self.own + self.children


def read(folder: Path) -> dict[str, Row]:
    r"""Return ``{test id: Row}`` from the files a run wrote into ``folder``.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "cpu-1.tsv").write_text("tests/test_a.py::test_x\t2.0\t1.5\t0.25\n")
    >>> read(folder)["tests/test_a.py::test_x"].cpu
    1.75
    """
    rows = {}
    for path in sorted(folder.glob("cpu-*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            test, wall, own, children = line.split("\t")
            rows[test] = Row(float(wall), float(own), float(children), 1)
    if not rows:
        raise ValueError(f"folder holds no test timings (cpu-*.tsv): {folder}")
    return rows


def by_file(rows: dict[str, Row]) -> dict[str, Row]:
    """Sum the tests of each file, most CPU first."""
    files: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    for test, row in rows.items():
        total = files[test.split("::")[0]]
        for index, value in enumerate(row):
            total[index] += value
    return dict(sorted(((name, Row(*total)) for name, total in files.items()), key=lambda item: -item[1].cpu))


def report(rows: dict[str, Row], slowest: int = 20) -> str:
    """Return the table: total CPU, then each file and the ``slowest`` tests by CPU."""
    lines = [
        f"CPU seconds over {len(rows)} tests: {sum(row.cpu for row in rows.values()):.1f}",
        "",
        f"{'CPU':>7} {'own':>7} {'children':>8} {'wall':>7} {'tests':>5}  file",
    ]
    for name, row in by_file(rows).items():
        lines.append(f"{row.cpu:7.1f} {row.own:7.1f} {row.children:8.1f} {row.wall:7.1f} {row.tests:5d}  {name}")
    lines += ["", f"The {slowest} tests that take the most CPU:"]
    for test, row in sorted(rows.items(), key=lambda item: -item[1].cpu)[:slowest]:
        lines.append(f"{row.cpu:7.1f} {row.own:7.1f} {row.children:8.1f} {row.wall:7.1f}        {test}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", type=Path, metavar="FOLDER", help="only print the table of a finished run")
    args, pytest_arguments = parser.parse_known_args(argv)
    if args.report:
        print(report(read(args.report)))
        return 0
    folder = Path(os.environ.get(ENVIRONMENT, DEFAULT_FOLDER))
    shutil.rmtree(folder, ignore_errors=True)
    command = [sys.executable, "-m", "pytest", "-p", "tools.cpu_profile", *(pytest_arguments or SUITE)]
    start, (_, children), busy = time.perf_counter(), _cpu_seconds(), machine_busy_seconds()
    result = subprocess.run(command, cwd=course.ROOT, env={**os.environ, ENVIRONMENT: str(folder)}, check=False)
    (_, children_after), busy_after = _cpu_seconds(), machine_busy_seconds()
    wall = time.perf_counter() - start
    print(report(read(folder)))
    # The run's own processes: not the forked kernels (the kernel server's children), counted above.
    print(f"\nThe whole run: {wall:.1f} s wall, {children_after - children:.1f} CPU s of pytest and its children")
    if busy is not None and busy_after is not None:
        print(
            f"The machine, every process included: {busy_after - busy:.1f} busy CPU s, "
            f"{(busy_after - busy) / wall:.2f} of {os.cpu_count()} cores on average"
        )
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
