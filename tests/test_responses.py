"""Responses: casting plain values, missing kinds, unknown codes, derived variables, scales."""

from __future__ import annotations

import pandas as pd
import pytest

from survey.files.source import SourceError
from survey.questionnaire.loader import load_questionnaire
from survey.responses.dataset import Responses
from survey.responses.missing import ANSWERED, DONT_KNOW, EMPTY, NOT_SHOWN, SKIPPED

Q = load_questionnaire("questionnaires/industrial_workers.yaml")


def raw() -> pd.DataFrame:
    return pd.DataFrame({
        "birth_year": ["1985", "1999", None], "sex": [1, 2, 7], "headcount": [3, 99, None],
        "hukou_type": [1, 3, 2], "nonfarm_6m": ["1", "1", "2"], "union_member": [1, 2, 3],
        "concerns__income": [1, None, None], "concerns__medical": [2, 1, None],
        "ownership_1": [5, 4, None], "ownership_2": [5, 4, None], "ownership_3": [5, 4, None],
        "ownership_4": [1, 2, None], "weight": [1.0, 2.0, 3.0],
    })


def test_dtypes_and_missing_kinds():
    r = Responses.from_raw(Q, raw())
    assert isinstance(r.frame["sex"].dtype, pd.CategoricalDtype)
    assert r.frame["education"].cat.ordered
    assert str(r.frame["birth_year"].dtype) == "Float64"
    assert str(r.frame["concerns__income"].dtype) == "Int8"
    assert r.frame["concerns__income"].tolist()[:2] == [1, 0]  # blank in an answered row is 0
    assert r.frame["concerns__income"].isna().tolist() == [False, False, True]
    assert r.missing["headcount"].tolist() == [ANSWERED, DONT_KNOW, EMPTY]
    assert r.missing["union_how"].tolist() == [NOT_SHOWN, SKIPPED, SKIPPED]
    assert list(r.frame.columns[-1:]) == ["weight"]


def test_unknown_codes_stay_visible():
    r = Responses.from_raw(Q, raw())
    assert r.unknown_codes("sex") == [7]
    assert r.frame["sex"].tolist()[2] == 7


def test_uncastable_number_is_located():
    with pytest.raises(SourceError) as error:
        Responses.from_raw(Q, raw().assign(birth_year=["1985", "abc", None]), source="x.csv")
    assert str(error.value).startswith("x.csv:3:1: column 'birth_year'")


def test_derived_segments_and_reverse_keyed_scale():
    r = Responses.from_raw(Q, raw())
    derived = r.derive()
    assert derived["migrant"].tolist() == [True, True, False]
    assert derived["cohort"].tolist()[:2] == [3, 4]
    assert r.segment("young").tolist() == [True, True, False]
    # ownership_4 is reverse-keyed: 1 -> 5, 2 -> 4 (a score needs all four items)
    assert r.scale_scores()["ownership"].tolist()[:2] == [5.0, 4.0]


def test_labels_and_blocks():
    r = Responses.from_raw(Q, raw())
    assert r.labels("sex") == {1: "男", 2: "女"}
    assert r.labels("sex", "en")[2] == "Female"
    assert r.columns_of("concerns")[0] == "concerns__income"
    assert r.same_answers(Responses.from_raw(Q, raw()))
    other = Responses.from_raw(Q, raw().assign(sex=[1, 1, 7]))
    assert "sex: 1 answers differ" in other.differences(r)[0]
