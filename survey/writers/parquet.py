"""Parquet: the lossless form of Responses (answers, missing kinds, questionnaire id/version)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from survey.files.atomic import atomic_path
from survey.readers.parquet import METADATA_KEY, MISSING_PREFIX
from survey.responses.dataset import Responses


def parquet_table(responses: Responses) -> pa.Table:
    frame = responses.frame.copy()
    for column in frame.columns:
        series = frame[column]
        mixed = isinstance(series.dtype, pd.CategoricalDtype) and \
            len({type(c) for c in series.cat.categories}) > 1
        mixed = mixed or series.dtype == object and \
            len({type(v) for v in series.dropna()}) > 1  # a pass-through column: 1, 'x', 2.5
        if mixed:  # codes outside the questionnaire of another kind: kept as text
            frame[column] = series.astype(str).where(series.notna(), None)
    missing = responses.missing.add_prefix(MISSING_PREFIX)
    table = pa.Table.from_pandas(pd.concat([frame, missing], axis=1), preserve_index=False)
    info = responses.questionnaire.survey
    ours = {"questionnaire_id": info.id, "questionnaire_version": info.version, "layout": 1}
    return table.replace_schema_metadata({**(table.schema.metadata or {}),
                                         METADATA_KEY: json.dumps(ours).encode()})


def write_parquet(responses: Responses, path: str | Path) -> Path:
    with atomic_path(path) as tmp:
        pq.write_table(parquet_table(responses), tmp)
    return Path(path)
