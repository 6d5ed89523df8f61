"""Scale scores: a score needs `min_answered` items (default all); fewer gives a missing score.

Hand-computed on five respondents of a three-item scale (1-5, the third item reverse-keyed,
9 = "don't know"): the rule SPSS's MEAN.n applies, and Cronbach's alpha's complete cases beside
the respondents with a score.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.findings.reliability import scale_reliability
from survey.questionnaire.loader import parse_questionnaire
from survey.responses.dataset import Responses

QUESTIONNAIRE = """
survey: {id: scales_test, version: "1", title: Scales, languages: [en]}
choice_lists:
  agree5: {1: a, 2: b, 3: c, 4: d, 5: e, 9: "don't know"}
questions:
  - {name: a, type: scale, label: A, options: agree5, dont_know: 9}
  - {name: b, type: scale, label: B, options: agree5, dont_know: 9}
  - {name: c, type: scale, label: C, options: agree5, dont_know: 9}
scales:
  - name: s
    label: S
    items: [a, b, c]
    reverse: [c]
"""
# answered items (c reversed: 6 - c):   r0: 5, 4, 5   r1: 2, -, 2   r2: -, -, 1
#                                        r3: 3, dk, 3  r4: -, -, -   r5: 1, 2, 4
ANSWERS = pd.DataFrame({"a": [5, 2, None, 3, None, 1], "b": [4, None, None, 9, None, 2],
                        "c": [1, 4, 5, 3, None, 2]})


def responses(extra: str = "") -> Responses:
    return Responses.from_raw(parse_questionnaire(QUESTIONNAIRE + extra, "scales.yaml"), ANSWERS)


def scores(r: Responses) -> list[float]:
    return [math.nan if pd.isna(v) else v for v in r.scale_scores()["s"]]


def test_by_default_a_score_needs_every_item():
    assert scores(responses()) == pytest.approx([14 / 3, math.nan, math.nan, math.nan, math.nan,
                                                 7 / 3], nan_ok=True)


def test_min_answered_two_of_three_scores_who_answered_two():
    # r1: (2 + 2) / 2; r3: "don't know" is not an answer, (3 + 3) / 2; r2 answered one item
    assert scores(responses("    min_answered: 2\n")) == pytest.approx(
        [14 / 3, 2.0, math.nan, 3.0, math.nan, 7 / 3], nan_ok=True)


def test_min_answered_one_is_the_mean_of_whatever_was_answered():
    assert scores(responses("    min_answered: 1\n")) == pytest.approx(
        [14 / 3, 2.0, 1.0, 3.0, math.nan, 7 / 3], nan_ok=True)


def test_a_missing_score_is_missing_not_dropped():
    s = responses().scale_scores()["s"]
    assert len(s) == len(ANSWERS) and str(s.dtype) == "Float64"
    assert s.isna().tolist() == [False, True, True, True, True, False]


def test_reliability_counts_the_scored_and_the_complete_cases():
    (default,) = scale_reliability(responses())
    assert (default.n_scored, default.n, default.min_answered) == (2, 2, 3)
    (two,) = scale_reliability(responses("    min_answered: 2\n"))
    assert (two.n_scored, two.n, two.min_answered) == (4, 2, 2)
    assert two.row()["n_scored"] == 4 and two.row()["n_complete"] == 2
    # alpha on the complete cases r0 (5, 4, 5) and r5 (1, 2, 4): k/(k-1) (1 - sum var / var sum)
    # with sample variances 8, 2 and 0.5 of the items and 24.5 of the totals (14, 7)
    assert two.alpha == pytest.approx(1.5 * (1 - 10.5 / 24.5))
