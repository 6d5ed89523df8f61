"""Read any supported file into `Responses`, choosing the reader by content (or by `format=`).

    from survey.readers import read_responses
    responses = read_responses("export.sav", questionnaire)            # format="auto"

Adding a reader is one registration, in the list at the bottom of this file:

    register("wjx", "survey.readers.wjx:read", detect="survey.readers.wjx:detect", priority=10)

- `name` is what `--format NAME` selects.
- `read(path: Path, questionnaire: Questionnaire, **options) -> Responses`. Options are passed
  through from `read_responses(..., **options)` (e.g. a mapping file); reject unknown ones.
- `detect(path: Path, head: bytes) -> bool` (optional): `head` is the first 64 KiB of the file.
  Return True only when the file is certainly yours. Detectors run by ascending `priority`, so
  platform layouts (priority 10: wjx, kobo, qualtrics) are tried before the generic container
  formats they are written in (priority 50: xlsx, xpt, sas7bdat; 90: csv, which accepts any
  text). Containers no platform is written in and known by their first bytes alone (parquet,
  sav, dta: priority 5) come first: a cheap test that spares importing the platform readers.
- Both may be callables or "module:function" strings (imported on first use, so registering
  costs nothing). Errors in user files are `SourceError` with located `Problem`s.
- `projects=True`: the reader takes `variables=` (the names a command needs, see
  survey.questionnaire.needs) and reads and casts only what they need; other readers read the
  whole file whatever `variables` says.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from survey.files.encoding import decode_text
from survey.files.source import Problem, SourceError
from survey.questionnaire.model import Questionnaire
from survey.responses.dataset import Responses

HEAD_BYTES = 65536

ReadFunction = Callable[..., Responses]
DetectFunction = Callable[[Path, bytes], bool]


@dataclass(frozen=True)
class Reader:
    name: str
    read: ReadFunction | str
    detect: DetectFunction | str | None = None
    priority: int = 50
    projects: bool = False

    def reader(self) -> ReadFunction:
        return _resolve(self.read)

    def detects(self, path: Path, head: bytes) -> bool:
        return self.detect is not None and bool(_resolve(self.detect)(path, head))


READERS: dict[str, Reader] = {}


def register(name: str, read: ReadFunction | str, detect: DetectFunction | str | None = None,
             *, priority: int = 50, projects: bool = False) -> None:
    """Make a reader available to `read_responses` and `--format NAME`."""
    READERS[name] = Reader(name, read, detect, priority, projects)


def _resolve(target: Callable | str) -> Callable:
    if callable(target):
        return target
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)


def formats() -> list[str]:
    """The names `format=` accepts (besides "auto")."""
    return sorted(READERS)


def detect_format(path: str | Path) -> str:
    """The name of the first reader whose detector recognises the file's content."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as error:
        raise SourceError([Problem(str(path), 1, 1, "unreadable",
                                   f"cannot read the file: {error.strerror}")]) from None
    if not head:
        raise SourceError([Problem(str(path), 1, 1, "empty-file", "the file is empty")])
    for reader in sorted(READERS.values(), key=lambda r: r.priority):
        if reader.detects(path, head):
            return reader.name
    if b"\x00" not in head:  # text that no reader knew: say so if its encoding is the cause
        decode_text(path.read_bytes(), str(path))
    raise SourceError([Problem(str(path), 1, 1, "unknown-format",
                               "cannot tell what kind of file this is; name its format, one of: "
                               + ", ".join(formats()))])


def read_responses(path: str | Path, questionnaire: Questionnaire | str | Path,
                   format: str = "auto", *, variables: Collection[str] | None = None,
                   **options: Any) -> Responses:
    """Read a data file into Responses; `format` is "auto" (by content) or a registered name.

    `questionnaire` is a loaded Questionnaire or the path of its YAML file. `variables` names
    what the caller will use (questions, derived variables, segments, design columns): a reader
    that can (Parquet; a .sav file in our layout) then reads only the columns computing them
    needs; None reads everything.
    """
    if isinstance(questionnaire, (str, Path)):
        from survey.questionnaire.loader import load_questionnaire

        questionnaire = load_questionnaire(questionnaire)
    path = Path(path)
    if format == "auto":
        format = detect_format(path)
    if format not in READERS:
        raise SourceError([Problem(str(path), 1, 1, "unknown-format",
                                   f"unknown format '{format}'; the formats are: auto, "
                                   + ", ".join(formats()))])
    if not path.exists() or path.is_dir():
        raise SourceError([Problem(str(path), 1, 1, "unreadable",
                                   "a folder, not a file" if path.exists() else "no such file")])
    reader = READERS[format]
    if variables is not None and reader.projects:
        options["variables"] = variables
    return reader.reader()(path, questionnaire, **options)


def _magic(*prefixes: bytes) -> DetectFunction:
    return lambda path, head: head.startswith(prefixes)


def _is_stata(path: Path, head: bytes) -> bool:
    """Stata 13+ starts with '<stata_dta>'; 8-12 with a release byte 104-115 then byte order."""
    if head.startswith(b"<stata_dta>"):
        return True
    return len(head) > 4 and head[0] in range(104, 116) and head[1] in (1, 2) and head[2] == 1


# Registrations: containers known by their magic alone (5), platform layouts (10), then other
# containers (50), then plain text (90).
register("parquet", "survey.readers.parquet:read", _magic(b"PAR1"), priority=5, projects=True)
register("sav", "survey.readers.spss:read", _magic(b"$FL2", b"$FL3"), priority=5, projects=True)
register("dta", "survey.readers.stata:read", _is_stata, priority=5)
register("wjx", "survey.readers.wjx:read", "survey.readers.wjx:detect", priority=10)
register("kobo", "survey.readers.kobo:read", "survey.readers.kobo:detect", priority=10)
register("qualtrics", "survey.readers.qualtrics:read", "survey.readers.qualtrics:detect",
         priority=10)
register("sqlite", "survey.collect.reader:read", "survey.collect.reader:detect", priority=10)
register("xpt", "survey.readers.sas:read_xport", "survey.readers.sas:detect_xport")
register("sas7bdat", "survey.readers.sas:read_sas7bdat", "survey.readers.sas:detect_sas7bdat")
register("xlsx", "survey.readers.excel:read", _magic(b"PK\x03\x04"))
register("csv", "survey.readers.delimited:read", "survey.readers.delimited:detect", priority=90)
