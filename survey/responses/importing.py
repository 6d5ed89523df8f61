"""The import pipeline: detect, read, map, validate, flag, write, report, in one call.

What `survey import` does, as a function a notebook can call too: an export is read into the
layout of docs/reference/responses.md, validated (every problem reported, nothing fixed or dropped),
flagged with a `_problems` count per respondent and, when an output is named, written whole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from survey.collect.postgres import describe, is_postgres_url
from survey.errors import InputError, survey_warnings
from survey.files.atomic import write_atomic
from survey.files.source import Problem, SourceError
from survey.questionnaire.columns import PROBLEMS, layout_columns
from survey.questionnaire.model import Questionnaire
from survey.readers import READERS, detect_format, read_responses
from survey.readers.mapping_report import (
    accepts,
    mapping_readers,
    mapping_table,
    mapping_text,
    mapping_warnings,
)
from survey.responses.dataset import Responses
from survey.responses.identifiers import identifier_columns
from survey.responses.matching import MatchSummary, match_summary, refuse_empty
from survey.responses.validation import ValidationReport, flag, validate
from survey.writers import output_format, write_responses


@dataclass(frozen=True)
class Imported:
    """An import's outcome: the flagged responses and everything said about them."""

    responses: Responses
    format: str
    validation: ValidationReport
    mapping: pd.DataFrame | None  # source column -> variable; None for our own layouts
    match: MatchSummary  # each question's source columns and answers; columns left over
    warnings: tuple[Problem, ...]  # doubtful column matches and questions with no column
    written: tuple[Path, ...] = ()
    identifiers: tuple[str, ...] = ()  # direct identifiers of the export, left out

    @property
    def answers(self) -> int:
        """Answers read (cells neither missing nor skipped), all questions together."""
        return self.match.answers

    def summary(self, export: str | Path, output: str | Path | None = None, *,
                show_mapping: bool = False) -> list[str]:
        """What was read and written, the mapping table when asked, its warnings, and the
        validation's summary: the lines `survey import` prints."""
        lines = [f"read {source_name(export)} as {self.format}: {len(self.responses)} respondents, "
                 f"{len(self.responses.missing.columns)} variables, {self.answers} answers"
                 + (f"; wrote {output}" if output is not None else "")]
        if show_mapping:
            lines.append(mapping_text(self.mapping) if self.mapping is not None else
                         f"no mapping table: {self.format} files are read by our layout's "
                         "column names")
        lines += self.match.lines()
        if self.identifiers:
            lines.append(f"left out {len(self.identifiers)} column(s) that identify respondents: "
                         f"{', '.join(self.identifiers)} (keep_identifiers keeps them)")
        lines += [f"warning: {warning}" for warning in self.warnings]
        return [*lines, self.validation.summary_text()]

    def to_json(self, export: str | Path) -> dict:
        """The import as the `survey import --json` document (docs/reference/json.md)."""
        return {"file": source_name(export), "format": self.format, **self.match.to_json(),
                "written": [str(p) for p in self.written],
                "identifiers_left_out": list(self.identifiers),
                "warnings": [{"code": w.code, "line": w.line, "column": w.column,
                              "message": w.message} for w in self.warnings],
                "problems": {"total": int(len(self.validation.table)),
                             "respondents": int((self.responses.frame[PROBLEMS] > 0).sum())}}


def source_name(export: str | Path) -> str:
    """How messages name what was read: a file's path, a database URL without its password."""
    return describe(export) if is_postgres_url(str(export)) else str(export)


def _read_file(export: Path, questionnaire: Questionnaire, format: str,
               mapping: str | Path | None) -> tuple[str, Responses]:
    """(format, responses) of an export file, read by content or as `format`."""
    found = detect_format(export) if format == "auto" else format
    options = {}
    if mapping is not None:
        if found in READERS and not accepts(found, "mapping"):
            raise InputError(f"{export} is read as {found}, which matches columns by our "
                             f"layout's names; mapping files apply to: "
                             + ", ".join(mapping_readers()), code="mapping-not-applicable",
                             location=str(mapping))
        options["mapping"] = mapping
    return found, read_responses(export, questionnaire, format=found, **options)


def _read_store(url: str, questionnaire: Questionnaire, mapping: str | Path | None) -> Responses:
    """The submissions in a PostgreSQL store of `survey serve`, in our layout."""
    if mapping is not None:
        raise InputError(f"{describe(url)} is a store of 'survey serve', whose columns are our "
                         "layout's; mapping files apply to: " + ", ".join(mapping_readers()),
                         code="mapping-not-applicable", location=str(mapping))
    from survey.collect.reader import read_store

    return read_store(url, questionnaire)


def import_export(export: str | Path, questionnaire: Questionnaire,
                  output: str | Path | None = None, *, format: str = "auto",
                  mapping: str | Path | None = None, strict: bool = False, lang: str | None = None,
                  report: str | Path | None = None, keep_identifiers: bool = False,
                  progress: Callable[[str], None] = lambda step: None) -> Imported:
    """Read `export` as `format` (by content when "auto"), validate and flag it, and write it to
    `output` (and the problem report, with the mapping beside it, to `report`) when named.
    `export` is a file, or the postgresql:// URL of a `survey serve` store.

    With `strict`, a doubtful column match is an error (SourceError) and nothing is written.
    Direct identifiers an export carries (an IP address, names, phone, location) are left out
    unless `keep_identifiers`. `progress` is told each step as it starts (a long read shows).
    """
    if output is not None:
        output_format(output)  # an unknown suffix fails before the work, not after
    progress("reading")
    if is_postgres_url(str(export)):
        found, responses = "postgresql", _read_store(str(export), questionnaire, mapping)
        export = source_name(export)  # named in messages without its password
    else:
        export = Path(export)
        found, responses = _read_file(export, questionnaire, format, mapping)
    table = mapping_table(responses)
    match = match_summary(responses)
    refuse_empty(match, str(export))
    warnings = (*mapping_warnings(responses, str(export)), *match.warnings(str(export)))
    if strict and warnings:
        raise SourceError(warnings)
    dropped = () if keep_identifiers else tuple(identifier_columns(
        responses.frame.columns, layout_columns(questionnaire)))
    if dropped:
        responses = dataclasses.replace(responses,
                                        frame=responses.frame.drop(columns=list(dropped)))
    progress("validating")
    checked = validate(responses)
    flagged = flag(responses, checked)
    written, changed = [], []
    progress("writing")
    if output is not None:
        with survey_warnings(changed.append):  # text the output's format cannot hold whole
            written.append(write_responses(flagged, output, lang=lang))
    warnings = (*warnings, *(Problem(str(output), 1, 1, "text-changed", m) for m in changed))
    if report is not None:
        report = Path(report)
        write_atomic(report, checked.table.to_csv(index=False), encoding="utf-8-sig")
        written.append(report)
        if table is not None:
            beside = report.with_name(report.stem + ".mapping.csv")
            write_atomic(beside, table.to_csv(index=False), encoding="utf-8-sig")
            written.append(beside)
    return Imported(flagged, found, checked, table, match, warnings, tuple(written), dropped)
