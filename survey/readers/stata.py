"""Stata .dta files: ours (extended missing .a-.d as missing kinds), and others' by name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from survey.files.source import Problem, SourceError
from survey.questionnaire.columns import block_columns, case_renames
from survey.questionnaire.model import Questionnaire
from survey.responses.dataset import Responses
from survey.responses.missing import KIND_OF_STATA_CODE
from survey.writers.stata import stata_names


def read(path: Path, questionnaire: Questionnaire) -> Responses:
    try:
        frame, _meta = pyreadstat.read_dta(str(path), user_missing=True)
    except Exception as error:  # pyreadstat.ReadstatError and OSError
        raise SourceError([Problem(str(path), 1, 1, "bad-dta",
                                   f"not a readable Stata file: {error}")]) from None
    back = {short: long for long, short in stata_names(questionnaire).items() if short != long}
    frame = frame.rename(columns=back)
    frame = frame.rename(columns=case_renames(frame.columns, questionnaire))
    kinds: dict[str, np.ndarray] = {}
    for q in questionnaire.items.values():
        named = list(block_columns(q).values()) if q.is_set else [q.name]
        columns = [c for c in named if c in frame.columns]
        for column in columns:
            series = frame[column]
            if series.dtype != object:
                continue
            marks = series.map(lambda v: KIND_OF_STATA_CODE.get(v) if isinstance(v, str)
                               else None)
            hit = marks.notna().to_numpy()
            if hit.any():
                kind = kinds.setdefault(q.name, np.full(len(frame), np.nan))
                kind[hit] = marks[hit].to_numpy(dtype="float64")
                frame[column] = pd.to_numeric(series.where(~hit), errors="coerce")
    missing = pd.DataFrame(kinds, index=frame.index)
    return Responses.from_raw(questionnaire, frame, missing=missing, source=str(path))
