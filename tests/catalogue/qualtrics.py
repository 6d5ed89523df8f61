"""Qualtrics exports as they come (../shared/formats.md §4.1, and real exports in public research
repositories): numeric values or choice text, a multi-select joined or split, the modern, 2016 and
legacy headers, tags renamed by the survey's owner, TSV in UTF-16, xlsx, the ImportId row deleted
by hand, preview and spam rows, `-99`, display-order, timing and embedded-data columns.

Each expectation reads the file with pandas and counts, per question, the rows with a cell in the
question's columns, found by the export tag (`Q5`, `Q5_<k>`) or, where tags repeat, by the QID
of the ImportId row; `-99` (seen but unanswered) is no answer."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd

from catalogue import Expected, Layout, answered, simulated
from survey.simulation.exports import write_qualtrics

EMPTY = ("", "-99")
TAGS = {"birth_year": "Q1", "workplace": "Q2", "concerns": "Q3", "insurance": "Q4",
        "pension_worry": "Q5", "identity_1": "Q6_1", "identity_2": "Q6_2", "identity_3": "Q6_3",
        "start_date": "Q7", "comments": "Q8"}
RENAMED = {"birth_year": "YearBorn", "workplace": "Employer", "concerns": "Worries",
           "insurance": "Cover", "pension_worry": "OldAge", "identity": "Pride",
           "start_date": "Started", "comments": "Remarks"}
NOTES_COUNTED = {name: f"Q{int(tag[1])+1}{tag[2:]}" for name, tag in TAGS.items()}


def counted(frame: pd.DataFrame, tags: dict[str, str] = TAGS) -> Expected:
    """Respondents, and answers per question: its tag's column, or its `<tag>_<k>` columns (a
    split multi-select, a rank), never the `_TEXT` or `_DO` ones."""
    answers = {}
    for name, tag in tags.items():
        columns = [c for c in frame.columns
                   if c == tag or re.fullmatch(re.escape(tag) + r"_\d+", str(c))]
        answers[name] = answered(frame, columns, EMPTY) if columns else 0
    return Expected(len(frame), answers)


def _csv(path: Path, skip=(1, 2), **options) -> pd.DataFrame:
    options = {"encoding": "utf-8-sig", **options}
    return pd.read_csv(path, dtype=str, keep_default_na=False, skiprows=list(skip), **options)


def _rows(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _written(name: str, seed: int, **options):
    def write(folder: Path) -> Path:
        return write_qualtrics(simulated(seed=seed), folder / name, **options)
    return write


def _reworded(name: str, seed: int, **options):
    """Question texts as owners edit them ('请问' before each): no longer any label exactly, so
    only a tag or ImportId, checked against the text, finds the question."""
    def write(folder: Path) -> Path:
        rows = _rows(_written(name, seed, **options)(folder))
        first = rows[0].index("UserLanguage") + 1  # the last metadata column
        rows[1][first:] = ["请问" + text for text in rows[1][first:]]
        return _write(folder / f"reworded_{name}", rows)
    return write


def _renamed_tags() -> dict[str, str]:
    tags = {name: RENAMED.get(name, "") for name in TAGS}
    tags.update({f"identity_{k}": f"Pride_{k}" for k in (1, 2, 3)})
    return tags


def _dated(rows: list[list[str]], first_data: int) -> list[list[str]]:
    """Start dates in the data rows, as every Qualtrics response has."""
    start = rows[0].index("StartDate")
    for i, row in enumerate(rows[first_data:]):
        row[start] = f"2024-11-{1 + i % 28:02d} 08:{i % 60:02d}:00"
    return rows


def _tags_only(folder: Path) -> Path:
    """Rows 2 and 3 deleted by hand, as many published cleaned files are."""
    rows = _dated(_rows(_written("full.csv", 31, split=True)(folder)), 3)
    return _write(folder / "tags_only.csv", [rows[0], *rows[3:]])


def _ids_deleted(folder: Path) -> Path:
    """Only the ImportId row deleted; the question texts kept."""
    rows = _dated(_rows(_written("full.csv", 32)(folder)), 3)
    rows[1][rows[0].index("StartDate")] = "Start Date"
    return _write(folder / "ids_deleted.csv", [rows[0], rows[1], *rows[3:]])


def _previews_and_extras(folder: Path) -> Path:
    """Preview and spam rows by Status, `-99` in answered-or-not cells, a display-order, a timing,
    a fraud-score and an embedded-data column; the comments question deleted from the survey."""
    rows = _rows(_written("full.csv", 33, split=True)(folder))
    status, q2 = rows[0].index("Status"), rows[0].index("Q2")
    keep = [i for i, tag in enumerate(rows[0]) if tag != "Q8"]
    extra = [("Q4_DO", "参加的保险 - Display Order", {"ImportId": "QID4_DO"}),
             ("Q1_Page Submit", "Timing - Page Submit", {"ImportId": "QID1_PAGE_SUBMIT"}),
             ("Q_RecaptchaScore", "Q_RecaptchaScore", {"ImportId": "Q_RecaptchaScore"}),
             ("district", "district", {"ImportId": "district"})]
    out = [[row[i] for i in keep] for row in rows]
    for tag, text, import_id in extra:
        out[0].append(tag)
        out[1].append(text)
        out[2].append(json.dumps(import_id))
    for n, row in enumerate(out[3:]):
        row[status] = {1: "1", 5: "8"}.get(n, "0")
        if n % 7 == 3:
            row[q2] = "-99"
        row += ["1|3|2", f"{3 + n % 9}.{n % 10}", "0.9", f"D{n % 4}"]
    return _write(folder / "previews.csv", out)


def _previews_expected(path: Path) -> Expected:
    tags = {name: tag for name, tag in TAGS.items() if name != "comments"}
    found = counted(_csv(path), tags)
    return Expected(found.respondents, found.answers, unmatched=("comments",))


def _repeated_tags(folder: Path) -> Path:
    """Two questions the owner tagged alike: only their QIDs tell them apart."""
    return write_qualtrics(simulated(seed=34), folder / "repeated.csv",
                           tags={"start_date": "Later", "comments": "Later"})


def _by_import_id(path: Path) -> Expected:
    """Columns named by the ImportId row rather than by their repeated tags (pandas reads those
    as `Later` and `Later.1`)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, header=None,
                        encoding="utf-8-sig")
    names = [_default_tag(json.loads(cell)) for cell in frame.iloc[2]]
    return counted(frame.iloc[3:].set_axis(names, axis=1))


def _default_tag(found: dict) -> str:
    """The tag Qualtrics gives a column by default, from its ImportId object: `QID5` and
    `QID5_TEXT` as `Q5`, `QID5_2` (or choiceId 2) as `Q5_2`; metadata and an option's free
    text (`QID2_6_TEXT`) as they are."""
    name = found["ImportId"] + (f"_{found['choiceId']}" if "choiceId" in found else "")
    match = re.fullmatch(r"QID(\d+)(_\d+)?(_TEXT)?", name)
    if not match or (match[2] and match[3]):
        return name
    return f"Q{match[1]}{match[2] or ''}"


def _no_header_end(folder: Path) -> Path:
    """No ImportId row and no metadata columns: the texts cannot be told from answers."""
    rows = _rows(_written("full.csv", 35)(folder))
    start = rows[0].index("Q1")
    return _write(folder / "no_ids.csv", [row[start:] for i, row in enumerate(rows) if i != 2])


def _cut_import_id(folder: Path) -> Path:
    rows = _rows(_written("full.csv", 36, header="python")(folder))
    rows[2][rows[0].index("Q2")] = "{'ImportId': 'QID2'"
    return _write(folder / "cut.csv", rows)


LAYOUTS = [
    Layout("qualtrics-numeric-joined", _written("joined.csv", 21), lambda p: counted(_csv(p))),
    Layout("qualtrics-numeric-split", _written("split.csv", 22, split=True),
           lambda p: counted(_csv(p))),
    Layout("qualtrics-choice-text-zh", _written("text.csv", 23, choice_text=True),
           lambda p: counted(_csv(p))),
    Layout("qualtrics-choice-text-split-en",
           _written("text_split.csv", 24, choice_text=True, split=True, lang="en"),
           lambda p: counted(_csv(p))),
    Layout("qualtrics-legacy-v1-v10", _written("legacy.csv", 25, header="legacy", split=True),
           lambda p: counted(_csv(p, skip=(1,)))),
    Layout("qualtrics-2016-python-import-ids",
           _written("2016.csv", 26, header="python", split=True), lambda p: counted(_csv(p))),
    Layout("qualtrics-renamed-tags-by-qid",
           _reworded("renamed.csv", 27, split=True, tags=RENAMED),
           lambda p: counted(_csv(p), _renamed_tags())),
    Layout("qualtrics-notes-numbered", _reworded("notes.csv", 28, count_notes=True),
           lambda p: counted(_csv(p), NOTES_COUNTED)),
    Layout("qualtrics-tsv-utf16", _written("export.tsv", 29),
           lambda p: counted(_csv(p, sep="\t", encoding="utf-16"))),
    Layout("qualtrics-xlsx", _written("export.xlsx", 30, split=True),
           lambda p: counted(pd.read_excel(p, dtype=str, skiprows=[1, 2]).fillna(""))),
    Layout("qualtrics-tags-only", _tags_only, lambda p: counted(_csv(p, skip=()))),
    Layout("qualtrics-import-ids-deleted", _ids_deleted, lambda p: counted(_csv(p, skip=(1,)))),
    Layout("qualtrics-previews-99-extras", _previews_and_extras, _previews_expected),
    Layout("qualtrics-repeated-tags-by-qid", _repeated_tags, _by_import_id),
    Layout("qualtrics-no-header-end", _no_header_end, options={"format": "qualtrics"},
           refused=("no-import-ids", "cannot be told")),
    Layout("qualtrics-2016-cut-import-id", _cut_import_id,
           refused=("bad-import-id", "is not an ImportId")),
]
