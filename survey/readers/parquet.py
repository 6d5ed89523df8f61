"""Our Parquet files: answers plus the `_missing.<name>` columns of missing kinds.

With `variables` (names of questions, derived variables, segments or plain columns), only the
columns that computing them reads are read and cast (survey.questionnaire.needs): a banner of one
question by three segments reads a few of a file's hundred columns.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path

import pyarrow.parquet as pq

from survey.files.source import Problem, SourceError
from survey.questionnaire.model import Questionnaire
from survey.questionnaire.needs import needs
from survey.responses.dataset import Responses

MISSING_PREFIX = "_missing."  # the column of a variable's missing kinds (survey.writers.parquet)
METADATA_KEY = b"worker_survey"


def _damaged(path: Path, error: Exception) -> SourceError:
    return SourceError([Problem(str(path), 1, 1, "bad-parquet",
                                f"not a readable Parquet file: {error}")])


def read(path: Path, questionnaire: Questionnaire,
         variables: Collection[str] | None = None) -> Responses:
    try:
        schema = pq.read_schema(path)
    except Exception as error:  # pyarrow raises several types for damaged files
        raise _damaged(path, error) from None
    ours = json.loads((schema.metadata or {}).get(METADATA_KEY, b"{}"))
    expected = questionnaire.survey.id
    if ours and ours.get("questionnaire_id") != expected:
        raise SourceError([Problem(str(path), 1, 1, "other-questionnaire",
                                   f"the file answers questionnaire '{ours['questionnaire_id']}', "
                                   f"not '{expected}'")])
    columns = only = None
    if variables is not None:
        wanted = needs(questionnaire, variables)
        present = set(schema.names)
        columns = [c for c in wanted.source_columns(questionnaire)
                   + [MISSING_PREFIX + q for q in sorted(wanted.questions)] if c in present]
        only = wanted.questions
    try:
        table = pq.read_table(path, columns=columns)
    except Exception as error:
        raise _damaged(path, error) from None
    frame = table.to_pandas(split_blocks=True, self_destruct=True)
    del table
    kinds = [c for c in frame.columns if c.startswith(MISSING_PREFIX)]
    missing = frame[kinds].rename(columns=lambda c: c.removeprefix(MISSING_PREFIX))
    return Responses.from_raw(questionnaire, frame.drop(columns=kinds), missing=missing,
                              source=str(path), only=only)
