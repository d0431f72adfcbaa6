"""utils.report: glued values as MyST-NB writes them, scientific notation, claims."""

from __future__ import annotations

import numpy as np
import pytest

from utils import report


def displayed(monkeypatch):
    calls = []
    monkeypatch.setattr("IPython.display.display", lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


def test_glue_writes_the_output_of_myst_nb_glue_with_display_false(monkeypatch):
    from myst_nb import glue as myst_glue

    ours, theirs = [], []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: ours.append((a, k)))
    report.glue(final_loss=np.float32(0.25))
    monkeypatch.setattr("myst_nb.ext.glue.ipy_display", lambda *a, **k: theirs.append((a, k)))
    myst_glue("final_loss", 0.25, display=False)
    assert ours == theirs
    (bundle,), options = ours[0]
    assert bundle == {"application/papermill.record/text/plain": "0.25"}
    assert options["metadata"]["scrapbook"] == {"name": "final_loss", "mime_prefix": "application/papermill.record/"}


def test_glue_keeps_integers_and_strings_as_the_role_formats_them(monkeypatch):
    calls = displayed(monkeypatch)
    report.glue(steps=np.int64(340), ratio="2.2 × 10⁻²")
    texts = [args[0]["application/papermill.record/text/plain"] for args, _ in calls]
    assert texts == ["340", "'2.2 × 10⁻²'"]
    # MyST-NB formats text/plain with literal_eval + format(): the int takes ",d", the str passes through.
    from myst_nb.core.variables import format_plain_text

    assert format_plain_text(texts[0], ",d") == "340" and format_plain_text(texts[1], "") == "2.2 × 10⁻²"


@pytest.mark.parametrize(
    "values, message",
    [
        ({}, "glue needs at least one name=value pair; got none"),
        ({"loss": [1.0]}, "glue value loss must be a number or a str; got list"),
        ({"flag": True}, "glue value flag must be a number or a str; got bool"),
        ({"array": np.zeros(3)}, "glue value array must be a number or a str; got ndarray"),
    ],
)
def test_glue_rejects_bad_values(values, message, monkeypatch):
    displayed(monkeypatch)
    with pytest.raises(ValueError, match=message):
        report.glue(**values)


@pytest.mark.parametrize(
    "value, digits, text",
    [
        (0.022, 2, "2.2 × 10⁻²"),
        (7.2e5, 1, "7 × 10⁵"),
        (-3.16e-12, 2, "−3.2 × 10⁻¹²"),
        (1.0, 2, "1.0"),
        (9.96e4, 2, "1.0 × 10⁵"),
        (float("nan"), 2, "nan"),
        (float("-inf"), 2, "−inf"),
    ],
)
def test_sci(value, digits, text):
    assert report.sci(value, digits) == text


@pytest.mark.parametrize("digits", [0, -1, 1.5, True])
def test_sci_rejects_bad_digits(digits):
    with pytest.raises(ValueError, match="digits must be a positive integer; got"):
        report.sci(1.0, digits)


def test_a_claim_that_holds_is_silent(capsys, monkeypatch):
    monkeypatch.setenv(report.STRICT_ENVIRONMENT, "1")
    assert report.claim(np.float64(0.1) < 0.2, "the network stays at chance") is None
    assert capsys.readouterr().out == ""


def test_a_false_claim_raises_in_the_book_build_and_the_tests(monkeypatch):
    monkeypatch.setenv(report.STRICT_ENVIRONMENT, "1")
    with pytest.raises(report.ClaimError, match="the text claims that the network stays at chance, and this run"):
        report.claim(np.bool_(False), "the network stays at chance")


def test_a_false_claim_prints_one_line_for_a_learner(capsys, monkeypatch):
    monkeypatch.delenv(report.STRICT_ENVIRONMENT, raising=False)
    assert report.claim(False, "the network stays at chance") is None
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "does not show that the network stays at chance" in out


@pytest.mark.parametrize(
    "holds, statement, message",
    [
        (1, "x", "holds must be a bool; got int"),
        (np.array([True]), "x", "holds must be a bool; got ndarray"),
        (True, "", "statement must be a non-empty str"),
        (True, None, "statement must be a non-empty str"),
    ],
)
def test_claim_rejects_bad_arguments(holds, statement, message):
    with pytest.raises(ValueError, match=message):
        report.claim(holds, statement)
