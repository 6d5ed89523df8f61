"""Write Responses to the files researchers use: Parquet, SPSS .sav (+ .sps), Stata .dta, CSV, xlsx.

Every writer produces its file whole or not at all (a temporary file beside it, then os.replace).
`write_responses` picks the writer by the file's suffix unless `format` names one.
"""

from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path

from survey.errors import SurveyError
from survey.responses.dataset import Responses

# "module:function", imported on first use: reading a Parquet file need not load pyreadstat
WRITERS: dict[str, str] = {
    "parquet": "survey.writers.parquet:write_parquet",
    "sav": "survey.writers.spss:write_sav",
    "dta": "survey.writers.stata:write_dta",
    "csv": "survey.writers.table:write_csv",
    "xlsx": "survey.writers.table:write_xlsx",
}
SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".sav": "sav", ".dta": "dta", ".csv": "csv",
            ".xlsx": "xlsx"}


class UnknownOutputFormat(SurveyError):
    """The output file's suffix names no format we write."""

    code = "unknown-output-format"


def output_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise UnknownOutputFormat(f"{path}: cannot write '{suffix or 'no suffix'}' files; use one "
                                  f"of {', '.join(sorted(SUFFIXES))}")
    return SUFFIXES[suffix]


def write_responses(responses: Responses, path: str | Path, format: str = "auto", *,
                    lang: str | None = None) -> Path:
    """Write `responses` to `path`; labels (where the format has them) in `lang`."""
    format = output_format(path) if format == "auto" else format
    if format not in WRITERS:
        raise UnknownOutputFormat(f"unknown output format '{format}'; the formats are: "
                                  + ", ".join(WRITERS))
    module, _, name = WRITERS[format].partition(":")
    write = getattr(importlib.import_module(module), name)
    if format == "parquet":
        return write(responses, path)
    from survey.writers.text_cells import fit_text

    fitted = fit_text(responses.frame, format)
    if fitted is not responses.frame:
        responses = dataclasses.replace(responses, frame=fitted)
    return write(responses, path, lang=lang)
