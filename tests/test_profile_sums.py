"""Segment profiles from cells of (sampling unit, segment pattern) give what one estimator call
per segment gives (analysis/findings/profile_sums.py against estimation.mean by segment).

The reference is the general path: a design of a subclass of `Design` is profiled one segment at
a time by `estimation.mean` with covariance (checked against R in test_design_against_r.py). Both
run on the data of test_banner_planes.py for every design shape the variance knows, with
overlapping segments, unanswered respondents, "don't know" and a single question with more
categories than a plane's levels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_banner_planes import DESIGNS, General, data

from analysis.design.sample_design import Design
from analysis.findings.profile_sums import Membership
from analysis.findings.profiles import segment_profiles
from survey.questionnaire.loader import parse_questionnaire
from survey.responses.dataset import Responses

WIDE = ", ".join(f"{k}: o{k}" for k in range(1, 21))  # 20 codes: more than LEVELS (16)
QUESTIONNAIRE = f"""
survey: {{id: t, version: '1', title: T, languages: [en]}}
questions:
  - {{name: g, type: single, label: G, options: {{1: a, 2: b, 3: c, 4: never, 9: dk}},
     dont_know: 9}}
  - {{name: wide, type: single, label: W, options: {{{WIDE}}}}}
  - name: m
    type: multi
    label: M
    options: {{1: a, 2: b, 3: c, 4: d, 5: e, 6: f, 7: g}}
  - name: r
    type: rank
    label: R
    max_choices: 3
    options: {{u: U, v: V, w: W, x: X, y: Y}}
segments:
  first: {{label: First, where: "g == 1"}}
  not_first: {{label: Not first, where: "not g == 1"}}
  picky: {{label: Picky, where: "count_selected(m) >= 3"}}
  ranked_u: {{label: Ranked u, where: "selected(r, 'u')"}}
  low_wide: {{label: Low, where: "wide <= 8"}}
"""


def responses(frame: pd.DataFrame | None = None) -> Responses:
    frame = data() if frame is None else frame
    rng = np.random.default_rng(5)
    frame = frame.assign(wide=rng.integers(1, 21, len(frame)).astype(float))
    frame.loc[rng.random(len(frame)) < 0.04, "g"] = 9  # "don't know": outside the base
    frame.loc[rng.random(len(frame)) < 0.06, "wide"] = np.nan
    return Responses.from_raw(parse_questionnaire(QUESTIONNAIRE), frame)


def same(r: Responses, spec: dict) -> None:
    ours, general = Design.build(r.frame, **spec), General.build(r.frame, **spec)
    assert Membership.of(ours, [r.segment(s).to_numpy(bool) for s in r.questionnaire.segments])
    expected = segment_profiles(r, general, min_base=5)
    found = segment_profiles(r, ours, min_base=5)
    assert len(found) == len(expected) > 100
    pd.testing.assert_frame_equal(found.sort_index(), expected.sort_index(), rtol=1e-9,
                                  atol=1e-13)


@pytest.mark.parametrize("design", DESIGNS)
def test_cells_give_the_per_segment_estimators(design: str) -> None:
    same(responses(), DESIGNS[design])


def test_a_lonely_psu_adjusted_on_both_paths() -> None:
    frame = data()
    frame.loc[frame.stratum == 5, "psu"] = 50  # one PSU in stratum 5
    spec = DESIGNS["stratified clusters"] | {"lonely_psu": "adjust"}
    same(responses(frame), spec)


def test_a_segment_and_its_rest_count_the_answered_only() -> None:
    r = responses()
    table = segment_profiles(r, Design.build(r.frame, weight="weight"), min_base=5)
    row = table[(table["segment"] == "picky") & (table["question"] == "g")].iloc[0]
    answered = r.frame["g"].notna().to_numpy()  # "don't know" is not in the base
    picky = r.segment("picky").to_numpy()
    assert (row["n"], row["n_rest"]) == ((answered & picky).sum(), (answered & ~picky).sum())
