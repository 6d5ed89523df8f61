"""Chart labels and footnotes in lines of the width they are drawn at: a CJK character takes two
cells, a Latin letter one; lines break at spaces and between CJK characters, never before
Chinese closing punctuation (kinsoku), and inside a word only when the word is longer than a
line."""

from __future__ import annotations

import re

from analysis.report.fonts import CJK


def wrapped(labels, width: int = 28) -> list[str]:
    """Long labels (English option texts, long Chinese stems) over lines of `width` cells."""
    return ["\n".join(lines_of(str(label), width)) for label in labels]


_TOKEN = re.compile(r"\n|[^\S\n]+|[\u2e80-\U0010ffff]|[^\s\u2e80-\U0010ffff]+")
_CLOSING = "，。、；：！？）」』】》〉"  # never starts a line (kinsoku): stays on the one before


def lines_of(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells, where a CJK character takes two (as it is
    drawn): broken at spaces and between CJK characters, a word longer than a line where it
    must be (a URL, a long file name)."""
    lines, line, used = [], "", 0
    for token in _TOKEN.findall(text):
        if token == "\n":
            lines.append(line.rstrip())
            line, used = "", 0
        elif token.isspace():
            line, used = (line + " ", used + 1) if line else (line, used)
        else:
            for piece in pieces(token, width):
                if line.strip() and used + cells(piece) > width and piece not in _CLOSING:
                    lines.append(line.rstrip())
                    line, used = "", 0
                line, used = line + piece, used + cells(piece)
    return [*lines, line.rstrip()]


def cells(text: str) -> int:
    """How many cells `text` takes as drawn."""
    return len(text) + len(CJK.findall(text))


def pieces(word: str, width: int) -> list[str]:
    """A word in pieces of at most `width` cells (one piece when it fits)."""
    parts, piece = [], ""
    for ch in word:
        if piece and cells(piece + ch) > width:
            parts.append(piece)
            piece = ""
        piece += ch
    return [*parts, piece]
