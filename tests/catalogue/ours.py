"""Our own coded layout (docs/reference/responses.md) in every container a user saves it in, and the
ways people re-save it: another encoding and separator, a row of labels, upper-case names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat

import survey
from catalogue import Expected, Layout, answered, simulated, small
from survey.questionnaire.columns import block_columns

MISSING_CODES = ("", "-1", "-2", "-3", "-1.0", "-2.0", "-3.0", "nan")


def columns_of(name: str) -> list[str]:
    question = small().items[name]
    return list(block_columns(question).values()) if question.is_set else [name]


def counted(frame: pd.DataFrame, empty: tuple[str, ...] = MISSING_CODES,
            rename: dict[str, str] | None = None) -> Expected:
    """Answers per question of a frame in our layout, from its cells alone."""
    rename = rename or {}
    answers = {name: answered(frame, [rename.get(c, c) for c in columns_of(name)], empty)
               for name in small().items}
    return Expected(len(frame), answers)


def _written(suffix: str, **options):
    def write(folder: Path) -> Path:
        return survey.write(simulated(seed=11), folder / f"ours.{suffix}", **options)
    return write


def _text(path: Path, encoding: str = "utf-8-sig", sep: str = ",", skip=None) -> Expected:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding, sep=sep,
                        skiprows=skip)
    return counted(frame)


def _resaved_csv(encoding: str, sep: str):
    def write(folder: Path) -> Path:
        frame = pd.read_csv(_written("csv")(folder), dtype=str, keep_default_na=False)
        path = folder / f"resaved_{encoding}.csv"
        frame.to_csv(path, index=False, encoding=encoding, sep=sep)
        return path
    return write


def _label_row(suffix: str):
    """Excel users paste the questions' labels as a second header row."""
    def write(folder: Path) -> Path:
        frame = pd.read_csv(_written("csv")(folder), dtype=str, keep_default_na=False)
        q = small()
        labels = {c: (q.items[c.split("__")[0]].label or {}).get("zh", c)
                  if c.split("__")[0] in q.items else c for c in frame.columns}
        frame = pd.concat([pd.DataFrame([labels]), frame], ignore_index=True)
        path = folder / f"labelled.{suffix}"
        if suffix == "csv":
            frame.to_csv(path, index=False, encoding="utf-8-sig")
        else:
            frame.to_excel(path, index=False)
        return path
    return write


def _upper(folder: Path) -> Path:
    frame = pd.read_csv(_written("csv")(folder), dtype=str, keep_default_na=False)
    path = folder / "upper.csv"
    frame.rename(columns=lambda c: c.upper() if "__" not in c else c).to_csv(path, index=False)
    return path


def _upper_expected(path: Path) -> Expected:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return counted(frame, rename={c.lower(): c for c in frame.columns})


def _sav(path: Path) -> Expected:
    frame, _ = pyreadstat.read_sav(str(path))  # user-missing codes read as NaN
    return counted(frame.astype(object).where(frame.notna(), ""))


def _dta(path: Path) -> Expected:
    frame, _ = pyreadstat.read_dta(str(path))  # extended missing .a-.d read as NaN
    return counted(frame.astype(object).where(frame.notna(), ""))


def _parquet(path: Path) -> Expected:
    frame = pd.read_parquet(path)
    return counted(frame.astype(object).where(frame.notna(), ""))


LAYOUTS = [
    Layout("ours-csv-utf8-bom", _written("csv"), _text),
    Layout("ours-csv-gb18030-semicolon", _resaved_csv("gb18030", ";"),
           lambda p: _text(p, "gb18030", ";")),
    Layout("ours-csv-label-row", _label_row("csv"), lambda p: _text(p, skip=[1])),
    Layout("ours-xlsx", _written("xlsx"),
           lambda p: counted(pd.read_excel(p, dtype=str).fillna(""))),
    Layout("ours-xlsx-label-row", _label_row("xlsx"),
           lambda p: counted(pd.read_excel(p, dtype=str, skiprows=[1]).fillna(""))),
    Layout("ours-csv-upper-case-names", _upper, _upper_expected),
    Layout("ours-sav", _written("sav"), _sav),
    Layout("ours-dta", _written("dta"), _dta),
    Layout("ours-parquet", _written("parquet"), _parquet),
]
