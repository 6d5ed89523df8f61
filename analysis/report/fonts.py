"""The CJK font the report uses, for charts (matplotlib, by path) and for the HTML page (a subset
of its glyphs embedded as @font-face), so Chinese shows on a machine without CJK system fonts.

The font is Noto Sans CJK SC from the `mplfonts` package (a project dependency). The page carries
only the glyphs its text uses (about 650 for the bundled sample's report: some 135 KB as WOFF),
made with fontTools' subsetter (outlines and hints, no layout features: half a second).
"""

from __future__ import annotations

import base64
import io
import re
from functools import cache
from pathlib import Path

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
FAMILY = "Report CJK"
CJK = re.compile("[\u2e80-\U0010ffff]")  # from the CJK radicals up: what needs the font


def cjk_font_path() -> Path:
    """Found without importing `mplfonts`, which imports matplotlib (a second on the page's
    side, which draws nothing)."""
    from importlib.util import find_spec

    spec = find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("mplfonts is not installed: pip install -e . installs it")
    return Path(next(iter(spec.submodule_search_locations))) / "fonts" / CJK_FONT_FILE


def font_face(text: str) -> str:
    """A CSS @font-face rule carrying the glyphs of `text` that need a CJK font ('' if none)."""
    glyphs = "".join(sorted(set(CJK.findall(text))))  # the regex skips the images' base64
    if not glyphs:
        return ""
    woff = _subset(glyphs)
    data = base64.b64encode(woff).decode("ascii")
    return (f'@font-face {{ font-family: "{FAMILY}"; '
            f'src: url(data:font/woff;base64,{data}) format("woff"); }}')


@cache
def _subset(glyphs: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = []  # ideographs need no substitution: half the size and time
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx"]  # unread
    # the hints kept and the subroutines inlined: removing hints runs every charstring (a
    # quarter of the time) and they are a tenth of the font; inlined, no subroutine to prune
    options.desubroutinize = True
    options.name_IDs = [0, 1, 2, 3, 4, 6]
    # the outlines are copied, not changed: recomputing every glyph's bounds was a third
    font = TTFont(str(cjk_font_path()), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=glyphs)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()
