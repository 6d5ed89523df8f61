"""Decoding the text files researchers bring: UTF-8 (with or without BOM), else GB18030; UTF-16
when the file starts with its byte-order mark (Qualtrics TSV exports, Excel "Unicode text").

GB18030 (a superset of GBK, what Chinese Excel and Wenjuanxing write) decodes almost any bytes,
so a file whose rows were saved in two encodings (UTF-8 rows pasted among GB18030 ones, or the
reverse) would decode without an error into mojibake. Each line is therefore checked: the first
line with non-ASCII text sets the file's encoding, and the first line in the other one is an
error.
"""

from __future__ import annotations

import re
from pathlib import Path

from survey.files.source import MAX_BYTES, Problem, SourceError

ENCODINGS = ("utf-8-sig", "gb18030")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def is_utf16(raw: bytes) -> bool:
    """Whether `raw` starts with a UTF-16 byte-order mark (little- or big-endian)."""
    return raw.startswith(UTF16_BOMS) and not raw.startswith(b"\xff\xfe\x00\x00")


def decode_text(raw: bytes, file: str) -> tuple[str, str]:
    """The text of `raw` and the encoding that decoded it, or a located SourceError."""
    if is_utf16(raw):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            line = raw[:error.start].decode("utf-16", errors="replace").count("\n") + 1
            raise SourceError([Problem(file, line, 1, "encoding", "the file starts as UTF-16 "
                                       "text but this line is not UTF-16; export the file "
                                       "again or save it as UTF-8")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        _check_utf8_lines(text, file)
        return text, "utf-8-sig"
    _check_lines(raw, file)
    # GB18030 has a byte-order mark too (84 31 95 33); it decodes to U+FEFF, not a header
    return raw.decode("gb18030").removeprefix("\ufeff"), "gb18030"


def _check_lines(raw: bytes, file: str) -> None:
    """Every non-ASCII line in one encoding: the first such line's, UTF-8 or GB18030."""
    first: str | None = None
    for number, line in enumerate(raw.split(b"\n"), 1):
        if line.isascii():
            continue
        kind = _encoding_of(line)
        if kind is None:
            hint = " (its NUL bytes say UTF-16 without a byte-order mark)" \
                if b"\x00" in line else ""
            raise SourceError([Problem(file, number, 1, "encoding", "this line is neither "
                                       f"UTF-8 nor GB18030/GBK text{hint}; export the file "
                                       "again or save it as UTF-8")])
        if first is None:
            first, since = kind, number
        elif kind != first:
            raise SourceError([Problem(file, number, 1, "mixed-encoding",
                                       f"this line is {kind} but the file is {first} (from line "
                                       f"{since}): rows were saved in two encodings; save the "
                                       "whole file in one encoding (UTF-8)")])


_CJK = re.compile(r"[\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]")
_TWO_BYTE = re.compile(r"[\u0080-\u07ff]")
_BEYOND_LATIN1 = re.compile(r"[\u0100-\u07ff]")


def _check_utf8_lines(text: str, file: str) -> None:
    """A UTF-8 file with Chinese text may hide a GB18030 row whose bytes are also valid two-byte
    UTF-8 (私营 reads as '˽Ӫ'): such a line, Latin-looking in UTF-8 and Chinese in GB18030,
    is an error naming it."""
    if not _TWO_BYTE.search(text) or not _CJK.search(text):
        return
    for number, line in enumerate(text.split("\n"), 1):
        if not _BEYOND_LATIN1.search(line) or _CJK.search(line) or _one_script(line):
            continue  # São Paulo, Müller, αβγ: real text is in one script
        try:
            other = line.encode("utf-8").decode("gb18030")
        except UnicodeDecodeError:
            continue
        if _CJK.search(other) and not _TWO_BYTE.search(other):
            raise SourceError([Problem(file, number, 1, "mixed-encoding",
                                       "this line is GB18030 but the file is UTF-8: rows were "
                                       "saved in two encodings; save the whole file in one "
                                       "encoding (UTF-8)")])


SCRIPTS = (0x100, 0x250, 0x370, 0x400, 0x530, 0x590, 0x600, 0x700, 0x800)  # where blocks begin


def _one_script(line: str) -> bool:
    """Whether the line's two-byte characters are one script's letters (Greek, Cyrillic ...);
    GB18030 Chinese read as UTF-8 scatters over scripts and modifier or combining marks."""
    blocks = {next(i for i, end in enumerate(SCRIPTS) if ord(ch) < end)
              for ch in _TWO_BYTE.findall(line)}
    return len(blocks) == 1 and not blocks & {1, 2}  # not IPA and modifiers, not combining


def _encoding_of(line: bytes) -> str | None:
    """UTF-8 when the line decodes so into Chinese (CJK characters and punctuation are three
    bytes); GB18030 pairs such as 私营 (CB BD D3 AA) are also valid UTF-8 ('˽Ӫ'), so a line
    without Chinese in UTF-8 is GB18030 when it decodes as such."""
    try:
        text = line.decode("utf-8")
        if _CJK.search(text):
            return "UTF-8"
    except UnicodeDecodeError:
        text = None
    try:
        line.decode("gb18030")
        return "GB18030"
    except UnicodeDecodeError:
        return "UTF-8" if text is not None else None


def read_text(path: str | Path) -> str:
    """A user's text file (questionnaire, claims, targets, effects, mapping) decoded as exports
    are: UTF-8 with or without BOM, UTF-16 with BOM, else GB18030, and never a file whose lines
    were saved in two encodings, nor one over MAX_BYTES. Any failure is a SourceError naming
    the file."""
    path = Path(path)
    try:
        with path.open("rb") as handle:  # bounded: a device or a FIFO may never end
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise SourceError([Problem(str(path), 1, 1, "unreadable",
                                   f"cannot read the file: {error.strerror}")]) from None
    if len(raw) > MAX_BYTES:
        raise SourceError([Problem(str(path), 1, 1, "too-large", f"the file is larger than "
                                   f"{MAX_BYTES // 1_000_000} MB; a file of this kind is far "
                                   "smaller (is it the right file?)")])
    return decode_text(raw, str(path))[0]
