"""`survey init` from an XLSForm: our own XLSForm of the reference questionnaire comes back as the
same questionnaire (questions, codes, labels, skip logic, derived variables), the drafted file
passes `survey check`, and a KoboToolbox export of the form imports with every question matched
and the same answers. Expressions are compared by what they select on simulated answers, not by
their spelling."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import invoke
from test_kobo_xlsform_roundtrip import kobo_export

from survey.expressions import parse
from survey.expressions.pandas_eval import FrameEnvironment, evaluate
from survey.forms.xlsform import write_xlsform, xlsform_sheets
from survey.questionnaire.loader import load_questionnaire
from survey.readers import read_responses
from survey.readers.export_table import import_notes
from survey.responses.missing import ANSWERED
from survey.simulation.generate import simulate

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "questionnaires" / "industrial_workers.yaml"
KEYS = ("type", "label", "hint", "codes", "options", "other", "dont_know", "min", "max",
        "integer", "min_choices", "max_choices", "exclusive", "required")


@pytest.fixture(scope="module")
def reference():
    return load_questionnaire(REFERENCE)


@pytest.fixture(scope="module")
def drafted(reference, tmp_path_factory):
    folder = tmp_path_factory.mktemp("init")
    form = write_xlsform(reference, folder / "form.xlsx")
    done = invoke("init", form, "-o", folder / "questionnaire.yaml")
    assert done.exit_code == 0, done.stderr
    return folder / "questionnaire.yaml", done.stdout


@pytest.fixture(scope="module")
def sample(reference):
    return simulate(reference, 400, seed=11)


def _options(questionnaire, question):
    options = question.options
    return questionnaire.choice_lists[options] if isinstance(options, str) else options


def test_the_drafted_questionnaire_passes_check(drafted):
    path, said = drafted
    assert said.startswith(f"wrote {path}: 53 questions")
    done = invoke("check", path)
    assert done.exit_code == 0, done.stderr
    assert "53 questions" in done.stdout


def test_questions_codes_labels_and_limits_come_back(reference, drafted):
    back = load_questionnaire(drafted[0])
    assert [q.name for q in back.questions] == [q.name for q in reference.questions]
    for before, after in zip(reference.questions, back.questions, strict=True):
        for key in KEYS:
            old, new = getattr(before, key), getattr(after, key)
            if key == "options":
                old, new = _options(reference, before), _options(back, after)
            assert new == old, (before.name, key)
        assert [(i.name, i.label) for i in after.items] == \
            [(i.name, i.label) for i in before.items]
    assert back.survey.id == reference.survey.id and back.survey.languages == ["zh", "en"]


def _selects(questionnaire, sample, source):
    frame = sample.frame.copy()
    environment = FrameEnvironment(frame, questionnaire)
    return pd.Series(evaluate(parse(source), environment)).fillna(False).astype(bool)


def test_skip_logic_and_derived_variables_select_the_same_respondents(reference, drafted,
                                                                     sample):
    back = load_questionnaire(drafted[0])
    relevant = {q.name: q.relevant for q in reference.questions if q.relevant}
    assert {q.name: bool(q.relevant) for q in back.questions if q.relevant} == \
        dict.fromkeys(relevant, True)
    for before, after in zip(reference.questions, back.questions, strict=True):
        if before.relevant:
            assert _selects(reference, sample, before.relevant).equals(
                _selects(back, sample, after.relevant)), before.name
    assert [d.name for d in back.derived] == [d.name for d in reference.derived]
    for before, after in zip(reference.derived, back.derived, strict=True):
        assert after.label == before.label
        assert (after.expr, [(c.when, c.value) for c in after.cases]) == \
            (before.expr, [(c.when, c.value) for c in before.cases])


def test_a_kobo_export_of_the_form_imports_answer_for_answer(reference, drafted, sample,
                                                            tmp_path):
    back = load_questionnaire(drafted[0])
    export = kobo_export(sample, xlsform_sheets(reference), tmp_path / "export.csv")
    read = read_responses(export, back)
    mapping = import_notes(read.frame).mapping
    assert mapping[mapping["role"] == "unmapped"]["column"].tolist() == []
    assert read.same_answers(sample)
    assert read.derive().equals(sample.derive())  # the drafted derived variables, computed
    done = invoke("import", export, "-q", drafted[0], "-o", tmp_path / "clean.parquet",
                  "--json")
    assert done.exit_code == 0, done.stderr
    match = json.loads(done.stdout)
    assert match["unmatched"] == [] and match["unused"] == []
    answered = {q["name"]: q["answers"] for q in match["questions"]}
    truth = {name: int((sample.missing[name] == ANSWERED).sum()) for name in answered}
    assert answered == truth and sum(truth.values()) > 0
