"""Readable, stable names for questions drafted from another tool's variables.

`Q1` with the English label "Sex" becomes `q1_sex`; `SEX` becomes `sex`; `性别` (a name our
format cannot hold) becomes `q3` from its position. A name depends only on the source's own name,
label and position, so a second run on the same source gives the same names.
"""

from __future__ import annotations

import re
import unicodedata

from survey.questionnaire.model import NAME_PATTERN, RESERVED

MAX_LENGTH = 32
OPAQUE = re.compile(r"[a-z]{1,3}\d+[a-z]?(_\d+)*")  # q1, v12, a3b, q5_1: says nothing of itself
WORDS_KEPT = 2
STOP_WORDS = frozenset("""a an and are at by can did do does for from have how in is it many much
    of on or please the this to was what when where which who why with you your yours""".split())


def slug(text: str) -> str:
    """Lower-case ASCII letters, digits and single underscores (may be empty)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", text)).strip("_")


def label_words(label: str | None) -> str:
    """The first meaningful English words of a label, as a slug ('' for a label in Chinese)."""
    words = [w for w in re.findall(r"[a-z]+", (label or "").lower()) if w not in STOP_WORDS]
    return "_".join(words[:WORDS_KEPT])


def readable_name(source: str, english_label: str | None, position: int) -> str:
    """A valid name for the variable `source` (its English label, if any, and 1-based position)."""
    base = slug(source)
    if base and base[0].isdigit():
        base = f"q{base}"
    if not base:
        base = f"q{position}"
    if OPAQUE.fullmatch(base) and (words := label_words(english_label)):
        base = f"{base}_{words}"
    base = base[:MAX_LENGTH].rstrip("_")
    return f"{base}_" if base in RESERVED else base


class Names:
    """Hands out names once each: a second `q1` becomes `q1_2`."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken = set(taken or ())

    def claim(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.taken or not NAME_PATTERN.match(candidate):
            n += 1
            suffix = f"_{n}"
            candidate = name[:MAX_LENGTH - len(suffix)].rstrip("_") + suffix
        self.taken.add(candidate)
        return candidate

    def readable(self, source: str, english_label: str | None, position: int) -> str:
        return self.claim(readable_name(source, english_label, position))
