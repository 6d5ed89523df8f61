"""SAS files through pyreadstat: transport (.xpt, v5 and v8) and data files (.sas7bdat).

Columns hold codes as our coded files do (docs/reference/responses.md: option codes, 0/1 or rank
positions in blocks, -3/-2/-1 for missing kinds). They are matched by name, by variable label, or
through a mapping file (`mapping=`, docs/reference/mapping.md): XPORT v5 names have at most 8
characters and v8 names 32, shorter than some of our layout's columns, so a mapping file is the
usual way in.

A .sas7bdat keeps its value labels in a separate format catalog (.sas7bcat); `catalog=` names
one, else `formats.sas7bcat` or `<name>.sas7bcat` beside the file is used when present. The
questionnaire's labels stay authoritative; the catalog is read so that a damaged one is reported.
"""

from __future__ import annotations

from pathlib import Path

import pyreadstat

from survey.files.source import Problem, SourceError
from survey.questionnaire.model import Questionnaire
from survey.readers.named import read_named
from survey.responses.dataset import Responses

XPORT_MAGIC = (b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!",  # version 5
               b"HEADER RECORD*******LIBV8   HEADER RECORD!!!!!!!")  # version 8
# The 32 bytes every .sas7bdat starts with (ReadStat, src/sas/readstat_sas.c).
SAS7BDAT_MAGIC = bytes([
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc2, 0xea, 0x81, 0x60,
    0xb3, 0x14, 0x11, 0xcf, 0xbd, 0x92, 0x08, 0x00, 0x09, 0xc7, 0x31, 0x8c, 0x18, 0x1f, 0x10, 0x11])
SAS7BCAT_MAGIC = SAS7BDAT_MAGIC[:15] + b"\x63" + SAS7BDAT_MAGIC[16:]


def detect_xport(path: Path, head: bytes) -> bool:
    return head.startswith(XPORT_MAGIC)


def detect_sas7bdat(path: Path, head: bytes) -> bool:
    return head.startswith(SAS7BDAT_MAGIC)


def read_xport(path: Path, questionnaire: Questionnaire, *,
               mapping: str | Path | None = None) -> Responses:
    """A SAS transport file (XPORT v5 or v8)."""
    try:
        frame, meta = pyreadstat.read_xport(str(path))
    except Exception as error:  # pyreadstat.ReadstatError and OSError
        raise SourceError([Problem(str(path), 1, 1, "bad-xpt",
                                   f"not a readable SAS transport file: {error}")]) from None
    return _responses(path, frame, meta, questionnaire, mapping)


def read_sas7bdat(path: Path, questionnaire: Questionnaire, *,
                  mapping: str | Path | None = None,
                  catalog: str | Path | None = None) -> Responses:
    """A SAS data file, with its format catalog when there is one."""
    catalog = Path(catalog) if catalog is not None else _catalog_beside(path)
    if catalog is not None and not catalog.exists():
        raise SourceError([Problem(str(catalog), 1, 1, "unreadable",
                                   "no such format catalog (.sas7bcat)")])
    if catalog is not None and not catalog.read_bytes()[:32] == SAS7BCAT_MAGIC:
        raise SourceError([Problem(str(catalog), 1, 1, "bad-sas7bcat",
                                   "not a SAS format catalog (.sas7bcat)")])
    try:
        frame, meta = pyreadstat.read_sas7bdat(
            str(path), catalog_file=str(catalog) if catalog else None,
            formats_as_category=False, user_missing=True)
    except Exception as error:  # pyreadstat.ReadstatError and OSError
        raise SourceError([Problem(str(path), 1, 1, "bad-sas7bdat",
                                   f"not a readable SAS data file (damaged, or a compression "
                                   f"pyreadstat cannot read?): {error}")]) from None
    return _responses(path, frame, meta, questionnaire, mapping)


def _catalog_beside(path: Path) -> Path | None:
    for name in (f"{path.stem}.sas7bcat", "formats.sas7bcat"):
        if (path.parent / name).exists():
            return path.parent / name
    return None


def _responses(path: Path, frame, meta, questionnaire: Questionnaire,
               mapping: str | Path | None) -> Responses:
    labels = list(meta.column_labels or [None] * len(frame.columns))
    return read_named(frame, questionnaire, str(path), labels=labels,
                      value_labels=meta.variable_value_labels, mapping=mapping)
