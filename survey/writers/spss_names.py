"""Legal SPSS variable names for columns that have none, and the way back on reading.

SPSS names start with a letter (of any script) or @, go on with letters, digits and _ . @ # $,
do not end with a period, are at most 64 bytes and are no reserved word; case does not tell two
apart. Our layout has columns SPSS refuses (`_problems`, an option code with a hyphen in
`q__mid-slope`): those alone are renamed, and the file's document records `renamed: new=old`
lines so that our reader gives the layout's names back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

RESERVED = frozenset({"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO",
                      "WITH"})
MAX_BYTES = 64
NOTE_PREFIX = "renamed: "
NOTE_BYTES = 80
_ILLEGAL = re.compile(r"[^\w.@#$]")


def is_legal(name: str) -> bool:
    return (bool(name) and (name[0].isalpha() or name[0] == "@") and not name.endswith(".")
            and not _ILLEGAL.search(name) and name.upper() not in RESERVED
            and len(name.encode("utf-8")) <= MAX_BYTES)


def spss_names(columns: Iterable[str]) -> dict[str, str]:
    """{column: legal name} for the columns SPSS would refuse, unique ignoring case."""
    columns = list(columns)
    taken = {c.upper() for c in columns if is_legal(c)}
    renamed = {}
    for column in columns:
        if is_legal(column):
            continue
        base = _ILLEGAL.sub("_", column).rstrip(".")
        base = base if base[:1].isalpha() else f"v{base}"
        base = base.encode("utf-8")[:MAX_BYTES - 4].decode("utf-8", "ignore")
        name, n = base, 1
        while name.upper() in taken or name.upper() in RESERVED:
            n += 1
            name = f"{base}_{n}"
        taken.add(name.upper())
        renamed[column] = name
    return renamed


def rename_notes(renamed: dict[str, str]) -> list[str]:
    """Document lines (SPSS keeps 80 bytes a line) that let a reader restore the names; a
    rename too long for one line is left to the variable label, which holds the old name."""
    lines = [f"{NOTE_PREFIX}{new}={old}" for old, new in renamed.items()]
    return [line for line in lines if len(line.encode("utf-8")) <= NOTE_BYTES]


def restored_names(notes: Iterable[str]) -> dict[str, str]:
    """{name in the file: our column} from the document lines of `rename_notes`."""
    pairs = (line[len(NOTE_PREFIX):].split("=", 1) for note in notes
             for line in note.splitlines() if line.startswith(NOTE_PREFIX))
    return {new: old for new, old in pairs}
