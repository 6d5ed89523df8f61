"""Write Responses to the files researchers use: Parquet, SPSS .sav (+ .sps), Stata .dta, CSV, xlsx.

Every writer produces its file whole or not at all (a temporary file beside it, then os.replace).
`write_responses` picks the writer by the file's suffix unless `format` names one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from survey.errors import SurveyError
from survey.responses.dataset import Responses
from survey.writers.parquet import write_parquet
from survey.writers.spss import write_sav
from survey.writers.stata import write_dta
from survey.writers.table import write_csv, write_xlsx
from survey.writers.text_cells import fit_text

WRITERS: dict[str, Callable[..., Path]] = {
    "parquet": write_parquet,
    "sav": write_sav,
    "dta": write_dta,
    "csv": write_csv,
    "xlsx": write_xlsx,
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
    if format == "parquet":
        return write_parquet(responses, path)
    fitted = fit_text(responses.frame, format)
    if fitted is not responses.frame:
        responses = dataclasses.replace(responses, frame=fitted)
    return WRITERS[format](responses, path, lang=lang)
