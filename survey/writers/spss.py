"""SPSS .sav via pyreadstat, with a .sps beside it defining the multiple-response sets.

pyreadstat cannot write MR sets (formats.md §6). The .sav carries those of multi questions in its
MRSETS record (`spss_mrsets`: dichotomy sets over the 0/1 blocks, put in after pyreadstat), and the
syntax file defines them all: MDGROUP sets over the 0/1 blocks of multi questions; for rank
questions, flags `<block column>_any` computed as "ranked at all" and an MDGROUP over them, plus
one over the positions counting "ranked first".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from survey.files.atomic import atomic_path
from survey.questionnaire.columns import block_columns
from survey.responses.coded import CODED_TYPES, carries_codes, encode
from survey.responses.dataset import Responses
from survey.writers.labels import value_labels, variable_labels
from survey.writers.spss_mrsets import MRSet, add_mrsets
from survey.writers.spss_names import rename_notes, spss_names

SPSS_MISSING_RANGE = {"lo": -3.0, "hi": -1.0}


def sav_frame(responses: Responses) -> pd.DataFrame:
    """Our coded layout with text as str ('' when missing) and dates as dates."""
    frame = encode(responses)
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, pd.StringDtype) or series.dtype == object:
            frame[column] = series.astype(object).where(series.notna(), "").astype(str)
        elif pd.api.types.is_bool_dtype(series.dtype):
            frame[column] = series.astype("float64")
        elif pd.api.types.is_numeric_dtype(series.dtype):
            frame[column] = series.to_numpy(dtype="float64", na_value=np.nan)
    return frame


def write_sav(responses: Responses, path: str | Path, *, lang: str | None = None) -> Path:
    """Write `path` (.sav) and `path.with_suffix('.sps')` (MR sets), labels in `lang`."""
    questionnaire = responses.questionnaire
    lang = lang or questionnaire.survey.default_language
    frame = sav_frame(responses)
    missing_ranges: dict[str, list] = {}
    measure: dict[str, str] = {}
    for q in questionnaire.items.values():
        columns = responses.columns_of(q.name)
        if carries_codes(q):
            numeric = q.type not in CODED_TYPES or all(isinstance(c, int) for c in q.codes)
            ranges: list = [dict(SPSS_MISSING_RANGE)] if numeric else ["-3", "-2", "-1"]
            if numeric and q.type in CODED_TYPES and q.dont_know is not None:
                ranges.append(q.dont_know)
            missing_ranges.update({c: ranges for c in columns})
        kind = {"number": "scale", "scale": "ordinal", "rank": "ordinal"}.get(q.type, "nominal")
        if q.type == "single" and q.ordered:
            kind = "ordinal"
        if q.type in ("number", "single", "scale") or q.is_set:
            measure.update({c: kind for c in columns})
    formats = {q.name: "DATE10" for q in questionnaire.items.values() if q.type == "date"}
    info = questionnaire.survey
    labels = {c: t for c, t in variable_labels(questionnaire, lang).items() if c in frame.columns}
    renamed = spss_names(frame.columns)
    labels |= {old: labels.get(old, old) for old in renamed}  # the layout's name, at least
    new = lambda mapping: {renamed.get(k, k): v for k, v in mapping.items()}  # noqa: E731
    note = f"worker-survey questionnaire {info.id} version {info.version}"[:80]
    with atomic_path(path) as tmp:
        pyreadstat.write_sav(
            frame.rename(columns=renamed), str(tmp), row_compress=True,
            file_label=questionnaire.label(info.title, lang)[:64],
            column_labels=new(labels),
            variable_value_labels=new(value_labels(questionnaire, lang)),
            missing_ranges=new(missing_ranges), variable_measure=new(measure),
            variable_format=new(formats) or None,
            note=[note, *rename_notes(renamed)])
        add_mrsets(tmp, [MRSet(q.name, questionnaire.label(q.label, lang),
                               tuple(renamed.get(c, c) for c in block_columns(q).values()))
                         for q in questionnaire.items.values() if q.type == "multi"])
    write_sps(responses, Path(path).with_suffix(".sps"), lang, renamed)
    return Path(path)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def mrsets_syntax(responses: Responses, lang: str | None = None,
                  renamed: dict[str, str] | None = None) -> str:
    """SPSS syntax defining the multiple-response sets, in the names the .sav has."""
    renamed = renamed or {}
    questionnaire = responses.questionnaire
    lines = ["* Multiple-response sets for the .sav of the same name (worker-survey).",
             "* Open the .sav, then run this file.", ""]
    sets: list[str] = []
    for q in questionnaire.items.values():
        if not q.is_set:
            continue
        label = questionnaire.label(q.label, lang)
        columns = [renamed.get(c, c) for c in block_columns(q).values()]
        if q.type == "multi":
            sets.append(f"  /MDGROUP NAME=${q.name} LABEL={_quote(label)}\n"
                        f"    CATEGORYLABELS=VARLABELS VARIABLES={' '.join(columns)} VALUE=1")
            continue
        flags = [f"{c}_any" for c in columns]
        options = q.options if isinstance(q.options, dict) else {}
        for code, column, flag in zip(q.codes, columns, flags, strict=True):
            lines.append(f"COMPUTE {flag} = {column} > 0.")
            option = questionnaire.label(options[code], lang)
            lines.append(f"VARIABLE LABELS {flag} {_quote(option)}.")
        sets.append(f"  /MDGROUP NAME=${q.name} LABEL={_quote(label)}\n"
                    f"    CATEGORYLABELS=VARLABELS VARIABLES={' '.join(flags)} VALUE=1")
        sets.append(f"  /MDGROUP NAME=${q.name}_first LABEL={_quote(label + ' (1)')}\n"
                    f"    CATEGORYLABELS=VARLABELS VARIABLES={' '.join(columns)} VALUE=1")
    if any(line.startswith("COMPUTE") for line in lines):
        lines += ["EXECUTE.", ""]
    if sets:
        lines += ["MRSETS", *sets, "  /DISPLAY NAME=[ALL]."]
    return "\n".join(lines) + "\n"


def write_sps(responses: Responses, path: Path, lang: str | None = None,
              renamed: dict[str, str] | None = None) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(mrsets_syntax(responses, lang, renamed), encoding="utf-8-sig")
    return path
