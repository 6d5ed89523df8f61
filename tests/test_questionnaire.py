"""Loading good questionnaires: the model holds what the file says, resolved and normalised."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from survey.files.source import SourceError
from survey.questionnaire.loader import load_questionnaire, parse_questionnaire

ROOT = Path(__file__).parent.parent
SMALL = ROOT / "tests" / "fixtures" / "questionnaires" / "small.yaml"
REFERENCE = ROOT / "questionnaires" / "industrial_workers.yaml"


@pytest.fixture(scope="module")
def small():
    return load_questionnaire(SMALL)


def test_survey_info(small):
    assert small.survey.id == "small_test"
    assert small.survey.languages == ["zh", "en"]
    assert small.survey.default_language == "zh"
    assert small.label(small.survey.title) == "小问卷"
    assert small.label(small.survey.title, "en") == "Small survey"


def test_choice_list_is_resolved_and_remembered(small):
    worry = small.question("pension_worry")
    assert worry.codes == [1, 2, 3, 4, 5]
    assert worry.choice_list == "agree5"
    assert small.label(worry.options[5], "en") == "Strongly agree"


def test_option_codes_keep_their_type_and_order(small):
    assert small.question("workplace").codes == [1, 3, 6]
    assert small.question("concerns").codes == ["income", "medical", "housing", "career_growth"]
    assert small.question("concerns").is_set and not small.question("workplace").is_set


def test_grid_items_are_scale_variables(small):
    items = small.items
    assert "identity" not in items and "intro" not in items
    assert items["identity_3"].type == "scale" and items["identity_3"].reverse
    assert small.label(items["identity_1"].label, "en") == "I am proud of my trade"
    assert items["identity_1"].codes == [1, 2, 3, 4, 5]
    assert list(small.question("identity").nets["top2"].codes) == [4, 5]


def test_types_limits_and_dates(small):
    assert small.counts_by_type() == {t: 1 for t in (
        "single", "multi", "rank", "scale", "grid", "number", "text", "date", "note")}
    assert small.question("birth_year").min == 1950 and small.question("birth_year").integer
    assert small.question("start_date").min == date(1980, 1, 1)
    assert small.question("concerns").max_choices == 3
    assert small.question("insurance").exclusive == ["none"]


def test_derived_segments_scales_design(small):
    assert [d.name for d in small.derived] == ["age", "cohort"]
    assert small.derived[1].cases[1].value == 2
    assert small.segments["state_owned"].where == "workplace == 1"
    assert small.scales[0].reverse == ["identity_3"]
    assert small.design.cluster == "enterprise_id"


def test_plain_string_label_serves_every_language():
    text = SMALL.read_text(encoding="utf-8").replace(
        "label: {zh: 其他意见, en: Other comments}", "label: 其他意见 / Other comments")
    model = parse_questionnaire(text)
    label = model.question("comments").label
    assert model.label(label, "zh") == model.label(label, "en") == "其他意见 / Other comments"


def test_quoted_integer_codes_become_integers():
    text = SMALL.read_text(encoding="utf-8").replace("      3: {zh: 私营", "      \"3\": {zh: 私营")
    assert parse_questionnaire(text).question("workplace").codes == [1, 3, 6]


def test_single_language_default():
    text = """
survey: {id: tiny, version: "1", title: 小}
questions:
  - {name: sex, type: single, label: 性别, options: {1: 男, 2: 女}}
"""
    model = parse_questionnaire(text)
    assert model.survey.languages == ["zh"]
    assert model.label(model.question("sex").options[2]) == "女"


def test_reference_questionnaire_loads():
    model = load_questionnaire(REFERENCE)
    concerns = model.question("concerns")
    assert concerns.type == "rank" and concerns.max_choices == 3
    for code in ("income", "medical", "children_education", "housing", "career_growth",
                 "cultural_life", "rights_protection", "reform", "job_security", "equal_pay",
                 "safety_health", "social_insurance", "status_change"):
        assert code in concerns.codes
    for segment in ("state_owned", "small_micro", "migrant", "new_employment"):
        assert segment in model.segments
    assert {"migrant", "cohort", "enterprise_size"} <= {d.name for d in model.derived}
    assert len(model.scales) >= 3
    assert all(model.label(q.label, "en") for q in model.questions)


def test_error_lists_are_sorted_and_stringify():
    with pytest.raises(SourceError) as raised:
        parse_questionnaire("survey: {id: X}\nquestions: []\n", "q.yaml")
    text = str(raised.value)
    assert text.startswith("q.yaml:1:")
    assert "'X' is not a valid name" in text


def test_a_questionnaire_saved_in_two_encodings_names_the_first_odd_line(tmp_path):
    """A GB18030 questionnaire with one label pasted in as UTF-8 would load as mojibake."""
    from survey.files.source import SourceError

    lines = SMALL.read_text(encoding="utf-8").splitlines(keepends=True)
    odd = next(i for i, line in enumerate(lines) if "私营" in line)
    raw = b"".join(line.encode("utf-8" if i == odd else "gb18030") for i, line in enumerate(lines))
    path = tmp_path / "mixed.yaml"
    path.write_bytes(raw)
    with pytest.raises(SourceError) as raised:
        load_questionnaire(path)
    assert str(raised.value).startswith(f"{path}:{odd + 1}:")
    path.write_bytes(SMALL.read_text(encoding="utf-8").encode("gb18030"))
    assert load_questionnaire(path).items["workplace"].codes == [1, 3, 6]  # GB18030 alone: fine
