"""Multiple-response sets written into the .sav itself (the MRSETS record), so that SPSS's
CTABLES and MULT RESPONSE see each multi question as one variable without running syntax.

The record (system-file extension record 7, subtype 7) is text, one set a line:
`$name=D<len> <counted value> <len> <label> var1 var2 ...` for a dichotomy set and
`$name=C <len> <label> var1 ...` for a category set, with long variable names (as PSPP and SPSS
write them). pyreadstat does not write it, so it is put in just before the dictionary's
termination record (999); the records before it hold no offsets, so nothing else moves.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

HEADER_BYTES = 176
MRSETS_SUBTYPE = 7


@dataclass(frozen=True)
class MRSet:
    name: str  # without the '$'
    label: str
    variables: tuple[str, ...]
    counted: str | None = "1"  # the value that means "selected"; None: a category set


def mrsets_text(sets: list[MRSet]) -> bytes:
    lines = []
    for s in sets:
        label = " ".join(s.label.split()).encode("utf-8")  # one set a line: no line breaks
        kind = b"C" if s.counted is None else \
            b"D%d %s" % (len(s.counted.encode("utf-8")), s.counted.encode("utf-8"))
        names = " ".join(s.variables).encode("utf-8")
        lines.append(b"$%s=%s %d %s %s\n" % (s.name.encode("utf-8"), kind, len(label), label,
                                            names))
    return b"".join(lines)


def add_mrsets(path: str | Path, sets: list[MRSet]) -> None:
    """Put the MRSETS record of `sets` into the .sav at `path` (an uncompressed dictionary)."""
    if not sets:
        return
    data = Path(path).read_bytes()
    order = _byte_order(data)
    at = _termination(data, order)
    text = mrsets_text(sets)
    record = struct.pack(order + "4i", 7, MRSETS_SUBTYPE, 1, len(text)) + text
    Path(path).write_bytes(data[:at] + record + data[at:])


def _byte_order(data: bytes) -> str:
    for order in ("<", ">"):
        if struct.unpack_from(order + "i", data, 64)[0] in (2, 3):
            return order
    raise ValueError("not an SPSS system file: no layout code")


def _termination(data: bytes, order: str) -> int:
    """The offset of the dictionary termination record (type 999)."""
    at = HEADER_BYTES
    integer = lambda offset: struct.unpack_from(order + "i", data, offset)[0]  # noqa: E731
    while True:
        kind = integer(at)
        if kind == 999:
            return at
        if kind == 2:
            has_label, missing = integer(at + 8), abs(integer(at + 12))
            at += 32
            if has_label:
                at += 4 + (integer(at) + 3) // 4 * 4
            at += 8 * missing
        elif kind == 3:
            count, at = integer(at + 4), at + 8
            for _ in range(count):
                at += 8 + (data[at + 8] + 1 + 7) // 8 * 8
            at += 8 + 4 * integer(at + 4)  # the type 4 record of the variables labelled
        elif kind == 6:
            at += 8 + 80 * integer(at + 4)
        elif kind == 7:
            at += 16 + integer(at + 8) * integer(at + 12)
        else:
            raise ValueError(f"unexpected record type {kind} at byte {at}")
