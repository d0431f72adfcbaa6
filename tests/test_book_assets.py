"""The book's offline assets.

tools/vendor.py fetches MathJax and the widget renderer from npm, and the Sphinx
extension tools/book_assets.py fixes each page's scripts.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile

import pytest
from sphinx.builders.html._assets import _JavaScript

from tools import book_assets, vendor


def make_tarball(path, files: dict[str, bytes]) -> str:
    """Write an npm-style tarball (files under package/); return its sha512 integrity string."""
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def test_integrity_is_checked_against_the_pinned_hash(tmp_path):
    tarball = tmp_path / "pkg-1.0.0.tgz"
    integrity = make_tarball(tarball, {"dist/a.js": b"a"})
    vendor.check_integrity(tarball, integrity)
    tarball.write_bytes(tarball.read_bytes() + b"tampered")
    with pytest.raises(vendor.VendorError, match=r"^pkg-1.0.0.tgz: integrity sha512-.* != pinned sha512-"):
        vendor.check_integrity(tarball, integrity)


def test_extract_takes_only_the_package_folder_it_needs_without_source_maps(tmp_path):
    tarball = tmp_path / "pkg.tgz"
    make_tarball(
        tarball,
        {
            "dist/embed-amd.js": b"x",
            "dist/fonts/f.woff": b"f",
            "dist/embed-amd.js.map": b"m",
            "src/index.ts": b"s",
            "distribution.txt": b"d",
        },
    )
    package = vendor.Package("pkg@1.0.0", "sha512-unused", "dist", "html-manager")
    vendor.extract(tarball, package, tmp_path / "out")
    files = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert files == ["html-manager/embed-amd.js", "html-manager/fonts/f.woff"]


def test_a_single_file_can_be_vendored(tmp_path):
    tarball = tmp_path / "requirejs.tgz"
    make_tarball(tarball, {"require.js": b"r", "bin/r.js": b"b"})
    vendor.extract(
        tarball, vendor.Package("requirejs@2.3.8", "sha512-unused", "require.js", "require.js"), tmp_path / "out"
    )
    assert (tmp_path / "out" / "require.js").read_bytes() == b"r"
    assert not (tmp_path / "out" / "bin").exists()


def test_config_points_at_the_vendored_files():
    from tools import course

    config = course.load_config()["sphinx"]["config"]
    assert config["mathjax_path"] == "vendor/mathjax/tex-mml-chtml.js"
    # The book shows the explorers as kernel-free HTML: no widget renderer on its pages.
    assert config["nb_ipywidgets_js"] == {}
    assert config["nb_mime_priority_overrides"] == [["html", "application/vnd.jupyter.widget-view+json", None]]
    assert ".vendor" in config["html_static_path"]
    assert config["mathjax_path"].removeprefix("vendor/") in vendor.REQUIRED


def test_missing_npm_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(vendor.shutil, "which", lambda name: None)
    with pytest.raises(vendor.VendorError, match=r"^npm not found: install Node.js and npm"):
        vendor.pack(["mathjax@3.2.2"], tmp_path)


def test_repeated_scripts_and_the_widget_state_are_dropped():
    thebe = 'const THEBE_JS_URL = "x"'
    state = _JavaScript(None, body="{}", type=book_assets.WIDGET_STATE)
    scripts = [
        _JavaScript("_static/doctools.js"),
        _JavaScript(None, body=thebe),
        state,
        _JavaScript(None, body=thebe),
    ]
    book_assets.fix_page_scripts(None, "chapters/x", "page.html", {"script_files": scripts}, None)
    assert [(getattr(s, "filename", None), s.attributes.get("body")) for s in scripts] == [
        ("_static/doctools.js", None),
        (None, thebe),
    ]


def test_figures_of_cell_outputs_link_to_their_full_resolution_file():
    from types import SimpleNamespace

    from docutils import nodes
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    document = new_document("page", get_default_settings(Parser))
    output = nodes.container(classes=["cell_output"])
    figure = nodes.image(uri="_build/jupyter_execute/abc.png", alt="A figure.")
    output += figure
    screenshot = nodes.image(uri="assets/shot.png")  # in the prose, not a cell's output
    document += [output, screenshot]
    app = SimpleNamespace(
        builder=SimpleNamespace(format="html", get_target_uri=lambda docname: f"{docname}.html"),
        env=SimpleNamespace(
            images={figure["uri"]: ({"chapters/page"}, "abc.png"), screenshot["uri"]: (set(), "shot.png")}
        ),
    )
    book_assets.link_figures(app, document, "chapters/page")
    assert isinstance(figure.parent, nodes.reference)
    assert figure.parent["refuri"] == "../_images/abc.png"
    assert not isinstance(screenshot.parent, nodes.reference)
    book_assets.link_figures(app, document, "chapters/page")  # twice: still one link
    assert not isinstance(figure.parent.parent, nodes.reference)
