"""Text that a file format cannot hold whole is changed as little as possible, and said.

SPSS keeps at most 32,767 bytes in a string (pyreadstat writes longer ones, but past about
65,000 bytes the whole variable reads back empty); a worksheet cell holds 32,767 characters and
no control characters; .sav, .dta and our CSV reader end a text at a NUL byte. Parquet keeps
everything. Each change is a `SurveyWarning` naming the column, the count and the first row, so
a researcher knows which answers to read from the Parquet file instead.
"""

from __future__ import annotations

import re
import warnings

import pandas as pd

from survey.errors import SurveyWarning

SPSS_BYTES = 32767
EXCEL_CHARS = 32767
NUL = re.compile("\x00")
EXCEL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what openpyxl refuses
CONTROL = {"sav": NUL, "dta": NUL, "csv": NUL, "xlsx": EXCEL_ILLEGAL}


def fit_text(frame: pd.DataFrame, format: str) -> pd.DataFrame:
    """The frame with text cells `format` cannot hold made to fit, one warning per column."""
    control = CONTROL.get(format)
    if control is None:
        return frame
    changed = {}
    for column in frame.columns:
        series = frame[column]
        if not (series.dtype == object or isinstance(series.dtype, pd.StringDtype)):
            continue
        text = series.astype(object)
        if pd.api.types.infer_dtype(text, skipna=True) != "string":  # mixed: keep the texts
            text = text.where(text.map(lambda v: isinstance(v, str)), None)
        if text.isna().all():
            continue
        fitted = _without_control(column, text, control, format)
        fitted = _cut(column, fitted, format)
        if fitted is not text:
            changed[column] = fitted.where(text.notna(), series.astype(object)).astype(
                series.dtype if isinstance(series.dtype, pd.StringDtype) else object)
    return frame.assign(**changed) if changed else frame


def _without_control(column: str, text: pd.Series, control: re.Pattern, format: str) -> pd.Series:
    strings = text.dropna().astype(str)
    bad = strings.str.contains(control.pattern, regex=True)
    if not bad.any():
        return text
    what = "NUL bytes" if control is NUL else "control characters"
    _warn(f"column '{column}': {what} removed from {int(bad.sum())} answer(s) (first in row "
          f"{int(bad.idxmax()) + 1}): .{format} files cannot hold them; Parquet keeps them")
    cleaned = text.copy()
    cleaned[bad[bad].index] = strings[bad].str.replace(control.pattern, "", regex=True)
    return cleaned


def _cut(column: str, text: pd.Series, format: str) -> pd.Series:
    strings = text.dropna().astype(str)
    if format == "sav":
        long = strings[strings.str.len() > SPSS_BYTES // 4]
        sizes = long.map(lambda s: len(s.encode("utf-8")))
        over, limit, unit = sizes[sizes > SPSS_BYTES].index, SPSS_BYTES, "bytes"
    elif format == "xlsx":
        over = strings[strings.str.len() > EXCEL_CHARS].index
        limit, unit = EXCEL_CHARS, "characters"
    else:
        return text
    if not len(over):
        return text
    _warn(f"column '{column}': {len(over)} answer(s) longer than {limit:,} {unit} cut to fit "
          f".{format} (first in row {int(over[0]) + 1}); Parquet and CSV keep them whole")
    cut = text.copy()
    for row in over:
        value = strings[row]
        cut[row] = value.encode("utf-8")[:SPSS_BYTES].decode("utf-8", "ignore") \
            if format == "sav" else value[:EXCEL_CHARS]
    return cut


def _warn(message: str) -> None:
    warnings.warn(message, SurveyWarning, stacklevel=4)
