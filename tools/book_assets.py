"""Sphinx extension for the book's static assets, listed in ``_config.yml``.

* Before Sphinx validates ``html_static_path``, it makes sure ``.vendor/`` holds the
  pinned MathJax and widget renderer (:mod:`tools.vendor` fetches them when they are
  missing; the browser test draws the live explorers with that renderer) and stops the
  build with a one-line reason when it cannot.
* On each page it drops repeated ``<script>`` entries. sphinx-thebe adds its inline
  configuration after the builder starts (at env-before-read-docs); Sphinx 7.4's
  ``prepare_writing`` then re-adds every registered script as ``filename or ''``, and
  ``_JavaScript('', body=...)`` is not equal to the ``_JavaScript(None, body=...)``
  already there. The page gets the ``<script>`` twice, and a second
  ``const THEBE_JS_URL`` declaration is a JavaScript error on every page.
* It drops the widget state MyST-NB embeds from an executed notebook: the book shows
  each explorer as kernel-free HTML (utils.static_explorer) and loads no widget
  renderer, so the state would only weigh the page down.
* It links every figure a notebook cell shows to its full-resolution file, so a click
  opens the image the column scales down (Sphinx links only images given a size).
"""

from __future__ import annotations

import posixpath
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

from tools import vendor

logger = logging.getLogger(__name__)

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _ensure_assets(app: Sphinx, config: Config) -> None:
    try:
        if vendor.ensure():
            logger.info("fetched MathJax and the widget renderer into .vendor/ (tools/vendor.py)")
    except vendor.VendorError as error:
        raise ExtensionError(f"cannot serve MathJax and the widget renderer locally: {error}") from error


def _script_key(script: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    attributes = getattr(script, "attributes", {})
    return _filename(script), tuple(sorted((k, str(v)) for k, v in attributes.items()))


def _filename(script: Any) -> str:
    return str(getattr(script, "filename", script) or "")


def fix_page_scripts(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Drop a page's repeated scripts and its widget state (``html-page-context``).

    The book shows each explorer as kernel-free HTML (``_config.yml`` ranks it above
    the widget), so no widget renderer is loaded and the widget state that MyST-NB
    embeds from the executed notebook would be dead weight.

    Parameters
    ----------
    app : sphinx.application.Sphinx
        The running Sphinx application (unused).
    pagename, templatename : str
        The page and its template (unused).
    context : dict
        The page's template context; its ``script_files`` list is changed in place.
    doctree : docutils.nodes.document or None
        The page's document (unused).
    """
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen and getattr(script, "attributes", {}).get("type") != WIDGET_STATE:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def _in_cell_output(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.Element) and "cell_output" in parent.get("classes", []):
            return True
        parent = parent.parent
    return False


def link_figures(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Wrap each image of a cell output in a link to its file under ``_images/`` (``doctree-resolved``).

    Parameters
    ----------
    app : sphinx.application.Sphinx
        The running Sphinx application.
    doctree : docutils.nodes.document
        The page's resolved document, changed in place.
    docname : str
        The page.
    """
    if app.builder.format != "html":
        return
    images = relative_uri(app.builder.get_target_uri(docname), "_images")
    for image in list(doctree.findall(nodes.image)):
        uri = image.get("uri", "")
        if isinstance(image.parent, nodes.reference) or uri not in app.env.images or not _in_cell_output(image):
            continue
        link = nodes.reference("", "", internal=True, refuri=posixpath.join(images, app.env.images[uri][1]))
        image.replace_self(link)
        link.append(image)


def setup(app: Sphinx) -> dict[str, object]:
    # Before sphinx.builders.html validates html_static_path (priority 800).
    app.connect("config-inited", _ensure_assets, priority=100)
    # After MyST-NB adds each page's widget state script (default priority 500).
    app.connect("html-page-context", fix_page_scripts, priority=900)
    app.connect("doctree-resolved", link_figures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
