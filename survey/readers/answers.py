"""Turning an export's text cells into answers in the documented layout
(docs/reference/responses.md).

Shared by the platform readers: each says how its platform spells missing answers (`tokens`) and
how it writes options (by 1-based position, by label, or by code); this module does the rest,
column-wise with pandas. A cell that cannot be an answer of its type (a word in a number column,
a split multi-select cell that is not 0/1) is a located `SourceError`; an answer that is
well-formed but not in the questionnaire (an unknown code or label) is kept out of the value
column, recorded as an `unknown-code` data problem, and so reported, never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from survey.files.source import Problem, SourceError, excerpt
from survey.questionnaire.columns import option_column, text_column
from survey.questionnaire.model import Code, Question, Questionnaire
from survey.readers.export_table import ExportTable
from survey.readers.mapping import ColumnMapping, normalise
from survey.readers.recode import ValueMap
from survey.responses.dataset import Responses
from survey.responses.missing import ANSWERED

OptionsBy = Literal["position", "label", "code"]
MAX_PROBLEMS = 20
UTC_OFFSET = r"^(.*\d:\d\d(?::\d\d(?:\.\d+)?)?)\s*(?:Z|[+-]\d\d:?\d\d)$"  # time, UTC offset
# Split multi-select cells saved as booleans (an xlsx of booleans, a re-save by R or pandas)
_BOOLEANS = {"True": "1", "False": "0", "TRUE": "1", "FALSE": "0", "true": "1", "false": "0"}


def option_labels(questionnaire: Questionnaire, question: Question) -> dict[Code, dict[str, str]]:
    return questionnaire.options_of(question)


@dataclass
class AnswerBuilder:
    """Collects value columns, missing kinds and problems while a reader converts cells."""

    questionnaire: Questionnaire
    table: ExportTable
    tokens: dict[str, int]
    columns: dict[str, pd.Series] = field(default_factory=dict)
    missing: dict[str, pd.Series] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    data_problems: list[dict] = field(default_factory=list)
    values: ValueMap = field(default_factory=dict)  # a mapping file's values: section

    @property
    def n(self) -> int:
        return len(self.table.body)

    def cells(self, position: int) -> pd.Series:
        return self.table.body[position].astype(object).str.strip()

    def header(self, position: int) -> str:
        return self.table.header[0][position]

    def kinds(self, cells: pd.Series) -> pd.Series:
        """The missing kind of each cell: the platform's token, ANSWERED for any other text, NaN
        for an empty cell (Responses.from_raw then infers SKIPPED or EMPTY from skip logic)."""
        kinds = cells.map(self.tokens).astype("float64")
        return kinds.mask(kinds.isna() & (cells != ""), float(ANSWERED))

    # ----------------------------------------------------------------------------- problems

    def error(self, rows: pd.Series, position: int, code: str, message: str) -> None:
        """A located SourceError problem for each row where `rows` holds (first few only)."""
        for row in np.flatnonzero(rows.to_numpy())[:MAX_PROBLEMS]:
            value = self.table.body.iat[row, position]
            self.errors.append(Problem(self.table.file, self.table.line(int(row)), position + 1,
                                       code, f"row {row + 1}, column "
                                       f"'{excerpt(self.header(position))}': "
                                       f"'{excerpt(value)}' {message}"))

    def unknown(self, rows: pd.Series, position: int, variable: str, values: pd.Series) -> None:
        for row in np.flatnonzero(rows.to_numpy()):
            self.data_problems.append({
                "row": int(row) + 1, "column": self.header(position), "variable": variable,
                "code": "unknown-code", "value": values.iat[row],
                "message": f"'{values.iat[row]}' is not an option of {variable}"})

    def raise_errors(self) -> None:
        if self.errors:
            raise SourceError(self.errors[:MAX_PROBLEMS])

    # ----------------------------------------------------------------------------- values

    def code_lookup(self, question: Question, by: OptionsBy) -> dict[str, Code]:
        options = option_labels(self.questionnaire, question)
        if by == "position":
            return {str(i): code for i, code in enumerate(options, start=1)}
        if by == "code":
            return {str(code): code for code in options}
        return {normalise(text): code for code, label in options.items() for text in label.values()}

    def to_codes(self, values: pd.Series, question: Question, by: OptionsBy) -> pd.Series:
        """Codes (object, NaN where unknown) for answer texts; labels compared normalised."""
        lookup = self.code_lookup(question, by)
        unique = pd.unique(values.dropna())
        key = (lambda v: normalise(v)) if by == "label" else (lambda v: str(v).strip())
        table = {v: lookup.get(key(v)) for v in unique}
        if by == "position" or by == "code":  # "2.0" from a spreadsheet is still option 2
            for v, code in table.items():
                if code is None and _is_integral(v):
                    table[v] = lookup.get(str(int(float(v))))
        mapped = self.values.get(question.name, {})  # the user's word comes first
        table |= {v: mapped[str(v).strip()] for v in unique if str(v).strip() in mapped}
        return values.map(table).astype(object)

    def single(self, variable: str, position: int, question: Question, by: OptionsBy,
               other_split: bool = False) -> None:
        cells = self.cells(position)
        kinds = self.kinds(cells)
        answered = kinds == ANSWERED
        values = cells.where(answered)
        other_text = None
        if other_split and question.other is not None:
            parts = values.str.extract(r"^(.*?)〖(.*)〗$", expand=True)
            embedded = parts[0].notna()
            values = values.where(~embedded, parts[0])
            other_text = parts[1].where(embedded)
        codes = self.to_codes(values, question, by)
        bad = answered & codes.isna()
        self.unknown(bad, position, variable, cells)
        # Unknown answers stay in the data (Responses keeps them as extra categories); an
        # unknown option number is marked '#n' so that it cannot pass for the code n.
        kept = ("#" + values) if by == "position" else values
        self.columns[variable] = codes.where(~bad, kept)
        self.missing[variable] = kinds
        if other_text is not None:
            self.add_text(text_column(variable, question.other), other_text)

    def number(self, variable: str, position: int, question: Question) -> None:
        cells = self.cells(position)
        kinds = self.kinds(cells)
        answered = kinds == ANSWERED
        numbers = pd.to_numeric(cells.where(answered).str.replace(",", "", regex=False),
                                errors="coerce")
        self.error(answered & numbers.isna(), position, "not-a-number", "is not a number")
        self.columns[variable] = numbers.astype("Float64")  # type: ignore[assignment]
        self.missing[variable] = kinds

    def text(self, variable: str, position: int) -> None:
        cells = self.cells(position)
        kinds = self.kinds(cells)
        self.columns[variable] = cells.where(kinds == ANSWERED).astype("string")
        self.missing[variable] = kinds

    def date(self, variable: str, position: int) -> None:
        cells = self.cells(position)
        kinds = self.kinds(cells)
        answered = kinds == ANSWERED
        # A datetime with an offset (ODK's 2019-09-18T23:12:21.147+08:00) is read at the
        # respondent's own clock, so that the day is theirs, not the day in UTC.
        local = cells.where(answered).str.replace(UTC_OFFSET, r"\1", regex=True)
        dates = pd.to_datetime(local.str.replace("/", "-", regex=False), errors="coerce",
                               format="mixed")
        self.error(answered & dates.isna(), position, "not-a-date", "is not a date (YYYY-MM-DD)")
        self.columns[variable] = dates.astype("datetime64[ns]")
        self.missing[variable] = kinds

    def add_text(self, column: str, values: pd.Series) -> None:
        self.columns[column] = values.astype("string")

    def answer(self, variable: str, position: int, question: Question, by: OptionsBy,
               other_split: bool = False) -> None:
        """One column of answers to a single-valued question, read as its type says."""
        if question.type in ("single", "scale"):
            self.single(variable, position, question, by, other_split=other_split)
        elif question.type == "number":
            self.number(variable, position, question)
        elif question.type == "date":
            self.date(variable, position)
        else:
            self.text(variable, position)

    def other_texts(self, columns) -> None:
        """The text typed beside each 'other' option (missing-answer tokens left out)."""
        for (variable, code), (position, _) in columns.text_columns().items():
            cells = self.cells(position)
            self.add_text(text_column(variable, code), cells.where(self.kinds(cells) == ANSWERED))

    # ----------------------------------------------------------------------------- sets

    def set_from_columns(self, question: Question, positions: dict[Code, int]) -> None:
        """A multi/rank block from one column per option: 1/0 or rank positions, 0 not chosen.

        A row where no cell is an answer is unanswered (all NA), with the first token's kind.
        """
        codes = list(option_labels(self.questionnaire, question))
        block = {code: self.cells(p) for code, p in positions.items()}
        kinds = pd.DataFrame({c: self.kinds(s) for c, s in block.items()})
        unanswered = (kinds != ANSWERED).all(axis=1)
        limit = 1 if question.type == "multi" else len(codes)
        for code, position in positions.items():
            cells = block[code]
            answered = kinds[code] == ANSWERED
            numbers = pd.to_numeric(cells.where(answered).replace(_BOOLEANS), errors="coerce")
            good = numbers.isin(range(limit + 1)) | ~answered
            what = "is not 1 or 0" if limit == 1 else f"is not a rank position 0-{limit}"
            self.error(~good, position, "bad-option-cell", what)
            column = option_column(question.name, code)
            self.columns[column] = numbers.where(~unanswered).astype("Int8")
        for code in codes:  # options the export has no column for: not chosen when answered
            column = option_column(question.name, code)
            if column not in self.columns:
                zeros = pd.Series(0, index=self.table.body.index, dtype="Int8")
                self.columns[column] = zeros.where(~unanswered)
        token = kinds.where(kinds != ANSWERED).bfill(axis=1).iloc[:, 0]
        self.missing[question.name] = token.where(unanswered, float(ANSWERED))

    def set_from_joined(self, question: Question, position: int, separator: str,
                        by: OptionsBy) -> None:
        """A multi/rank block from one cell per respondent: options joined by `separator`, in
        rank order for rank questions; `其他〖text〗` gives the other option's free text."""
        cells = self.cells(position)
        kinds = self.kinds(cells)
        answered = kinds == ANSWERED
        codes = list(option_labels(self.questionnaire, question))
        long = self.split_joined(cells.where(answered & (cells != "")).dropna(), separator,
                                 question, by)
        long = long.str.strip()
        long = long[long != ""]
        parts = long.str.extract(r"^(.*?)〖(.*)〗$", expand=True)
        embedded = parts[0].notna()
        labels = long.where(~embedded, parts[0])
        found = self.to_codes(labels, question, by)
        bad_rows = pd.Series(False, index=cells.index)
        bad_rows[found[found.isna()].index.unique()] = True
        self.unknown(bad_rows, position, question.name, cells)
        rank = long.groupby(level=0).cumcount() + 1
        matrix = np.zeros((self.n, len(codes)), dtype="int64")
        which = {code: i for i, code in enumerate(codes)}
        known = found.notna()
        rows = found.index[known].to_numpy()
        cols = found[known].map(which).to_numpy(dtype="int64")
        values = rank[known].to_numpy() if question.type == "rank" else 1
        matrix[rows, cols] = values
        for code, i in which.items():
            column = pd.Series(matrix[:, i], index=cells.index, dtype="Int8")
            self.columns[option_column(question.name, code)] = column.where(answered)
        if question.other is not None:
            text = parts[1][embedded]
            text = text[~text.index.duplicated()]
            self.add_text(text_column(question.name, question.other),
                          text.reindex(cells.index))
        self.missing[question.name] = kinds

    def split_joined(self, cells: pd.Series, separator: str, question: Question,
                     by: OptionsBy) -> pd.Series:
        """Joined cells as one row per option. Labels that hold the separator themselves
        ('Work injury' in a space-joined Kobo summary) are kept whole, longest first."""
        texts = {text for label in option_labels(self.questionnaire, question).values()
                 for text in label.values() if separator in text} if by == "label" else set()
        if not texts:
            return cells.str.split(separator).explode()
        sep = re.escape(separator)
        words = "|".join(re.escape(t) for t in sorted(texts, key=len, reverse=True))
        pattern = re.compile(rf"(?:^|(?<={sep}))(?:{words}|(?:(?!{sep}).)+)(?={sep}|$)",
                             re.IGNORECASE)
        return cells.map(pattern.findall).explode().dropna()

    def finish(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """(raw frame, missing kinds, data problems found while reading)."""
        self.raise_errors()
        index = self.table.body.index
        frame = pd.DataFrame(self.columns, index=index)
        missing = pd.DataFrame(self.missing, index=index)
        problems = pd.DataFrame(self.data_problems,
                                columns=["row", "column", "variable", "code", "value", "message"])
        return frame, missing, problems


def _is_integral(value: object) -> bool:
    try:
        number = float(str(value))
    except ValueError:
        return False
    return number.is_integer()


@dataclass(frozen=True)
class Imported:
    """What a platform reader returns: the Responses, how each source column was mapped, and the
    data problems found while reading (unknown codes), for the validation report."""

    responses: Responses
    mapping: ColumnMapping
    problems: pd.DataFrame


def build(builder: AnswerBuilder, mapping: ColumnMapping, extra: dict[str, pd.Series],
          notes: tuple[str, ...] = ()) -> Imported:
    """Responses from the collected columns plus metadata and unmapped columns (kept as text);
    `notes` say what the reader left out or read differently (shown in the match summary)."""
    frame, missing, problems = builder.finish()
    for position, column, _ in mapping.of_role("unmapped"):
        name = column if column not in frame.columns and column not in extra else \
            f"{column} ({position + 1})"
        extra[name] = builder.cells(position).replace("", None).astype("string")
    frame = pd.concat([frame, pd.DataFrame(extra, index=frame.index)], axis=1)
    responses = Responses.from_raw(builder.questionnaire, frame, missing=missing,
                                   source=builder.table.file, notes=notes)
    return Imported(responses, mapping, problems)
