"""KoboToolbox and ODK Central exports in the shapes their servers write (../shared/formats.md §2;
formpack's `reporting/export.py` and `schema/fields.py`, central-backend's `lib/data/briefcase.js`
and its tests): Kobo's `;` CSV with XML values or labels in either language, `/` or `.` between
groups, no group path, select_multiple as summary and/or split columns (1/0 or TRUE/FALSE), a rank
built in Kobo's form builder (a column per level), a row of HXL hashtags under the header, filled
metadata, the native .xlsx (text or typed cells, repeat sheets); ODK Central's CSV (default
summary-only, split, no group paths), rows that end after their last value, times with offsets,
its .zip of main and repeat tables; and the files that must be refused: a repeat table, a row cut
before `KEY`, a zip without its main table.

Each file starts as our writer's export of simulated answers (with submission times) and is then
reshaped with pandas or the csv module the way the platform writes it. What a layout expects is
read from the file with pandas alone: a column's question from its header, spelled by hand below
from the documented layout (not by our readers); a respondent answered a question when any of
its columns holds something.
"""

from __future__ import annotations

import csv
import dataclasses
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from catalogue import Expected, Layout, answered, simulated, small
from survey.simulation.exports import write_kobo

# small.yaml's questions as the XLSForm names them (the grid `identity` is a group) and labelled
GROUPED = {"identity_1": "identity", "identity_2": "identity", "identity_3": "identity"}
MULTI = {"insurance": ("pension", "injury", "none")}
LABELS = {
    "zh": {"birth_year": "出生年份", "workplace": "单位性质", "concerns": "最关心的问题",
           "insurance": "参加的保险", "pension_worry": "担心养老", "identity": "职业认同",
           "identity_1": "我为我的职业自豪", "identity_2": "我愿意一直做这一行",
           "identity_3": "这份工作只是谋生", "start_date": "入职日期", "comments": "其他意见",
           "pension": "养老保险", "injury": "工伤保险", "none": "都没有", "income": "工资收入",
           "medical": "医疗", "housing": "住房", "career_growth": "职业成长"},
    "en": {"birth_year": "Year of birth", "workplace": "Workplace ownership",
           "concerns": "Main concerns", "insurance": "Insurance held",
           "pension_worry": "Worried about old age", "identity": "Occupational identity",
           "identity_1": "I am proud of my trade", "identity_2": "I want to stay in this trade",
           "identity_3": "This job is only a living", "start_date": "Start date",
           "comments": "Other comments", "pension": "Pension", "injury": "Work injury",
           "none": "None"},
}
FORM = "worker_needs"  # ODK Central names the main table <form>.csv, repeats <form>-<repeat>.csv


@dataclasses.dataclass(frozen=True)
class Spelling:
    """How an export spells headers: XML names or labels in `lang`, the group separator (None:
    no group path), and the separator before a select_multiple's option."""

    lang: str | None = None
    group: str | None = "/"
    option: str = "/"
    levels: tuple[str, ...] = ()  # a form-builder rank's level columns under `concerns`

    def word(self, name: str) -> str:
        return LABELS[self.lang][name] if self.lang else name

    def header(self, name: str) -> str:
        group = GROUPED.get(name)
        if group and self.group:
            return f"{self.word(group)}{self.group}{self.word(name)}"
        return self.word(name)

    def columns(self, frame: pd.DataFrame) -> dict[str, list[str]]:
        """Each question's columns in the file: its header, and a multi's option columns."""
        found = {}
        for name in small().items:
            wanted = {self.header(name)}
            wanted |= {f"{self.header(name)}{self.option}{self.word(o)}"
                       for o in MULTI.get(name, ())}
            if name == "concerns" and self.levels:
                wanted = {f"{self.header(name)}/{level}" for level in self.levels}
            found[name] = [c for c in frame.columns if c in wanted]
        lost = [name for name, columns in found.items() if not columns]
        assert not lost, f"the layout lost {lost}"
        return found


def counted(frame: pd.DataFrame, spelling: Spelling) -> Expected:
    """Respondents, and per question those with something in any of its columns."""
    frame = frame.astype(object).where(frame.notna(), "")
    return Expected(len(frame), {name: answered(frame, columns)
                                 for name, columns in spelling.columns(frame).items()})


def kobo_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)


def odk_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# ------------------------------------------------------------------ writing the files

def answers(seed: int = 21):
    """Simulated answers with what a server adds: submission times (UTC), durations and
    instance ids."""
    responses = simulated(seed=seed)
    n = len(responses.frame)
    rng = np.random.default_rng(seed)
    submitted = pd.Timestamp("2024-11-05T00:30:00") + pd.to_timedelta(
        np.sort(rng.integers(0, 14 * 86400, n)), unit="s")
    frame = responses.frame.assign(
        respondent_id=[f"uuid:6513270e-{i:04d}-4000-8000-{seed:012d}" for i in range(n)],
        submitted_at=submitted,
        duration_seconds=pd.array(rng.integers(90, 1800, n), dtype="Int64"))
    return dataclasses.replace(responses, frame=frame)


def written(name: str, seed: int = 21, **options):
    def write(folder: Path) -> Path:
        return write_kobo(answers(seed), folder / name, **options)
    return write


def rewritten(name: str, reshape, **options):
    """Our writer's export, then reshaped with pandas: `reshape(frame, folder) -> path`."""
    def write(folder: Path) -> Path:
        source = written(f"source_{Path(name).stem}.csv", **options)(folder)
        read = kobo_csv if options.get("flavour", "kobo") == "kobo" else odk_csv
        return reshape(read(source), folder / name)
    return write


def _true_false(frame: pd.DataFrame, path: Path) -> Path:
    """Split columns re-saved by R or pandas: TRUE/FALSE instead of 1/0, '' kept."""
    options = [c for c in frame.columns if c.startswith("insurance/")]
    frame[options] = frame[options].replace({"1": "TRUE", "0": "FALSE"})
    frame.to_csv(path, sep=";", index=False, quoting=csv.QUOTE_ALL)
    return path


def _typed_xlsx(frame: pd.DataFrame, path: Path) -> Path:
    """Kobo's xlsx with "store date and number responses as text" off: numbers and dates are
    cells of their type (the split columns 0/1 numbers), one sheet named after the form."""
    typed = frame.astype(object)
    for column in frame.columns:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        if column != "_uuid" and (numbers.notna() | (frame[column] == "")).all():
            typed[column] = numbers.astype(object).where(numbers.notna(), None)
    typed["start_date"] = pd.to_datetime(frame["start_date"].replace("", None))
    typed.to_excel(path, sheet_name="小问卷", index=False)
    return path


def _repeat_sheet(frame: pd.DataFrame) -> pd.DataFrame:
    """A repeat group `family` as formpack writes its sheet: the repeat's fields, `_index`,
    `_parent_table_name`, `_parent_index` and the parent's copied fields `_submission_…`."""
    rows = []
    for parent, (_, row) in enumerate(frame.iterrows(), start=1):
        for member in range(parent % 3):
            rows.append({"family/member_name": f"成员{member + 1}", "family/member_age":
                         str(20 + member * 7), "_index": str(len(rows) + 1),
                         "_parent_table_name": "小问卷", "_parent_index": str(parent),
                         "_submission__id": row["_id"], "_submission__uuid": row["_uuid"],
                         "_submission__submission_time": row["_submission_time"]})
    return pd.DataFrame(rows)


def _xlsx_with_repeat(frame: pd.DataFrame, path: Path) -> Path:
    with pd.ExcelWriter(path) as book:
        frame.to_excel(book, sheet_name="小问卷", index=False)
        _repeat_sheet(frame).to_excel(book, sheet_name="family", index=False)
    return path


def _repeat_sheet_csv(frame: pd.DataFrame, path: Path) -> Path:
    _repeat_sheet(frame).to_csv(path, sep=";", index=False, quoting=csv.QUOTE_ALL)
    return path


def _filled_metadata(frame: pd.DataFrame, path: Path) -> Path:
    """Metadata as a real project has it: validation labels, submitters, notes, tags, version,
    and the XForm's `meta/instanceID` and `meta/rootUuid`."""
    n = len(frame)
    frame["_validation_status"] = np.where(np.arange(n) % 4 == 0, "Not approved", "Approved")
    frame["_submitted_by"] = [f"enumerator{i % 3}" for i in range(n)]
    frame["_notes"] = np.where(np.arange(n) % 5 == 0, "['call back']", "")
    frame["_tags"] = np.where(np.arange(n) % 7 == 0, "['check']", "")
    frame["__version__"] = "vQx7RkT3cN9aLmB2sWq4Zp"
    frame.insert(frame.columns.get_loc("_id"), "meta/instanceID", "uuid:" + frame["_uuid"])
    frame.insert(frame.columns.get_loc("_id"), "meta/rootUuid", "uuid:" + frame["_uuid"])
    frame.to_csv(path, sep=";", index=False, quoting=csv.QUOTE_ALL)
    return path


def _hxl_row(frame: pd.DataFrame, path: Path) -> Path:
    """A form whose questions carry HXL hashtags: kpi writes them as a second header row."""
    tags = {"birth_year": "#respondee+birth_year", "workplace": "#org+type",
            "insurance": "#indicator+insurance", "start_date": "#date+start"}
    row = pd.DataFrame([{c: tags.get(c, "") for c in frame.columns}])
    pd.concat([row, frame]).to_csv(path, sep=";", index=False, quoting=csv.QUOTE_ALL)
    return path


XML_LEVELS = ("_1st_choice", "_2nd_choice", "_3rd_choice")  # kpi's names for "1st choice" …
ZH_LEVELS = ("第一位", "第二位", "第三位")


def _formbuilder_rank(levels: tuple[str, ...], lang: str | None = None):
    """A rank built in Kobo's form builder (`begin_rank`, one `rank__level` select_one per
    level): the rank's column becomes one column per level holding the option ranked there,
    its XML name or, in a label export, its label."""
    def reshape(frame: pd.DataFrame, path: Path) -> Path:
        column = LABELS[lang]["concerns"] if lang else "concerns"
        ranked = frame[column].str.split(" ")
        at = frame.columns.get_loc(column)
        for k, level in reversed(list(enumerate(levels))):
            names = ranked.map(lambda parts, k=k: parts[k] if len(parts) > k else "")
            frame.insert(at + 1, f"{column}/{level}",
                         names.map(lambda n: LABELS[lang].get(n, n) if lang and n else n))
        frame.drop(columns=[column]).to_csv(path, sep=";", index=False, quoting=csv.QUOTE_ALL)
        return path
    return reshape


def _rows_to_last_value(frame: pd.DataFrame, path: Path) -> Path:
    """Older ODK Central servers: each row ends at its last value (a JS array written by
    csv-stringify), so empty Submitter…FormVersion cells after KEY are left out."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(frame.columns)
        for row in frame.itertuples(index=False):
            cells = list(row)
            while cells and cells[-1] == "":
                cells.pop()
            writer.writerow(cells)
    return path


def _row_cut_before_key(frame: pd.DataFrame, path: Path) -> Path:
    """A download cut short: the last row stops in the middle of the answers."""
    _rows_to_last_value(frame, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[-1] = ",".join(lines[-1].split(",")[:5])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _offset_times(frame: pd.DataFrame, path: Path) -> Path:
    """Devices in several time zones: `start`/`end` with their own offsets, and the date
    question collected as a datetime with an offset (`2019-09-18T16:12:21.147+08:00`)."""
    offsets = ["+08:00", "+05:30", "-04:00", "+00:00"]
    n = len(frame)
    for column in ("start", "end"):
        frame[column] = [value[:-6] + offsets[i % 4] if value else ""
                         for i, value in enumerate(frame[column])]
    frame["start_date"] = [f"{value}T{(i * 5) % 24:02d}:12:21.147{offsets[i % 4]}" if value
                           else "" for i, value in enumerate(frame["start_date"])]
    assert n and frame["start_date"].str.contains("T").any()
    frame.to_csv(path, index=False)
    return path


def _repeat_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The repeat `household/member` as Central writes `<form>-member.csv`: its fields, then
    `PARENT_KEY` (the submission's instance id) and `KEY` (`<instance>/household/member[n]`)."""
    rows = []
    for key in frame["KEY"]:
        for member in range(1, len(rows) % 3 + 2):
            rows.append({"member_name": f"成员{member}", "member_age": str(18 + member * 9),
                         "PARENT_KEY": key, "KEY": f"{key}/household/member[{member}]"})
    return pd.DataFrame(rows)


def _main_and_repeat(frame: pd.DataFrame, path: Path) -> Path:
    """Central's two CSVs side by side; the file to import is the repeat table (refused)."""
    frame.to_csv(path.with_name(f"{FORM}.csv"), index=False)
    repeat = path.with_name(f"{FORM}-member.csv")
    _repeat_table(frame).to_csv(repeat, index=False)
    return repeat


def _central_zip(frame: pd.DataFrame, path: Path, main: bool = True) -> Path:
    """Central's "all data and media" download: `<form>.csv`, `<form>-member.csv`, `media/`."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if main:
            archive.writestr(f"{FORM}.csv", frame.to_csv(index=False))
        archive.writestr(f"{FORM}-member.csv",
                         _repeat_table(frame).to_csv(index=False))
        archive.writestr("media/1732759000000.jpg", b"\xff\xd8\xff\xe0 not really a photo")
    return path


# ------------------------------------------------------------------ expectations

def _xml(spelling: Spelling = Spelling(), read=kobo_csv):
    return lambda path: counted(read(path), spelling)


def _xlsx(spelling: Spelling = Spelling(), sheet: int | str = 0):
    return lambda path: counted(pd.read_excel(path, dtype=str, sheet_name=sheet), spelling)


def _in_zip(path: Path) -> Expected:
    with zipfile.ZipFile(path) as archive, archive.open(f"{FORM}.csv") as member:
        return counted(pd.read_csv(member, dtype=str, keep_default_na=False), ODK)


ODK = Spelling(group="-")
CENTRAL = {"flavour": "odk", "multiple_select": "summary"}  # what Central's CSV download gives

LAYOUTS = [
    Layout("kobo-csv-xml-values", written("kobo.csv"), _xml()),
    Layout("kobo-csv-labels-chinese", written("kobo_zh.csv", labels=True, lang="zh"),
           _xml(Spelling("zh"))),
    Layout("kobo-csv-labels-english-summary-only",
           written("kobo_en.csv", labels=True, lang="en", multiple_select="summary"),
           _xml(Spelling("en"))),
    Layout("kobo-csv-dot-group-separator", written("kobo_dot.csv", group_sep="."),
           _xml(Spelling(group=".", option="."))),
    Layout("kobo-csv-labels-dot-separator",
           written("kobo_zh_dot.csv", labels=True, lang="zh", group_sep="."),
           _xml(Spelling("zh", group=".", option="."))),
    Layout("kobo-csv-no-group-names", written("kobo_flat.csv", groups=False),
           _xml(Spelling(group=None))),
    Layout("kobo-csv-split-columns-only", written("kobo_split.csv", multiple_select="details"),
           _xml()),
    Layout("kobo-csv-split-true-false",
           rewritten("kobo_tf.csv", _true_false, multiple_select="details"), _xml()),
    Layout("kobo-csv-filled-metadata", rewritten("kobo_meta.csv", _filled_metadata), _xml()),
    Layout("kobo-csv-form-builder-rank",
           rewritten("kobo_rank.csv", _formbuilder_rank(XML_LEVELS)),
           _xml(Spelling(levels=XML_LEVELS))),
    Layout("kobo-csv-form-builder-rank-labels",
           rewritten("kobo_rank_zh.csv", _formbuilder_rank(ZH_LEVELS, "zh"), labels=True,
                     lang="zh"), _xml(Spelling("zh", levels=ZH_LEVELS))),
    Layout("kobo-csv-hxl-tag-row", rewritten("kobo_hxl.csv", _hxl_row),
           lambda p: counted(pd.read_csv(p, sep=";", dtype=str, keep_default_na=False,
                                         skiprows=[1]), Spelling())),
    Layout("kobo-xlsx-text-cells", written("kobo.xlsx"), _xlsx()),
    Layout("kobo-xlsx-typed-cells", rewritten("kobo_typed.xlsx", _typed_xlsx), _xlsx()),
    Layout("kobo-xlsx-with-repeat-sheet", rewritten("kobo_repeat.xlsx", _xlsx_with_repeat),
           _xlsx(sheet="小问卷")),
    Layout("kobo-repeat-sheet-as-csv", rewritten("family.csv", _repeat_sheet_csv),
           refused=("repeat-table", "'小问卷'")),
    Layout("odk-central-csv", written("odk.csv", **CENTRAL), _xml(ODK, odk_csv)),
    Layout("odk-central-split-select-multiples", written("odk_split.csv", flavour="odk"),
           _xml(ODK, odk_csv)),
    Layout("odk-central-no-group-paths", written("odk_flat.csv", groups=False, **CENTRAL),
           _xml(Spelling(group=None), odk_csv)),
    Layout("odk-central-rows-end-at-last-value",
           rewritten("odk_short.csv", _rows_to_last_value, **CENTRAL), _xml(ODK, odk_csv)),
    Layout("odk-central-offset-datetimes",
           rewritten("odk_offsets.csv", _offset_times, **CENTRAL), _xml(ODK, odk_csv)),
    Layout("odk-central-row-cut-before-key",
           rewritten("odk_cut.csv", _row_cut_before_key, **CENTRAL),
           refused=("missing-cells", "the file cut short")),
    Layout("odk-central-repeat-table", rewritten("odk_repeat.csv", _main_and_repeat, **CENTRAL),
           refused=("repeat-table", f"{FORM}.csv in the same folder")),
    Layout("odk-central-zip", rewritten(f"{FORM}.zip", _central_zip, **CENTRAL), _in_zip),
    Layout("odk-central-zip-without-main-table",
           rewritten("no_main.zip", lambda f, p: _central_zip(f, p, main=False), **CENTRAL),
           refused=("no-main-table", f"{FORM}-member.csv")),
]
