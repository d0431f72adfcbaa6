"""Exercise checks for the labs: immediate, specific feedback, never a traceback.

Each lab exercise is followed by a cell that calls one check, for example
``checks.check_gradient_norms(my_gradient_norms)``. A check runs the learner's
code on a few inputs and prints one of:

- ``✅ Exercise 1.1 passed: ...``
- ``❌ Exercise 1.1: expected ..., found ... Hint: ...``
- ``⏳ Exercise 1.1: not done yet ...`` (the stub still holds ``...``, returns
  None, or raises ``NotImplementedError``)
- ``⚠️ Exercise 1.1: your code raised ...`` (one line, with the input that
  triggered it)

It returns a :class:`CheckResult`, which tests can assert on and which
displays nothing more in a notebook. A NaN or an infinity in what a check
inspects fails it; an error raised by the learner's objects, wherever the check
uses them, is reported as theirs ("your code raised ...", the root error only).

The course cells after an exercise run inside :func:`answer_cell`, so that a
wrong or missing answer prints one line there too. Importing this package in
IPython also shows a ``NameError`` as one line that names the cell to run first
(:func:`~utils.checks._framework.install_name_feedback`), for a check run before
its exercise cell.

The framework lives in :mod:`utils.checks._framework`; each lab's checks in
:mod:`utils.checks.lab1`, :mod:`~utils.checks.lab2`, :mod:`~utils.checks.lab3`,
:mod:`~utils.checks.lab4` and :mod:`~utils.checks.lab5`.
Everything a lab calls is re-exported here, with what a check runs on and how it
writes what it found (:func:`~utils.checks._framework.digits_batch`,
:func:`~utils.checks._framework.format_array`,
:func:`~utils.checks._framework.missing_name_message`), for tests and teachers.
"""

from utils.checks._framework import (
    CheckResult,
    Failed,
    NotDone,
    StudentError,
    answer_cell,
    call_student,
    digits_batch,
    exercise_check,
    format_array,
    install_name_feedback,
    is_unfinished,
    learner_code,
    missing_name_message,
    require_finished,
    require_finite,
)
from utils.checks.lab1 import (
    build_mystery_models,
    check_barely_moved,
    check_fixed_network,
    check_gradient_norms,
    check_mystery_diagnosis,
    check_relative_change,
    train_fix_candidate,
)
from utils.checks.lab2 import (
    RECOMMENDED_SCHEME,
    check_compute_fans,
    check_initializer,
    check_initializer_matching,
    check_tanh_initializer,
    check_variance_scaling,
)
from utils.checks.lab3 import (
    build_dead_network,
    check_activation,
    check_dead_unit_count,
    check_revived_network,
    check_rrelu_layer,
    check_self_normalizing,
)
from utils.checks.lab4 import check_gain, check_gelu, check_swish_layer
from utils.checks.lab5 import (
    build_deep_runs,
    check_batch_norm,
    check_clip_by_global_norm,
    check_remedies,
    check_residual_block,
)

install_name_feedback()

__all__ = [
    "RECOMMENDED_SCHEME",
    "CheckResult",
    "Failed",
    "NotDone",
    "StudentError",
    "answer_cell",
    "build_dead_network",
    "build_deep_runs",
    "build_mystery_models",
    "call_student",
    "check_activation",
    "check_barely_moved",
    "check_batch_norm",
    "check_clip_by_global_norm",
    "check_compute_fans",
    "check_dead_unit_count",
    "check_fixed_network",
    "check_gain",
    "check_gelu",
    "check_gradient_norms",
    "check_initializer",
    "check_initializer_matching",
    "check_mystery_diagnosis",
    "check_relative_change",
    "check_remedies",
    "check_residual_block",
    "check_revived_network",
    "check_rrelu_layer",
    "check_self_normalizing",
    "check_swish_layer",
    "check_tanh_initializer",
    "check_variance_scaling",
    "digits_batch",
    "exercise_check",
    "format_array",
    "is_unfinished",
    "learner_code",
    "missing_name_message",
    "require_finished",
    "require_finite",
    "train_fix_candidate",
]
