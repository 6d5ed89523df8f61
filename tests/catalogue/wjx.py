"""Wenjuanxing (问卷星) exports in the shapes real ones take (../shared/formats.md §3): both views,
xlsx and CSV in GB18030 or UTF-8 (each with and without a byte-order mark), the metadata columns
deleted by the owner, matrix rows `题干—行` and their variants, the columns wjx adds (总分, scores,
WeChat profile, device, custom fields), numbering variants, a workbook with another sheet, and the
downloads that must be refused.

Each file starts as our writer's export of simulated answers and is then reshaped with pandas the
way wjx (or a user in Excel) shapes it. What a layout expects is read from the file with pandas
alone: a column's question from its header's number (or stem), a respondent answered a question
when any of its columns holds something other than an empty or skip token.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from catalogue import Expected, Layout, answered, simulated, small
from survey.responses.dataset import Responses
from survey.simulation.exports import write_wjx

# small.yaml as Wenjuanxing numbers it: the note is not numbered, the grid is question 6
NUMBERS = {1: "birth_year", 2: "workplace", 3: "concerns", 4: "insurance", 5: "pension_worry",
           7: "start_date", 8: "comments"}
ROWS = {"我为我的职业自豪": "identity_1", "我愿意一直做这一行": "identity_2",
        "这份工作只是谋生": "identity_3"}
STEMS = {"出生年份": "birth_year", "单位性质": "workplace", "最关心的问题": "concerns",
         "参加的保险": "insurance", "担心养老": "pension_worry", "入职日期": "start_date",
         "其他意见": "comments"}
NOT_ANSWERS = ("", "(跳过)", "（跳过）", "(空)", "（空）", "-3", "-2")
METADATA = ["提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
HEADER = re.compile(r"^(?:Q|第)?(\d+)(?:题)?(.*)$")
NAME = "302594156_按{view}_小问卷_40_40"


# ------------------------------------------------------------------ reading a file with pandas

def question_of(header: str, numbers: dict[int, str] = NUMBERS) -> str | None:
    """The variable a header's column answers, by its number; None for metadata, an option's
    free text (`2、(其他)`) and score columns."""
    match = HEADER.match(str(header))
    if not match or match[2].startswith(("、(", "(分数)")) or match[2].endswith("(分数)"):
        return None
    if int(match[1]) == 6:
        return next((item for row, item in ROWS.items() if row in match[2]), None)
    return numbers.get(int(match[1]))


def counted(frame: pd.DataFrame, of: Callable[[str], str | None] = question_of) -> Expected:
    """Respondents, and per question those with an answer in any of its columns."""
    columns: dict[str, list[str]] = {name: [] for name in small().items}
    for header in frame.columns:
        name = of(header)
        if name is not None:
            columns[name].append(header)
    missing = [name for name, found in columns.items() if not found]
    assert not missing, f"the layout lost {missing}"
    return Expected(len(frame), {name: answered(frame, found, NOT_ANSWERS)
                                 for name, found in columns.items()})


def by_stems(frame: pd.DataFrame) -> Expected:
    """As `counted`, a column's question found by its stem text (numbers that restart); a
    split column `N(选项)` belongs to the last stem numbered N."""
    last: dict[str, str | None] = {}
    which: dict[str, str | None] = {}
    for header in frame.columns:
        match = HEADER.match(str(header))
        if not match or match[2].startswith("、("):
            which[header] = None
            continue
        stem = re.split(r"[(—]", match[2].lstrip("、. "))[0]
        if stem:
            last[match[1]] = "grid" if stem == "职业认同" else STEMS.get(stem)
        found = last.get(match[1])
        which[header] = found if found != "grid" else next(
            (item for row, item in ROWS.items() if row in header), None)
    return counted(frame, which.get)


def read_csv(encoding: str) -> Callable[[Path], Expected]:
    return lambda path: counted(pd.read_csv(path, dtype=str, keep_default_na=False,
                                            encoding=encoding))


def read_xlsx(sheet: int | str = 0, of=counted) -> Callable[[Path], Expected]:
    return lambda path: of(pd.read_excel(path, sheet_name=sheet, dtype=str).fillna(""))


# ------------------------------------------------------------------ writing the files

def exported(folder: Path, view: str = "序号", responses: Responses | None = None,
             **options) -> pd.DataFrame:
    """Our writer's export (of small.yaml's simulated answers unless `responses` are given) as
    text cells, with metadata as wjx fills it in."""
    path = write_wjx(responses or simulated(seed=5), folder / f"raw_{view}.csv", view=view,
                     encoding="utf-8", **options)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    path.unlink()
    n = len(frame)
    frame["序号"] = [str(i) for i in range(1, n + 1)]
    times = pd.date_range("2024-11-05 08:56:01", periods=n, freq="17min")
    frame["提交答卷时间"] = times.strftime("%Y/%m/%d %H:%M:%S")
    frame["所用时间"] = [f"{120 + 7 * i}秒" for i in range(n)]
    frame["来源"] = ["微信", "手机提交", "链接"] * (n // 3) + ["微信"] * (n % 3)
    frame["来源详情"] = "直接访问"
    frame["来自IP"] = [f"183.62.126.{i}(广东-深圳)" for i in range(n)]
    return frame


def numbers_in_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Whole numbers as numbers, as wjx's xlsx stores them (tokens like (空) stay text)."""
    return frame.map(lambda v: int(v) if re.fullmatch(r"-?\d{1,9}", v) else v)


def saved(frame: pd.DataFrame, path: Path, encoding: str = "utf-8-sig",
          bom: bool = False) -> Path:
    if path.suffix == ".xlsx":
        numbers_in_cells(frame).to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False, encoding=encoding, lineterminator="\r\n")
        if bom:  # GB18030's own byte-order mark
            path.write_bytes("\ufeff".encode(encoding) + path.read_bytes())
    return path


def layout(view: str, name: str, reshape=lambda f: f, encoding: str = "utf-8-sig",
           bom: bool = False, **options) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        frame = reshape(exported(folder, view, **options))
        return saved(frame, folder / name.format(view=view), encoding, bom)
    return write


def renamed(rename: Callable[[str], str]) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda frame: frame.rename(columns=rename)


def inserted(after: str, columns: dict[str, object]):
    def reshape(frame: pd.DataFrame) -> pd.DataFrame:
        at = list(frame.columns).index(after) + 1
        for offset, (name, values) in enumerate(columns.items()):
            frame.insert(at + offset, name, values)
        return frame
    return reshape


def gb18030_only(frame: pd.DataFrame) -> pd.DataFrame:
    """Comments with characters GBK cannot encode (euro sign, bullet, CJK Ext-B, emoji)."""
    some = frame.index[::5]
    frame.loc[some, "8、其他意见"] = ["加班费€按时发•", "𠀀字的名字", "满意👍", "无", "还行"
                                 ] * (len(some) // 5) + ["无"] * (len(some) % 5)
    return frame


def dashes(frame: pd.DataFrame) -> pd.DataFrame:
    """The matrix rows with the dash variants Excel and Word users type: ——, －, ―."""
    marks = iter(["——", "－", "―"])
    return frame.rename(columns=lambda c: c.replace("—", next(marks)) if "—" in c else c)


def q_numbers(header: str) -> str:
    """`Q1.出生年份` and `Q3(医疗)` headers."""
    return re.sub(r"^(\d+)、(?=[^(])", r"Q\1.", re.sub(r"^(\d+)(?=\()", r"Q\1", header))


def dot_numbers(header: str) -> str:
    """`1. 出生年份` and `3 (医疗)` as in S4's analysis script."""
    return re.sub(r"^(\d+)、(?=[^(])", r"\1. ", re.sub(r"^(\d+)\(", r"\1 (", header))


def old_split_columns(header: str) -> str:
    """The 2017 exports: every option or matrix-row column `第N题(选项)` (reportgen, S2)."""
    match = re.match(r"^(\d+)(?:、[^(]+)?\((.+)\)$", header)
    return f"第{match[1]}题({match[2]})" if match and not header.startswith(f"{match[1]}、(") \
        else header


def sections(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbering that starts again with a second section: questions 5-8 numbered 1-4."""
    return frame.rename(columns=lambda c: re.sub(r"^([5-8])(?=[、(])",
                                                 lambda m: str(int(m[1]) - 4), c))


def other_after_number(frame: pd.DataFrame) -> pd.DataFrame:
    """The text typed beside 其他 in the option's cell, `3〖自己开店〗`, not in a column [I]."""
    text = frame.pop("2、(其他)")
    frame["2、单位性质"] = frame["2、单位性质"].where(text == "", frame["2、单位性质"] + "〖" +
                                                    text + "〗")
    return frame


def resaved_by_excel(frame: pd.DataFrame) -> pd.DataFrame:
    """Times as Excel shows them after a CSV was opened and saved (no seconds, no padding),
    durations as minutes and seconds [I]."""
    stamps = pd.to_datetime(frame["提交答卷时间"], format="%Y/%m/%d %H:%M:%S")
    frame["提交答卷时间"] = [f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}" for t in stamps]
    seconds = frame["所用时间"].str.removesuffix("秒").astype(int)
    frame["所用时间"] = [f"{s // 60}分{s % 60}秒" for s in seconds]
    return frame


def full_width_tokens(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.replace({"(跳过)": "（跳过）", "(空)": "（空）"})


def two_sheets(data_first: bool) -> Callable[[Path], Path]:
    """A workbook with a notes sheet before the data (or a summary sheet after it)."""
    def write(folder: Path) -> Path:
        frame = numbers_in_cells(exported(folder, "序号"))
        other = pd.DataFrame({"说明": ["本表由课题组整理", "来自IP 已核对"]})
        path = folder / "工会调查_整理.xlsx"
        with pd.ExcelWriter(path) as book:
            sheets = [("答卷数据", frame), ("说明", other)]
            for name, data in sheets if data_first else sheets[::-1]:
                data.to_excel(book, sheet_name=name, index=False)
        return path
    return write


NO_METADATA = ["序号", *METADATA]
SEQUENCE, TEXT = "序号", "文本"
XLSX, CSV = NAME + ".xlsx", NAME + ".csv"

LAYOUTS = [
    Layout("wjx-sequence-xlsx", layout(SEQUENCE, XLSX), read_xlsx()),
    Layout("wjx-text-csv-gb18030", layout(TEXT, CSV, gb18030_only, "gb18030"),
           read_csv("gb18030")),
    Layout("wjx-text-csv-gb18030-bom", layout(TEXT, CSV, encoding="gb18030", bom=True),
           read_csv("gb18030")),
    Layout("wjx-sequence-csv-utf8-bom", layout(SEQUENCE, CSV), read_csv("utf-8-sig")),
    Layout("wjx-text-csv-utf8", layout(TEXT, CSV, encoding="utf-8"), read_csv("utf-8")),
    Layout("wjx-no-metadata-but-serial", layout(SEQUENCE, "答卷.csv",
                                                lambda f: f.drop(columns=METADATA)),
           read_csv("utf-8-sig")),
    Layout("wjx-questions-only-xlsx", layout(TEXT, "data.xlsx",
                                             lambda f: f.drop(columns=NO_METADATA)),
           read_xlsx()),
    Layout("wjx-matrix-rows-in-parentheses", layout(SEQUENCE, CSV, grid="parentheses"),
           read_csv("utf-8-sig")),
    Layout("wjx-matrix-dash-variants", layout(TEXT, CSV, dashes), read_csv("utf-8-sig")),
    Layout("wjx-total-score-device-custom-fields", layout(SEQUENCE, XLSX, inserted(
        "来自IP", {"总分": "12", "填写设备": "手机", "答题序号": "1", "自定义字段": "厂区A"})),
        read_xlsx()),
    Layout("wjx-score-columns", layout(SEQUENCE, CSV, inserted("5、担心养老", {
        "5、担心养老(分数)": "4"})), read_csv("utf-8-sig")),
    Layout("wjx-wechat-profile", layout(TEXT, CSV, inserted("来自IP", {
        "微信昵称": "阿强", "微信性别": "男", "微信地区": "广东深圳"}), "gb18030"),
           read_csv("gb18030")),
    Layout("wjx-q-numbers", layout(SEQUENCE, CSV, renamed(q_numbers)), read_csv("utf-8-sig")),
    Layout("wjx-dot-numbers", layout(SEQUENCE, XLSX, renamed(dot_numbers)), read_xlsx()),
    Layout("wjx-old-split-columns", layout(SEQUENCE, XLSX, renamed(old_split_columns),
                                           grid="parentheses"), read_xlsx()),
    Layout("wjx-numbering-restarts", layout(TEXT, CSV, sections),
           lambda p: by_stems(pd.read_csv(p, dtype=str, keep_default_na=False))),
    Layout("wjx-other-text-after-number", layout(SEQUENCE, CSV, other_after_number),
           read_csv("utf-8-sig")),
    Layout("wjx-resaved-by-excel", layout(SEQUENCE, CSV, resaved_by_excel, "gb18030"),
           read_csv("gb18030")),
    Layout("wjx-full-width-tokens", layout(TEXT, CSV, full_width_tokens), read_csv("utf-8-sig")),
    Layout("wjx-data-on-second-sheet", two_sheets(data_first=False), read_xlsx("答卷数据")),
    Layout("wjx-notes-sheet-after-data", two_sheets(data_first=True), read_xlsx("答卷数据")),
    Layout("wjx-score-download-refused", layout(SEQUENCE, NAME.format(view="分数") + ".xlsx"),
           refused=("wjx-score-view", "按序号")),
    Layout("wjx-unknown-matrix-row-refused", layout(SEQUENCE, CSV, renamed(
        lambda c: c.replace("这份工作只是谋生", "我喜欢加班"))),
           refused=("unknown-column", "我喜欢加班")),
]
