"""XLSForm → KoboToolbox → `survey import`: the export Kobo would give for the form we generate.

The export is built from the generated XLSForm's sheets, the way formpack lays out a CSV export
(../shared/formats.md §2.1: `;`-separated, every field quoted, XML names and values, group paths
joined by `/`, select_multiple as a space-joined summary plus one `q/option` 1/0 column per choice,
a rank as the space-joined choice names in rank order, calculate fields, then kpi's metadata
columns). It does not call our Kobo writer, so the reader is checked against the form, not
against the writer's idea of the form.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey.forms.xlsform import xlsform_sheets
from survey.questionnaire.columns import option_column
from survey.questionnaire.loader import load_questionnaire
from survey.readers import detect_format, read_responses
from survey.readers.export_table import import_notes
from survey.responses.dataset import Responses
from survey.responses.missing import DONT_KNOW
from survey.simulation.generate import simulate

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "questionnaires" / "industrial_workers.yaml"
KPI_META = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
            "_submitted_by", "__version__", "_tags", "_index")


def _text(value: object) -> str:
    """A cell as formpack writes it (xls_types_as_text): '' when missing, 3 not 3.0."""
    if value is None or value is pd.NA or value is pd.NaT or \
            (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "1" if value else "0"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


class _Columns:
    """The export's columns of one XLSForm row, from the responses the form collected."""

    def __init__(self, responses: Responses, sheets: dict[str, list[dict[str, str]]],
                 multiple_select: str):
        self.responses, self.multiple_select = responses, multiple_select
        self.frame, self.missing = responses.frame, responses.missing
        self.derived = responses.derive()
        self.n = len(self.frame)
        self.choices: dict[str, list[str]] = {}
        for row in sheets["choices"]:
            self.choices.setdefault(row["list_name"], []).append(row["name"])

    def of(self, kind: str, name: str, list_name: str, header: str) -> list[tuple[str, list]]:
        if kind == "note":
            return []  # notes hold no data and are not exported
        if kind in ("start", "end"):
            local = pd.Timestamp("2026-03-02T09:00:00") + pd.to_timedelta(
                np.arange(self.n) * 600 + (300 if kind == "end" else 0), unit="s")
            return [(header, [t.strftime("%Y-%m-%dT%H:%M:%S.000+08:00") for t in local])]
        if kind == "select_multiple":
            return self.select_multiple(name, list_name, header)
        if kind == "rank":
            return [(header, self.rank(name, list_name))]
        if kind == "calculate":
            return [(header, [_text(v) for v in self.derived[name]])]
        if kind == "select_one":
            return [(header, self.select_one(name))]
        if kind in ("integer", "decimal", "text", "date"):
            return [(header, [_text(v) for v in self.frame[name]])]
        raise AssertionError(f"the XLSForm has a row type this test does not export: {kind}")

    def selected(self, variable: str, options: list[str]) -> dict[str, pd.Series]:
        """Each option's cell of a set question as in the frame: 1/0, or a rank position."""
        return {o: self.frame[option_column(variable, o)] for o in options}

    def select_multiple(self, name: str, list_name: str, header: str) -> list[tuple[str, list]]:
        block = self.selected(name.removesuffix("__pick"), self.choices[list_name])
        answered = pd.concat(block.values(), axis=1).notna().all(axis=1)
        # a rank's pick step: an option is picked when it was ranked at all
        flags = {o: (v > 0) if name.endswith("__pick") else (v == 1) for o, v in block.items()}
        found = []
        if self.multiple_select in ("both", "summary"):
            found.append((header, [" ".join(o for o in block if flags[o].iloc[i])
                                   if answered.iloc[i] else "" for i in range(self.n)]))
        for option in block if self.multiple_select in ("both", "details") else ():
            found.append((f"{header}/{option}", [("1" if flags[option].iloc[i] else "0")
                                                 if answered.iloc[i] else ""
                                                 for i in range(self.n)]))
        return found

    def rank(self, name: str, list_name: str) -> list[str]:
        block = self.selected(name, self.choices[list_name])
        ordered = []
        for i in range(self.n):
            ranked = {o: v.iloc[i] for o, v in block.items()
                      if not pd.isna(v.iloc[i]) and v.iloc[i] > 0}
            ordered.append(" ".join(sorted(ranked, key=ranked.get)))
        return ordered

    def select_one(self, name: str) -> list[str]:
        question = self.responses.questionnaire.items[name]
        values = [_text(v) for v in self.frame[name]]
        if question.dont_know is None:
            return values
        return [str(question.dont_know) if self.missing[name].iloc[i] == DONT_KNOW else v
                for i, v in enumerate(values)]


def kobo_export(responses: Responses, sheets: dict[str, list[dict[str, str]]], path: Path, *,
                groups_in_headers: bool = True, multiple_select: str = "both") -> Path:
    """Write the KoboToolbox CSV export (XML values and headers) of `responses` collected with
    the XLSForm `sheets`; the options are formpack's `hierarchy_in_labels` and
    `multiple_select` ('both', 'summary' or 'details')."""
    n = len(responses.frame)
    version = sheets["settings"][0]["version"]
    header: list[str] = []
    columns: list[list[str]] = []

    def add(name: str, values: list[str]) -> None:
        header.append(name)
        columns.append(values)

    cells = _Columns(responses, sheets, multiple_select)
    groups: list[str] = []
    for row in sheets["survey"]:
        kind, _, list_name = row["type"].partition(" ")
        name = row.get("name", "")
        if kind == "begin_group":
            groups.append(name)
        elif kind == "end_group":
            groups.pop()
        else:
            path_name = "/".join([*groups, name]) if groups_in_headers else name
            for column, values in cells.of(kind, name, list_name, path_name):
                add(column, values)
    submitted = pd.Timestamp("2026-03-02T01:06:00") + pd.to_timedelta(np.arange(n) * 600,
                                                                        unit="s")
    ids = [str(301450001 + i) for i in range(n)]
    add("_id", ids)
    add("_uuid", [f"6513270e-0000-4000-8000-{i:012d}" for i in range(n)])
    add("_submission_time", [t.strftime("%Y-%m-%dT%H:%M:%S") for t in submitted])
    add("_validation_status", ["validation_status_approved"] * n)
    add("_notes", [""] * n)
    add("_status", ["submitted_via_web"] * n)
    add("_submitted_by", [""] * n)
    add("__version__", [version] * n)
    add("_tags", [""] * n)
    add("_index", [str(i + 1) for i in range(n)])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", quotechar='"', quoting=csv.QUOTE_ALL,
                            lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(zip(*columns, strict=True))
    return path


@pytest.fixture(scope="module")
def reference():
    return load_questionnaire(REFERENCE)


@pytest.fixture(scope="module")
def sample(reference):
    return simulate(reference, 300, seed=7)


@pytest.fixture(scope="module")
def export(reference, sample, tmp_path_factory) -> Path:
    sheets = xlsform_sheets(reference)
    return kobo_export(sample, sheets, tmp_path_factory.mktemp("kobo") / "export.csv")


def test_export_has_the_form_layout(export, reference):
    sheets = xlsform_sheets(reference)
    header = export.read_text(encoding="utf-8").splitlines()[0].split(";")
    header = [h.strip('"') for h in header]
    groups = [r["name"] for r in sheets["survey"] if r["type"] == "begin_group"]
    picks = [r["name"] for r in sheets["survey"] if r["name"].endswith("__pick")]
    calculates = [r["name"] for r in sheets["survey"] if r["type"] == "calculate"]
    assert groups and picks and calculates  # the reference form has all three
    assert any(h.startswith(f"{groups[0]}/") for h in header)
    assert f"{picks[0]}/{reference.items[picks[0].removesuffix('__pick')].codes[0]}" in header
    assert set(calculates) <= set(header)
    assert header[:2] == ["start", "end"] and tuple(header[-len(KPI_META):]) == KPI_META
    assert detect_format(export) == "kobo"


LAYOUTS = [(True, "both"), (False, "both"), (True, "summary"), (True, "details")]


@pytest.mark.parametrize(("groups_in_headers", "multiple_select"), LAYOUTS,
                         ids=[f"{'groups' if g else 'no-groups'}-{m}" for g, m in LAYOUTS])
def test_kobo_export_of_our_xlsform_reads_back_answer_for_answer(
        reference, sample, tmp_path, groups_in_headers, multiple_select):
    export = kobo_export(sample, xlsform_sheets(reference), tmp_path / "export.csv",
                         groups_in_headers=groups_in_headers, multiple_select=multiple_select)
    read = read_responses(export, reference)
    assert read.differences(sample) == []
    assert read.same_answers(sample)


def test_form_helpers_are_recognised_and_dropped_not_unknown(export, reference):
    read = read_responses(export, reference)
    notes = import_notes(read.frame)
    assert notes is not None and notes.problems.empty
    mapping = notes.mapping
    assert mapping[mapping["role"] == "unmapped"]["column"].tolist() == []
    helpers = mapping[mapping["column"].str.contains("__pick") |
                      mapping["column"].isin([d.name for d in reference.derived])]
    assert len(helpers) == 17 + len(reference.derived)  # concerns__pick, 16 options, calculates
    assert set(helpers["role"]) == {"meta"}
    assert not [c for c in read.frame.columns if "__pick" in c]
    assert not set(read.frame.columns) & {d.name for d in reference.derived}
    assert read.derive().equals(simulate(reference, 300, seed=7).derive())


def test_metadata_comes_through(export, sample):
    read = read_responses(export, sample.questionnaire)
    assert read.frame["respondent_id"].astype(str).tolist()[:2] == ["301450001", "301450002"]
    assert read.frame["duration_seconds"].eq(300).all()
    assert str(read.frame["submitted_at"].iloc[0]) == "2026-03-02 01:06:00"
