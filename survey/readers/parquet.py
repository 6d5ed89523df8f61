"""Our Parquet files: answers plus the `_missing.<name>` columns of missing kinds."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from survey.files.source import Problem, SourceError
from survey.questionnaire.model import Questionnaire
from survey.responses.dataset import Responses
from survey.writers.parquet import METADATA_KEY, MISSING_PREFIX


def read(path: Path, questionnaire: Questionnaire) -> Responses:
    try:
        table = pq.read_table(path)
    except Exception as error:  # pyarrow raises several types for damaged files
        raise SourceError([Problem(str(path), 1, 1, "bad-parquet",
                                   f"not a readable Parquet file: {error}")]) from None
    ours = json.loads((table.schema.metadata or {}).get(METADATA_KEY, b"{}"))
    expected = questionnaire.survey.id
    if ours and ours.get("questionnaire_id") != expected:
        raise SourceError([Problem(str(path), 1, 1, "other-questionnaire",
                                   f"the file answers questionnaire '{ours['questionnaire_id']}', "
                                   f"not '{expected}'")])
    frame = table.to_pandas()
    kinds = [c for c in frame.columns if c.startswith(MISSING_PREFIX)]
    missing = frame[kinds].rename(columns=lambda c: c.removeprefix(MISSING_PREFIX))
    return Responses.from_raw(questionnaire, frame.drop(columns=kinds), missing=missing,
                              source=str(path))
