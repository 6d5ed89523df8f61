"""SPSS .sav files: ours, and others' that use the questionnaire's variable names.

Read with pyreadstat keeping user-missing codes (`user_missing=True`) so that our -3/-2/-1 codes
become missing kinds; a file whose user-missing values are other codes loses nothing either, as
unknown codes stay visible in the data.
"""

from __future__ import annotations

from pathlib import Path

import pyreadstat

from survey.files.source import Problem, SourceError
from survey.questionnaire.columns import case_renames
from survey.questionnaire.model import Questionnaire
from survey.responses.coded import decode
from survey.responses.dataset import Responses
from survey.writers.spss_names import restored_names


def read(path: Path, questionnaire: Questionnaire) -> Responses:
    try:
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    except Exception as error:  # pyreadstat.ReadstatError and OSError
        raise SourceError([Problem(str(path), 1, 1, "bad-sav",
                                   f"not a readable SPSS file: {error}")]) from None
    frame = frame.rename(columns=restored_names(meta.notes or ()))  # names SPSS refused
    frame = frame.rename(columns=case_renames(frame.columns, questionnaire))
    raw, missing = decode(questionnaire, frame)
    return Responses.from_raw(questionnaire, raw, missing=missing, source=str(path))
