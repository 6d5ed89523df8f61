"""The simulator honours skip logic and choice limits, and planted effects show up."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.files.source import SourceError
from survey.questionnaire.loader import load_questionnaire
from survey.responses.missing import SKIPPED
from survey.simulation.effects import load_effects, parse_effects
from survey.simulation.generate import simulate

Q = load_questionnaire("questionnaires/industrial_workers.yaml")
EFFECTS = load_effects("questionnaires/industrial_workers.effects.yaml", Q)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_skip_logic_and_choice_limits(seed):
    r = simulate(Q, 200, seed=seed)
    f = r.frame
    union_member = f["union_member"].to_numpy(dtype=object)
    asked = np.array([v == 2 for v in union_member])
    assert f["union_willing"][~asked].isna().all()
    assert (r.missing["union_willing"][~asked] == SKIPPED).all()
    for name in ("expense_pressure", "change_reasons", "union_services", "concerns"):
        q = Q.question(name)
        block = f[r.columns_of(name)].fillna(0).to_numpy()
        assert ((block > 0).sum(axis=1) <= q.max_choices).all()
    ranks = f[r.columns_of("concerns")].dropna().to_numpy()
    for row in ranks:
        chosen = sorted(row[row > 0])
        assert chosen == list(range(1, len(chosen) + 1))
    hazards = f[r.columns_of("hazards")].dropna()
    alone = hazards["hazards__none"] == 1
    assert (hazards[alone].sum(axis=1) == 1).all()


def test_same_seed_same_data():
    assert simulate(Q, 50, seed=3).same_answers(simulate(Q, 50, seed=3))


def test_planted_effects_show_up_and_the_false_claim_does_not():
    r = simulate(Q, 6000, seed=5, effects=EFFECTS)
    f = r.frame

    def share(segment, option, versus=None):
        chosen = f[f"concerns__{option}"].fillna(0).to_numpy() > 0
        member = r.segment(segment).to_numpy()
        other = r.segment(versus).to_numpy() if versus else ~member
        return chosen[member].mean() - chosen[other].mean()

    assert share("state_owned", "career_growth") > 0.05
    assert share("migrant", "status_change") > 0.05
    assert share("small_micro", "job_security", "medium_large") > 0.05
    assert abs(share("small_micro", "safety_health", "medium_large")) < 0.04
    scores = r.scale_scores()
    young = r.segment("young").to_numpy()
    assert scores["identity"][young].mean() < scores["identity"][~young].mean() - 0.2
    assert abs((f["sex"] == 1).mean() - 0.624) < 0.03


@pytest.mark.parametrize("text, message", [
    ("effects: [{segment: nobody, question: concerns, option: income, odds_ratio: 2}]",
     "unknown segment 'nobody'"),
    ("effects: [{segment: migrant, question: concern, option: income, odds_ratio: 2}]",
     "did you mean 'concerns'"),
    ("effects: [{segment: migrant, question: concerns, option: incme, odds_ratio: 2}]",
     "has no option 'incme'"),
    ("effects: [{segment: migrant, question: concerns, shift: 1}]", "'shift' moves the mean"),
    ("marginals: {sex: {1: 0.5, 2: 0.3}}", "add up to 0.8"),
    ("marginals: {birth_year: {mean: 1980, sd: -1}}", "sd"),
])
def test_effects_file_errors_are_located(text, message):
    with pytest.raises(SourceError) as error:
        parse_effects(text, Q, "e.yaml")
    assert str(error.value).startswith("e.yaml:1:")
    assert message in str(error.value)
