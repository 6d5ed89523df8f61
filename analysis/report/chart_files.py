"""A drawn chart's files: the figure rasterised once with Agg, cut to its ink and a margin, and
written as PNG (and SVG, cut to the same box), each file moved into place whole.

savefig's own "tight" box lays a figure out again, twice per file; here the pixels of one draw
give the box, and the PNG is encoded from them (`analysis.report.png`).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from PIL import Image

from analysis.report import png
from survey.files.atomic import atomic_path

DPI = 150
MARGIN = 0.1  # inches of white around a chart's ink


def save(fig: Figure, stem: str | Path, formats: Sequence[str] = ("png",)) -> list[Path]:
    """Write the figure as `stem`.png (and `stem`.svg when asked), cut to its tight box."""
    return write(fig, rasterise(fig), stem, formats)


@dataclass(frozen=True)
class Raster:
    """A figure drawn once at DPI and cut to its ink and a margin; `box` is that cut in inches,
    for the vector formats. Either its RGB `pixels` (drawn here) or `encoded`, the PNG file
    savefig wrote (whose background may be transparent)."""

    box: Bbox
    pixels: np.ndarray | None = None
    encoded: bytes | None = None

    @property
    def image(self) -> Image.Image:
        if self.pixels is not None:
            return Image.fromarray(self.pixels)
        return Image.open(io.BytesIO(self.encoded))

    def png(self) -> bytes:
        """The PNG file's bytes."""
        return self.encoded if self.encoded is not None else png.encode(self.pixels, DPI)


def rasterise(fig: Figure) -> Raster:
    """Draw the figure once with Agg and find its tight box from the pixels: savefig's own
    "tight" lays the figure out again, twice per file. A figure whose ink reaches the canvas's
    edge, or has a legend or text beyond it, or is not opaque white, is measured from its
    artists and drawn again by savefig, as before."""
    fig.set_layout_engine(None)  # else every savefig lays the figure out once more
    if fig.dpi != DPI:
        fig.set_dpi(DPI)
    if not (isinstance(fig.canvas, FigureCanvasAgg) and _plain_white(fig)):
        return _by_artists(fig)
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    ink = rgba.view(np.uint32)[..., 0] != 0xFFFFFFFF  # opaque: ink is any pixel not white
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    height, width = ink.shape
    if not rows.size or rows[0] == 0 or columns[0] == 0 or rows[-1] == height - 1 \
            or columns[-1] == width - 1 or _beyond(fig):
        return _by_artists(fig)
    pad = round(MARGIN * DPI)
    top, bottom = rows[0] - pad, rows[-1] + 1 + pad
    left, right = columns[0] - pad, columns[-1] + 1 + pad
    box = Bbox([[left / DPI, (height - bottom) / DPI], [right / DPI, (height - top) / DPI]])
    inside = rgba[max(top, 0):bottom, max(left, 0):right, :3]
    # a margin wider than the canvas's is white beyond it, as savefig's tight box makes it
    white = ((max(-top, 0), max(bottom - height, 0)), (max(-left, 0), max(right - width, 0)),
             (0, 0))
    pixels = np.pad(inside, white, constant_values=255)
    return Raster(box, pixels=pixels)


def _plain_white(fig: Figure) -> bool:
    """An opaque white figure that savefig would write as drawn (no transparency, no other
    background set for saving)."""
    return (to_rgba(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)
            and not matplotlib.rcParams["savefig.transparent"]
            and matplotlib.rcParams["savefig.facecolor"] == "auto")


def _beyond(fig: Figure) -> bool:
    """Whether a legend or text lies partly or wholly outside the canvas (ink that is wholly
    outside leaves no trace at the edge)."""
    renderer = fig.canvas.get_renderer()
    artists = [*fig.texts, *fig.legends,
               *(a for ax in fig.axes for a in (ax.get_legend(), *ax.texts) if a is not None)]
    canvas = fig.bbox
    for artist in artists:
        box = artist.get_window_extent(renderer)
        if box.x0 < canvas.x0 or box.y0 < canvas.y0 or box.x1 > canvas.x1 \
                or box.y1 > canvas.y1:
            return True
    return False


def _by_artists(fig: Figure) -> Raster:
    """The figure cut to its artists' tight box by savefig (what spills over the canvas is
    kept; a transparent background stays transparent in the PNG)."""
    box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(MARGIN)
    buffer = io.BytesIO()
    # no "Software" chunk: a file that changes with matplotlib's version, as ours do not
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches=box, metadata={"Software": None})
    return Raster(box, encoded=buffer.getvalue())


def write(fig: Figure, raster: Raster, stem: str | Path,
          formats: Sequence[str] = ("png",)) -> list[Path]:
    """Write `raster` as PNG and the figure in the other `formats`, each to a temporary file
    moved into place, all cut to the raster's box."""
    stem = Path(stem)
    written = []
    for fmt in formats:
        target = stem.with_suffix(f".{fmt}")
        with atomic_path(target) as temporary:
            if fmt == "png":
                temporary.write_bytes(raster.png())
            else:
                fig.savefig(temporary, format=fmt, dpi=DPI, bbox_inches=raster.box,
                            metadata={"Date": None} if fmt == "svg" else None)
        written.append(target)
    pyplot = sys.modules.get("matplotlib.pyplot")  # without pyplot, no figure is pyplot's
    if pyplot is not None:
        pyplot.close(fig)
    return written
