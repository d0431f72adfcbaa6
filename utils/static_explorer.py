"""The book's explorers: plain HTML controls over views measured when the page is built.

Without a kernel, an explorer cannot measure anything when a control moves. So
:mod:`utils.widgets` measures every setting its book controls offer when the
notebook runs, and this module writes the result as one self-contained block of
HTML: a ``<select>`` or a range slider per control, an SVG figure, the numbers as
JSON, and a small script (``static_explorer.js``) that redraws the figure from
them. It needs no kernel, no library and no network, so it works in the built
book, offline. In Jupyter and Colab the live widget is shown instead (the
explorer's display offers both; see :mod:`utils.widgets`).
"""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from utils import _validation

__all__ = ["Control", "Line", "PanelStyle", "View", "explorer_html"]

_KINDS = ("slider", "menu")


@dataclass(frozen=True)
class Control:
    """One control of a book explorer.

    Attributes
    ----------
    label : str
        What the control sets, shown beside it.
    options : tuple of str
        The settings it offers, as shown.
    value : int
        Index of the starting setting.
    kind : str
        ``"slider"`` (ordered settings) or ``"menu"``.
    truncates : bool
        The options are whole numbers N, and every line shows its first N
        points only: a depth control over per-layer measurements whose first
        layers do not depend on the depth. The views then do not depend on it.
    """

    label: str
    options: tuple[str, ...]
    value: int = 0
    kind: str = "slider"
    truncates: bool = False

    def __post_init__(self) -> None:
        """Check the settings."""
        if not self.options:
            raise ValueError("options must hold at least one setting; got none")
        _validation.check_int(self.value, "value", minimum=0, maximum=len(self.options) - 1)
        _validation.check_choice(self.kind, "kind", _KINDS)
        if self.truncates:
            for option in self.options:
                _validation.check_int(int(option) if option.isdigit() else option, "options", minimum=1)


@dataclass(frozen=True)
class PanelStyle:
    """What one panel shows whatever the setting. ``{0}``, ``{1}``, ... in a text stand for the controls' settings."""

    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    log: bool = False
    hlines: Sequence[tuple[float, str | None]] = ()
    height: int = 320


@dataclass(frozen=True)
class Line:
    """A curve: ``y`` against ``x`` (1, 2, ... when None); NaN, inf and, on a log axis, 0 are gaps."""

    y: Any
    x: Any = None
    label: str | None = None
    style: int | None = None


@dataclass(frozen=True)
class View:
    """What the panels show for one setting of the controls.

    Attributes
    ----------
    lines : sequence of sequence of Line
        The lines of each panel.
    notes : sequence of str
        A note in the lower left corner of each panel (``""`` for none).
    log : sequence of bool or None
        Per panel, a log axis for this view only; None keeps the panel's style.
    titles : sequence of str or None
        Per panel, a title for this view only; None keeps the panel's style.
    """

    lines: Sequence[Sequence[Line]]
    notes: Sequence[str] = ()
    log: Sequence[bool | None] = ()
    titles: Sequence[str | None] = ()


def _numbers(values: Any) -> list[float | None]:
    """Three significant digits (finer than a figure shows); NaN and inf become null (a gap in the line)."""
    array = np.asarray(values, dtype=float).ravel()
    return [float(f"{v:.3g}") if np.isfinite(v) else None for v in array]


class _Interned:
    """Values written once and referred to by index, since many views share them."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.index: dict[str, int] = {}

    def ref(self, value: Any) -> int:
        key = json.dumps(value, separators=(",", ":"))
        if key not in self.index:
            self.index[key] = len(self.items)
            self.items.append(value)
        return self.index[key]


class _Series(_Interned):
    """Number series, each array rounded once: many views show the same one (an activation's curve)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrays: dict[bytes, int] = {}

    def ref_array(self, values: Any) -> int:
        array = np.asarray(values, dtype=float).ravel()
        key = array.tobytes()
        if key not in self.arrays:
            self.arrays[key] = self.ref(_numbers(array))
        return self.arrays[key]


def _line(line: Line, series: _Series) -> Any:
    item: dict[str, Any] = {"y": series.ref_array(line.y)}
    if line.x is not None:
        item["x"] = series.ref_array(line.x)
    if line.label:
        item["label"] = line.label
    if line.style is not None:
        item["style"] = line.style
    return item["y"] if len(item) == 1 else item


def _view(view: View, panels: int, series: _Series, parts: _Interned) -> list[int]:
    """Write a view as one reference per panel to what that panel shows (views share these parts)."""
    if len(view.lines) != panels or not all(view.lines):
        raise ValueError(f"every View must give at least one line to each of the {panels} panel(s)")
    refs = []
    for index, lines in enumerate(view.lines):
        part: dict[str, Any] = {"lines": [_line(line, series) for line in lines]}
        for key, values in (("note", view.notes), ("log", view.log), ("title", view.titles)):
            if index < len(values) and values[index] not in (None, ""):
                part[key] = values[index]
        refs.append(parts.ref(part))
    return refs


_STYLE = """<style>
.tg-explorer { margin: 0.5rem 0 1rem; }
.tg-explorer-controls { display: flex; flex-wrap: wrap; gap: 0.4rem 1.5rem; margin-bottom: 0.5rem; }
.tg-control { display: flex; align-items: center; gap: 0.5rem; margin: 0; font-size: 0.95rem; }
.tg-control input[type="range"] { width: 180px; }
.tg-control select { font: inherit; padding: 1px 4px; }
.tg-control output { min-width: 7.5em; white-space: nowrap; font-variant-numeric: tabular-nums; }
.tg-explorer-figure {
  display: block; width: 100%; height: auto; max-width: 760px; font-family: sans-serif; font-size: 13px;
}
</style>"""


def explorer_html(
    controls: Sequence[Control],
    panels: Sequence[PanelStyle],
    views: Mapping[tuple[int, ...], View],
    *,
    alt: str,
) -> str:
    """Write a kernel-free explorer as one block of HTML.

    Parameters
    ----------
    controls : sequence of Control
        The controls; the keys of ``views`` give one option index per control
        that does not truncate, in this order.
    panels : sequence of PanelStyle
        The panels of the figure, top to bottom.
    views : mapping
        For every combination of those option indexes, the :class:`View` to draw.
    alt : str
        The figure's alt text, with ``{0}``, ``{1}``, ... for the controls' settings.

    Returns
    -------
    str
        A ``<div class="tg-explorer">`` with its controls, an SVG figure, the
        data and the script that draws it.

    Examples
    --------
    >>> depth = Control("depth", ("1", "2"), value=1)
    >>> views = {(i,): View([[Line([1.0] * (i + 1))]]) for i in range(2)}
    >>> page = explorer_html([depth], [PanelStyle(title="{0} layers")], views, alt="{0} layers")
    >>> page.count('<input type="range"'), page.count('<svg class="tg-explorer-figure"')
    (1, 1)
    """
    controls = tuple(controls)
    for control in controls:
        _validation.check_instance(control, "controls", Control, "a sequence of Control")
    panels = tuple(panels)
    for panel in panels:
        _validation.check_instance(panel, "panels", PanelStyle, "a sequence of PanelStyle")
    if not panels:
        raise ValueError("panels must hold at least one PanelStyle; got none")
    keyed = [c for c in controls if not c.truncates]
    expected = set(np.ndindex(*(len(c.options) for c in keyed)))
    missing = expected - set(views)
    if missing:
        raise ValueError(f"views must hold a View for every setting of the controls; missing {sorted(missing)[:3]}")
    series, parts = _Series(), _Interned()
    data = {
        "controls": [{"label": c.label, "options": list(c.options), "truncates": c.truncates} for c in controls],
        "panels": [
            {
                "title": p.title,
                "xlabel": p.xlabel,
                "ylabel": p.ylabel,
                "log": p.log,
                "hlines": [{"y": float(y), "label": label} for y, label in p.hlines],
                "height": p.height,
            }
            for p in panels
        ],
        "alt": alt,
        "views": {"-".join(map(str, key)): _view(views[key], len(panels), series, parts) for key in sorted(expected)},
    }
    data["parts"] = parts.items
    data["series"] = series.items
    identifier = f"tg-explorer-{uuid.uuid4().hex[:12]}"
    parts = [_STYLE, f'<div class="tg-explorer" id="{identifier}">', '<div class="tg-explorer-controls">']
    for index, control in enumerate(controls):
        name = f"{identifier}-{index}"
        label = f'<label class="tg-control" for="{name}"><span>{html.escape(control.label)}</span>'
        if control.kind == "menu":
            options = "".join(
                f"<option{' selected' if i == control.value else ''}>{html.escape(o)}</option>"
                for i, o in enumerate(control.options)
            )
            parts.append(f'{label} <select id="{name}">{options}</select></label>')
        else:
            parts.append(
                f'{label} <input type="range" id="{name}" min="0" max="{len(control.options) - 1}" step="1" '
                f'value="{control.value}"> <output>{html.escape(control.options[control.value])}</output></label>'
            )
    parts.append("</div>")
    parts.append('<svg class="tg-explorer-figure" role="img" xmlns="http://www.w3.org/2000/svg"></svg>')
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    parts.append(f'<script type="application/json" class="tg-explorer-data">{payload}</script>')
    script = resources.files("utils").joinpath("static_explorer.js").read_text(encoding="utf-8")
    parts.append(f'<script>{script}(document.getElementById("{identifier}"));</script>')
    parts.append("</div>")
    return "\n".join(parts)
