"""CSV (UTF-8 with BOM, so Excel opens it) and Excel workbooks in our coded layout."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from survey.files.atomic import atomic_path
from survey.responses.coded import encode
from survey.responses.dataset import Responses


def table_frame(responses: Responses) -> pd.DataFrame:
    """Codes, missing kinds as codes (-3/-2/-1), integers without '.0', dates as YYYY-MM-DD."""
    frame = encode(responses)
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_float_dtype(series.dtype):
            whole = series.dropna()
            if len(whole) and (whole == whole.round()).all():
                frame[column] = series.astype("Int64")
        elif pd.api.types.is_datetime64_any_dtype(series.dtype):
            frame[column] = series.dt.strftime("%Y-%m-%d")
    return frame


def write_csv(responses: Responses, path: str | Path, *, lang: str | None = None,
              encoding: str = "utf-8-sig") -> Path:
    """`lang` is accepted for a uniform signature: a CSV carries codes, not labels."""
    with atomic_path(path) as tmp:
        table_frame(responses).to_csv(tmp, index=False, encoding=encoding)
    return Path(path)


def write_xlsx(responses: Responses, path: str | Path, *, lang: str | None = None) -> Path:
    """The data sheet in our coded layout, and a 'labels' sheet naming each column (in `lang`)."""
    from survey.writers.labels import variable_labels

    frame = table_frame(responses)
    labels = variable_labels(responses.questionnaire, lang or
                             responses.questionnaire.survey.default_language)
    legend = pd.DataFrame({"column": frame.columns,
                           "label": [labels.get(c, "") for c in frame.columns]})
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            frame.to_excel(writer, sheet_name="data", index=False)
            legend.to_excel(writer, sheet_name="labels", index=False)
    return Path(path)
