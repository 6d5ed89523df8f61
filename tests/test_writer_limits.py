"""Writers never crash on what readers produce, and never change text without a word: long
answers, NUL and control characters, pass-through columns of mixed type (issue 11, item 13)."""

from __future__ import annotations

import dataclasses
import warnings

import pandas as pd
import pyreadstat
import pytest
from catalogue import small

import survey
from survey.errors import SurveyWarning
from survey.writers.text_cells import SPSS_BYTES

LONG = "长" * 20000  # 60,000 UTF-8 bytes: SPSS keeps 32,767


@pytest.fixture(scope="module")
def hostile():
    """Answers as people type them into open questions, and a column of mixed type."""
    responses = survey.simulate(small(), 30, seed=2)
    frame = responses.frame.copy()
    frame["comments"] = frame["comments"].astype(object)
    frame.loc[0, "comments"] = LONG
    frame.loc[1, "comments"] = "ab\x00cd"
    frame.loc[2, "comments"] = "tab\there\x0bvertical"
    frame["badge"] = pd.Series([1, "x", 2.5] + [None] * 27, dtype=object)
    return dataclasses.replace(responses, frame=frame)


def written(responses, path):
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", SurveyWarning)
        survey.write(responses, path)
    return [str(w.message) for w in said if issubclass(w.category, SurveyWarning)]


def test_parquet_keeps_everything_whole(tmp_path, hostile):
    said = written(hostile, tmp_path / "h.parquet")
    back = pd.read_parquet(tmp_path / "h.parquet")
    assert said == []
    assert back.loc[0, "comments"] == LONG and back.loc[1, "comments"] == "ab\x00cd"
    assert back["badge"].tolist()[:3] == ["1", "x", "2.5"]


def test_sav_cuts_at_the_spss_limit_and_says_so(tmp_path, hostile):
    said = written(hostile, tmp_path / "h.sav")
    frame, _ = pyreadstat.read_sav(str(tmp_path / "h.sav"))
    assert len(frame.loc[0, "comments"].encode("utf-8")) <= SPSS_BYTES
    assert LONG.startswith(frame.loc[0, "comments"]) and len(frame.loc[0, "comments"]) > 10000
    assert frame.loc[1, "comments"] == "abcd"
    untouched = hostile.frame["comments"].iloc[3:].astype(object).fillna("").tolist()
    assert frame["comments"].iloc[3:].tolist() == untouched
    assert "column 'comments': NUL bytes removed from 1 answer(s) (first in row 2)" in said[0]
    assert "column 'comments': 1 answer(s) longer than 32,767 bytes cut to fit .sav " \
           "(first in row 1)" in said[1]


def test_xlsx_drops_control_characters_and_says_so(tmp_path, hostile):
    said = written(hostile, tmp_path / "h.xlsx")
    frame = pd.read_excel(tmp_path / "h.xlsx", sheet_name="data")
    assert frame.loc[2, "comments"] == "tab\therevertical"
    assert frame.loc[0, "comments"] == LONG  # 20,000 characters fit a cell
    assert said == ["column 'comments': control characters removed from 2 answer(s) (first in "
                    "row 2): .xlsx files cannot hold them; Parquet keeps them"]


@pytest.mark.parametrize("suffix", ["csv", "dta"])
def test_nul_bytes_never_end_an_answer_silently(tmp_path, hostile, suffix):
    said = written(hostile, tmp_path / f"h.{suffix}")
    back = survey.import_export(tmp_path / f"h.{suffix}", small()).responses.frame
    assert back.loc[1, "comments"] == "abcd" and back.loc[0, "comments"] == LONG
    assert said and "NUL bytes removed from 1 answer(s)" in said[0]


def test_the_import_reports_what_its_output_could_not_hold(tmp_path, hostile):
    survey.write(hostile, tmp_path / "h.parquet")
    done = survey.import_export(tmp_path / "h.parquet", small(), tmp_path / "out.sav")
    codes = [w.code for w in done.warnings]
    assert codes.count("text-changed") == 2
    assert any("cut to fit .sav" in line for line in done.summary(tmp_path / "h.parquet"))
