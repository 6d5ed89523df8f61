"""The dictionary of an SPSS .sav or Stata .dta file, as `survey init` reads it.

Each variable's name, label, storage and display format, SPSS measure level, value labels split
into answers and missing codes (SPSS user-missing values and ranges, Stata's `.a`-`.z`), and the
SPSS multiple-response sets: all from the file's metadata. The values are read once, and only when
a guess needs them (is an unlabelled variable 0/1, are its numbers whole, how many places does a
ranking have, which codes have no label).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
import pyreadstat

from survey.drafts.draft import Code, InitError
from survey.responses.missing import FILE_CODE_LABELS

_SPSS_DATE = re.compile(r"(DATE|ADATE|EDATE|JDATE|SDATE|DATETIME|YMDHMS|MOYR|QYR|WKYR)\d*",
                        re.I)
_SPSS_DECIMALS = re.compile(r"[A-Z]+\d+\.(\d+)$", re.I)
_STATA_FIXED = re.compile(r"%-?\d*\.(\d+)[fe]c?$")
_STATA_INTEGER = ("int8", "int16", "int32")
_LETTER = re.compile(r"^[a-z]$")
# our own files' codes of missing kinds (-3 skipped, -2 not shown, -1 empty): the readers decode
# them in every column, so they are no answer and no option
OUR_MISSING = {(code, text) for code, texts in FILE_CODE_LABELS.items() for text in texts.values()}


@dataclass
class Variable:
    """One column of the file as its dictionary describes it."""

    name: str
    position: int  # 1-based
    label: str  # '' when the file gives none
    text: bool = False  # a string variable
    date: bool = False
    datetime: bool = False
    whole: bool | None = None  # its format shows no decimals (True), some (False), or either
    format: str = ""
    ordinal: bool = False  # SPSS measure level
    labels: dict[Code, str] = field(default_factory=dict)  # value labels of answers
    missing: dict[Code, str] = field(default_factory=dict)  # labelled missing codes or letters
    declared: list[tuple[float, float]] = field(default_factory=list)  # SPSS user-missing ranges
    label_set: str | None = None  # the name of its value-label set

    @property
    def numeric(self) -> bool:
        return not self.text and not self.date


@dataclass
class Dictionary:
    """What the file says about its variables, and its values on demand."""

    path: Path
    kind: str  # "spss" or "stata"
    title: str
    variables: list[Variable]
    mr_sets: dict[str, dict]  # SPSS multiple-response sets, by name without '$'

    @cached_property
    def values(self) -> pd.DataFrame:
        """The numeric variables' values, missing codes and letters read as empty (one read)."""
        columns = [v.name for v in self.variables if v.numeric]
        if not columns:
            return pd.DataFrame()
        frame, _ = _reader(self.path)(str(self.path), usecols=columns)
        return frame.apply(pd.to_numeric, errors="coerce")

    def observed(self, name: str) -> pd.Series:
        """A numeric variable's values present in the file (user-missing ones left out)."""
        return self.values[name].dropna()


def code_of(value: object) -> Code:
    """A value as an option code: 2.0 is 2; text is itself, trimmed."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    return str(value).strip()


def _in_ranges(value: object, ranges: list[tuple[float, float]]) -> bool:
    return isinstance(value, int | float) and any(lo <= value <= hi for lo, hi in ranges)


def _declared(meta, name: str) -> list[tuple[float, float]]:
    found = [(float(v), float(v)) for v in (meta.missing_user_values or {}).get(name, [])
             if isinstance(v, int | float)]
    for r in (meta.missing_ranges or {}).get(name, []):
        if isinstance(r.get("lo"), int | float) and isinstance(r.get("hi"), int | float):
            found.append((float(r["lo"]), float(r["hi"])))
    return found


def _whole(kind: str, fmt: str, storage: str) -> bool | None:
    if kind == "stata":
        if storage in _STATA_INTEGER:
            return True
        fixed = _STATA_FIXED.match(fmt)
        return None if fixed is None else fixed.group(1) == "0"
    decimals = _SPSS_DECIMALS.match(fmt)
    return None if decimals is None else decimals.group(1) == "0"


def _variable(meta, kind: str, name: str, position: int) -> Variable:
    fmt = str((meta.original_variable_types or {}).get(name) or "")
    storage = str((meta.readstat_variable_types or {}).get(name) or "")
    date = bool(_SPSS_DATE.fullmatch(fmt)) if kind == "spss" else fmt.startswith(("%td", "%tc",
                                                                                  "%d", "%tC"))
    variable = Variable(
        name=name, position=position, label=str(meta.column_names_to_labels.get(name) or ""),
        text=storage == "string", date=date and storage != "string",
        datetime=date and ("TIME" in fmt.upper() or fmt.startswith(("%tc", "%tC"))),
        whole=_whole(kind, fmt, storage), format=fmt,
        ordinal=(meta.variable_measure or {}).get(name) == "ordinal",
        declared=_declared(meta, name) if kind == "spss" else [],
        label_set=(meta.variable_to_label or {}).get(name))
    for value, text in ((meta.variable_value_labels or {}).get(name) or {}).items():
        code, text = code_of(value), str(text).strip()
        if (code, text) in OUR_MISSING:
            continue
        if (kind == "stata" and isinstance(value, str) and _LETTER.match(value)) or \
                _in_ranges(value, variable.declared):
            variable.missing[code] = text
        else:
            variable.labels[code] = text
    return variable


def _reader(path: Path):
    return {".dta": pyreadstat.read_dta}.get(path.suffix.lower(),
                                                                         pyreadstat.read_sav)


def read_dictionary(path: Path) -> Dictionary:
    """The dictionary of a .sav, .zsav or .dta file (its metadata only)."""
    kind = "stata" if path.suffix.lower() == ".dta" else "spss"
    try:
        extra = {"user_missing": True} if path.suffix.lower() in (".sav", ".zsav") else {}
        _, meta = _reader(path)(str(path), metadataonly=True, **extra)
    except Exception as error:  # pyreadstat.ReadstatError and OSError
        what = "Stata" if kind == "stata" else "SPSS"
        raise InitError(f"{path}: not a readable {what} file ({error})") from None
    variables = [_variable(meta, kind, name, i)
                 for i, name in enumerate(meta.column_names, start=1)]
    sets = {str(k).lstrip("$"): v for k, v in (getattr(meta, "mr_sets", None) or {}).items()}
    return Dictionary(path, kind, str(meta.file_label or "").strip(), variables, sets)
