"""`survey init` from an XLSForm: our own XLSForm of the reference questionnaire comes back as the
same questionnaire (questions, codes, labels, skip logic, derived variables), the drafted file
passes `survey check`, and a KoboToolbox export of the form imports with every question matched
and the same answers. Expressions are compared by what they select on simulated answers, not by
their spelling."""

from __future__ import annotations

import csv
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


# A form of KoboToolbox's own habits, not ours: capitalised names, groups, language columns
# named without codes, `or_other`, a choice filter, a repeat, a geopoint, XPath that our
# expressions cannot say, and calculations.
KOBO_SURVEY = [
    ["type", "name", "label::English", "label::Chinese", "relevant", "constraint", "required",
     "appearance", "choice_filter", "calculation"],
    ["start", "start"], ["end", "end"], ["deviceid", "deviceid"],
    ["begin_group", "Basic", "Basic information", "基本情况"],
    ["integer", "Age", "How old are you?", "您多大年龄？", "", ". >= 16 and . <= 80", "yes"],
    ["select_one gender", "Gender", "Gender", "性别", "", "", "yes"],
    ["select_one province", "Province", "Province", "省份"],
    ["select_one city", "City", "City", "城市", "", "", "", "", "province=${Province}"],
    ["end_group", "Basic"],
    ["select_multiple benefits or_other", "Benefits", "Benefits you receive", "您享有的福利", "",
     "not(selected(., 'none') and count-selected(.) > 1)"],
    ["text", "Phone", "Phone number", "电话", "${Age} >= 18", "regex(., '^1[0-9]{10}$')"],
    ["select_one yn", "Union", "Are you a union member?", "您是工会会员吗？"],
    ["select_one agree", "Union_trust", "I trust the union", "我信任工会", "${Union} = 'yes'",
     "", "", "likert"],
    ["begin_repeat", "Children", "Children", "子女"],
    ["integer", "Child_age", "Age of child", "子女年龄"],
    ["end_repeat", "Children"],
    ["geopoint", "Location", "Where are you?", "您在哪里？"],
    ["calculate", "Age_group", "", "", "", "", "", "", "",
     "if(${Age} < 30, 1, if(${Age} < 50, 2, 3))"],
    ["calculate", "Greeting", "", "", "", "", "", "", "", "concat('Hi ', ${Gender})"],
]
KOBO_CHOICES = [
    ["list_name", "name", "label::English", "label::Chinese", "province"],
    ["gender", "male", "Male", "男"], ["gender", "female", "Female", "女"],
    ["province", "gd", "Guangdong", "广东"], ["province", "js", "Jiangsu", "江苏"],
    ["city", "gz", "Guangzhou", "广州", "gd"], ["city", "sz", "Shenzhen", "深圳", "gd"],
    ["city", "nj", "Nanjing", "南京", "js"],
    ["benefits", "housing", "Housing fund", "住房公积金"], ["benefits", "pension", "Pension",
                                                       "养老保险"],
    ["benefits", "none", "None", "都没有"],
    ["yn", "yes", "Yes", "是"], ["yn", "no", "No", "否"], ["yn", "dk", "Don't know", "不知道"],
    ["agree", "1", "Disagree", "不同意"], ["agree", "2", "Neutral", "一般"],
    ["agree", "3", "Agree", "同意"],
]
KOBO_HEADER = ["start", "end", "deviceid", "Basic/Age", "Basic/Gender", "Basic/Province",
               "Basic/City", "Benefits", "Benefits/housing", "Benefits/pension", "Benefits/none",
               "Benefits/other", "Benefits_other", "Phone", "Union", "Union_trust", "Location",
               "_Location_latitude", "_Location_longitude", "_Location_altitude",
               "_Location_precision", "Age_group", "Greeting", "_id", "_uuid",
               "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
               "__version__", "_tags", "_index"]
KOBO_ROWS = [
    ["34", "male", "gd", "gz", "housing pension", "1", "1", "0", "0", "", "13800000000", "yes",
     "3", "23.1 113.2 0 5", "23.1", "113.2", "0", "5", "2", "Hi male"],
    ["17", "female", "js", "nj", "none", "0", "0", "1", "0", "", "", "no", "", "", "", "", "",
     "", "1", "Hi female"],
    ["52", "female", "gd", "sz", "other", "0", "0", "0", "1", "住房补贴", "13900000000", "dk", "",
     "", "", "", "", "", "3", "Hi female"],
]


@pytest.fixture(scope="module")
def kobo_form(tmp_path_factory):
    from openpyxl import Workbook

    folder = tmp_path_factory.mktemp("kobo")
    workbook = Workbook()
    for title, rows in (("survey", KOBO_SURVEY), ("choices", KOBO_CHOICES),
                        ("settings", [["form_title", "form_id", "version", "default_language"],
                                      ["Worker benefits", "benefits_2025", "2025031001",
                                       "Chinese"]])):
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.remove(workbook["Sheet"])
    workbook.save(folder / "form.xlsx")
    export = folder / "export.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writerow(KOBO_HEADER)
        for i, row in enumerate(KOBO_ROWS, start=1):
            writer.writerow([f"2025-03-10T0{i}:00:00.000+08:00", f"2025-03-10T0{i}:05:00.000+08:00",
                             f"dev{i}", *row, str(i), f"u{i}", f"2025-03-10T0{i}:05:00", "", "",
                             "submitted_via_web", "", "v1", "", str(i)])
    return folder


def test_a_kobo_form_drafts_and_its_export_imports_with_every_question(kobo_form):
    done = invoke("init", kobo_form / "form.xlsx", "-o", kobo_form / "q.yaml")
    assert done.exit_code == 0, done.stderr
    said = " ".join(done.stdout.split())
    for lost in ("choice filter is not carried over: province=${Province}",
                 "regex(., '^1[0-9]{10}$')", "repeat group Children (Child_age)",
                 "a geopoint answer", "calculation Greeting is not carried over",
                 "option dk taken as \"don't know\""):
        assert lost in said
    questionnaire = load_questionnaire(kobo_form / "q.yaml")
    assert questionnaire.survey.languages == ["zh", "en"]
    benefits = questionnaire.items["benefits"]
    assert benefits.other == "other" and benefits.exclusive == ["none"]
    assert questionnaire.items["age"].min == 16 and questionnaire.items["age"].max == 80
    assert questionnaire.items["union_trust"].type == "scale"
    assert questionnaire.items["union_trust"].relevant == "union == 'yes'"
    done = invoke("import", kobo_form / "export.csv", "-q", kobo_form / "q.yaml", "-o",
                  kobo_form / "clean.parquet", "--json")
    assert done.exit_code == 0, done.stderr
    match = json.loads(done.stdout)
    assert match["unmatched"] == [] and match["unused"] == ["Greeting"]  # said above
    export = pd.read_csv(kobo_form / "export.csv", sep=";", dtype=str, keep_default_na=False)
    answered = {q["name"]: q["answers"] for q in match["questions"]}
    for name, column in (("age", "Basic/Age"), ("city", "Basic/City"), ("phone", "Phone"),
                         ("union_trust", "Union_trust"), ("benefits", "Benefits")):
        assert answered[name] == int((export[column] != "").sum()), name
    clean = pd.read_parquet(kobo_form / "clean.parquet")
    assert clean["benefits__other_text"].fillna("").tolist() == export["Benefits_other"].tolist()
    back = read_responses(kobo_form / "export.csv", questionnaire)
    assert back.derive()["age_group"].astype(int).astype(str).tolist() == \
        export["Age_group"].tolist()  # the drafted cases give what the form calculated
