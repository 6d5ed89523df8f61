"""Qualtrics imports where counting answers is not enough: which column became which variable
(renamed tags, QIDs, notes counted, texts), what a doubtful match says, what is left out."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from export_samples import questionnaire, responses

import survey
from survey.files.source import SourceError
from survey.readers import detect_format, read_responses
from survey.readers.qualtrics import joined_codes
from survey.simulation.exports import write_qualtrics

Q = questionnaire()
RENAMED = {"birth_year": "YearBorn", "workplace": "Employer", "concerns": "Worries",
           "insurance": "Cover", "pension_worry": "OldAge", "identity": "Pride",
           "start_date": "Started", "comments": "Remarks"}


def rows_of(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def rewrite(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def table(imported) -> dict[str, tuple]:
    """source column -> (variable, option, matched_by, warning)."""
    return {row.column: (row.variable, row.option, row.matched_by, row.warning)
            for row in imported.mapping.itertuples()}


def test_renamed_tags_are_matched_by_qid_and_values_land_in_their_variables(tmp_path):
    path = write_qualtrics(responses(), tmp_path / "q.csv", split=True, tags=RENAMED)
    rows = rows_of(path)
    first = rows[0].index("YearBorn")
    rows[1][first:] = ["请问" + text for text in rows[1][first:]]  # no text is a label now
    imported = survey.import_export(rewrite(path, rows), Q)
    found = table(imported)
    assert found["YearBorn"][::2] == ("birth_year", "import id")
    assert found["Employer_6_TEXT"][:3] == ("workplace", 6, "import id")
    assert found["Cover_3"][:3] == ("insurance", "none", "import id")
    assert found["Pride_2"][:3] == ("identity_2", None, "import id")
    assert imported.warnings == ()
    assert read_responses(path, Q).differences(responses()) == []


def test_a_qid_whose_question_text_differs_is_matched_with_a_warning(tmp_path):
    """A survey from another questionnaire version: QIDs swapped, texts unlike any label."""
    path = write_qualtrics(responses(), tmp_path / "q.csv", tags=RENAMED)
    rows = rows_of(path)
    first = rows[0].index("YearBorn")
    rows[1][first:] = [f"问题{i}" for i in range(len(rows[1]) - first)]
    rows[2][first:first + 2] = ['{"ImportId":"QID2"}', '{"ImportId":"QID1"}']
    rewrite(path, rows)
    imported = survey.import_export(path, Q, keep_identifiers=True)
    variable, _, how, warning = table(imported)["YearBorn"]
    assert (variable, how) == ("workplace", "import id")
    assert "QID2" in warning and "'单位性质'" in warning
    assert any(w.code == "stem-differs" and w.column == first + 1 for w in imported.warnings)
    with pytest.raises(SourceError) as caught:
        survey.import_export(path, Q, strict=True)
    assert {p.code for p in caught.value.problems} == {"stem-differs"}
    assert len(caught.value.problems) == len(rows[0]) - first  # every question column


def test_tags_numbered_with_notes_are_matched_by_their_text(tmp_path):
    """A Text/Graphic item took Q1/QID1: every tag is one more than our numbers."""
    path = write_qualtrics(responses(), tmp_path / "q.csv", count_notes=True)
    imported = survey.import_export(path, Q)
    found = table(imported)
    assert found["Q2"][:3] == ("birth_year", None, "number")
    assert found["Q7_3"][:3] == ("identity_3", None, "number")
    assert imported.warnings == ()
    assert read_responses(path, Q).differences(responses()) == []


def test_legacy_export_with_every_column_v_numbered_is_matched_by_the_texts(tmp_path):
    path = write_qualtrics(responses(), tmp_path / "q.csv", header="legacy", split=True)
    rows = rows_of(path)
    rows[0] = [f"V{i}" if tag else "" for i, tag in enumerate(rows[0], start=1)]
    rewrite(path, rows)
    assert detect_format(path) == "qualtrics"
    imported = survey.import_export(path, Q)
    found = table(imported)
    assert found["V11"][::2] == ("birth_year", "label")
    assert found["V13"][:3] == ("workplace", 6, "label")  # '单位性质 - 其他 - Text'
    assert found["V15"][:3] == ("concerns", "medical", "label")
    assert read_responses(path, Q).differences(responses()) == []


def test_legacy_identifiers_and_the_empty_last_column_are_left_out(tmp_path):
    path = write_qualtrics(responses(), tmp_path / "q.csv", header="legacy")
    rows = rows_of(path)
    assert rows[0][-1] == "" and all(row[-1] == "" for row in rows)  # the trailing comma
    name, email = rows[1].index("Name"), rows[1].index("EmailAddress")
    for row in rows[2:]:
        row[name], row[email] = "王芳", "wang@example.com"
    imported = survey.import_export(rewrite(path, rows), Q)
    assert {"Name", "EmailAddress", "IPAddress"} <= set(imported.identifiers)
    assert not {"Name", "EmailAddress", ""} & set(imported.responses.frame.columns)
    assert "" not in imported.match.unused
    assert imported.responses.frame["respondent_id"].tolist() == ["1", "2", "3", "4"]


def test_preview_and_spam_rows_are_kept_reported_and_counted_in_a_note(tmp_path):
    path = write_qualtrics(responses(), tmp_path / "q.csv")
    rows = rows_of(path)
    status = rows[0].index("Status")
    for row, value in zip(rows[3:], ["0", "Survey Preview", "8", "0"], strict=True):
        row[status] = value
    imported = survey.import_export(rewrite(path, rows), Q)
    assert imported.match.respondents == 4
    flagged = imported.validation.table.query("code == 'not-a-response'")
    assert flagged["row"].tolist() == [2, 3]
    assert (imported.responses.frame["_problems"].iloc[1:3] >= 1).all()
    note = " ".join(imported.match.notes)
    assert "2 row(s)" in note and "Survey Preview 1" in note and "Spam 1" in note
    assert "lines 5, 6" in note


def test_values_that_look_like_default_recodes_get_a_note(tmp_path):
    """workplace's codes are 1, 3, 6; a survey left at Qualtrics' recodes writes 2 for 私营."""
    path = write_qualtrics(responses(), tmp_path / "q.csv")
    rows = rows_of(path)
    q2 = rows[0].index("Q2")
    rows[3][q2] = "2"
    imported = survey.import_export(rewrite(path, rows), Q)
    assert imported.validation.table.query("code == 'unknown-code'")["row"].tolist() == [1]
    assert any(note.startswith("workplace: the values 2 are no option codes")
               for note in imported.match.notes)


def test_import_id_row_with_an_empty_cell_keeps_the_column_added_after_export(tmp_path):
    path = write_qualtrics(responses(), tmp_path / "q.csv")
    rows = rows_of(path)
    rows[0].append("TWIN_ID")
    rows[1].append("TWIN_ID")
    rows[2].append("")
    for n, row in enumerate(rows[3:]):
        row.append(f"T{n}")
    imported = survey.import_export(rewrite(path, rows), Q)
    assert "TWIN_ID" in imported.match.unused
    assert imported.responses.frame["TWIN_ID"].tolist() == ["T0", "T1", "T2", "T3"]


def test_repeated_tags_without_import_ids_are_refused(tmp_path):
    path = write_qualtrics(responses(), tmp_path / "q.csv", header="legacy",
                           tags={"start_date": "Later", "comments": "Later"})
    with pytest.raises(SourceError) as caught:
        read_responses(path, Q)
    problem = caught.value.problems[0]
    assert (problem.code, problem.line) == ("duplicate-header", 1)
    assert rows_of(path)[0][problem.column - 1] == "Later"


def test_tsv_in_utf16_is_detected_and_read(tmp_path):
    path = write_qualtrics(responses(), tmp_path / "q.tsv")
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    assert "\t" in path.read_text(encoding="utf-16").splitlines()[0]
    assert detect_format(path) == "qualtrics"
    assert read_responses(path, Q).differences(responses()) == []


@pytest.mark.parametrize("cell, expected", [
    ("Pay, rent,Dental", "pay,Dental"),  # a label with a comma, then an unknown piece
    ("Dental,Pay, rent", "Dental,pay"),
    ("Pay,Pay, rent", "p,pay"),  # the longest label wins: 'Pay, rent', not 'Pay' then ' rent'
    ("", ""),
])
def test_joined_choice_texts_are_split_on_commas_between_labels(cell, expected):
    lookup = {"pay,rent": "pay", "pay": "p"}  # normalised labels (no spaces, lower case)
    assert joined_codes(cell, lookup) == expected
