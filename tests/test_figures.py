"""tools.figures: the legibility and link check of the book's figures, without a browser."""

import io

import matplotlib.pyplot as plt
import pytest

from tools import figures
from utils import plotting


def _png(labelsize=10, dpi=100, record=True):
    fig, ax = plt.subplots(dpi=dpi)
    ax.tick_params(labelsize=labelsize)
    if record:
        png = plotting.figure_png(fig)
    else:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        png = buffer.getvalue()
    plt.close(fig)
    return png


def _image(src="http://book/_images/a.png", client=650, natural=650, href="same", alt="A figure."):
    return {
        "src": src,
        "alt": alt,
        "clientWidth": client,
        "naturalWidth": natural,
        "href": src if href == "same" else href,
    }


def test_recorded_min_text_px_reads_the_png_text_chunk():
    assert figures.recorded_min_text_px(_png(labelsize=9)) == pytest.approx(12.5, abs=1e-3)
    assert figures.recorded_min_text_px(_png(record=False)) is None
    assert figures.recorded_min_text_px(b"not a png") is None


def test_a_figure_shown_at_its_size_with_a_link_passes():
    png = _png(labelsize=7)  # 9.7 px
    assert figures.image_problems([_image()], lambda url: png, viewport_width=1280) == []


def test_text_scaled_below_9_px_fails_with_the_figure_and_the_sizes():
    png = _png(labelsize=9)  # 12.5 px
    problems = figures.image_problems([_image(client=650, natural=1200)], lambda url: png, viewport_width=1024)
    assert len(problems) == 1
    assert "'A figure.'" in problems[0] and "6.8 px shown at a 1024 px window" in problems[0]


def test_an_image_without_a_recorded_size_or_a_link_fails():
    png = _png(record=False)
    problems = figures.image_problems([_image(href=None)], lambda url: png, viewport_width=1280)
    assert any("records no text size" in p for p in problems)
    assert any("does not link to its full-resolution file" in p for p in problems)


def test_an_inline_image_must_not_be_scaled_down():
    png = _png()
    image = _image(src="data:image/png;base64,AAAA", href=None, client=600, natural=900)
    problems = figures.image_problems([image], lambda url: png, viewport_width=1280)
    assert any("cannot be opened at full resolution" in p for p in problems)
    assert figures.image_problems([{**image, "clientWidth": 900}], lambda url: png, viewport_width=1280) == []


def test_read_url_reads_data_urls():
    assert figures.read_url("data:application/octet-stream;base64,aGVsbG8=") == b"hello"
