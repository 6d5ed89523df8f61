"""A derived yes/no variable as a banner row (and column): a condition (`expr`: its values are
True and False), or cases whose options are 'True' and 'False'. A condition shows its two values,
yes (code 1) first, worded as the message catalogue words yes and no in the banner's language;
the shares are checked against weighted shares computed by hand, through the library, the
command line and the engine."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import invoke

from analysis.banner.build import banner
from analysis.design.choice import choose_design
from analysis.engines.banner import file_banner
from survey.questionnaire.loader import load_questionnaire, parse_questionnaire
from survey.readers import read_responses
from survey.responses.dataset import Responses

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data_samples" / "industrial_workers.parquet"
QUESTIONNAIRE = ROOT / "questionnaires" / "industrial_workers.yaml"

SMALL = """
survey: {id: yn, version: '1', title: {zh: 是否, en: Yes or no}, languages: [zh, en]}
questions:
  - name: g
    type: single
    label: {zh: 组, en: Group}
    options: {1: {zh: 甲, en: A}, 2: {zh: 乙, en: B}}
  - {name: x, type: number, label: {zh: 数, en: X}}
derived:
  - name: big
    label: {zh: 大, en: Big}
    expr: "x > 5"
  - name: flag
    label: {zh: 标记, en: Flag}
    options: {'True': {zh: 是, en: 'yes'}, 'False': {zh: 否, en: 'no'}}
    cases:
      - {when: "x <= 5", value: 'False'}
      - {when: "x > 5", value: 'True'}
"""


@cache
def small() -> Responses:
    rng = np.random.default_rng(11)
    x = rng.integers(0, 11, 300).astype(float)
    x[:17] = np.nan  # no value: the condition is false, the cases give nothing
    return Responses.from_raw(parse_questionnaire(SMALL),
                              pd.DataFrame({"g": rng.integers(1, 3, 300), "x": x}))


@cache
def sample() -> Responses:
    return read_responses(SAMPLE, load_questionnaire(QUESTIONNAIRE))


def by_hand(yes: np.ndarray, known: np.ndarray, weight: np.ndarray, column: np.ndarray
            ) -> float:
    """The weighted share of yes among the respondents of `column` whose value is known."""
    inside = column & known
    return float(weight[inside & yes].sum() / weight[inside].sum())


@pytest.mark.parametrize("row", ["big", "flag"])
def test_a_derived_yes_no_row_shows_yes_and_no(row: str) -> None:
    data = small()
    x = data.frame["x"].to_numpy(dtype=float, na_value=np.nan)
    yes = np.nan_to_num(x) > 5
    known = ~np.isnan(x) if row == "flag" else np.ones(len(x), bool)
    g = data.frame["g"].astype(int).to_numpy()
    for lang, words in (("zh", ["是", "否"]), ("en", ["yes", "no"])):
        b = banner(data, row, ["g"], lang=lang)
        assert b.cells["row_label"].tolist()[:2] == words
        keys = b.cells["row"].tolist()[:2]
        assert keys == (["True", "False"] if row == "flag" else ["1", "0"])
    cells = b.cells.set_index(["col", "row"])
    every = np.ones(len(g), bool)
    for col, column in (("_total", every), ("1", g == 1), ("2", g == 2)):
        share = by_hand(yes, known, np.ones(len(g)), column)
        assert cells.loc[(col, keys[0]), "proportion"] == pytest.approx(share, rel=1e-12)
        assert cells.loc[(col, keys[1]), "proportion"] == pytest.approx(1 - share, rel=1e-12)
        assert cells.loc[(col, keys[0]), "n"] == (column & known & yes).sum()
    assert b.columns.set_index("value").loc["_total", "n"] == known.sum()


def test_a_derived_yes_no_column_splits_the_sample() -> None:
    b = banner(small(), "g", ["flag", "big"], lang="en")
    flag = b.columns[b.columns["by"] == "flag"]
    assert flag["value"].tolist() == ["True", "False"]
    assert flag["label"].tolist() == ["yes", "no"]
    assert flag["n"].sum() == 300 - 17
    assert b.columns[b.columns["by"] == "big"]["n"].sum() == 300


def test_the_sample_condition_row_by_the_library_the_command_and_the_engine() -> None:
    data = sample()
    design = choose_design(data).design
    ours = banner(data, "young", ["state_owned"], design=design, lang="en")
    young = data.series("young").to_numpy(dtype=bool)
    soe = data.segment("state_owned").to_numpy(dtype=bool)
    w = data.frame["weight"].to_numpy(dtype=float)
    cells = ours.cells.set_index(["col", "row"])
    everyone = np.ones(len(w), bool)
    for col, column in (("_total", everyone), ("1", soe), ("0", ~soe)):
        share = by_hand(young, everyone, w, column)
        assert cells.loc[(col, "1"), "proportion"] == pytest.approx(share, rel=1e-12)
        assert cells.loc[(col, "1"), "row_label"] == "yes"
    done = invoke("crosstab", str(SAMPLE), "-q", str(QUESTIONNAIRE), "--row", "young", "--by",
                  "state_owned", "--lang", "en", "--json")
    assert done.exit_code == 0, done.stderr
    doc = json.loads(done.stdout)
    assert [(c["row"], c["label"]) for c in doc["cells"][:2]] == [("1", "yes"), ("0", "no")]
    assert [c["proportion"] for c in doc["cells"]] == pytest.approx(
        ours.cells["proportion"].tolist(), rel=1e-12)
    engine = file_banner(SAMPLE, QUESTIONNAIRE, "young", ["state_owned"], lang="en")
    assert engine.cells["row_label"].tolist() == ours.cells["row_label"].tolist()
    assert engine.cells["proportion"].to_numpy() == pytest.approx(
        ours.cells["proportion"].to_numpy(), rel=1e-9)


def test_the_command_shows_the_condition_in_the_survey_language() -> None:
    done = invoke("crosstab", str(SAMPLE), "-q", str(QUESTIONNAIRE), "--row", "migrant",
                  "--by", "young")
    assert done.exit_code == 0, done.stderr
    table = done.stdout
    assert "是" in table and "否" in table and "option codes" not in done.stderr
