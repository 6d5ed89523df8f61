"""Column projection of .sav files: a command reads only the columns its variables need, as from
Parquet, when the file holds them under our layout's names; the reference is a full read of the
same file (every variable a banner accepts as its row, by the segments test_projection uses)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from survey.questionnaire.loader import load_questionnaire
from survey.questionnaire.needs import needs
from survey.readers import read_responses
from survey.readers.spss import projection
from survey.writers import write_responses

ROOT = Path(__file__).parent.parent
Q = load_questionnaire(ROOT / "questionnaires" / "industrial_workers.yaml")
BY = ["migrant", "managers", "workplace"]  # a derived segment, a relevant-bearing one, a question


@pytest.fixture(scope="module")
def sav(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("projection") / "workers.sav"
    write_responses(read_responses(ROOT / "data_samples" / "industrial_workers.parquet", Q), path)
    return path


@cache
def whole(path: Path):
    return read_responses(path, Q)


def rows() -> list[str]:
    types = ("single", "multi", "rank", "scale", "number")
    return ([n for n, item in Q.items.items() if item.type in types]
            + [d.name for d in Q.derived] + [s for s in Q.segments if s not in BY])


def same_as_whole(projected, full) -> None:
    for column in projected.frame.columns:
        pd.testing.assert_series_equal(projected.frame[column], full.frame[column])
    for column in projected.missing.columns:
        pd.testing.assert_series_equal(projected.missing[column], full.missing[column])


@pytest.mark.parametrize("row", rows())
def test_a_projected_read_has_the_columns_and_missing_kinds_of_a_full_read(sav, row):
    projected = read_responses(sav, Q, variables=[row, *BY])
    full = whole(sav)
    assert len(projected.frame.columns) < len(full.frame.columns)
    assert set(projected.missing.columns) == set(needs(Q, [row, *BY]).questions)
    same_as_whole(projected, full)


def test_a_file_whose_columns_have_other_names_is_read_whole(tmp_path, sav):
    frame, meta = pyreadstat.read_sav(str(sav), user_missing=True)
    assert projection(meta.column_names, {}, Q, ["workplace"]) is not None
    other = tmp_path / "other.sav"  # 'Workplace' is matched by case on a full read only
    pyreadstat.write_sav(frame.rename(columns={"workplace": "Workplace"}), str(other),
                         missing_ranges={"Workplace": [{"lo": -3.0, "hi": -1.0}]})
    columns = pyreadstat.read_sav(str(other), metadataonly=True)[1].column_names
    assert projection(columns, {}, Q, ["workplace"]) is None
    projected = read_responses(other, Q, variables=["workplace"])
    assert len(projected.frame.columns) == len(read_responses(other, Q).frame.columns)
    assert projected.frame["workplace"].equals(whole(sav).frame["workplace"])
