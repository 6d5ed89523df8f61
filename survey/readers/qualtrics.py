"""Qualtrics exports: CSV, TSV or xlsx; numeric values or choice text; modern, 2016 or legacy.

Layout (../shared/formats.md §4.1): header rows as `survey.readers.qualtrics_header` tells them
(modern: tags such as `StartDate` … `UserLanguage`, `Q1`, `Q5_2`, `Q5_7_TEXT`, `Q5_DO`; then the
question texts; then ImportIds such as `{"ImportId":"QID5","choiceId":"2"}`; 2016 exports write
`{'ImportId': 'QID5_2'}`; legacy exports have `V1`..`V10` and no ImportIds). CSV is UTF-8 (BOM),
TSV is UTF-16 with its BOM. Columns are matched as `survey.readers.qualtrics_columns` says (by
tag, by the QID of the ImportId when the owner renamed the tag, by text). Our assumptions [I]:
numeric values are the option codes when a question's codes are integers, else the 1-based
option position; a choice-text export (told by its cells: most are not numbers) holds option
labels in any language of the questionnaire, a split multi-select the label of each chosen
option, a joined one the labels joined by ','; a multi-select is one column `"2,5,6"` or split
`Q5_<k>` = 1 (selected) / ''; a rank question is split `Q5_<k>` = rank position; a grid's items
are `Q7_<k>`. Every missing answer is '' (`-99`, "seen but unanswered", is read as left empty).
A row whose Status is a preview, a test or spam (numeric 1, 2, 8, 9, 12, 17 [I], or those words)
is kept, with a `not-a-response` data problem and a note: Qualtrics records them as responses.
Values that are no codes but could be option positions get a note: the survey may have kept
Qualtrics' default recode values (1, 2, 3 ...), which are positions, not our codes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from survey.files.source import Problem, SourceError, excerpt
from survey.questionnaire.model import Questionnaire
from survey.readers.answers import AnswerBuilder, Imported, build, option_labels
from survey.readers.export_table import ExportTable, attach, first_rows, read_export
from survey.readers.mapping import ColumnMapping, normalise
from survey.readers.mapping_file import load_overrides, load_value_map
from survey.readers.qualtrics_columns import match_qualtrics, values_by
from survey.readers.qualtrics_header import split_header
from survey.responses.dataset import Responses
from survey.responses.missing import EMPTY

TOKENS = {"-99": EMPTY}
NOT_RESPONSES = {"1": "Survey Preview", "2": "Survey Test", "8": "Spam", "9": "Preview Spam",
                 "12": "Imported Spam", "17": "Offline Preview"}
_NUMBER = r"\s*-?\d+(?:\.\d+)?(?:\s*,\s*-?\d+(?:\.\d+)?)*\s*"


def read_qualtrics(path: str | Path, questionnaire: Questionnaire, *,
                   mapping: str | Path | None = None) -> Imported:
    """Read a Qualtrics export (see the module docstring)."""
    table, header = split_header(read_export(path, unique=False))
    overrides = load_overrides(mapping, questionnaire)
    columns = match_qualtrics(table, header, questionnaire, overrides)
    choice_text = is_choice_text(table, columns, questionnaire)
    if choice_text:
        table = coded(table, columns, questionnaire)
    builder = AnswerBuilder(questionnaire, table, TOKENS,
                            values=load_value_map(mapping, questionnaire))
    values, options = columns.value_columns(), columns.option_columns()
    for variable, question in questionnaire.items.items():
        by = "label" if choice_text else values_by(question)
        if question.is_set and variable in options:
            builder.set_from_columns(question, {c: p for c, (p, _) in options[variable].items()})
        elif question.is_set and variable in values:
            joined_by = "code" if choice_text else by
            builder.set_from_joined(question, values[variable][0], ",", joined_by)  # type: ignore[arg-type]
        elif variable in values:
            builder.answer(variable, values[variable][0], question, by)  # type: ignore[arg-type]
    builder.other_texts(columns)
    extra = metadata(builder, columns)
    notes = not_responses(builder, columns) + recode_notes(builder, questionnaire)
    if header.shape == "tags only":
        notes.insert(0, f"the file has no ImportId row ({len(table.header)} header row(s)): "
                     "columns were matched by their tags and texts alone")
    return build(builder, columns, extra, tuple(notes))


def is_choice_text(table: ExportTable, columns: ColumnMapping,
                   questionnaire: Questionnaire) -> bool:
    """Whether the export holds choice texts rather than numeric values: most answered cells of
    its choice columns (single, scale, grid items, multi-select) are not numbers."""
    items = questionnaire.items
    positions = [p for v, (p, _) in columns.value_columns().items()
                 if items[v].type in ("single", "scale", "multi")]
    positions += [p for v, found in columns.option_columns().items()
                  if items[v].type == "multi" for p, _ in found.values()]
    if not positions:
        return False
    cells = table.body[positions].stack().astype(str).str.strip()
    cells = cells[(cells != "") & ~cells.isin(list(TOKENS))]
    return bool(len(cells)) and cells.str.fullmatch(_NUMBER).mean() <= 0.5


def coded(table: ExportTable, columns: ColumnMapping, questionnaire: Questionnaire) -> ExportTable:
    """A choice-text export's multi-select cells as numeric ones: a split column's label as 1, a
    joined cell's labels as their codes (labels may hold commas); other cells stay as written
    (an unknown label is reported as such), and a split cell with another label is an error."""
    body = table.body.copy()
    items = questionnaire.items
    problems = []
    for variable, found in columns.option_columns().items():
        if items[variable].type != "multi":
            continue
        labels = option_labels(questionnaire, items[variable])
        for code, (position, column) in found.items():
            cells = body[position].astype(str).str.strip()
            wanted = {normalise(t) for t in labels[code].values()}
            chosen = cells.map({v: normalise(v) in wanted for v in pd.unique(cells)})
            body[position] = cells.mask(chosen, "1")
            wrong = (cells != "") & ~chosen & ~cells.isin(["1", "0", *TOKENS])
            for row in wrong[wrong].index[:20]:
                problems.append(Problem(table.file, table.line(int(row)), position + 1,
                                        "bad-option-cell", f"row {row + 1}, column "
                                        f"'{excerpt(column)}': '{excerpt(cells[row])}' is not "
                                        f"the label of option {code}"))
    if problems:
        raise SourceError(problems[:20])
    for variable, (position, _) in columns.value_columns().items():
        if items[variable].type == "multi":
            lookup = {normalise(text): code for code, label in
                      option_labels(questionnaire, items[variable]).items()
                      for text in label.values()}
            cells = body[position].astype(str)
            body[position] = cells.map({v: joined_codes(v, lookup) for v in pd.unique(cells)})
    return ExportTable(table.file, table.header, body, table.encoding, table.delimiter)


def joined_codes(cell: str, lookup: dict[str, object]) -> str:
    """`Pension,Work injury` as `pension,injury`: the longest run of comma-separated pieces
    that is a label, repeatedly; a piece that starts no label stays as written."""
    pieces, found, i = cell.split(","), [], 0
    while i < len(pieces):
        for j in range(len(pieces), i, -1):
            code = lookup.get(normalise(",".join(pieces[i:j])))
            if code is not None:
                found.append(str(code))
                i = j
                break
        else:
            found.append(pieces[i])
            i += 1
    return ",".join(found)


def metadata(builder: AnswerBuilder, columns: ColumnMapping) -> dict[str, pd.Series]:
    """The metadata columns: submission time and duration typed, the others as text."""
    extra: dict[str, pd.Series] = {}
    for name, (position, _) in columns.meta_columns().items():
        cells = builder.cells(position).replace("", None)
        if name == "submitted_at":
            extra[name] = pd.to_datetime(cells, errors="coerce", format="mixed")
        elif name == "duration_seconds":
            seconds = pd.to_numeric(cells, errors="coerce")
            builder.error(cells.notna() & seconds.isna(), position, "bad-duration",
                          "is not a number of seconds")
            extra[name] = seconds.astype("Int64")
        else:
            extra[name] = cells.astype("string")
    return extra


def not_responses(builder: AnswerBuilder, columns: ColumnMapping) -> list[str]:
    """A `not-a-response` data problem for each row whose Status is a preview, test or spam,
    and a note that counts them (nothing is left out: the researcher decides)."""
    found = columns.meta_columns().get("Status")
    if found is None:
        return []
    cells = builder.cells(found[0])
    kinds = cells.map(lambda c: NOT_RESPONSES.get(c) or (c if c in NOT_RESPONSES.values()
                                                         else None))
    rows = kinds.dropna()
    for row, kind in rows.items():
        builder.data_problems.append(dict(
            row=int(row) + 1, column="Status", variable="Status", code="not-a-response",
            value=cells[row], message=f"Status '{cells[row]}' ({kind}): not a respondent's "
            "answer; leave the row out before analysis"))
    if rows.empty:
        return []
    counts = ", ".join(f"{kind} {n}" for kind, n in rows.value_counts().items())
    lines = ", ".join(str(builder.table.line(int(r))) for r in rows.index[:10])
    return [f"{len(rows)} row(s) are no respondent's answers by their Status ({counts}; lines "
            f"{lines}{' ...' if len(rows) > 10 else ''}): kept and reported as not-a-response"]


def recode_notes(builder: AnswerBuilder, questionnaire: Questionnaire) -> list[str]:
    """A note for each question whose unknown values could all be option positions: a survey
    that kept Qualtrics' default recode values (1, 2, 3 ...) where the codes are 1, 3, 6."""
    unknown: dict[str, set[str]] = {}
    for problem in builder.data_problems:
        if problem["code"] == "unknown-code":
            unknown.setdefault(problem["variable"], set()).add(str(problem["value"]).strip())
    notes = []
    for variable, values in unknown.items():
        question = questionnaire.items.get(variable)
        if question is None or question.is_set or values_by(question) != "code":
            continue
        count = len(option_labels(questionnaire, question))
        if all(v.isdigit() and 1 <= int(v) <= count for v in values):
            shown = ", ".join(sorted(values, key=int)[:5])
            notes.append(f"{variable}: the values {shown} are no option codes of it but could be "
                         "option positions; if the survey kept Qualtrics' default recode "
                         "values, set them to the questionnaire's codes and export again")
    return notes


def detect(path: Path, head: bytes) -> bool:
    """The third row holds ImportIds (`{"ImportId"` or `{'ImportId'`, formats.md §7), or the
    first starts with StartDate, EndDate (so a file missing its ImportId row is read by its
    tags or gets the Qualtrics reader's located error), or with V1, V2 over ResponseID
    (legacy)."""
    rows = first_rows(path, head, 3)
    if len(rows) >= 3 and rows[2] and rows[2][0].startswith(("{\"ImportId\"", "{'ImportId'")):
        return True
    if len(rows) >= 2 and rows[0][:2] == ["V1", "V2"] and rows[1][:1] == ["ResponseID"]:
        return True
    return bool(rows) and rows[0][:2] == ["StartDate", "EndDate"]


def read(path: Path, questionnaire: Questionnaire, *,
         mapping: str | Path | None = None) -> Responses:
    imported = read_qualtrics(path, questionnaire, mapping=mapping)
    return attach(imported.responses, imported.mapping.table, imported.problems)
