"""Read the collection store (`survey serve`'s SQLite file) into Responses.

One row per stored submission of the questionnaire: ``respondent_id`` is the submission id, then
the questionnaire's columns (docs/reference/responses.md), then ``received`` (UTC),
``questionnaire_version`` and ``language``. Missing kinds are inferred by `Responses.from_raw` from
the same logic the form and the server applied: SKIPPED where ``relevant`` was false, EMPTY where
shown and left empty. Registered with `survey.readers` as format ``sqlite``, so `survey import
responses.sqlite` works. A PostgreSQL store is read with `read_store(url, questionnaire)`; `survey
import postgresql://...` calls it (`survey.responses.importing`: the readers take files, this takes
a URL).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from survey.collect.store import StoreURLError, Submission, is_store, submissions
from survey.collect.validation import other_key
from survey.files.source import Problem, SourceError
from survey.questionnaire.columns import option_column
from survey.questionnaire.model import Questionnaire
from survey.responses.dataset import Responses
from survey.responses.missing import DONT_KNOW


def detect(path: Path, head: bytes) -> bool:
    """True for an SQLite file written by `survey serve`."""
    return head.startswith(b"SQLite format 3\x00") and is_store(path)


def read(path: Path, questionnaire: Questionnaire) -> Responses:
    """Every stored submission of `questionnaire` (any version of it) as Responses."""
    if not is_store(path):
        raise SourceError([Problem(str(path), 1, 1, "not-a-store", "this is not a submissions "
                                   "database written by 'survey serve'")])
    return Responses.from_raw(questionnaire, raw_frame(path, questionnaire), source=str(path))


def read_store(db: str | Path, questionnaire: Questionnaire) -> Responses:
    """Every stored submission of `questionnaire` in any store (SQLite file or PostgreSQL URL);
    a database that cannot be read is a `StoreURLError` naming it without its password."""
    if not (isinstance(db, str) and "://" in db):
        return read(Path(db), questionnaire)
    import psycopg

    from survey.collect import postgres

    try:
        frame = frame_of(postgres.submissions(db), questionnaire)
    except psycopg.Error as error:  # libpq's messages run over lines: one line here
        reason = " ".join(str(error).split()) or type(error).__name__
        raise StoreURLError(f"cannot read the store: {reason}",
                            location=postgres.describe(db)) from None
    return Responses.from_raw(questionnaire, frame, source=postgres.describe(db))


def raw_frame(path: str | Path, questionnaire: Questionnaire) -> pd.DataFrame:
    """The stored answers as plain values in the documented columns (before casting)."""
    return frame_of(submissions(path), questionnaire)


def frame_of(found: Iterable[Submission], questionnaire: Questionnaire) -> pd.DataFrame:
    """Submissions of `questionnaire` as plain values in the documented columns."""
    stored = [s for s in found if s.questionnaire_id == questionnaire.survey.id]
    answers = [s.answers_dict() for s in stored]
    columns: dict[str, list] = {"respondent_id": [s.submission_id for s in stored]}
    for name, q in questionnaire.items.items():
        values = [a.get(name) for a in answers]
        if q.is_set:
            for code in q.codes:
                columns[option_column(name, code)] = [
                    None if not v else (v.index(code) + 1 if code in v else 0)
                    if q.type == "rank" else int(code in v) for v in values]
        else:
            columns[name] = values
        if q.other is not None:
            key = other_key(name, q.other)
            columns[key] = [a.get(key) for a in answers]
    columns["received"] = list(pd.to_datetime([s.received for s in stored], utc=True,
                                              format="ISO8601"))
    columns["questionnaire_version"] = [s.questionnaire_version for s in stored]
    columns["language"] = [s.language for s in stored]
    frame = pd.DataFrame(columns)
    for meta in ("questionnaire_version", "language"):
        frame[meta] = frame[meta].astype("string")
    return frame


def answers_of(responses: Responses, row: int) -> dict[str, object]:
    """One respondent's answers in the submission format (to compare a round trip)."""
    frame, missing, questionnaire = responses.frame, responses.missing, responses.questionnaire
    found: dict[str, object] = {}
    for name, q in questionnaire.items.items():
        if not q.is_set and missing.at[row, name] == DONT_KNOW:
            found[name] = q.dont_know
            continue
        if q.is_set:
            block = {c: frame.at[row, option_column(name, c)] for c in q.codes}
            if all(pd.isna(v) for v in block.values()):
                continue
            chosen = [c for c, v in block.items() if v]
            found[name] = sorted(chosen, key=lambda c: block[c]) if q.type == "rank" else chosen
        else:
            value = frame.at[row, name]
            if pd.isna(value):
                continue
            if q.type == "date":
                value = value.date().isoformat()
            elif q.type == "number":
                value = int(value) if q.integer else float(value)
            elif q.type == "text":
                value = str(value)
            found[name] = value
        if q.other is not None and not pd.isna(frame.at[row, other_key(name, q.other)]):
            found[other_key(name, q.other)] = str(frame.at[row, other_key(name, q.other)])
    return found
