"""The charts' PNG encoder, read back by Pillow's decoder (an independent implementation)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from analysis.report import png


def _decoded(data: bytes) -> Image.Image:
    Image.open(io.BytesIO(data)).verify()  # the chunks' CRCs and layout
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (9, 1), (37, 53)])
def test_any_pixels_come_back_exactly(shape):
    """Noise (every byte value, differences that wrap past 255) and odd sizes, one row or one
    column included."""
    rgb = np.random.default_rng(sum(shape)).integers(0, 256, (*shape, 3), dtype=np.uint8)
    image = _decoded(png.encode(rgb))
    assert image.mode == "RGB" and image.size == (shape[1], shape[0])
    assert np.array_equal(np.asarray(image), rgb)


def test_a_chart_like_image_comes_back_exactly_with_its_resolution_and_compresses():
    """Flat colours on white, as a chart is: exact pixels, the dpi Pillow reads back, and a file
    no larger than Pillow's own encoder makes at the same zlib level (plus a tenth)."""
    rgb = np.full((300, 400, 3), 255, np.uint8)
    rgb[40:260, 60:90] = (31, 90, 138)
    rgb[100:120, 90:380] = (217, 130, 43)
    rgb[::7, 200] = 0
    data = png.encode(rgb, dpi=150)
    image = _decoded(data)
    assert np.array_equal(np.asarray(image), rgb)
    theirs = io.BytesIO()
    Image.fromarray(rgb).save(theirs, "PNG", compress_level=png.LEVEL, dpi=(150, 150))
    assert image.info["dpi"] == Image.open(theirs).info["dpi"] == pytest.approx((150, 150), 1e-3)
    assert len(data) <= 1.1 * len(theirs.getvalue())


def test_no_dpi_writes_no_resolution():
    image = _decoded(png.encode(np.zeros((2, 2, 3), np.uint8)))
    assert "dpi" not in image.info


@pytest.mark.parametrize("shape", [(4, 4), (4, 4, 4), (0, 4, 3), (4, 0, 3)])
def test_what_is_not_a_non_empty_rgb_image_is_refused(shape):
    with pytest.raises(ValueError, match="RGB"):
        png.encode(np.zeros(shape, np.uint8))


@pytest.mark.parametrize("dtype", [np.float64, np.uint16, np.int64])
def test_pixels_that_are_not_bytes_are_refused_not_wrapped(dtype):
    """300 would be written as 44, and 0.5 as black: such pixels are refused."""
    with pytest.raises(ValueError, match="bytes"):
        png.encode(np.full((2, 2, 3), 300 if dtype != np.float64 else 0.5, dtype))


def test_a_strided_view_is_written_as_its_pixels():
    """The rasteriser hands over a cut of the canvas (a view with strides of its own)."""
    canvas = np.random.default_rng(5).integers(0, 256, (20, 30, 4), dtype=np.uint8)
    view = canvas[3:17:2, 5:25, :3]
    assert np.array_equal(np.asarray(_decoded(png.encode(view))), view)
