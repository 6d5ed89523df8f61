"""A large .sav is read in row ranges by several processes (survey.readers.spss_rows): the frame,
the metadata and the imported responses are exactly those of one pyreadstat read."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from catalogue import simulated, small

from survey.readers import read_responses, spss_rows
from survey.readers.mapping_report import mapping_table
from survey.responses.coded import encode
from survey.responses.dataset import LAYOUT_NOTES

ROWS = 1_201  # odd: the ranges differ in length


@pytest.fixture(scope="module")
def sav(tmp_path_factory):
    """small.yaml's answers as another project's .sav: value labels, our missing codes and a
    refusal code 98 declared user-missing, a date with gaps, Chinese text, a multi-select block
    and a rank block."""
    frame = encode(simulated(seed=5, n=ROWS))
    frame = frame.drop(columns=["respondent_id", "start_date", "comments"])
    frame = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    frame.loc[frame.index[::97], "workplace"] = 98.0
    start = [datetime.date(2000 + i % 20, 1 + i % 12, 1 + i % 28) for i in range(ROWS)]
    frame["start_date"] = pd.Series(start, dtype=object).where(np.arange(ROWS) % 13 != 0, None)
    frame["comments"] = [("工资太低" if i % 3 else "") + ("！" * (i % 5)) for i in range(ROWS)]
    codes = [c for c in frame.columns if c not in ("start_date", "comments")]
    path = tmp_path_factory.mktemp("split") / "their.sav"
    pyreadstat.write_sav(
        frame, str(path), column_labels={"workplace": "单位性质", "comments": "其他意见"},
        variable_value_labels={"workplace": {1: "国有", 3: "私营", 6: "其他", 98: "拒答"},
                               "insurance__pension": {0: "未选", 1: "选中"}},
        missing_ranges={**{c: [{"lo": -3.0, "hi": -1.0}] for c in codes},
                        "workplace": [{"lo": -3.0, "hi": -1.0}, 98.0]})
    return path


def test_the_ranges_cover_every_row_once():
    assert spss_rows.row_ranges(ROWS, 1_000, 3) == [(0, 400), (400, 400), (800, 401)]
    assert spss_rows.row_ranges(ROWS, 1, 3) == [(0, ROWS)]  # too few cells to split
    assert spss_rows.row_ranges(None, 1_000, 2) == [(0, 0)]  # rows unknown: one read
    assert spss_rows.row_ranges(2, 10**6, 4) == [(0, 1), (1, 1)]


@pytest.mark.parametrize("processes", [2, 3])
@pytest.mark.parametrize("shared", [True, False], ids=["numbers-shared", "all-sent"])
def test_rows_read_in_ranges_are_one_reads_frame(sav, processes, shared):
    alone, meta = pyreadstat.read_sav(str(sav), user_missing=True)
    ranges = spss_rows.row_ranges(ROWS, 10**6, processes)
    assert len(ranges) == processes
    numbers = [c for c, kind in meta.readstat_variable_types.items() if kind == "double"]
    assert "start_date" in numbers  # a date is a number SPSS shows as a date: sent, not shared
    split = spss_rows.read_ranges(str(sav), ranges, numbers if shared else None)
    pd.testing.assert_frame_equal(split, alone, check_exact=True)
    assert alone["start_date"].isna().sum() == len(range(0, ROWS, 13))  # the gaps are there
    assert isinstance(alone["start_date"].dropna().iloc[0], datetime.date)
    assert (alone["workplace"] == 98).sum() == len(range(0, ROWS, 97))  # kept as written
    _, read_meta = spss_rows.read_sav(str(sav))
    assert vars(read_meta) == vars(meta)


def test_an_import_split_over_processes_is_the_import_in_one(sav, monkeypatch):
    if spss_rows.processes() < 2:
        pytest.skip("one core or no fork: every .sav is read in one process here")
    q = small()
    monkeypatch.setattr(spss_rows, "SPLIT_CELLS", 10**12)
    one = read_responses(sav, q)
    monkeypatch.setattr(spss_rows, "SPLIT_CELLS", 1_000)
    assert len(spss_rows.row_ranges(ROWS, 20, spss_rows.processes())) >= 2
    split = read_responses(sav, q)
    pd.testing.assert_frame_equal(split.frame, one.frame, check_exact=True)
    pd.testing.assert_frame_equal(split.missing, one.missing, check_exact=True)
    assert split.frame.attrs[LAYOUT_NOTES] == one.frame.attrs[LAYOUT_NOTES]  # the same notes
    pd.testing.assert_frame_equal(mapping_table(split), mapping_table(one))
    assert any("user-missing code of the file (-3--1, 98)" in note
               for note in one.frame.attrs[LAYOUT_NOTES].notes)
    frame = one.frame
    assert frame["workplace"].isna().sum() > len(range(0, ROWS, 97)) - 1  # 98: left empty
    assert str(frame["comments"].dtype) == "string" and frame["comments"].str.contains("工资").any()
    assert frame["start_date"].dtype == "datetime64[ns]" and frame["start_date"].isna().any()
    assert set(frame["insurance__pension"].dropna()) == {0, 1}
