"""Every format round-trips simulated answers; others' .sav/.dta and GB18030 CSV load."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from survey.files.source import SourceError
from survey.questionnaire.loader import load_questionnaire
from survey.readers import detect_format, read_responses
from survey.simulation.effects import Clusters, EffectsFile, Weights
from survey.simulation.generate import simulate
from survey.writers import write_responses
from survey.writers.spss import mrsets_syntax

Q = load_questionnaire("questionnaires/industrial_workers.yaml")
SAMPLE = simulate(Q, 300, seed=11, effects=EffectsFile(clusters=Clusters(), weights=Weights()))


@pytest.mark.parametrize("suffix", ["parquet", "sav", "dta", "csv", "xlsx"])
def test_round_trip(tmp_path, suffix):
    path = tmp_path / f"data.{suffix}"
    write_responses(SAMPLE, path)
    assert detect_format(path) == suffix
    back = read_responses(path, Q)
    assert back.differences(SAMPLE) == []
    assert not list(tmp_path.glob(".*tmp*"))  # no temporary file left behind


def test_sav_has_labels_user_missing_and_mr_sets(tmp_path):
    write_responses(SAMPLE, tmp_path / "d.sav", lang="en")
    _, meta = pyreadstat.read_sav(str(tmp_path / "d.sav"), user_missing=True)
    assert meta.column_names_to_labels["sex"] == "Sex"
    assert meta.variable_value_labels["sex"][2.0] == "Female"
    assert {"lo": -3.0, "hi": -1.0} in meta.missing_ranges["sex"]
    syntax = (tmp_path / "d.sps").read_text(encoding="utf-8-sig")
    assert "/MDGROUP NAME=$hazards" in syntax and "concerns__income_any" in syntax
    assert mrsets_syntax(SAMPLE).count("MRSETS") == 1


def test_sav_written_by_other_software_loads_with_labels(tmp_path):
    frame = pd.DataFrame({"sex": [1.0, 2.0, -3.0], "birth_year": [1980.0, 1990.0, -1.0]})
    path = tmp_path / "other.sav"
    pyreadstat.write_sav(frame, str(path), column_labels={"sex": "性别"},
                         variable_value_labels={"sex": {1: "男", 2: "女"}},
                         missing_ranges={"sex": [-3], "birth_year": [-1]})
    r = read_responses(path, Q)
    assert r.frame["sex"].tolist()[:2] == [1, 2]
    assert r.missing["sex"].tolist() == [0, 0, 1]
    assert r.missing["birth_year"].tolist() == [0, 0, 3]
    assert r.labels("sex") == {1: "男", 2: "女"}


def test_stata_from_pandas_to_stata_loads(tmp_path):
    frame = pd.DataFrame({"sex": [1, 2, 1], "workplace": [1, 3, 5],
                          "hours_online_workday": [2.5, np.nan, 4.0]})
    path = tmp_path / "other.dta"
    frame.to_stata(path, write_index=False, variable_labels={"sex": "Sex"})
    assert detect_format(path) == "dta"
    r = read_responses(path, Q)
    assert r.frame["workplace"].tolist() == [1, 3, 5]
    assert r.missing["hours_online_workday"].tolist() == [0, 3, 0]


def test_gb18030_csv_with_chinese_text(tmp_path):
    path = tmp_path / "gbk.csv"
    text = "sex;hukou_type;hukou_type__7_text\n1;7;集体户口•暂住\n2;1;\n"
    path.write_bytes(text.encode("gb18030"))
    r = read_responses(path, Q)
    assert r.frame["hukou_type__7_text"].tolist()[0] == "集体户口•暂住"
    assert r.frame["sex"].tolist() == [1, 2]


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary"])
def test_unreadable_files_are_located_errors(tmp_path, content):
    path = tmp_path / "bad.bin"
    path.write_bytes(content)
    with pytest.raises(SourceError) as error:
        read_responses(path, Q)
    assert str(error.value).startswith(str(path) + ":1:1:")


IMPORTED = [  # the bundled exports as `survey import` gives them: flagged, extra columns kept
    "data_samples/302594156_按序号_产业工人需求调查问卷_2000_2000.xlsx",
    "data_samples/industrial_workers_kobo.csv",
]


@functools.cache
def imported(export: str):
    """The import of a bundled export, its first 300 respondents (writing all 2,000 to xlsx
    takes seconds and shows nothing more)."""
    from survey.responses.importing import import_export

    done = import_export(export, Q).responses
    return dataclasses.replace(done, frame=done.frame.iloc[:300], missing=done.missing.iloc[:300])


@pytest.mark.parametrize("export", IMPORTED)
@pytest.mark.parametrize("suffix", ["parquet", "sav", "dta", "csv", "xlsx"])
def test_every_import_goes_through_every_writer(tmp_path, export, suffix):
    """The import's output (with its _problems count) is written and read back unchanged: the
    .sav gets legal names for the columns SPSS refuses and restores them on reading."""
    responses = imported(export)
    assert responses.frame["_problems"].sum() > 0 or "kobo" in export
    write_responses(responses, tmp_path / f"clean.{suffix}")
    back = read_responses(tmp_path / f"clean.{suffix}", Q)
    assert back.differences(responses) == []
    assert back.frame["_problems"].tolist() == responses.frame["_problems"].tolist()


@pytest.mark.parametrize("name, legal", [
    ("_problems", "v_problems"), ("q__mid-slope", "q__mid_slope"), ("q__Top.1", "q__Top.1"),
    ("年龄", "年龄"), ("来自IP", "来自IP"), ("ALL", "ALL_2"), ("a.", "a"), ("1st", "v1st"),
])
def test_names_spss_refuses_get_legal_ones_that_spss_accepts(tmp_path, name, legal):
    from survey.writers.spss_names import restored_names, spss_names

    renamed = spss_names([name, "v_problems_2"])
    assert renamed.get(name, name) == legal
    frame = pd.DataFrame({renamed.get(name, name): [1.0]})
    pyreadstat.write_sav(frame, str(tmp_path / "n.sav"))  # SPSS's own rules, via ReadStat
    assert restored_names([f"renamed: {legal}={name}"]) == {legal: name}
