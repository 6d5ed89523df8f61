"""SAS transport (.xpt v5/v8) and data files (.sas7bdat): detection, mapping, round trips."""

from __future__ import annotations

from pathlib import Path

import pyreadstat
import pytest
import yaml

import survey
from survey.files.source import SourceError
from survey.questionnaire.loader import load_questionnaire
from survey.readers import detect_format, read_responses
from survey.readers.export_table import import_notes
from survey.responses.coded import encode
from survey.responses.missing import ANSWERED, EMPTY, SKIPPED
from survey.simulation.generate import simulate

Q = load_questionnaire("questionnaires/industrial_workers.yaml")
SAMPLE = simulate(Q, 200, seed=5)
FIXTURE = Path("tests/fixtures/exports/workers.sas7bdat")  # written by R haven: make_sas7bdat.R


def _write_mapping(path: Path, columns: dict[str, str]) -> Path:
    path.write_text(yaml.safe_dump({"columns": columns}, allow_unicode=True), encoding="utf-8")
    return path


def test_xport_v5_round_trips_through_a_mapping_file(tmp_path):
    """XPORT v5 names have 8 characters: every column is renamed C001... and mapped back."""
    coded = encode(SAMPLE)
    short = {column: f"C{i:03d}" for i, column in enumerate(coded.columns, start=1)}
    path = tmp_path / "workers.xpt"
    pyreadstat.write_xport(coded.rename(columns=short), str(path), file_format_version=5)
    mapping = _write_mapping(tmp_path / "mapping.yaml", {s: c for c, s in short.items()})
    assert detect_format(path) == "xpt"
    back = read_responses(path, Q, mapping=mapping)
    assert back.differences(SAMPLE) == []
    table = import_notes(back.frame).mapping
    assert set(table["matched_by"]) == {"override"}
    assert table.set_index("column").loc["C002", "variable"] == "birth_year"


def test_xport_v8_matches_by_name_and_maps_only_long_names(tmp_path):
    coded = encode(SAMPLE)
    long = [c for c in coded.columns if len(c) > 32]
    assert long  # our layout has names longer than v8 allows
    short = {column: f"LONG{i}" for i, column in enumerate(long)}
    path = tmp_path / "workers.xpt"
    pyreadstat.write_xport(coded.rename(columns=short), str(path))
    mapping = _write_mapping(tmp_path / "m.yaml", {s: c for c, s in short.items()})
    back = read_responses(path, Q, mapping=mapping)
    assert back.differences(SAMPLE) == []
    counts = import_notes(back.frame).mapping["matched_by"].value_counts()
    assert counts["override"] == len(long) and counts["name"] > 100


def test_xport_without_the_mapping_file_names_the_fix(tmp_path):
    coded = encode(SAMPLE)
    path = tmp_path / "w.xpt"
    pyreadstat.write_xport(coded.rename(columns=lambda c: f"V{list(coded.columns).index(c)}"),
                           str(path), file_format_version=5)
    with pytest.raises(SourceError) as caught:
        survey.import_export(path, Q, tmp_path / "out.parquet")
    assert caught.value.problems[0].code == "no-questions-matched"
    assert "mapping (docs/reference/mapping.md)" in str(caught.value)
    assert not (tmp_path / "out.parquet").exists()


def test_xport_columns_match_by_variable_label(tmp_path):
    """Names such as Q1, Q2 with the questions' text as SAS variable labels."""
    import pandas as pd

    frame = pd.DataFrame({"Q1": [1980.0, -1.0], "Q2": [2.0, 1.0], "WEIGHT": [1.5, 0.5]})
    path = tmp_path / "l.xpt"
    pyreadstat.write_xport(frame, str(path), column_labels=["您的出生年份是？", "您的性别", "权重"])
    back = read_responses(path, Q)
    assert back.frame["sex"].tolist() == [2, 1]
    assert back.missing["birth_year"].tolist() == [ANSWERED, EMPTY]
    assert back.frame["WEIGHT"].tolist() == [1.5, 0.5]  # unmapped columns are kept
    table = import_notes(back.frame).mapping.set_index("column")
    assert table.loc["Q2", "matched_by"] == "label" and table.loc["WEIGHT", "role"] == "unmapped"


def test_sas7bdat_written_by_other_software_loads():
    assert detect_format(FIXTURE) == "sas7bdat"
    back = read_responses(FIXTURE, Q)
    assert back.frame["respondent_id"].tolist() == ["r1", "r2", "r3", "r4"]
    assert back.frame["education"].tolist() == [2, 5, 1, 3]  # column Q3, matched by its label
    assert back.frame["hukou_type__7_text"].tolist()[1] == "集体户"
    assert back.missing["birth_year"].tolist() == [ANSWERED, ANSWERED, EMPTY, ANSWERED]
    assert back.missing["sex"].tolist()[3] == SKIPPED


def test_sas7bdat_through_a_mapping_file(tmp_path):
    mapping = _write_mapping(tmp_path / "m.yaml", {"Q3": "skill_level"})
    back = read_responses(FIXTURE, Q, mapping=mapping)
    assert back.frame["skill_level"].tolist() == [2, 5, 1, 3]
    assert back.missing["education"].tolist() == [2, 2, 2, 2]  # not shown: no column


def test_sas7bdat_catalog_problems_are_located(tmp_path):
    with pytest.raises(SourceError) as caught:
        read_responses(FIXTURE, Q, catalog=tmp_path / "formats.sas7bcat")
    assert caught.value.problems[0].code == "unreadable"
    fake = tmp_path / "formats.sas7bcat"
    fake.write_bytes(b"not a catalog" * 10)
    with pytest.raises(SourceError) as caught:
        read_responses(FIXTURE, Q, catalog=fake)
    assert caught.value.problems[0].code == "bad-sas7bcat"


@pytest.mark.parametrize("name, cut, code", [("t.xpt", 200, "bad-xpt"),
                                             ("t.sas7bdat", 600, "bad-sas7bdat")])
def test_truncated_sas_files_give_one_located_error(tmp_path, name, cut, code):
    source = tmp_path / "full.xpt"
    if name.endswith(".xpt"):
        pyreadstat.write_xport(encode(SAMPLE).iloc[:, :5], str(source))
    else:
        source = FIXTURE
    path = tmp_path / name
    path.write_bytes(source.read_bytes()[:cut])
    with pytest.raises(SourceError) as caught:
        read_responses(path, Q)
    assert [p.code for p in caught.value.problems] == [code]
