"""Repository-wide pytest setup.

Figures in the test process are drawn off-screen with Agg. This is set here,
not through MPLBACKEND, which notebook kernels would inherit (and lose their
inline figures). The chapters' and labs' sources are not executed by nbval:
nbval executes the notebooks generated from them (tools/render.py) and each lab's
book page, and the book build reuses those executions (tools/nbval_cache.py).

Notebook kernels inherit ``TAMING_GRADIENTS_STRICT=1``: a claim that a notebook
states about its measurements (utils.report.claim) raises instead of printing.
"""

import os

import matplotlib
import pytest

from utils import report

matplotlib.use("Agg")
os.environ[report.STRICT_ENVIRONMENT] = "1"


def pytest_configure(config: pytest.Config) -> None:
    # TensorFlow loads once, quietly and with the course's settings, before a test module imports
    # keras or tensorflow itself (as the notebooks' setup cell does before theirs). Not in
    # pytest-xdist's controller, which runs no test: its workers start about 5 s sooner.
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        return
    import utils._tensorflow  # noqa: F401


# nbval also executes each lab's book page, and every executed page fills the book's cache.
pytest_plugins = ["tools.nbval_cache"]

collect_ignore_glob = ["chapters/source/*", "labs/source/*", "_build/*", ".venv/*"]
