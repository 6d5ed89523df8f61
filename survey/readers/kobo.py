"""KoboToolbox (formpack) and ODK Central CSV exports of the XLSForm that `survey form` writes.

Layout (../shared/formats.md §2; [I] marks our assumptions):

- KoboToolbox: `;`-separated, every field quoted; headers are XML names with the group path
  joined by `/` (`identity_grid/identity_1`), or labels ("include groups" joins group labels the
  same way). select_multiple is a summary column (choice names, or labels, joined by spaces) and/or
  one `q/option` column per choice holding 1/0, all '' when unanswered. Metadata `_id`
  (→ `respondent_id`), `_uuid`, `_submission_time` (UTC, → `submitted_at`), `_validation_status`,
  `_notes`, `_status`, `_submitted_by`, `__version__`, `_tags`, `_index`; the form fields `start`
  and `end` give `duration_seconds`.
- ODK Central: `,`-separated, quoted only when needed, `SubmissionDate` (→ `submitted_at`) and
  `meta-instanceID` first, groups joined by `-` (`identity_grid-identity_1`), split columns
  `q/option`, and the fixed trailing block `KEY` (→ `respondent_id`) … `FormVersion`.
- A rank question is one column of choice names in rank order, space-joined (the ODK rank
  widget's value) [I]. Its `<q>__pick` helper (pick-then-rank forms: a select_multiple, so a
  summary and `<q>__pick/<option>` columns) repeats the ranked options and is recognised and
  dropped, as are the form's `calculate` fields (derived variables, recomputed from the answers
  by `Responses.derive`): both are listed as metadata in the mapping, never as unknown columns.
- Every missing answer is '': the kind (skipped by logic or left empty) is inferred from the
  questionnaire's skip logic, so "not shown" does not survive this layout.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pandas as pd

from survey.questionnaire.columns import SEPARATOR, TEXT_SUFFIX
from survey.questionnaire.model import Questionnaire
from survey.readers.answers import AnswerBuilder, Imported, build
from survey.readers.export_table import attach, first_rows, read_export
from survey.readers.mapping import HeaderIndex, HeaderKey, load_overrides, match_columns, normalise
from survey.responses.dataset import Responses

Flavour = Literal["kobo", "odk"]
KOBO_META = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
             "_submitted_by", "__version__", "_tags", "_index")
ODK_TRAILER = ("KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
               "Status", "ReviewState", "DeviceID", "Edits", "FormVersion")
RENAMED = {"_id": "respondent_id", "KEY": "respondent_id", "_submission_time": "submitted_at",
           "SubmissionDate": "submitted_at"}
_TEXT = re.compile(rf"^([a-z][a-z0-9_]*){re.escape(SEPARATOR)}([a-z0-9_-]+)"
                   rf"{re.escape(TEXT_SUFFIX)}$")  # an 'other' text column's XML name


def header_key(header: str, index: HeaderIndex) -> HeaderKey | None:
    """What a Kobo/ODK header names: by XML name (group path dropped), else by label text."""
    if header in RENAMED:
        return HeaderKey(meta=RENAMED[header])
    if header in KOBO_META or header in ODK_TRAILER or header in ("start", "end") or \
            header in ("SubmissionDate", "meta-instanceID") or header.endswith("__pick") or \
            "__pick/" in header:
        return HeaderKey(meta=header)
    parts = header.split("/")
    name = parts[-1].split("-")[-1]
    if name in {d.name for d in index.q.derived}:  # a calculate field of our XLSForm
        return HeaderKey(meta=header)
    text = _TEXT.match(name)
    if text:
        return HeaderKey(text[1], "name", text[2], text=True)
    if len(parts) >= 2:
        owner = parts[-2].split("-")[-1]
        found = index.by_name.get(owner)
        if found and found[1] is None and (found[0].is_set or found[0].type == "grid"):
            return HeaderKey(owner, "name", parts[-1])
    if name in index.by_name:
        return HeaderKey(name, "name")
    return _label_key(header, index)


def _label_key(header: str, index: HeaderIndex) -> HeaderKey | None:
    """Label headers may contain '/' themselves, so try every split: a (suffix of the) header
    is a question label, or ends in '/option label' after a set question's label."""
    cuts = [-1] + [i for i, ch in enumerate(header) if ch == "/"]
    for cut in cuts[1:]:  # 'grid or set question label/item or option label' first
        left, option = header[:cut], header[cut + 1:]
        for start in [-1] + [i for i, ch in enumerate(left) if ch == "/"]:
            found = index.by_label.get(normalise(left[start + 1:]))
            if not found or found[1] is not None:
                continue
            question = found[0]
            known = index.item(question, option) if question.type == "grid" else \
                index.option(question, option) if question.is_set else None
            if known is not None:
                return HeaderKey(left[start + 1:], "label", option)
    for cut in cuts:
        if normalise(header[cut + 1:]) in index.by_label:
            return HeaderKey(header[cut + 1:], "label")
    return None


def read_kobo(path: str | Path, questionnaire: Questionnaire, *,
              mapping: str | Path | None = None) -> Imported:
    """Read a KoboToolbox or ODK Central CSV export (XML values or labels)."""
    table = read_export(path)
    index = HeaderIndex(questionnaire)
    headers = table.header[0]
    keys = [header_key(h, index) for h in headers]
    overrides = load_overrides(mapping, questionnaire) if mapping else None
    columns = match_columns(headers, keys, questionnaire, table.file, overrides)
    by_label = (columns.table["matched_by"] == "label").sum() > \
        (columns.table["matched_by"] == "name").sum()
    by = "label" if by_label else "code"
    builder = AnswerBuilder(questionnaire, table, {})
    values, options = columns.value_columns(), columns.option_columns()
    for variable, question in questionnaire.items.items():
        if question.type == "multi" and variable in options:
            builder.set_from_columns(question, {c: p for c, (p, _) in options[variable].items()})
        elif question.is_set and variable in values:
            builder.set_from_joined(question, values[variable][0], " ", by)
        elif variable in values:
            builder.answer(variable, values[variable][0], question, by)
    builder.other_texts(columns)
    extra: dict[str, pd.Series] = {}
    for name, (position, _) in columns.meta_columns().items():
        if _form_helper(name, questionnaire):
            continue
        cells = builder.cells(position).replace("", None)
        if name == "submitted_at":
            stamps = pd.to_datetime(cells, errors="coerce", utc=True, format="ISO8601")
            builder.error(cells.notna() & stamps.isna(), position, "bad-time",
                          "is not a time like 2024-11-05T00:57:26")
            extra[name] = stamps.dt.tz_localize(None)
        else:
            extra[name] = cells.astype("string")
    meta = columns.meta_columns()
    if "start" in meta and "end" in meta:
        start, end = (pd.to_datetime(extra[c], errors="coerce", utc=True, format="ISO8601")
                      for c in ("start", "end"))
        extra["duration_seconds"] = (end - start).dt.total_seconds().round().astype("Int64")
    return build(builder, columns, extra)


def _form_helper(header: str, questionnaire: Questionnaire) -> bool:
    """A column of our XLSForm that holds no answer of its own: a rank's `__pick` step (summary
    or option column) or a calculate field (a derived variable)."""
    if header.endswith("__pick") or "__pick/" in header:
        return True
    name = header.split("/")[-1].split("-")[-1]
    return any(d.name == name for d in questionnaire.derived)


def detect(path: Path, head: bytes) -> bool:
    """KoboToolbox: `_uuid` and `_submission_time` columns; ODK Central: `SubmissionDate` …
    `KEY` (formats.md §7)."""
    rows = first_rows(path, head, 1)
    header = set(rows[0]) if rows else set()
    return {"_uuid", "_submission_time"} <= header or {"SubmissionDate", "KEY"} <= header


def read(path: Path, questionnaire: Questionnaire, *,
         mapping: str | Path | None = None) -> Responses:
    """The registry's entry point: `read_kobo`, with the mapping and read problems attached."""
    imported = read_kobo(path, questionnaire, mapping=mapping)
    return attach(imported.responses, imported.mapping.table, imported.problems)
