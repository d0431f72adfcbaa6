"""Run a notebook under other seeds and numeric setups; compare what its text quotes.

The numbers a page quotes are glued (:mod:`utils.report`), and the claims its text
makes about them are stated with ``report.claim``. This tool executes a generated
notebook (``chapters/<name>.ipynb`` or ``labs/<name>.ipynb``) once per setup and
prints, for every glued value, what each setup computed, and every claim that did
not hold. An author runs it before wording a claim, and quotes it in a closing note.

The setups:

``baseline``
    The notebook as the book runs it (seed 42, oneDNN off).
``seed 0``, ``seed 1``, ``seed 2``
    Every ``setup.set_seed`` call shifted so that the default seed 42 becomes 0, 1
    or 2 (``TAMING_GRADIENTS_SEED_OFFSET``; seeds given directly to an initializer
    or a NumPy generator are not shifted).
``oneDNN on``
    ``TF_ENABLE_ONEDNN_OPTS=1``: TensorFlow's oneDNN kernels, which sum in another
    order, as on many learners' machines.
``1 thread``
    TensorFlow limited to one intra-op and one inter-op thread (a first cell calls
    ``tf.config.threading`` before anything else runs) and ``OMP_NUM_THREADS=1``:
    another reduction order again.

Usage::

    python -m tools.robustness chapters/01-vanishing-exploding-gradients.ipynb
    python -m tools.robustness labs/03-activations-from-scratch.ipynb --setups baseline "seed 0"

It writes the values to ``_build/robustness/<name>.json`` too.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

from tools import course, forked_kernels

GLUE_MIME = "application/papermill.record/text/plain"
CLAIM_MARK = "⚠️ Your run differs from the text here"
ONE_THREAD = (
    "import os\n"
    "from utils._tensorflow import tf\n"
    "tf.config.threading.set_intra_op_parallelism_threads(1)\n"
    "tf.config.threading.set_inter_op_parallelism_threads(1)\n"
    "assert tf.config.threading.get_intra_op_parallelism_threads() == 1"
)
# Each setup: extra environment variables, and code run in a first cell (or None).
SETUPS: dict[str, tuple[dict[str, str], str | None]] = {
    "baseline": ({}, None),
    "seed 0": ({"TAMING_GRADIENTS_SEED_OFFSET": "-42"}, None),
    "seed 1": ({"TAMING_GRADIENTS_SEED_OFFSET": "-41"}, None),
    "seed 2": ({"TAMING_GRADIENTS_SEED_OFFSET": "-40"}, None),
    "oneDNN on": ({"TF_ENABLE_ONEDNN_OPTS": "1"}, None),
    "1 thread": ({"OMP_NUM_THREADS": "1"}, ONE_THREAD),
}


def run(path: Path, environment: dict[str, str], prelude: str | None = None) -> dict[str, Any]:
    """Execute one notebook with extra environment variables (and a first cell).

    Return its glued values and failed claims.
    """
    notebook = nbformat.read(path, as_version=4)
    if prelude:
        notebook.cells.insert(0, nbformat.v4.new_code_cell(prelude))
    saved = {key: os.environ.get(key) for key in [*environment, "TAMING_GRADIENTS_STRICT"]}
    os.environ.pop("TAMING_GRADIENTS_STRICT", None)  # a false claim prints a line instead of raising
    os.environ.update(environment)
    started = time.perf_counter()
    # Under pytest a kernel forks from the test run's server (tools/forked_kernels.py) where this
    # setup's import-time variables are the server's, and starts on its own otherwise.
    kernel = forked_kernels.KERNEL_NAME if os.environ.get(forked_kernels.ENVIRONMENT) else "python3"
    try:
        NotebookClient(
            notebook, timeout=600, kernel_name=kernel, resources={"metadata": {"path": str(path.parent)}}
        ).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    values: dict[str, Any] = {}
    claims: list[str] = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if GLUE_MIME in data:
                text = data[GLUE_MIME]
                try:
                    values[output["metadata"]["scrapbook"]["name"]] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    values[output["metadata"]["scrapbook"]["name"]] = text
            text = output.get("text", "")
            claims += [line for line in text.splitlines() if line.startswith(CLAIM_MARK)]
    return {"values": values, "failed_claims": claims, "seconds": round(time.perf_counter() - started, 1)}


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--setups", nargs="*", default=list(SETUPS), choices=list(SETUPS))
    args = parser.parse_args(argv)
    path = args.notebook.resolve()
    results = {}
    for name in args.setups:
        print(f"running {path.name}: {name} ...", flush=True)
        results[name] = run(path, *SETUPS[name])
    keys = sorted({key for result in results.values() for key in result["values"]})
    width = max([len(key) for key in keys] + [10])
    print(f"\n{'glued value':<{width}} " + " ".join(f"{name:>10}" for name in results))
    for key in keys:
        row = [_shown(result["values"].get(key, "—")) for result in results.values()]
        print(f"{key:<{width}} " + " ".join(f"{value:>10}" for value in row))
    print()
    for name, result in results.items():
        verdict = "every claim holds" if not result["failed_claims"] else "; ".join(result["failed_claims"])
        print(f"{name} ({result['seconds']} s): {verdict}")
    out = course.ROOT / "_build" / "robustness" / f"{path.stem}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"\nwrote {out.relative_to(course.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
