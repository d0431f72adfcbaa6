"""Repository-wide pytest setup.

Figures in the test process are drawn off-screen with Agg. This is set here,
not through MPLBACKEND, which notebook kernels would inherit (and lose their
inline figures). The chapters' and labs' sources are not executed by nbval:
nbval executes the notebooks generated from them (tools/render.py) and each lab's
book page, and the book build reuses those executions (tools/nbval_cache.py).

nbval starts its kernels with the kernel spec of :mod:`tools.forked_kernels`: forks of a
server that this file starts, which has already imported ipykernel, TensorFlow and Keras
(``TAMING_GRADIENTS_KERNEL_SERVER=none`` starts each kernel on its own instead). A run that
cannot collect a notebook (``make unit``: ``pytest tests``) starts no server.

Notebook kernels inherit ``TAMING_GRADIENTS_STRICT=1``: a claim that a notebook
states about its measurements (utils.report.claim) raises instead of printing.
"""

import gc
import os

import matplotlib
import pytest

from utils import report

matplotlib.use("Agg")
os.environ[report.STRICT_ENVIRONMENT] = "1"


def pytest_configure(config: pytest.Config) -> None:
    # nbval's kernels (--nbval-kernel-name, pyproject.toml) are forks of one process that has
    # imported TensorFlow (tools/forked_kernels.py). Started here, in pytest-xdist's controller or
    # the only process, before the workers, which inherit the variables that point to it.
    if not hasattr(config, "workerinput"):
        _start_kernel_server(config)
    # TensorFlow loads once, quietly and with the course's settings, before a test module imports
    # keras or tensorflow itself (as the notebooks' setup cell does before theirs). Not in
    # pytest-xdist's controller, which runs no test: its workers start about 5 s sooner.
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        return
    import utils._tensorflow  # noqa: F401


# nbval also executes each lab's book page, and every executed page fills the book's cache.
pytest_plugins = ["tools.nbval_cache"]

collect_ignore_glob = ["chapters/source/*", "labs/source/*", "_build/*", ".venv/*"]


def _start_kernel_server(config: pytest.Config) -> None:
    """Write the forked kernels' kernel spec and, where kernels can fork, start their server."""
    import contextlib
    import shutil
    import tempfile
    from pathlib import Path

    from tools import forked_kernels

    folder = Path(tempfile.mkdtemp(prefix="taming-gradients-kernels-"))
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        filter(None, [str(forked_kernels.kernel_spec(folder)), os.environ.get("JUPYTER_PATH")])
    )
    stack = contextlib.ExitStack()
    stack.callback(shutil.rmtree, folder, ignore_errors=True)
    runs_notebooks = forked_kernels.may_run_notebooks(config.args, config.invocation_params.dir)
    if runs_notebooks and forked_kernels.supported() and not os.environ.get(forked_kernels.ENVIRONMENT):
        server = stack.enter_context(forked_kernels.server(folder))
        os.environ[forked_kernels.ENVIRONMENT] = server["socket"]
    config.add_cleanup(stack.close)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    # What is loaded by now (TensorFlow, Keras, the collected tests: about 440,000 objects) lives to
    # the end of the run. Frozen, it is no longer walked by each full collection of the cyclic
    # garbage collector, which a worker runs dozens of times as its tests build and drop models:
    # on four of the check and unit test files, 3 to 4 CPU s of garbage collection instead of 5 to 9.
    gc.freeze()
