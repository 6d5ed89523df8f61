"""The server's checks of one submission: a catalogue of bad answers and their codes."""

from __future__ import annotations

import random

import pytest
from collect_helpers import REFERENCE, SMALL, sample_answers

from survey.collect.validation import validate_answers
from survey.questionnaire.loader import load_questionnaire

small = load_questionnaire(SMALL)
reference = load_questionnaire(REFERENCE)
GOOD = {"birth_year": 1990, "workplace": 3, "concerns": ["housing", "income"],
        "insurance": ["pension"], "identity_1": 4, "start_date": "2020-01-02",
        "comments": "<script>alert(1)</script>"}


def codes(answers: dict, questionnaire=small) -> list[tuple[str, str | None]]:
    return [(p.code, p.question) for p in validate_answers(questionnaire, answers)]


def test_good_answers_pass():
    assert codes(GOOD) == []


@pytest.mark.parametrize("seed", range(30))
def test_random_valid_answers_pass_on_the_reference_questionnaire(seed):
    answers = sample_answers(reference, random.Random(seed))
    assert codes(answers, reference) == []


BAD = [
    ({"birth_year": None}, ("required", "birth_year")),
    ({"birth_year": "1990"}, ("bad-type", "birth_year")),
    ({"birth_year": True}, ("bad-type", "birth_year")),
    ({"birth_year": 1990.5}, ("not-integer", "birth_year")),
    ({"birth_year": 2011}, ("out-of-range", "birth_year")),
    ({"birth_year": 1949}, ("out-of-range", "birth_year")),
    ({"workplace": 2}, ("unknown-code", "workplace")),
    ({"workplace": "3"}, ("unknown-code", "workplace")),
    ({"workplace": [3]}, ("unknown-code", "workplace")),
    ({"concerns": ["income", "medical", "housing", "career_growth"]}, ("too-many", "concerns")),
    ({"concerns": ["income", "income"]}, ("duplicate-code", "concerns")),
    ({"concerns": "income"}, ("bad-type", "concerns")),
    ({"concerns": ["salary"]}, ("unknown-code", "concerns")),
    ({"insurance": ["pension", "none"]}, ("exclusive", "insurance")),
    ({"pension_worry": 3}, ("not-relevant", "pension_worry")),
    ({"identity_1": 6}, ("unknown-code", "identity_1")),
    ({"start_date": "2020-02-30"}, ("bad-type", "start_date")),
    ({"start_date": "1979-12-31"}, ("out-of-range", "start_date")),
    ({"comments": "x" * 501}, ("too-long", "comments")),
    ({"comments": 5}, ("bad-type", "comments")),
    ({"workplace__6_text": "合资"}, ("other-without-option", "workplace")),
    ({"salary": 5000}, ("unknown-question", "salary")),
    ({"intro": "x"}, ("unknown-question", "intro")),
]


@pytest.mark.parametrize(("change", "expected"), BAD, ids=[str(c) for c, _ in BAD])
def test_bad_answers_are_refused_with_their_code(change, expected):
    answers = {**GOOD, **change}
    assert expected in codes({k: v for k, v in answers.items()})


def test_not_an_object():
    assert codes(["x"]) == [("bad-answers", None)]


def test_skip_logic_on_the_reference_questionnaire():
    answers = sample_answers(reference, random.Random(1), {"hukou_type": 6})
    assert "hukou_location" not in answers
    assert codes({**answers, "hukou_location": 1}, reference) == [
        ("not-relevant", "hukou_location")]


def test_minimum_choices_and_other_text():
    answers = sample_answers(reference, random.Random(2), {"concerns": ["other", "income"]})
    assert answers["concerns__other_text"]
    assert codes(answers, reference) == []
    assert codes({**answers, "concerns": []}, reference) == [
        ("required", "concerns"), ("other-without-option", "concerns")]
