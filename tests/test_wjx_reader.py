"""The Wenjuanxing reader on what the catalogue's counts cannot see: answers in the right variable
and grid item (not only as many of them), what is said about columns and sheets, which files are
taken for wjx exports and which are not, and the header grammar itself."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from export_samples import questionnaire, responses

import survey
from survey.files.source import SourceError
from survey.readers import detect_format, read_responses
from survey.readers.wjx import read_wjx
from survey.readers.wjx_headers import looks_like_wjx, split_header
from survey.simulation.exports import write_wjx

WORKPLACE = "2、单位性质"


def exported(tmp_path: Path, view: str = "序号", **options) -> pd.DataFrame:
    path = write_wjx(responses(), tmp_path / "raw.csv", view=view, encoding="utf-8", **options)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def saved(frame: pd.DataFrame, path: Path, encoding: str = "utf-8-sig") -> Path:
    if path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False, encoding=encoding)
    return path


def same_answers(path: Path, **options) -> None:
    back = read_responses(path, questionnaire(), format="wjx", **options)
    assert back.differences(responses()) == []


# ------------------------------------------------------------------ answers in the right place

@pytest.mark.parametrize("dash", ["—", "——", "－", "―", "–", " — "])
def test_matrix_rows_after_any_dash_land_in_their_grid_items(tmp_path, dash):
    frame = exported(tmp_path)
    frame = frame.rename(columns=lambda c: c.replace("—", dash))
    assert any(dash in c for c in frame.columns)
    same_answers(saved(frame, tmp_path / "x_按序号.csv"))


def test_matrix_rows_out_of_order_still_land_in_their_items(tmp_path):
    frame = exported(tmp_path)
    rows = [c for c in frame.columns if c.startswith("6、")]
    others = [c for c in frame.columns if c not in rows]
    at = others.index("7、入职日期")
    frame = frame[others[:at] + rows[::-1] + others[at:]]
    same_answers(saved(frame, tmp_path / "x_按序号.csv"))


def test_a_row_label_holding_a_dash_or_parentheses_is_found(tmp_path):
    q = questionnaire()
    item = q.questions[6].items[0]
    item.label["zh"] = "我为我的职业—自豪(真心)"
    frame = exported(tmp_path).rename(columns=lambda c: c.replace(
        "我为我的职业自豪", "我为我的职业—自豪(真心)"))
    back = read_responses(saved(frame, tmp_path / "x.csv"), q, format="wjx")
    assert back.frame["identity_1"].tolist() == responses().frame["identity_1"].tolist()


@pytest.mark.parametrize("rename", [
    lambda c: re.sub(r"^(\d+)、(?=[^(])", r"Q\1.", c),  # Q1.出生年份
    lambda c: re.sub(r"^(\d+)、(?=[^(])", r"\1. ", c),  # 1. 出生年份
    lambda c: re.sub(r"^(\d+)\(", r"\1 (", c),  # 3 (医疗)
    lambda c: re.sub(r"^(\d+)(?:、[^(]+)?\(((?!其他).+)\)$", r"第\1题(\2)", c),  # 第3题(医疗)
], ids=["Q-numbers", "dot-numbers", "spaced-split-columns", "old-split-columns"])
def test_numbering_variants_read_the_same_answers(tmp_path, rename):
    frame = exported(tmp_path, grid="parentheses")
    renamed = frame.rename(columns=rename)
    assert list(renamed.columns) != list(frame.columns)
    same_answers(saved(renamed, tmp_path / "x_按序号.csv"))


def test_numbering_that_starts_again_is_matched_by_stem_and_said(tmp_path):
    frame = exported(tmp_path).rename(columns=lambda c: re.sub(
        r"^([5-8])(?=[、(])", lambda m: str(int(m[1]) - 4), c))
    path = saved(frame, tmp_path / "x_按序号.csv")
    same_answers(path)
    imported = survey.import_export(path, questionnaire())
    assert any("start again at column 17 '1、担心养老'" in note
               for note in imported.match.notes)
    table = imported.mapping.set_index("column")
    assert table.loc["1、担心养老", "variable"] == "pension_worry"
    assert table.loc["1、担心养老", "matched_by"] == "label"


def test_one_misnumbered_header_is_a_duplicate_not_a_restart(tmp_path):
    frame = exported(tmp_path).rename(columns={"7、入职日期": "1、入职日期"})
    with pytest.raises(SourceError) as caught:
        read_wjx(saved(frame, tmp_path / "x.csv"), questionnaire())
    assert [p.code for p in caught.value.problems] == ["duplicate-column"]


def test_other_text_after_the_option_number_is_read(tmp_path):
    frame = exported(tmp_path)
    text = frame.pop("2、(其他)")
    frame[WORKPLACE] = frame[WORKPLACE].where(text == "", frame[WORKPLACE] + "〖" + text + "〗")
    assert "3〖个体(小店)〗" in frame[WORKPLACE].tolist()  # option 6 is the third
    same_answers(saved(frame, tmp_path / "x_按序号.csv"))


def test_full_width_tokens_are_missing_kinds(tmp_path):
    frame = exported(tmp_path, view="文本").replace({"(跳过)": "（跳过）", "(空)": "（空）"})
    back = read_responses(saved(frame, tmp_path / "x_按文本.csv"), questionnaire())
    plain = read_responses(saved(exported(tmp_path, view="文本"), tmp_path / "y_按文本.csv"),
                           questionnaire())
    assert back.differences(plain) == []


# ------------------------------------------------------------------ metadata and what is said

def test_times_and_durations_as_excel_resaves_them(tmp_path):
    frame = exported(tmp_path)
    frame["提交答卷时间"] = ["2024/11/5 8:56", "2024-11-05 09:11:14", "2024/11/06 10:00:00", ""]
    frame["所用时间"] = ["4分5秒", "149", "1小时2分3秒", "300秒"]
    back = read_responses(saved(frame, tmp_path / "x.csv"), questionnaire(), format="wjx")
    assert back.frame["submitted_at"].tolist()[:3] == [
        pd.Timestamp("2024-11-05 08:56"), pd.Timestamp("2024-11-05 09:11:14"),
        pd.Timestamp("2024-11-06 10:00")]
    assert pd.isna(back.frame["submitted_at"].iloc[3])
    assert back.frame["duration_seconds"].tolist() == [245, 149, 3723, 300]


def test_a_fractional_duration_is_a_located_error(tmp_path):
    frame = exported(tmp_path)
    frame["所用时间"] = ["4.5", "149秒", "300秒", "610秒"]
    with pytest.raises(SourceError) as caught:
        read_wjx(saved(frame, tmp_path / "x.csv"), questionnaire())
    assert [(p.code, p.line, p.column) for p in caught.value.problems] == [("bad-duration", 2, 3)]


def test_columns_wjx_adds_are_metadata_and_unknown_ones_are_said(tmp_path):
    frame = exported(tmp_path)
    frame.insert(6, "总分", "12")
    frame.insert(7, "填写设备", "手机")
    frame.insert(frame.columns.get_loc("5、担心养老") + 1, "5、担心养老(分数)", "4")
    frame["备注"] = "x"
    imported = survey.import_export(saved(frame, tmp_path / "x.csv"), questionnaire())
    table = imported.mapping.set_index("column")
    assert set(table.loc[["总分", "填写设备", "5、担心养老(分数)"], "role"]) == {"meta"}
    assert imported.match.unused == ("备注",)
    assert imported.responses.frame["5、担心养老(分数)"].tolist() == ["4"] * 4
    assert imported.responses.differences(responses()) == []


def test_an_option_labelled_like_a_score_column_is_an_option(tmp_path):
    q = questionnaire()
    q.questions[4].options["injury"]["zh"] = "分数"
    frame = exported(tmp_path).rename(columns={"4(工伤保险)": "4(分数)"})
    back = read_responses(saved(frame, tmp_path / "x_按序号.csv"), q, format="wjx")
    assert back.frame["insurance__injury"].tolist() == \
        responses().frame["insurance__injury"].tolist()


def test_wechat_profile_columns_are_left_out_as_identifiers(tmp_path):
    frame = exported(tmp_path)
    for at, (name, value) in enumerate({"微信昵称": "阿强", "微信性别": "男",
                                        "微信地区": "广东深圳"}.items(), start=6):
        frame.insert(at, name, value)
    path = saved(frame, tmp_path / "x.csv")
    imported = survey.import_export(path, questionnaire())
    assert set(imported.identifiers) == {"来自IP", "微信昵称", "微信性别", "微信地区"}
    assert not {"微信昵称", "微信性别", "微信地区"} & set(imported.responses.frame.columns)
    kept = survey.import_export(path, questionnaire(), keep_identifiers=True)
    assert kept.responses.frame["微信昵称"].tolist() == ["阿强"] * 4


@pytest.mark.parametrize("data_first", [True, False])
def test_the_data_sheet_is_found_and_the_other_named(tmp_path, data_first):
    frame = exported(tmp_path)
    sheets = [("答卷数据", frame), ("说明", pd.DataFrame({"说明": ["课题组整理"]}))]
    path = tmp_path / "整理.xlsx"
    with pd.ExcelWriter(path) as book:
        for name, data in sheets if data_first else sheets[::-1]:
            data.to_excel(book, sheet_name=name, index=False)
    assert detect_format(path) == "wjx"
    imported = survey.import_export(path, questionnaire())
    assert imported.responses.differences(responses()) == []
    assert "read sheet '答卷数据' of the workbook; left out sheet(s) '说明'" in \
        imported.match.notes


def test_the_score_download_is_refused_unless_the_view_is_named(tmp_path):
    path = saved(exported(tmp_path), tmp_path / "302594156_按分数_小问卷_4_4.csv")
    with pytest.raises(SourceError) as caught:
        read_wjx(path, questionnaire())
    assert [(p.code, p.line) for p in caught.value.problems] == [("wjx-score-view", 1)]
    assert "按序号" in str(caught.value)
    same_answers(path, view="序号")


def test_a_matrix_column_naming_no_row_is_an_error_that_quotes_it(tmp_path):
    frame = exported(tmp_path).rename(columns={"6、职业认同—这份工作只是谋生": "6、职业认同"})
    with pytest.raises(SourceError) as caught:
        read_wjx(saved(frame, tmp_path / "x.csv"), questionnaire())
    problem, = caught.value.problems
    assert problem.code == "unknown-column" and "'6、职业认同'" in problem.message


# ------------------------------------------------------------------ detection and encodings

@pytest.mark.parametrize("drop", [
    ["提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"],
    ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"],
], ids=["serial-kept", "questions-only"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_without_metadata_columns_it_is_still_detected(tmp_path, drop, encoding):
    path = saved(exported(tmp_path).drop(columns=drop), tmp_path / "答卷.csv", encoding)
    assert detect_format(path) == "wjx"


def test_a_gb18030_byte_order_mark_is_not_part_of_the_first_header(tmp_path):
    path = saved(exported(tmp_path), tmp_path / "x.csv", "gb18030")
    path.write_bytes("\ufeff".encode("gb18030") + path.read_bytes())
    assert path.read_bytes()[:4] == b"\x84\x31\x95\x33"
    assert detect_format(path) == "wjx"
    back = read_responses(path, questionnaire())
    assert back.frame["respondent_id"].tolist() == ["1", "2", "3", "4"]


@pytest.mark.parametrize("header, wjx", [
    (["序号", "提交答卷时间", "所用时间"], True),
    (["序号", "1、您的性别", "2、您的年龄"], True),
    (["\ufeff序号", "1、您的性别"], True),
    (["1、您的性别", "2、您的年龄", "3、您的工作(工资)", "备注"], True),
    (["序号", "姓名", "年龄"], False),  # a numbered roster, not an export
    (["1、您的性别", "sex", "age", "district"], False),
    (["StartDate", "EndDate", "Q1", "Q2_1", "Q3"], False),  # Qualtrics
    (["Q1. Sex", "Q2. Age"], False),  # Q-numbers without 序号 need --format wjx
    (["respondent_id", "birth_year", "workplace"], False),  # our layout
    (["start", "end", "basic/sex", "_uuid", "_submission_time"], False),  # KoboToolbox
    (["1、您的性别", "2、您的年龄", "_uuid", "_submission_time"], False),  # Kobo, labels
    ([], False),
])
def test_what_looks_like_a_wjx_header(header, wjx):
    assert looks_like_wjx(header) is wjx


@pytest.mark.parametrize("header, parts", [
    ("5、题干", (5, "题干", None, True)),
    ("5. 题干(最多选3项)", (5, "题干", "最多选3项", True)),
    ("Q12：题干", (12, "题干", None, True)),
    ("5(选项)", (5, "", "选项", False)),
    ("第5题(选项)", (5, "", "选项", False)),
    ("(1)4 您的年龄", (4, "您的年龄", None, False)),
    ("6、题干—行(注)", (6, "题干—行", "注", True)),
    ("2024年收入", None),
    ("QQ号", None),
    ("序号", None),
])
def test_split_header(header, parts):
    found = split_header(header)
    assert (found[:4] if found else None) == parts
