"""A catalogue of malformed platform exports: each gives a located one-line SourceError (file,
line, column, code) or a validation report entry with the expected code, never a traceback."""

from __future__ import annotations

import csv

import pytest
from export_samples import edit_csv, header_index, questionnaire, responses

from survey.files.source import SourceError
from survey.readers import read_responses
from survey.responses.validation import Options, validate
from survey.simulation.exports import write_kobo, write_qualtrics, write_wjx

Q = questionnaire()
# Columns of the 按序号 CSV of export_samples.responses():
# 0 序号 1 提交答卷时间 2 所用时间 3-5 来源… 6 1、出生年份 7 2、单位性质 8 2、(其他)
# 9-12 3、最关心的问题(…) 13-15 4、参加的保险(…) 16 5、担心养老 17-19 6、职业认同(…) 20 7、 21 8、
BIRTH, WORKPLACE, CONCERNS, INSURANCE, WORRY, DATE = 6, 7, 9, 13, 16, 20


def wjx_csv(tmp, edits=None, view="序号", encoding="utf-8-sig"):
    path = write_wjx(responses(), tmp / f"123_按{view}_小问卷_4_4.csv", view=view,
                     encoding=encoding)
    return edit_csv(path, edits or {}, encoding=encoding)


def kobo_csv(tmp, edits=None, labels=False):
    path = write_kobo(responses(), tmp / "kobo.csv", labels=labels)
    return edit_csv(path, edits or {}, encoding="utf-8", delimiter=";")


def replace_text(path, old, new, encoding="utf-8-sig"):
    text = path.read_text(encoding=encoding)
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding=encoding)
    return path


def header_only(tmp):
    path = wjx_csv(tmp)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text(lines[0] + "\n", encoding="utf-8-sig")
    return path


def truncated_xlsx(tmp):
    path = write_wjx(responses(), tmp / "cut.xlsx")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def latin1(tmp):
    """GBK header, then a Latin-1 line ('café' and ÿ) that neither UTF-8 nor GB18030 decodes."""
    path = tmp / "latin1.csv"
    path.write_bytes("序号,提交答卷时间\n".encode("gbk") + b"1,caf\xe9\xff\n")
    return path


def mapping_file(tmp):
    (tmp / "map.yaml").write_text('columns:\n  "1、出生年份": birth_yaer\n', encoding="utf-8")
    return wjx_csv(tmp), {"mapping": tmp / "map.yaml"}


def kobo_comma(tmp):
    path = kobo_csv(tmp)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace('";"', '","')
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def qualtrics_without_ids(tmp):
    """No ImportId row and no metadata columns: nothing tells the texts from the answers."""
    path = write_qualtrics(responses(), tmp / "q.csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    start = rows[0].index("Q1")
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(row[start:] for i, row in enumerate(rows) if i != 2)
    return path


def qualtrics_bad_json(tmp):
    path = write_qualtrics(responses(), tmp / "q.csv")
    return replace_text(path, '"{""ImportId"":""QID2""}"', '"{ImportId: QID2"')


def qualtrics_edit(tmp, column, value, row=3, **options):
    path = write_qualtrics(responses(), tmp / "q.csv", **options)
    return edit_csv(path, {(row, header_index(path, column)): value})


def mismatched(tmp):
    path = tmp / "other.csv"
    path.write_text("序号,提交答卷时间,所用时间,来源,来源详情,来自IP,甲,乙\n1,,1秒,,,,x,y\n",
                    encoding="utf-8")
    return path


def empty(tmp, text=""):
    path = tmp / "empty.csv"
    path.write_text(text, encoding="utf-8")
    return path


def speeders(tmp):
    return wjx_csv(tmp, {(1, 2): "5秒"})


def kobo_edit(tmp, column, value, labels=False):
    path = kobo_csv(tmp, labels=labels)
    return edit_csv(path, {(1, header_index(path, column, "utf-8", ";")): value},
                    encoding="utf-8", delimiter=";")


# (id, make(tmp) -> path or (path, options), format, expected)
# expected: ("error", code, line, column) or ("report", code, row)
CATALOGUE = [
    ("empty-file", lambda t: empty(t), "wjx", ("error", "empty-file", 1, 1)),
    ("blank-lines-only", lambda t: empty(t, "\n\n  \n"), "wjx", ("error", "empty-file", 1, 1)),
    ("empty-kobo", lambda t: empty(t), "kobo", ("error", "empty-file", 1, 1)),
    ("truncated-xlsx", truncated_xlsx, "wjx", ("error", "bad-excel", 1, 1)),
    ("zip-garbage", lambda t: (t / "g.xlsx").write_bytes(b"PK\x03\x04garbage") and t / "g.xlsx",
     "wjx", ("error", "bad-excel", 1, 1)),
    ("latin1-not-gb18030", latin1, "wjx", ("error", "encoding", 2, 1)),
    ("duplicate-wjx-header", lambda t: replace_text(wjx_csv(t), "5、担心养老", "1、出生年份"),
     "wjx", ("error", "duplicate-header", 1, WORRY + 1)),
    ("duplicate-kobo-header", lambda t: replace_text(kobo_csv(t), '"comments"', '"start_date"',
                                                     "utf-8"), "kobo",
     ("error", "duplicate-header", 1, 16)),
    ("same-question-twice", lambda t: replace_text(wjx_csv(t), "5、担心养老", "1、担心养老"),
     "wjx", ("error", "duplicate-column", 1, WORRY + 1)),
    ("mismatched-questionnaire", mismatched, "wjx", ("error", "no-matching-columns", 1, 1)),
    ("unknown-question-number", lambda t: replace_text(wjx_csv(t), "8、其他意见", "18、其他意见"),
     "wjx", ("error", "unknown-column", 1, 22)),
    ("split-column-unknown-option", lambda t: replace_text(wjx_csv(t), "3(住房)", "3(加班费)"),
     "wjx", ("error", "unknown-column", 1, CONCERNS + 3)),
    ("kobo-unknown-option-column",
     lambda t: replace_text(kobo_csv(t), '"insurance/injury"', '"insurance/dental"', "utf-8"),
     "kobo", ("error", "unknown-column", 1, 9)),
    ("kobo-comma-rows", kobo_comma, "kobo", ("error", "missing-cells", 2, 2)),
    ("extra-cells", lambda t: replace_text(wjx_csv(t), "好\n", "好,多余\n"), "wjx",
     ("error", "extra-cells", 2, 23)),
    ("qualtrics-no-import-ids", qualtrics_without_ids, "qualtrics",
     ("error", "no-import-ids", 3, 1)),
    ("qualtrics-bad-import-id", qualtrics_bad_json, "qualtrics", ("error", "bad-import-id", 3, 19)),
    ("qualtrics-2016-cut-import-id",
     lambda t: qualtrics_edit(t, "Q2", "{'ImportId': 'QID2'", row=2, header="python"),
     "qualtrics", ("error", "bad-import-id", 3, 19)),
    ("qualtrics-choice-text-wrong-label",
     lambda t: qualtrics_edit(t, "Q4_2", "Pension", split=True, choice_text=True, lang="en"),
     "qualtrics", ("error", "bad-option-cell", 4, 26)),
    ("qualtrics-bad-duration", lambda t: qualtrics_edit(t, "Duration (in seconds)", "4 min"),
     "qualtrics", ("error", "bad-duration", 4, 6)),
    ("qualtrics-survey-preview", lambda t: qualtrics_edit(t, "Status", "Survey Preview", row=4),
     "qualtrics", ("report", "not-a-response", 2)),
    ("qualtrics-unknown-label", lambda t: qualtrics_edit(t, "Q2", "Foreign-owned",
                                                          choice_text=True, lang="en"),
     "qualtrics", ("report", "unknown-code", 1)),
    ("wjx-not-a-number", lambda t: wjx_csv(t, {(2, BIRTH): "九五年"}), "wjx",
     ("error", "not-a-number", 3, BIRTH + 1)),
    ("kobo-not-a-number", lambda t: kobo_edit(t, "birth_year", "abc"), "kobo",
     ("error", "not-a-number", 2, 3)),
    ("kobo-not-a-date", lambda t: kobo_edit(t, "start_date", "someday"), "kobo",
     ("error", "not-a-date", 2, 15)),
    ("bad-duration", lambda t: wjx_csv(t, {(1, 2): "245s"}), "wjx",
     ("error", "bad-duration", 2, 3)),
    ("bad-submit-time", lambda t: wjx_csv(t, {(1, 1): "yesterday"}), "wjx",
     ("error", "bad-time", 2, 2)),
    ("multi-cell-not-0-1", lambda t: wjx_csv(t, {(1, INSURANCE): "2"}), "wjx",
     ("error", "bad-option-cell", 2, INSURANCE + 1)),
    ("rank-position-too-high", lambda t: wjx_csv(t, {(1, CONCERNS + 2): "9"}), "wjx",
     ("error", "bad-option-cell", 2, CONCERNS + 3)),
    ("mapping-file-unknown-variable", mapping_file, "wjx", ("error", "unknown-variable", 2, 13)),
    ("unknown-option-number", lambda t: wjx_csv(t, {(1, WORKPLACE): "9"}), "wjx",
     ("report", "unknown-code", 1)),
    ("unknown-label-text-view", lambda t: wjx_csv(t, {(2, WORKPLACE - 0): "外企"}, view="文本"),
     "wjx", ("report", "unknown-code", 2)),
    ("unknown-label-in-joined-multi",
     lambda t: wjx_csv(t, {(1, WORKPLACE + 2): "养老保险┋牙科保险"}, view="文本"), "wjx",
     ("report", "unknown-code", 1)),
    ("kobo-unknown-code", lambda t: kobo_edit(t, "workplace", "7"), "kobo",
     ("report", "unknown-code", 1)),
    ("kobo-label-unknown", lambda t: kobo_edit(t, "单位性质", "外企", labels=True), "kobo",
     ("report", "unknown-code", 1)),
    ("qualtrics-unknown-code", lambda t: qualtrics_edit(t, "Q2", "9"), "qualtrics",
     ("report", "unknown-code", 1)),
    ("rank-positions-duplicated", lambda t: wjx_csv(t, {(1, CONCERNS + 1): "1"}), "wjx",
     ("report", "duplicate-rank", 1)),
    ("skipped-required", lambda t: wjx_csv(t, {(1, BIRTH): "(跳过)"}), "wjx",
     ("report", "required-missing", 1)),
    ("not-shown-required", lambda t: wjx_csv(t, {(1, BIRTH): "-2"}), "wjx",
     ("report", "required-missing", 1)),
    ("too-many-ranked", lambda t: wjx_csv(t, {(1, CONCERNS + 2): "4"}), "wjx",
     ("report", "too-many-choices", 1)),
    ("exclusive-combined", lambda t: wjx_csv(t, {(2, INSURANCE): "1"}), "wjx",
     ("report", "exclusive-combined", 2)),
    ("birth-year-out-of-range", lambda t: wjx_csv(t, {(1, BIRTH): "1900"}), "wjx",
     ("report", "out-of-range", 1)),
    ("fractional-year", lambda t: wjx_csv(t, {(1, BIRTH): "1980.5"}), "wjx",
     ("report", "out-of-range", 1)),
    ("date-before-min", lambda t: wjx_csv(t, {(1, DATE): "1970-01-01"}), "wjx",
     ("report", "out-of-range", 1)),
    ("answered-when-skipped", lambda t: wjx_csv(t, {(1, WORRY): "3"}), "wjx",
     ("report", "answered-when-skipped", 1)),
    ("duplicate-respondent-id", lambda t: wjx_csv(t, {(2, 0): "1"}), "wjx",
     ("report", "duplicate-id", 2)),
    ("speeder", speeders, "wjx", ("report", "speeder", 1)),
]


@pytest.mark.parametrize("make, format, expected", [c[1:] for c in CATALOGUE],
                         ids=[c[0] for c in CATALOGUE])
def test_malformed_export(tmp_path, make, format, expected):
    made = make(tmp_path)
    path, options = made if isinstance(made, tuple) else (made, {})
    if expected[0] == "error":
        _, code, line, column = expected
        with pytest.raises(SourceError) as caught:
            read_responses(path, Q, format=format, **options)
        problem = caught.value.problems[0]
        assert (problem.code, problem.line, problem.column) == (code, line, column), problem
        assert problem.file.endswith(("map.yaml", path.name))
        assert "\n" not in str(problem)
    else:
        _, code, row = expected
        report = validate(read_responses(path, Q, format=format), Options())
        found = report.table[report.table["code"] == code]
        assert row in found["row"].tolist(), report.table


def test_catalogue_is_large():
    assert len(CATALOGUE) >= 30


def test_header_only_file_is_zero_respondents(tmp_path):
    """A header-only export is valid: zero respondents, all columns, no problems."""
    responses = read_responses(header_only(tmp_path), Q, format="wjx")
    assert len(responses) == 0
    assert "concerns__income" in responses.frame
    assert validate(responses).ok


def test_kobo_with_commas_throughout_is_odk_style(tmp_path):
    path = write_kobo(responses(), tmp_path / "odk.csv", flavour="odk")
    assert read_responses(path, Q).same_answers(responses())


def test_straight_liner(tmp_path):
    path = wjx_csv(tmp_path, {(1, 17): "3", (1, 18): "3", (1, 19): "3"})
    report = validate(read_responses(path, Q), Options(straightline_items=3))
    assert report.table.query("code == 'straight-liner'")["row"].tolist() == [1]


def test_problems_are_flagged_not_fixed(tmp_path):
    from survey.responses.validation import flag

    read = read_responses(wjx_csv(tmp_path, {(1, WORKPLACE): "9"}), Q)
    flagged = flag(read, validate(read))
    assert flagged.frame["_problems"].tolist()[0] >= 1
    assert flagged.frame["workplace"].astype(object).iloc[0] == "#9"
