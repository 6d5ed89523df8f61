"""Where a piece of text stands, as the 1-based (line, column) our located problems report."""

from __future__ import annotations


def position(text: str, anchor: str) -> tuple[int, int]:
    """Line and column of the first occurrence of `anchor` in `text`."""
    offset = text.index(anchor)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1
