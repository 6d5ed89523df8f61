"""KoboToolbox (formpack) and ODK Central exports of the XLSForm that `survey form` writes, or of
a form with the questionnaire's names and labels.

Layout (../shared/formats.md §2; [I] marks our assumptions):

- KoboToolbox CSV: `;`-separated, every field quoted. Headers are XML names, with the group path
  joined by `/` or by `.` (the export's "group separator"), or no group path at all ("include
  groups" off); or labels in one of the form's languages, joined the same way. The native .xlsx
  export is the same table on its first sheet; later sheets are repeat groups, and a row of HXL
  hashtags under the header is a header row (kobo_files).
- select_multiple: a summary column (choice names, or labels, space-joined) and/or one
  `q/option` column per choice (`q.option` with the `.` separator) holding 1/0 (`True`/`False`
  from a workbook of booleans or a re-save by R or pandas), all '' when unanswered.
- Metadata: `_id` (→ `respondent_id`), `_uuid`, `_submission_time` (UTC without an offset, →
  `submitted_at`), `_validation_status` (uid or label), `_notes`, `_status`, `_submitted_by`,
  `__version__`, `_tags`, `_index`, the XForm `meta/…` group; the form fields `start` and `end`
  (with the device's offset) become local times and give `duration_seconds`.
- ODK Central: `,`-separated, quoted only when needed, `SubmissionDate` (UTC, → `submitted_at`)
  first, then the form's fields in form order (`meta-instanceID` where the form has its `meta`
  group: last in a pyxform form), groups joined by `-` (`identity_grid-identity_1`) or none
  (`groupPaths=false`: `instanceID`), split columns `q/option` only with
  `splitSelectMultiples=true`, and the trailing block `KEY` (→ `respondent_id`) … `FormVersion`;
  older servers end a row after its last value. Repeat tables and the .zip: kobo_files.
- Values are XML names or labels, decided per question by which of them the cells are (a label
  export keeps a rank's XML names: formpack writes a rank as text). A rank question is one column
  of choice names in rank order, space-joined (the ODK rank widget's value) [I], or one column
  per option holding its rank position, or, built in Kobo's form builder, one column per level
  (`concerns/_1st_choice`) holding the option ranked there (kobo_rank). Its `<q>__pick`
  helper (pick-then-rank forms: a select_multiple) and the form's `calculate` fields (derived
  variables, recomputed by `Responses.derive`) are listed as metadata and dropped.
- Times with an offset (`2019-09-18T23:12:21.147+08:00`): a date question keeps the
  respondent's own day and clock (the offset is dropped, not applied); `submitted_at` is UTC;
  `start` and `end` are the device's local clock, and the duration is exact across offsets.
- Every missing answer is '': the kind (skipped by logic or left empty) is inferred from the
  questionnaire's skip logic, so "not shown" does not survive this layout.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from survey.files.source import SourceError
from survey.questionnaire.model import Question, Questionnaire
from survey.readers.answers import UTC_OFFSET, AnswerBuilder, Imported, OptionsBy, build
from survey.readers.export_table import attach, first_rows
from survey.readers.kobo_files import KOBO_REPEAT, ODK_REPEAT, is_csv_zip, open_export, zip_headers
from survey.readers.kobo_headers import header_key, is_form_helper
from survey.readers.kobo_rank import is_levels, level_targets, set_from_levels
from survey.readers.mapping import (
    ColumnMapping,
    HeaderIndex,
    match_columns,
    normalise,
)
from survey.readers.mapping_file import load_overrides, load_value_map
from survey.responses.dataset import Responses


def read_kobo(path: str | Path, questionnaire: Questionnaire, *,
              mapping: str | Path | None = None) -> Imported:
    """Read a KoboToolbox or ODK Central export: CSV, xlsx or ODK's zip (XML values or labels)."""
    source = open_export(Path(path))
    table = source.table
    index = HeaderIndex(questionnaire)
    headers = table.header[0]
    keys = [header_key(h, index) for h in headers]
    overrides = level_targets(table, keys, index)  # a form-builder rank's level columns
    overrides.update(load_overrides(mapping, questionnaire))
    columns = match_columns(headers, keys, questionnaire, table.file, overrides)
    by_label = (columns.table["matched_by"] == "label").sum() > \
        (columns.table["matched_by"] == "name").sum()
    headers_by: OptionsBy = "label" if by_label else "code"
    builder = AnswerBuilder(questionnaire, table, {},
                            values=load_value_map(mapping, questionnaire))
    values, options = columns.value_columns(), columns.option_columns()
    for variable, question in questionnaire.items.items():
        found = options.get(variable)
        if found and is_levels(builder, question, found):
            positions = [p for p, _ in found.values()]
            set_from_levels(builder, question, positions,
                            spelled(builder, positions[0], question, headers_by, joined=False))
        elif question.is_set and found:
            builder.set_from_columns(question, {c: p for c, (p, _) in found.items()})
        elif variable in values:
            position = values[variable][0]
            by = spelled(builder, position, question, headers_by)
            if question.is_set:
                builder.set_from_joined(question, position, " ", by)
            else:
                builder.answer(variable, position, question, by)
    builder.other_texts(columns)
    extra = _metadata(builder, columns, questionnaire)
    return build(builder, columns, extra, source.notes)


def spelled(builder: AnswerBuilder, position: int, question: Question, default: OptionsBy,
            joined: bool = True) -> OptionsBy:
    """Whether a choice column holds XML names ("code") or labels: whichever more of its
    distinct values are, `default` (what the headers are) on a tie or for other types.
    A set question's cells are space-joined unless not `joined` (a rank's level column)."""
    if question.type not in ("single", "scale", "multi", "rank"):
        return default
    cells = builder.cells(position)
    words = cells[cells != ""]
    if question.is_set and joined:
        words = words.str.split(" ").explode()
    distinct = set(words.dropna().unique())
    codes = builder.code_lookup(question, "code")
    labels = builder.code_lookup(question, "label")
    as_code = sum(1 for v in distinct if v in codes)
    as_label = sum(1 for v in distinct if normalise(v) in labels)
    if as_code == as_label:
        return default
    return "code" if as_code > as_label else "label"


def _metadata(builder: AnswerBuilder, columns: ColumnMapping,
              questionnaire: Questionnaire) -> dict[str, pd.Series]:
    """Metadata columns: times parsed, the rest as text; form helpers dropped."""
    derived = {d.name for d in questionnaire.derived}
    extra: dict[str, pd.Series] = {}
    exact: dict[str, pd.Series] = {}
    for name, (position, _) in columns.meta_columns().items():
        if is_form_helper(name, derived):
            continue
        cells = builder.cells(position).replace("", None)
        if name in ("submitted_at", "start", "end"):
            utc, local = _times(cells)
            builder.error(cells.notna() & utc.isna(), position, "bad-time",
                          "is not a time like 2024-11-05T08:57:26.000+08:00")
            exact[name] = utc
            extra[name] = utc.dt.tz_localize(None) if name == "submitted_at" else local
        else:
            extra[name] = cells.astype("string")
    if "start" in exact and "end" in exact:
        seconds = (exact["end"] - exact["start"]).dt.total_seconds()
        extra["duration_seconds"] = seconds.round().astype("Int64")
    return extra


def _times(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each time in UTC (one without an offset is taken as UTC, as Kobo writes
    `_submission_time`) and on the clock it was written in (its offset dropped)."""
    text = cells.astype(object)
    utc = pd.to_datetime(text, errors="coerce", utc=True, format="mixed")
    try:
        local = pd.to_datetime(text.str.replace(UTC_OFFSET, r"\1", regex=True),
                               errors="coerce", format="mixed").astype("datetime64[ns]")
    except (TypeError, ValueError):  # an offset spelled another way: keep UTC, not a crash
        local = utc.dt.tz_localize(None)
    return utc, local


def detect(path: Path, head: bytes) -> bool:
    """KoboToolbox: `_uuid` and `_submission_time`; ODK Central: `SubmissionDate` … `KEY`
    (formats.md §2), also inside ODK's .zip; a repeat table of either (to say which to import)."""
    if head.startswith(b"PK\x03\x04") and is_csv_zip(path):
        try:  # a zip of CSVs that cannot be read is most likely ODK's: the reader says why
            return any(_ours(set(header)) for header in zip_headers(path).values())
        except SourceError:
            return True
    rows = first_rows(path, head, 1)
    return bool(rows) and _ours(set(rows[0]))


def _ours(header: set[str]) -> bool:
    return {"_uuid", "_submission_time"} <= header or {"SubmissionDate", "KEY"} <= header or \
        set(ODK_REPEAT) <= header or set(KOBO_REPEAT) <= header


def read(path: Path, questionnaire: Questionnaire, *,
         mapping: str | Path | None = None) -> Responses:
    """The registry's entry point: `read_kobo`, with the mapping and read problems attached."""
    imported = read_kobo(path, questionnaire, mapping=mapping)
    return attach(imported.responses, imported.mapping.table, imported.problems)
