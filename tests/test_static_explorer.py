"""utils.static_explorer: a kernel-free explorer written as one block of HTML. The browser test moves its controls."""

import json
import re

import numpy as np
import pytest

from utils import static_explorer as se


def data_of(page):
    (payload,) = re.findall(r'<script type="application/json" class="tg-explorer-data">(.*?)</script>', page, re.S)
    return json.loads(payload.replace("<\\/", "</"))


def two_by_two(**view):
    controls = [se.Control("a", ("x", "y")), se.Control("b", ("1", "2"), value=1, kind="menu")]
    views = {(i, j): se.View([[se.Line([i, j, np.nan])]], **view) for i in range(2) for j in range(2)}
    return controls, views


def test_the_page_holds_controls_figure_data_and_script():
    controls, views = two_by_two()
    page = se.explorer_html(controls, [se.PanelStyle(title="{0}, {1}")], views, alt="setting {0} and {1}")
    assert page.count('<input type="range"') == 1 and page.count("<select") == 1
    assert "<option selected>2</option>" in page
    assert page.count('<svg class="tg-explorer-figure"') == 1
    identifier = re.search(r'<div class="tg-explorer" id="(tg-explorer-[0-9a-f]{12})">', page).group(1)
    assert page.rstrip().endswith(f'(document.getElementById("{identifier}"));</script>\n</div>')
    data = data_of(page)
    assert set(data["views"]) == {"0-0", "0-1", "1-0", "1-1"}
    assert data["alt"] == "setting {0} and {1}" and data["panels"][0]["title"] == "{0}, {1}"


def test_numbers_keep_three_digits_and_non_finite_values_become_gaps():
    views = {(0,): se.View([[se.Line([1 / 3, np.inf, -np.inf, np.nan, 12345.0])]])}
    data = data_of(se.explorer_html([se.Control("a", ("x",))], [se.PanelStyle()], views, alt=""))
    assert data["series"] == [[0.333, None, None, None, 12300.0]]


def test_views_share_identical_series_and_panel_parts():
    views = {(i,): se.View([[se.Line([1.0, 2.0])]]) for i in range(3)}
    data = data_of(se.explorer_html([se.Control("a", ("x", "y", "z"))], [se.PanelStyle()], views, alt=""))
    assert len(data["series"]) == 1 and len(data["parts"]) == 1
    assert set(map(tuple, data["views"].values())) == {(0,)}


def test_a_truncating_control_is_not_part_of_the_key():
    controls = [se.Control("depth", ("2", "5"), truncates=True), se.Control("b", ("p", "q"), kind="menu")]
    views = {(j,): se.View([[se.Line(np.arange(5.0))]]) for j in range(2)}
    data = data_of(se.explorer_html(controls, [se.PanelStyle()], views, alt=""))
    assert set(data["views"]) == {"0", "1"} and [c["truncates"] for c in data["controls"]] == [True, False]


def test_per_view_notes_titles_and_log_axes_are_kept():
    controls, views = two_by_two(notes=["a note"], log=[True], titles=["a title"])
    data = data_of(se.explorer_html(controls, [se.PanelStyle()], views, alt=""))
    assert {(p["note"], p["log"], p["title"]) for p in data["parts"]} == {("a note", True, "a title")}


def test_text_cannot_close_the_script_or_inject_markup():
    views = {(0,): se.View([[se.Line([1.0], label="</script><b>")]])}
    page = se.explorer_html([se.Control("<i>", ("<x>",))], [se.PanelStyle()], views, alt="</script>")
    assert page.count("</script>") == 2  # the data's and the script's own
    markup = re.sub(r'<script type="application/json".*?</script>', "", page, flags=re.S)  # the data is inert text
    assert "<i>" not in markup and "&lt;i&gt;" in markup and "&lt;x&gt;" in markup
    assert data_of(page)["alt"] == "</script>"


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: se.Control("a", ()), r"^options must hold at least one setting; got none$"),
        (lambda: se.Control("a", ("x",), value=1), r"^value must be an integer in \[0, 0\]; got 1$"),
        (lambda: se.Control("a", ("x",), kind="dial"), r"^kind must be one of 'slider', 'menu'; got 'dial'"),
        (lambda: se.Control("a", ("x", "0"), truncates=True), r"^options must be "),
        (
            lambda: se.explorer_html(
                [se.Control("a", ("x", "y"))], [se.PanelStyle()], {(0,): se.View([[se.Line([1])]])}, alt=""
            ),
            r"^views must hold a View for every setting of the controls; missing \[\(1,\)\]$",
        ),
        (
            lambda: se.explorer_html([se.Control("a", ("x",))], [], {(0,): se.View([[se.Line([1])]])}, alt=""),
            r"^panels must hold at least one PanelStyle; got none$",
        ),
        (
            lambda: se.explorer_html(
                [se.Control("a", ("x",))], [se.PanelStyle()] * 2, {(0,): se.View([[se.Line([1])]])}, alt=""
            ),
            r"^every View must give at least one line to each of the 2 panel\(s\)$",
        ),
        (
            lambda: se.explorer_html(["a"], [se.PanelStyle()], {(): se.View([[se.Line([1])]])}, alt=""),
            r"^controls must be a sequence of Control; got str$",
        ),
    ],
)
def test_bad_arguments_raise_one_line_errors(make, message):
    with pytest.raises(ValueError, match=message) as error:
        make()
    assert "\n" not in str(error.value)
