"""tools/forked_kernels.py: nbval's kernels are forks of a server that imported their modules.

The server here preloads ``colorsys``, a module that no kernel imports by itself, so that a
kernel can tell whether it was forked (the module is already loaded) or started on its own.
"""

import json
import os
import time
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

from tools import course, cpu_profile, forked_kernels

pytestmark = pytest.mark.skipif(not forked_kernels.supported(), reason="kernels are forked on Linux only")

MARK = "colorsys"  # preloaded by this module's server only


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kernels")
    with forked_kernels.server(folder, preload=["ipykernel.kernelapp", "matplotlib.pyplot", MARK]) as started:
        yield {"socket": started["socket"], "jupyter_path": str(forked_kernels.kernel_spec(folder))}


def start(jupyter_path: str, cwd: Path, environment: dict[str, str]) -> KernelManager:
    """Start the forked-kernel spec as nbval does, with the given variables set."""
    manager = KernelManager(
        kernel_name=forked_kernels.KERNEL_NAME,
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(Path(jupyter_path) / "kernels")]),
    )
    manager.start_kernel(cwd=str(cwd), env={**os.environ, **environment})
    return manager


def run(manager: KernelManager, code: str, timeout: float = 60) -> dict:
    """Run ``code`` in the kernel; return the JSON that its last line printed, or the error."""
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
        printed, error = [], None

        def collect(message):
            nonlocal error
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])
            elif message["msg_type"] == "error":
                error = message["content"]["ename"]

        client.execute_interactive(code, timeout=timeout, output_hook=collect)
        return {"error": error} if error else json.loads("".join(printed).splitlines()[-1])
    finally:
        client.stop_channels()


REPORT = (
    "import json, os, sys\n"
    f"print(json.dumps({{'forked': {MARK!r} in sys.modules, 'pid': os.getpid(), 'cwd': os.getcwd(),\n"
    "    'path0': sys.path[0], 'mark': os.environ.get('FORKED_KERNEL_TEST')}))"
)


def test_a_kernel_is_a_fork_of_the_server_with_the_launchers_folder_and_variables(server, tmp_path):
    first = start(
        server["jupyter_path"], tmp_path, {forked_kernels.ENVIRONMENT: server["socket"], "FORKED_KERNEL_TEST": "1"}
    )
    second = start(
        server["jupyter_path"], tmp_path, {forked_kernels.ENVIRONMENT: server["socket"], "FORKED_KERNEL_TEST": "2"}
    )
    try:
        one, two = run(first, REPORT), run(second, REPORT)
    finally:
        first.shutdown_kernel(now=True)
        second.shutdown_kernel(now=True)
    assert one["forked"] and two["forked"], (one, two)
    assert one["pid"] != two["pid"] and os.getpid() not in (one["pid"], two["pid"])
    assert (one["mark"], two["mark"]) == ("1", "2")
    assert one["cwd"] == str(tmp_path) and one["path0"] in (str(tmp_path), "")


def test_a_figure_shows_inline_as_in_a_kernel_of_its_own(server, tmp_path):
    # The server imports pyplot before any shell exists (Keras does); ipykernel's backend must
    # still be the one a figure is drawn with, after the fork.
    manager = start(server["jupyter_path"], tmp_path, {forked_kernels.ENVIRONMENT: server["socket"]})
    try:
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        shown = []

        def collect(message):
            if message["msg_type"] == "display_data":
                shown.extend(message["content"]["data"])

        code = "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()"
        client.execute_interactive(code, timeout=60, output_hook=collect)
        client.stop_channels()
        backend = run(manager, "import json, matplotlib; print(json.dumps(matplotlib.get_backend()))")
    finally:
        manager.shutdown_kernel(now=True)
    assert "image/png" in shown, shown
    assert "inline" in backend, backend


def test_without_a_server_or_with_other_import_settings_the_kernel_starts_on_its_own(server, tmp_path):
    alone = start(server["jupyter_path"], tmp_path, {forked_kernels.ENVIRONMENT: str(tmp_path / "no-server.sock")})
    other = start(
        server["jupyter_path"], tmp_path, {forked_kernels.ENVIRONMENT: server["socket"], "TF_ENABLE_ONEDNN_OPTS": "7"}
    )
    try:
        assert run(alone, REPORT)["forked"] is False
        assert run(other, REPORT)["forked"] is False
    finally:
        alone.shutdown_kernel(now=True)
        other.shutdown_kernel(now=True)


def test_an_interrupt_reaches_the_kernel_and_a_killed_launcher_takes_its_kernel_with_it(server, tmp_path):
    manager = start(server["jupyter_path"], tmp_path, {forked_kernels.ENVIRONMENT: server["socket"]})
    try:
        pid = run(manager, REPORT)["pid"]
        client = manager.client()
        client.start_channels()
        client.execute("import time; time.sleep(60)")
        time.sleep(1)
        started = time.monotonic()
        manager.interrupt_kernel()
        reply = client.get_shell_msg(timeout=30)
        client.stop_channels()
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
        assert time.monotonic() - started < 30
        assert run(manager, "print(1 + 1)") == 2  # still alive after the interrupt
    finally:
        manager.shutdown_kernel(now=True)  # kills the launcher, as nbval ends its kernels
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists(), "the forked kernel outlived its launcher"


def test_the_kernels_cpu_is_recorded_for_the_process_that_started_it(server, tmp_path):
    manager = start(
        server["jupyter_path"],
        tmp_path,
        {forked_kernels.ENVIRONMENT: server["socket"], cpu_profile.ENVIRONMENT: str(tmp_path)},
    )
    try:
        assert run(manager, "import json; print(json.dumps(sum(i * i for i in range(3_000_000)) > 0))") is True
    finally:
        manager.shutdown_kernel(now=True)
    record = tmp_path / f"kernels-{os.getpid()}.tsv"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not record.exists():
        time.sleep(0.05)
    seconds = cpu_profile.forked_kernels_cpu(tmp_path)
    assert 0.1 < seconds < 60, seconds
    assert not record.exists() and cpu_profile.forked_kernels_cpu(tmp_path) == 0.0


def test_the_session_runs_nbval_through_the_forked_kernel_spec(request):
    # The root conftest started a server for this session (in xdist's controller, before the
    # workers) if it can collect a notebook, and pyproject.toml names the spec that forks from it.
    assert forked_kernels.KERNEL_NAME in KernelSpecManager().find_kernel_specs()
    assert f"--nbval-kernel-name={forked_kernels.KERNEL_NAME}" in (course.ROOT / "pyproject.toml").read_text()
    server = os.environ.get(forked_kernels.ENVIRONMENT)
    if server == "none":  # turned off by hand (CONTRIBUTING.md)
        return
    if forked_kernels.may_run_notebooks(request.config.args, request.config.invocation_params.dir):
        assert server and Path(server).exists(), server
    else:
        assert not server, f"a server started for a run without notebooks: {server}"


def test_the_server_ends_with_the_session(tmp_path):
    with forked_kernels.server(tmp_path, preload=[MARK]) as started:
        assert Path(started["socket"]).exists() and Path(f"/proc/{started['pid']}").exists()
    assert not Path(started["socket"]).exists() and not Path(f"/proc/{started['pid']}").exists()


@pytest.mark.parametrize(
    "arguments, folder, expected",
    [
        (["tests"], ".", False),  # make unit
        (["utils", "tests/test_book.py::test_the_book_builds"], ".", False),
        (["test_book.py"], "tests", False),
        (["utils", "tests", "chapters", "labs"], ".", True),  # the testpaths: make test
        (["."], ".", True),
        (["chapters/00-setup.ipynb::Cell 0"], ".", True),
        (["01-diagnose-gradients.md"], "labs", True),  # a lab's book page, which nbval executes
        (["/elsewhere/probe.ipynb"], ".", True),
    ],
)
def test_the_server_starts_only_for_a_run_that_can_collect_a_notebook(arguments, folder, expected):
    assert forked_kernels.may_run_notebooks(arguments, course.ROOT / folder) is expected
