r"""Notebook kernels forked from a process that has already imported TensorFlow and Keras.

Every notebook's first cell imports TensorFlow and Keras (``utils.setup``), which costs a
fresh kernel about 5 CPU seconds before it runs a line of the notebook, and the test run
executes 16 notebooks on 2 cores. Under pytest (the root ``conftest.py``), nbval starts its
kernels through this module instead: a server process imports what every notebook's setup
cell imports, once, and each kernel is a fork of it. The kernel is still a new process that
runs every cell of its notebook from the first; only the imports' work is shared.

Three processes are involved::

    nbval --starts--> launcher (python tools/forked_kernels.py -f CONNECTION_FILE)
                         |  its arguments, environment, working folder and standard streams
                         v
    server (python -m tools.forked_kernels --serve SOCKET), imported TensorFlow once
       --fork--> handler --fork--> kernel (ipykernel, with the launcher's arguments,
                                          environment, folder and streams)

* the launcher is the process jupyter_client manages: a signal it gets (an interrupt, a
  termination) goes to the kernel, and it exits with the kernel's exit status;
* the handler waits for either the kernel's exit or the launcher's end: when the launcher
  dies (killed), the kernel is killed too;
* without a server (``TAMING_GRADIENTS_KERNEL_SERVER`` unset, ``none`` or not listening; not Linux),
  the launcher runs ``ipykernel_launcher`` itself, as nbval's own kernel spec does.

The outputs are those of a kernel of its own (all 16 notebooks compared, timings aside): the
server makes the setup cell's imports with the same import-time settings, ipykernel's
``MPLBACKEND`` included, and runs no TensorFlow operation before the fork. When
``TAMING_GRADIENTS_CPU_PROFILE`` names a folder (:mod:`tools.cpu_profile`), the handler records
the kernel's CPU seconds there, and the profile adds them to the notebook's last cell.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

ENVIRONMENT = "TAMING_GRADIENTS_KERNEL_SERVER"  # the server's socket
KERNEL_NAME = "taming-gradients-forked"
PROFILE_ENVIRONMENT = "TAMING_GRADIENTS_CPU_PROFILE"  # tools.cpu_profile.ENVIRONMENT
RELAYED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"  # ipykernel's MPLBACKEND
# What a notebook's setup cell imports (utils.setup: TensorFlow and Keras, quietly), and ipykernel.
PRELOAD = ("ipykernel.kernelapp", "utils._tensorflow")
MESSAGE_BYTES = 1 << 20  # one request: arguments, environment and folder (well under this)


def may_run_notebooks(arguments: Sequence[str], folder: Path) -> bool:
    """Whether a pytest run given these paths (``config.args``, from ``folder``) can collect a notebook.

    A chapter or lab notebook, a lab's book page, a folder that holds or is inside ``chapters/`` or
    ``labs/``, or any ``.ipynb``: a run of unit tests alone (``make unit``: ``tests``) needs no
    server, whose imports cost about 6 CPU seconds.

    Examples
    --------
    >>> from tools import course
    >>> may_run_notebooks(["tests", "utils/diagnostics.py::utils.diagnostics.gradient_norms"], course.ROOT)
    False
    >>> may_run_notebooks(["tests/test_book.py", "labs"], course.ROOT)
    True
    """
    from tools import course

    notebook_folders = [course.ROOT / "chapters", course.ROOT / "labs"]
    for argument in arguments:
        path = (folder / argument.split("::")[0]).resolve()
        inside = any(root == path or root in path.parents for root in notebook_folders)
        if path.suffix == ".ipynb" or (path.suffix == ".md" and inside):  # a lab's book page
            return True
        if path.is_dir() and (inside or any(path in root.parents for root in notebook_folders)):
            return True
    return False


def supported() -> bool:
    """Whether kernels can be forked here: Linux's pidfd and file descriptor passing."""
    return sys.platform == "linux" and hasattr(os, "pidfd_open") and hasattr(socket, "send_fds")


# --------------------------------------------------------------------------------------------
# The server and its handlers
# --------------------------------------------------------------------------------------------


def serve(path: str, preload: Sequence[str] = PRELOAD) -> None:
    """Import the ``preload`` modules, then fork a handler for each launcher that connects."""
    main_folder = sys.path[0]  # `python -m` put the server's folder first; a kernel gets its own
    parent = os.getppid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(64)  # launchers that connect while the imports run wait for them
    # What ipykernel sets before a kernel runs its first cell, which Keras' import of pyplot reads.
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    for module in preload:
        importlib.import_module(module)
    # The imports' objects live as long as every kernel: the kernels' full garbage collections
    # skip them, and do not write to the pages the forks share with this process.
    gc.freeze()
    listener.settimeout(1.0)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # handlers are reaped by the system
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while os.getppid() == parent:  # ends with the test session that started it
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
        if os.fork() == 0:
            listener.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                _handle(connection, main_folder)
            finally:
                os._exit(1)
        connection.close()


def _handle(connection: socket.socket, main_folder: str) -> None:
    """Fork the kernel, relay the launcher's signals to it, report how it ended."""
    connection.settimeout(None)
    message, streams, _, _ = socket.recv_fds(connection, MESSAGE_BYTES, 3)
    request = json.loads(message)
    if _import_settings(request["env"]) != _import_settings(os.environ):
        connection.send(json.dumps({"fork": False}).encode())  # the launcher starts a kernel of its own
        os._exit(0)
    pid = os.fork()
    if pid == 0:
        connection.close()
        _become_kernel(request, streams, main_folder)
    for stream in streams:
        os.close(stream)
    connection.send(json.dumps({"fork": True, "pid": pid}).encode())
    kernel = os.pidfd_open(pid)
    while True:
        ready, _, _ = select.select([connection, kernel], [], [])
        if kernel in ready:
            _, status, usage = os.wait4(pid, 0)
            _record_cpu(request, usage)
            with contextlib.suppress(OSError):
                connection.send(json.dumps({"status": os.waitstatus_to_exitcode(status)}).encode())
            os._exit(0)
        data = connection.recv(64)
        if not data:  # the launcher is gone (killed, as jupyter_client ends kernels): so is its kernel
            os.kill(pid, signal.SIGKILL)
            _record_cpu(request, os.wait4(pid, 0)[2])
            os._exit(0)
        os.kill(pid, int(data))


def _import_settings(environment) -> dict[str, str]:
    """Return the variables that TensorFlow, Keras, NumPy's BLAS or Python read when they start.

    A kernel is forked only from a server that started with the same ones: otherwise its
    imports would not be the ones a kernel of its own would have made.
    """
    prefixes = ("TF_", "KERAS_", "CUDA_", "OMP_", "OPENBLAS_", "MKL_", "PYTHON", "MPL")
    settings = {name: value for name, value in environment.items() if name.startswith(prefixes)}
    return {"MPLBACKEND": INLINE_BACKEND, **settings}  # ipykernel's default, unless the variable is set


def _become_kernel(request: dict, streams: list[int], main_folder: str) -> None:
    """Run ipykernel as ``python -m ipykernel_launcher ARGS`` would, in the launcher's setting."""
    code = 1
    try:
        for target, stream in enumerate(streams):
            os.dup2(stream, target)
            os.close(stream)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        if sys.path and sys.path[0] == main_folder:
            sys.path[0] = request["cwd"]  # as `python -m` puts the kernel's folder first
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        for signum in RELAYED_SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


# --------------------------------------------------------------------------------------------
# The launcher (the kernel spec's command) and the session's server
# --------------------------------------------------------------------------------------------


def launch(arguments: list[str]) -> int:
    """Start a kernel with ``arguments`` (``-f CONNECTION_FILE``): forked if a server listens."""
    path = os.environ.get(ENVIRONMENT)
    command = [sys.executable, "-m", "ipykernel_launcher", *arguments]
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) if supported() and path else None
    try:
        if connection is None:
            raise OSError("no server")
        connection.connect(path)
    except OSError:
        os.execv(sys.executable, command)  # a kernel of its own, as nbval's kernel spec starts
    request = {"argv": arguments, "env": dict(os.environ), "cwd": os.getcwd(), "parent": os.getppid()}
    socket.send_fds(connection, [json.dumps(request).encode()], [0, 1, 2])
    for signum in RELAYED_SIGNALS:
        signal.signal(signum, lambda signum, _: connection.send(str(signum).encode()))
    started = connection.recv(4096)
    if not started or not json.loads(started)["fork"]:
        # The server ended before forking, or its imports were made with other settings.
        os.execv(sys.executable, command)
    ended = connection.recv(4096)
    return json.loads(ended)["status"] if ended else 1


def _record_cpu(request: dict, usage) -> None:
    """Append the kernel's CPU seconds to the folder of tools.cpu_profile, if it takes a profile.

    The file is named after the process that started the launcher (the pytest worker), which
    adds the kernel's CPU to its test's: the kernel is not among that process's children.
    """
    folder = request["env"].get(PROFILE_ENVIRONMENT)
    if folder and Path(folder).is_dir():
        with open(Path(folder) / f"kernels-{request['parent']}.tsv", "a", encoding="utf-8") as out:
            out.write(f"{usage.ru_utime + usage.ru_stime:.3f}\n")


@contextlib.contextmanager
def server(folder: Path, preload: Sequence[str] = PRELOAD) -> Iterator[dict[str, str]]:
    """Run a server while the context lasts; yield its ``socket`` path and process ``pid``.

    Kernels fork from it when their launcher finds :data:`ENVIRONMENT` set to ``socket``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"server-{os.getpid()}.sock"
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.forked_kernels", "--serve", str(path), *preload], cwd=Path(__file__).parents[1]
    )
    deadline = time.monotonic() + 30
    while not path.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield {"socket": str(path), "pid": process.pid}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def kernel_spec(folder: Path) -> Path:
    """Write the kernel spec whose command is this module's launcher; return the Jupyter path."""
    spec = folder / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, str(Path(__file__).resolve()), "-f", "{connection_file}"],
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "metadata": {"debugger": True},
            }
        ),
        encoding="utf-8",
    )
    return folder


def main(arguments: list[str] | None = None) -> int:
    """``--serve SOCKET [MODULE ...]`` runs a server; anything else is a kernel's arguments."""
    arguments = sys.argv[1:] if arguments is None else arguments
    if arguments[:1] == ["--serve"] and len(arguments) >= 2:
        serve(arguments[1], arguments[2:] or PRELOAD)
        return 0
    return launch(arguments)


if __name__ == "__main__":
    sys.exit(main())
