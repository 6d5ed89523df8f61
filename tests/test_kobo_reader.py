"""What the catalogue's counts cannot see in KoboToolbox and ODK Central exports: the day a date
is read as, times and durations across offsets, which column a header names under any group
path, the notes an import leaves, and the answers (not only their number) of each layout."""

from __future__ import annotations

import csv
import zipfile

import pandas as pd
import pytest
from export_samples import questionnaire, responses

import survey
from survey.files.source import SourceError
from survey.readers import detect_format, read_responses
from survey.readers.export_table import import_notes
from survey.readers.kobo_headers import header_key
from survey.readers.mapping import HeaderIndex, HeaderKey
from survey.simulation.exports import write_kobo

Q = questionnaire()
ODK_HEADER = ["SubmissionDate", "start", "end", "birth_year", "start_date", "meta-instanceID",
              "KEY", "SubmitterID", "SubmitterName"]


def odk_file(path, rows, header=ODK_HEADER):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_a_date_with_an_offset_keeps_the_respondents_own_day(tmp_path):
    """01:30 in Beijing is the 18th in UTC; the respondent's date is the 19th."""
    path = odk_file(tmp_path / "o.csv", [
        ["2019-09-18T17:40:00.000Z", "", "", "1980", "2019-09-19T01:30:00.000+08:00", "uuid:a",
         "uuid:a"],
        ["2019-09-18T17:41:00.000Z", "", "", "1981", "2019-09-18T22:15:00.000-05:00", "uuid:b",
         "uuid:b"],
        ["2019-09-18T17:42:00.000Z", "", "", "1982", "2019-09-18", "uuid:c", "uuid:c"]])
    read = read_responses(path, Q)
    assert read.frame["start_date"].dt.strftime("%Y-%m-%d").tolist() == \
        ["2019-09-19", "2019-09-18", "2019-09-18"]
    assert read.frame["start_date"].iloc[0] == pd.Timestamp("2019-09-19T01:30:00")


def test_submission_time_is_utc_and_start_end_the_devices_clock(tmp_path):
    """A respondent who starts in Beijing (+08:00) and ends in Delhi (+05:30): the duration is
    the time that passed, not the difference of the two clocks."""
    path = odk_file(tmp_path / "o.csv", [
        ["2024-01-01T03:00:00.000+08:00", "2024-01-01T10:00:00.000+08:00",
         "2024-01-01T08:00:00.000+05:30", "1980", "", "uuid:a", "uuid:a"],
        ["2024-01-01T02:00:00.000Z", "2024-01-01T09:00:00.000+08:00",
         "2024-01-01T09:05:30.000+08:00", "1981", "", "uuid:b", "uuid:b"]])
    frame = read_responses(path, Q).frame
    assert frame["submitted_at"].tolist() == [pd.Timestamp("2023-12-31T19:00:00"),
                                              pd.Timestamp("2024-01-01T02:00:00")]
    assert frame["start"].tolist() == [pd.Timestamp("2024-01-01T10:00:00"),
                                       pd.Timestamp("2024-01-01T09:00:00")]
    assert frame["end"].iloc[0] == pd.Timestamp("2024-01-01T08:00:00")
    assert frame["duration_seconds"].tolist() == [1800, 330]
    assert frame["respondent_id"].tolist() == ["uuid:a", "uuid:b"]


def test_a_time_that_is_no_time_is_located(tmp_path):
    path = odk_file(tmp_path / "o.csv", [
        ["2024-01-01T02:00:00.000Z", "soon", "2024-01-01T09:05:30.000+08:00", "1981", "",
         "uuid:b", "uuid:b"]])
    with pytest.raises(SourceError) as caught:
        read_responses(path, Q)
    problem = caught.value.problems[0]
    assert (problem.code, problem.line, problem.column) == ("bad-time", 2, 2)
    assert "'soon'" in problem.message


def test_odk_rows_may_end_after_key_but_not_before(tmp_path):
    good = odk_file(tmp_path / "o.csv", [
        ["2024-01-01T02:00:00.000Z", "", "", "1981", "", "uuid:b", "uuid:b"],
        ["2024-01-01T02:00:00.000Z", "", "", "1982", "", "uuid:c", "uuid:c", "5", "Alice"]])
    done = survey.import_export(good, Q)
    assert done.responses.frame["birth_year"].tolist() == [1981, 1982]
    assert any("1 row(s) (line 2) end before the last column(s) SubmitterID, SubmitterName"
               in note for note in done.match.notes)
    cut = odk_file(tmp_path / "cut.csv", [["2024-01-01T02:00:00.000Z", "", "", "1981"]])
    with pytest.raises(SourceError) as caught:
        read_responses(cut, Q)
    problem = caught.value.problems[0]
    assert (problem.code, problem.line, problem.column) == ("missing-cells", 2, 5)
    assert "may end after column 7 'KEY', not before" in problem.message


def kobo_rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def write_kobo_rows(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL).writerows(rows)
    return path


def test_kobo_rows_still_may_not_end_early(tmp_path):
    """Kobo writes every cell: a short row there is a broken file, whatever its last cells."""
    path = write_kobo(responses(), tmp_path / "k.csv")
    rows = kobo_rows(path)
    rows[1] = rows[1][:-3]
    with pytest.raises(SourceError) as caught:
        read_responses(write_kobo_rows(path, rows), Q)
    assert caught.value.problems[0].code == "missing-cells"


@pytest.mark.parametrize("header, key", [
    ("identity/identity_1", HeaderKey("identity", "name", "identity_1")),
    ("identity.identity_1", HeaderKey("identity", "name", "identity_1")),
    ("identity-identity_1", HeaderKey("identity", "name", "identity_1")),
    ("identity_1", HeaderKey("identity_1", "name")),
    ("section_a/part.b/birth_year", HeaderKey("birth_year", "name")),
    ("insurance/pension", HeaderKey("insurance", "name", "pension")),
    ("insurance.pension", HeaderKey("insurance", "name", "pension")),
    ("g1-insurance/none", HeaderKey("insurance", "name", "none")),
    ("insurance.dental", HeaderKey("insurance", "name", "dental")),  # unknown: an error later
    ("g1/workplace__6_text", HeaderKey("workplace", "name", "6", text=True)),
    ("参加的保险.养老保险", HeaderKey("参加的保险", "label", "养老保险")),
    ("Occupational identity/I am proud of my trade",
     HeaderKey("Occupational identity", "label", "I am proud of my trade")),
    ("grp/age", HeaderKey(meta="grp/age")),  # a calculate field of our XLSForm
    ("concerns__pick.income", HeaderKey(meta="concerns__pick.income")),
    ("meta/instanceID", HeaderKey(meta="meta/instanceID")),
    ("_validation_status", HeaderKey(meta="_validation_status")),
    ("KEY", HeaderKey(meta="respondent_id")),
    ("start", HeaderKey(meta="start")),
    ("group.unrelated", None),
])
def test_a_header_names_its_question_under_any_group_path(header, key):
    assert header_key(header, HeaderIndex(Q)) == key


def test_an_unknown_option_under_a_dot_separator_is_refused_by_name(tmp_path):
    path = write_kobo(responses(), tmp_path / "k.csv", group_sep=".")
    path.write_text(path.read_text(encoding="utf-8").replace('"insurance.injury"',
                                                             '"insurance.dental"', 1),
                    encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_responses(path, Q)
    assert caught.value.problems[0].code == "unknown-column"
    assert "no option 'dental'" in str(caught.value)


def test_split_columns_of_booleans_read_as_selections(tmp_path):
    path = write_kobo(responses(), tmp_path / "k.csv", multiple_select="details")
    header, *rows = kobo_rows(path)
    insurance = [i for i, h in enumerate(header) if h.startswith("insurance/")]
    assert len(insurance) == 3
    for row in rows:
        for i in insurance:
            row[i] = {"1": "True", "0": "FALSE"}.get(row[i], row[i])
    assert sum(row[insurance[0]] == "True" for row in rows) == 1
    read = read_responses(write_kobo_rows(path, [header, *rows]), Q)
    block = ["insurance__pension", "insurance__injury", "insurance__none"]
    assert read.frame[block].equals(responses().frame[block])


@pytest.mark.parametrize("options", [
    {"group_sep": "."}, {"groups": False}, {"multiple_select": "details"},
    {"multiple_select": "summary"}, {"labels": True, "lang": "en", "multiple_select": "summary"},
    {"labels": True, "lang": "zh", "group_sep": "."}, {"flavour": "odk", "groups": False},
    {"flavour": "odk", "multiple_select": "summary"},
], ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
def test_each_layout_reads_back_answer_for_answer(tmp_path, options):
    """The rank's order, the option chosen, the 'other' text: more than a count of answers;
    and every column is a question or known metadata, none left unused."""
    original = responses()
    back = read_responses(write_kobo(original, tmp_path / "k.csv", **options), Q)
    assert back.same_answers(original)
    mapping = import_notes(back.frame).mapping
    assert mapping.loc[mapping["role"] == "unmapped", "column"].tolist() == []


def test_a_label_export_reads_a_rank_by_its_xml_names(tmp_path):
    """formpack writes a rank as text: its header is the label, its cell the choice names."""
    path = write_kobo(responses(), tmp_path / "k.csv", labels=True, lang="zh")
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    assert frame["最关心的问题"].tolist()[0] == "income medical career_growth"
    read = survey.import_export(path, Q)
    assert "unknown-code" not in set(read.validation.table["code"])
    ranks = ["concerns__income", "concerns__medical", "concerns__career_growth"]
    assert read.responses.frame.loc[0, ranks].tolist() == [1, 2, 3]


def odk_zip(tmp_path, main=True):
    source = write_kobo(responses(), tmp_path / "source.csv", flavour="odk")
    path = tmp_path / "form.zip"
    with zipfile.ZipFile(path, "w") as archive:
        if main:
            archive.writestr("form.csv", source.read_text(encoding="utf-8"))
        archive.writestr("form-member.csv", "name,PARENT_KEY,KEY\nA,1,1/member[1]\n")
        archive.writestr("media/photo.jpg", b"\xff\xd8")
    return source, path


def test_odk_zip_reads_its_main_table_and_says_what_it_left_out(tmp_path):
    source, path = odk_zip(tmp_path)
    assert detect_format(path) == "kobo"
    done = survey.import_export(path, Q)
    assert done.responses.same_answers(read_responses(source, Q))
    assert "read form.csv, the main table of the zip archive" in done.match.notes
    assert any("form-member.csv (1 rows)" in note for note in done.match.notes)


def test_problems_in_a_zip_are_located_in_its_member(tmp_path):
    source, path = odk_zip(tmp_path)
    text = source.read_text(encoding="utf-8").replace(",1980,", ",abc,", 1)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("form.csv", text)
    with pytest.raises(SourceError) as caught:
        read_responses(path, Q)
    assert caught.value.problems[0].file == f"{path}/form.csv"


def test_a_kobo_workbook_whose_first_sheet_is_a_repeat_is_refused(tmp_path):
    path = tmp_path / "k.xlsx"
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({"name": ["A"], "_index": ["1"], "_parent_table_name": ["household"],
                      "_parent_index": ["1"], "_submission__uuid": ["x"]}).to_excel(
            book, sheet_name="member", index=False)
    assert detect_format(path) == "kobo"
    with pytest.raises(SourceError) as caught:
        read_responses(path, Q)
    assert caught.value.problems[0].code == "repeat-table"
    assert "'household'" in str(caught.value)


def test_a_row_of_hxl_hashtags_is_a_header_row_and_lines_still_count(tmp_path):
    path = write_kobo(responses(), tmp_path / "k.csv")
    header, *rows = kobo_rows(path)
    tags = ["#indicator+year" if h == "birth_year" else "" for h in header]
    rows[1][header.index("birth_year")] = "abc"  # respondent 2, line 4 of the file
    write_kobo_rows(path, [header, tags, *rows])
    with pytest.raises(SourceError) as caught:
        read_responses(path, Q)
    problem = caught.value.problems[0]
    assert (problem.code, problem.line) == ("not-a-number", 4)
    rows[1][header.index("birth_year")] = "1995"
    done = survey.import_export(write_kobo_rows(path, [header, tags, *rows]), Q)
    assert len(done.responses) == 4
    assert "line 2 holds HXL hashtags (#indicator+year): read as a header row, not a " \
           "respondent" in done.match.notes


RANKS = ["concerns__income", "concerns__medical", "concerns__housing", "concerns__career_growth"]


def with_rank_columns(path, columns):
    """The export with its `concerns` summary replaced by `columns`: {header: cell(ranked)},
    `ranked` being the row's options in rank order."""
    header, *rows = kobo_rows(path)
    at = header.index("concerns") if "concerns" in header else header.index("最关心的问题")
    new_header = header[:at] + list(columns) + header[at + 1:]
    new_rows = [row[:at] + [cell(row[at].split()) for cell in columns.values()] + row[at + 1:]
                for row in rows]
    return write_kobo_rows(path, [new_header, *new_rows])


@pytest.mark.parametrize("labels", [False, True], ids=["xml", "labels"])
def test_a_form_builder_rank_reads_its_levels_in_order(tmp_path, labels):
    zh = {"income": "工资收入", "medical": "医疗", "housing": "住房", "career_growth": "职业成长"}
    spell = (lambda name: zh[name]) if labels else (lambda name: name)
    stem = "最关心的问题" if labels else "concerns"
    levels = ["第一位", "第二位", "第三位"] if labels else ["_1st_choice", "_2nd_choice",
                                                          "_3rd_choice"]
    path = write_kobo(responses(), tmp_path / "k.csv", labels=labels, lang="zh")
    with_rank_columns(path, {f"{stem}/{level}": (lambda ranked, k=k: spell(ranked[k])
                                                 if len(ranked) > k else "")
                             for k, level in enumerate(levels)})
    done = survey.import_export(path, Q)
    assert done.responses.frame[RANKS].equals(responses().frame[RANKS])
    match = {q.name: q for q in done.match.questions}["concerns"]
    assert match.columns == tuple(f"{stem}/{level}" for level in levels)


def test_a_rank_in_one_column_per_option_is_read_not_dropped(tmp_path):
    path = write_kobo(responses(), tmp_path / "k.csv")
    codes = ["income", "medical", "housing", "career_growth"]
    with_rank_columns(path, {f"concerns/{code}": (lambda ranked, code=code: (
        str(ranked.index(code) + 1) if code in ranked else "0") if ranked else "")
        for code in codes})
    read = read_responses(path, Q)
    assert read.frame[RANKS].equals(responses().frame[RANKS])


def test_a_column_under_a_rank_that_holds_no_options_is_refused(tmp_path):
    path = write_kobo(responses(), tmp_path / "k.csv")
    with_rank_columns(path, {"concerns": " ".join, "concerns/why": lambda ranked: "因为"})
    with pytest.raises(SourceError) as caught:
        read_responses(path, Q)
    assert caught.value.problems[0].code == "unknown-column"
    assert "no option 'why'" in str(caught.value)


def test_a_damaged_zip_says_so(tmp_path):
    _, path = odk_zip(tmp_path)
    data = bytearray(path.read_bytes())
    at = data.index(b"SubmissionDate")
    data[at:at + 14] = b"X" * 14  # the stored bytes no longer match their CRC
    path.write_bytes(bytes(data))
    assert detect_format(path) == "kobo"
    with pytest.raises(SourceError) as caught:
        read_responses(path, Q)
    assert caught.value.problems[0].code == "bad-zip"
    assert "download it again" in str(caught.value)
