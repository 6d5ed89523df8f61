"""The packed aggregation of multi and rank rows (analysis/banner/planes.py) gives the banner the
per-column estimators give.

The reference is the general path: a design of a subclass of `Design` is aggregated one column
at a time by `estimation.total` (the path R's survey package is checked against in
test_banner.py). Both run on the same data for designs of every shape the variance knows (strata
and clusters with weights; two stages with fpcs; one respondent per unit; a lonely PSU), rows with
nets, empty columns and unanswered respondents.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from analysis.banner.build import banner, parse_net
from analysis.banner.planes import LEVELS, pack, prepare
from analysis.banner.rows import by_variable, row_block
from analysis.design.sample_design import Design
from survey.questionnaire.loader import parse_questionnaire
from survey.responses.dataset import Responses

QUESTIONNAIRE = """
survey: {id: t, version: '1', title: T, languages: [en]}
questions:
  - {name: g, type: single, label: G, options: {1: a, 2: b, 3: c, 4: never}}
  - name: m
    type: multi
    label: M
    options: {1: a, 2: b, 3: c, 4: d, 5: e, 6: f, 7: g}
  - name: r
    type: rank
    label: R
    max_choices: 3
    options: {u: U, v: V, w: W, x: X, y: Y}
segments:
  first: {label: First, where: "g == 1"}
"""


NETS = {"m": ("ab=1,2", "efg=5,6,7"), "r": ("uv=u,v",)}


class General(Design):
    """A design the packed pass does not take: the banner aggregates column by column."""


def data(n: int = 900, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    raw: dict[str, np.ndarray] = {"g": rng.integers(1, 4, n).astype(float)}
    raw["g"][rng.random(n) < 0.05] = np.nan  # no level: in Total only
    gone = rng.random(n) < 0.08
    for j in range(1, 8):
        chosen = (rng.random(n) < 0.1 * j).astype(float)
        raw[f"m__{j}"] = np.where(gone, np.nan, chosen)
    order = np.argsort(rng.random((n, 5)), axis=1)
    ranked = rng.integers(0, 4, n)  # how many options each respondent ranks (0..3)
    for j, code in enumerate("uvwxy"):
        position = np.argmax(order == j, axis=1) + 1
        raw[f"r__{code}"] = np.where(position <= ranked, position, 0).astype(float)
    raw["r__u"][ranked == 0] = np.nan  # ranking nothing is not answering
    for code in "vwxy":
        raw[f"r__{code}"][ranked == 0] = np.nan
    raw["stratum"] = rng.integers(0, 6, n)
    raw["psu"] = raw["stratum"] * 10 + rng.integers(0, 5, n)
    raw["ssu"] = raw["psu"] * 10 + rng.integers(0, 3, n)
    raw["fpc1"] = np.full(n, 40.0)
    raw["fpc2"] = np.full(n, 9.0)
    raw["weight"] = rng.uniform(0.5, 3.0, n)
    return pd.DataFrame(raw)


DESIGNS = {
    "stratified clusters": dict(weight="weight", strata="stratum", cluster="psu"),
    "two stages with fpc": dict(strata="stratum", cluster=["psu", "ssu"],
                                fpc=["fpc1", "fpc2"]),
    "one respondent per unit": dict(weight="weight", strata="stratum"),
    "simple random sample": {},
}


def both(frame: pd.DataFrame, spec: dict) -> tuple[Design, Design]:
    return Design.build(frame, **spec), General.build(frame, **spec)


def same(ours, general) -> None:
    for part in ("columns", "cells", "missing"):
        pd.testing.assert_frame_equal(getattr(ours, part), getattr(general, part),
                                      rtol=1e-10, atol=1e-14)
    assert [t.row for t in ours.tests] == [t.row for t in general.tests]
    np.testing.assert_allclose([t.p for t in ours.tests], [t.p for t in general.tests],
                               rtol=1e-8, atol=1e-14)
    assert ours.notes == general.notes


@pytest.mark.parametrize("design", DESIGNS)
@pytest.mark.parametrize("row", ["m", "r"])
@pytest.mark.parametrize("percent", ["respondents", "responses"])
def test_packed_pass_equals_the_per_column_estimators(design: str, row: str,
                                                      percent: str) -> None:
    frame = data()
    responses = Responses.from_raw(parse_questionnaire(QUESTIONNAIRE), frame)
    ours, general = both(responses.frame, DESIGNS[design])
    args = dict(by=["g", "first"], percent=percent, extra=("row", "total"), nets=NETS[row])
    same(banner(responses, row, design=ours, **args),
         banner(responses, row, design=general, **args))


def test_a_lonely_psu_is_adjusted_on_both_paths() -> None:
    frame = data()
    frame.loc[frame.stratum == 5, "psu"] = 50  # one PSU in stratum 5
    responses = Responses.from_raw(parse_questionnaire(QUESTIONNAIRE), frame)
    ours, general = both(responses.frame, DESIGNS["stratified clusters"])
    b = banner(responses, "r", ["g"], design=ours, nets=NETS["r"])
    assert any("PSU" in note or "lonely" in note.lower() for note in b.notes)
    same(b, banner(responses, "r", ["g"], design=general, nets=NETS["r"]))


def test_planes_hold_every_flag_and_rank_once() -> None:
    responses = Responses.from_raw(parse_questionnaire(QUESTIONNAIRE), data())
    for name in ("m", "r"):
        block = row_block(responses, name, nets=dict(parse_net(n) for n in NETS[name]))
        planes = pack(block)
        assert planes is not None
        assert all(code.max() < LEVELS for code in planes.codes)
        # decoding each respondent's levels gives back its flags, points and a one
        values = sum(decode[code] for code, decode in zip(planes.codes, planes.decode,
                                                           strict=True))
        expected = np.column_stack([*block.flags, *block.points,
                                    np.ones(len(block.answered))])
        np.testing.assert_array_equal(values, expected)


@pytest.mark.parametrize("design", DESIGNS)
def test_the_packed_pass_is_the_one_taken_for_a_design(design: str) -> None:
    responses = Responses.from_raw(parse_questionnaire(QUESTIONNAIRE), data())
    ours, general = both(responses.frame, DESIGNS[design])
    block = row_block(responses, "m")
    by = [by_variable(responses, "g"), by_variable(responses, "first")]
    assert prepare(ours, block, by).planes is not None
    assert prepare(general, block, by).planes is None


def test_ranks_beyond_a_plane_take_the_general_path() -> None:
    responses = Responses.from_raw(parse_questionnaire(QUESTIONNAIRE), data())
    block = row_block(responses, "r")
    deep = dataclasses.replace(block, max_rank=LEVELS)
    assert pack(deep) is None


def test_segment_profiles_by_the_packed_pass_equal_estimation_mean() -> None:
    from pathlib import Path

    from analysis.design.choice import choose_design
    from analysis.findings.profiles import segment_profiles
    from survey.questionnaire.loader import load_questionnaire
    from survey.readers import read_responses

    root = Path(__file__).parent.parent
    q = load_questionnaire(root / "questionnaires" / "industrial_workers.yaml")
    responses = read_responses(root / "data_samples" / "industrial_workers.parquet", q)
    ours = choose_design(responses).design
    general = General(**{f.name: getattr(ours, f.name) for f in dataclasses.fields(ours)})
    # ties in |difference| may swap places by a last bit: compare row by row
    pd.testing.assert_frame_equal(segment_profiles(responses, ours).sort_index(),
                                  segment_profiles(responses, general).sort_index(),
                                  rtol=1e-9, atol=1e-13)


def test_a_by_variable_of_32767_levels_or_more_keeps_its_extra_levels() -> None:
    """The "no level" and "unanswered" codes past 32,766 levels do not wrap in two bytes (numpy
    widens where a Python int does not fit)."""
    from analysis.banner.blocks import ByVariable, level_codes
    from analysis.banner.planes import by_levels, domain_codes

    responses = Responses.from_raw(parse_questionnaire(QUESTIONNAIRE), data(6))
    block = row_block(responses, "m")
    many = tuple(str(v) for v in range(32767))
    wide = ByVariable("wide", "Wide", many, many,
                      level_codes(np.array([0, 32766, -1, 5, -1, 1])))
    answered = block.answered
    levels, n = by_levels(block, wide)
    assert n == 32768 and levels.tolist() == [0, 32766, 32767, 5, 32767, 1]
    dom, n_dom = domain_codes(block, wide)
    expected = np.where(answered, [0, 32766, 32767, 5, 32767, 1], 32768)
    assert n_dom == 32769 and dom.tolist() == expected.tolist()
