"""CSV and other delimited text in our coded layout, with encoding and delimiter sniffed; columns
matched as `survey.readers.named` says (a header may also be a question's label).

Encodings are tried in the order formats.md recommends: UTF-8 with BOM, UTF-8, GB18030 (a
superset of GBK, what Chinese Excel writes). The delimiter is the one of `,` `;` tab that splits
the header and first lines into equally many fields.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from survey.files.encoding import ENCODINGS, decode_text
from survey.files.source import Problem, SourceError
from survey.questionnaire.model import Questionnaire
from survey.readers.named import read_named
from survey.responses.dataset import Responses

DELIMITERS = ",;\t"


def detect(path: Path, head: bytes) -> bool:
    """Text in one of our encodings (a cut multi-byte character at the end is allowed)."""
    if b"\x00" in head:
        return False
    for encoding in ENCODINGS:
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as error:
            if error.start >= len(head) - 4:
                return True
    return False


def sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def read(path: Path, questionnaire: Questionnaire, encoding: str | None = None,
         delimiter: str | None = None, *, mapping: str | Path | None = None) -> Responses:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SourceError([Problem(str(path), 1, 1, "unreadable",
                                   f"cannot read the file: {error.strerror}")]) from None
    try:
        text, found = (raw.decode(encoding), encoding) if encoding else \
            decode_text(raw, str(path))
    except (UnicodeDecodeError, LookupError) as error:
        raise SourceError([Problem(str(path), 1, 1, "encoding",
                                   f"not {encoding} text: {error}")]) from None
    if not text.strip():
        raise SourceError([Problem(str(path), 1, 1, "empty-file", "the file is empty")])
    delimiter = delimiter or sniff_delimiter(text)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                            na_values=[""])
    except pd.errors.ParserError as error:
        raise SourceError([Problem(str(path), 1, 1, "bad-csv",
                                   f"not a readable {found} CSV file: {error}")]) from None
    headers = [str(c) for c in frame.columns]
    return read_named(frame, questionnaire, str(path), labels=headers, mapping=mapping,
                      label_row=True)
