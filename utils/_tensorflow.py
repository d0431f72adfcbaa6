"""Import TensorFlow and Keras once, without their native log lines.

Every module of :mod:`utils` that needs TensorFlow imports it from here, so the
course's notebooks stay free of the lines TensorFlow's C++ runtime writes to
standard error ("Could not find cuda drivers", "failed call to cuInit",
oneDNN notices). Those lines bypass Python, so in Jupyter they land in cell
outputs, and from there in the book.

Two measures are needed, because the environment variables alone do not catch
the lines written before TensorFlow initializes its logging:

1. ``TF_CPP_MIN_LOG_LEVEL=2`` and ``TF_ENABLE_ONEDNN_OPTS=0``, set before the
   import (only where the user has not set them already);
2. the import and the device discovery run with the process's standard-error
   file descriptor pointed at ``os.devnull``. Python exceptions still propagate.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

QUIET_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "KERAS_BACKEND": "tensorflow",
}


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send what native code writes to file descriptor 2 to ``os.devnull``."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        # No usable file descriptor 2 (some embedded interpreters): nothing to do.
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


for _name, _value in QUIET_ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)

with native_stderr_silenced():
    import keras
    import tensorflow as tf

    # Device discovery prints its own lines (cuInit on machines without a GPU).
    tf.config.list_physical_devices()

__all__ = ["keras", "native_stderr_silenced", "tf"]
