"""tools/cpu_profile.py: each test's CPU, its subprocesses' included, and the table of a run."""

import subprocess
import sys

import pytest

from tools import cpu_profile

pytest_plugins = ["pytester"]

PROBE = """
import subprocess, sys

def test_busy_child():
    subprocess.run([sys.executable, "-c", "sum(i * i for i in range(3_000_000))"], check=True)

def test_idle():
    pass
"""


def test_each_test_gets_its_own_and_its_childrens_cpu(pytester, tmp_path, monkeypatch):
    monkeypatch.setenv(cpu_profile.ENVIRONMENT, str(tmp_path))
    pytester.makepyfile(test_probe=PROBE)
    pytester.runpytest_inprocess("-p", "tools.cpu_profile").assert_outcomes(passed=2)
    rows = cpu_profile.read(tmp_path)
    busy, idle = rows["test_probe.py::test_busy_child"], rows["test_probe.py::test_idle"]
    assert busy.children > 0.05 and busy.children > 10 * idle.children, (busy, idle)
    assert busy.wall >= busy.children * 0.5 and idle.cpu < busy.cpu


def test_the_table_sums_files_and_lists_the_costliest_tests_first(tmp_path):
    (tmp_path / "cpu-1.tsv").write_text("a.py::x\t3\t1\t2\na.py::y\t1\t0.5\t0\n", encoding="utf-8")
    (tmp_path / "cpu-2.tsv").write_text("b.py::z\t9\t4\t0\n", encoding="utf-8")
    table = cpu_profile.report(cpu_profile.read(tmp_path)).splitlines()
    assert table[0] == "CPU seconds over 3 tests: 7.5"
    files = [line.split()[-1] for line in table[3:5]]
    assert files == ["b.py", "a.py"] and table[4].split()[:5] == ["3.5", "1.5", "2.0", "4.0", "2"]
    assert table[-3:] == [
        f"{4:7.1f} {4:7.1f} {0:8.1f} {9:7.1f}        b.py::z",
        f"{3:7.1f} {1:7.1f} {2:8.1f} {3:7.1f}        a.py::x",
        f"{0.5:7.1f} {0.5:7.1f} {0:8.1f} {1:7.1f}        a.py::y",
    ]


def test_a_folder_without_timings_is_refused_in_one_line(tmp_path):
    with pytest.raises(ValueError, match=r"^folder holds no test timings \(cpu-\*\.tsv\): ") as error:
        cpu_profile.read(tmp_path)
    assert "\n" not in str(error.value)


def test_the_command_prints_the_table_of_a_finished_run(tmp_path):
    (tmp_path / "cpu-1.tsv").write_text("a.py::x\t3\t1\t2\n", encoding="utf-8")
    shown = subprocess.run(
        [sys.executable, "-m", "tools.cpu_profile", "--report", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=cpu_profile.course.ROOT,
    )
    assert shown.stdout.startswith("CPU seconds over 1 tests: 3.0\n"), shown.stdout


def test_the_machine_busy_time_grows_with_work_and_is_none_without_proc_stat(tmp_path):
    before = cpu_profile.machine_busy_seconds()
    subprocess.run([sys.executable, "-c", "sum(i * i for i in range(5_000_000))"], check=True)
    after = cpu_profile.machine_busy_seconds()
    assert before is not None and after - before > 0.1, (before, after)  # this test suite runs on Linux
    (tmp_path / "other").write_text("intr 1 2 3\n", encoding="ascii")
    assert cpu_profile.machine_busy_seconds(tmp_path / "other") is None
    assert cpu_profile.machine_busy_seconds(tmp_path / "missing") is None


def test_it_runs_the_suite_as_make_test_does():
    """The profile is of the run `make test` makes: the same workers and distribution."""
    from tools import course

    makefile = (course.ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    (command,) = [line.split("-m pytest", 1)[1].split() for line in recipe.splitlines() if "-m pytest" in line]
    assert [argument for argument in command if not argument.startswith("--durations")] == cpu_profile.SUITE
