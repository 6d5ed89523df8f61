"""The catalogue of broken questionnaires: each gives its located message, exit code 2.

Every case edits the good fixture `small.yaml` (replace `old` by `new`) and names the text whose
position the message must point at (`anchor`: its first occurrence after the edit; `nth` picks a
later one), the problem code, and a fragment of the message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from located import position

from survey.files.source import SourceError
from survey.questionnaire.loader import parse_questionnaire

FIXTURES = Path(__file__).parent / "fixtures" / "questionnaires"
GOOD = (FIXTURES / "small.yaml").read_text(encoding="utf-8")

# (id, old, new, anchor, code, message fragment)
CATALOGUE = [
    ("yaml-syntax", "  id: small_test", "  id: [small_test", ": \"1\"", "yaml-syntax",
     "YAML syntax"),
    ("duplicate-key", "    max: 2010\n", "    max: 2010\n    min: 1960\n", "min: 1960",
     "duplicate-key", "duplicate key 'min'"),
    ("unknown-section", "design:\n", "desing:\n", "desing", "unknown-section",
     "did you mean 'design'"),
    ("missing-questions", "questions:\n  - name: intro", "items_:\n  - name: intro", "survey:",
     "missing-section", "'questions' section is missing"),
    ("unknown-type", "    type: grid", "    type: matrix", "matrix", "unknown-type",
     "unknown question type 'matrix'"),
    ("misspelt-type", "    type: multi", "    type: mutli", "mutli", "unknown-type",
     "did you mean 'multi'"),
    ("unknown-key", "    max_length: 500", "    maxlength: 500", "maxlength", "unknown-key",
     "did you mean 'max_length'"),
    ("misspelt-relevant", "    relevant: \"not", "    relevent: \"not", "relevent",
     "unknown-key", "did you mean 'relevant'"),
    ("duplicate-name", "  - name: comments", "  - name: workplace", "workplace\n    type: text",
     "duplicate-name", "'workplace' is already used"),
    ("grid-item-clashes", "{name: identity_2,", "{name: birth_year,", "birth_year, label",
     "duplicate-name", "'birth_year' is already used"),
    ("bad-name-uppercase", "  - name: comments", "  - name: Comments", "Comments", "bad-name",
     "not a valid name"),
    ("reserved-name", "  - name: comments", "  - name: selected", "selected\n", "reserved-name",
     "reserved word"),
    ("options-missing", "    options: agree5\n    relevant", "    relevant", "name: pension_worry",
     "missing-options", "needs 'options'"),
    ("unknown-choice-list", "    options: agree5\n    items", "    options: agre5\n    items",
     "agre5", "unknown-choice-list", "did you mean 'agree5'"),
    ("options-on-number", "    max: 2010\n", "    max: 2010\n    options: agree5\n",
     "options: agree5\n    required", "key-not-for-type", "'options' does not apply to a number"),
    ("bad-code", "      3: {zh: 私营", "      private sector: {zh: 私营", "private sector",
     "bad-code", "'private sector' must be an integer or a name of letters, digits"),
    ("bad-code-true-value", "    other: 6", "    other: TRUE", "TRUE", "bad-code",
     "reads as yes/no in YAML; write it in quotes"),
    ("label-missing-language", "{zh: 其他意见, en: Other comments}", "{zh: 其他意见}",
     "{zh: 其他意见}", "label-missing-language", "no 'en' text"),
    ("label-undeclared-language", "{zh: 入职日期, en: Start date}",
     "{zh: 入职日期, en: Start date, fr: Date}", "{zh: 入职日期", "label-language",
     "language 'fr'"),
    ("label-missing", "    label: {zh: 其他意见, en: Other comments}\n", "", "name: comments",
     "missing-key", "'label' is required"),
    ("expression-syntax", "where: \"workplace == 1\"", "where: \"workplace == \"", "\"}\n  young",
     "bad-expression", "where: invalid syntax"),
    ("expression-unsafe-call", "where: \"workplace == 1\"", "where: \"open('x') == 1\"",
     "open(", "bad-expression", "open"),
    ("expression-attribute", "where: \"workplace == 1\"", "where: \"workplace.real == 1\"",
     "workplace.real", "bad-expression", "attribute"),
    ("expression-unknown-name", "where: \"workplace == 1\"", "where: \"worplace == 1\"",
     "worplace", "unknown-name", "did you mean 'workplace'"),
    ("relevant-later-question", "relevant: \"not selected(insurance, 'pension')\"",
     "relevant: \"start_date == 1\"", "start_date ==", "refers-to-later",
     "not asked before it"),
    ("relevant-itself", "relevant: \"not selected(insurance, 'pension')\"",
     "relevant: \"pension_worry > 2\"", "pension_worry >", "refers-to-later", "'pension_worry'"),
    ("selected-unknown-code", "selected(insurance, 'pension')", "selected(insurance, 'pensoin')",
     "insurance, 'pensoin'", "unknown-code", "no option 'pensoin'"),
    ("selected-on-single", "selected(insurance, 'pension')", "selected(workplace, 1)",
     "workplace, 1", "not-a-set", "selected() needs a multi or rank"),
    ("count-selected-on-single", "where: \"workplace == 1\"",
     "where: \"count_selected(workplace) > 1\"", "workplace) > 1", "not-a-set",
     "count_selected() needs a multi or rank"),
    ("compare-unknown-code", "where: \"workplace == 1\"", "where: \"workplace == 2\"",
     "workplace == 2", "unknown-code", "no option 2"),
    ("compare-set-question", "where: \"workplace == 1\"", "where: \"concerns == 'income'\"",
     "concerns ==", "compare-set", "use selected(concerns, 'income')"),
    ("rank-without-max", "    max_choices: 3\n    label: {zh: 最关心", "    label: {zh: 最关心",
     "name: concerns", "missing-key", "needs 'max_choices'"),
    ("max-over-options", "    max_choices: 3\n", "    max_choices: 7\n", "7\n", "bad-limits",
     "larger than the number of options (4)"),
    ("min-over-max", "    exclusive: [none]\n", "    exclusive: [none]\n    min_choices: 3\n"
     "    max_choices: 2\n", "3\n    max_choices: 2", "bad-limits", "min_choices (3) is larger"),
    ("number-min-over-max", "    min: 1950", "    min: 2020", "2020", "bad-limits",
     "min (2020.0) is larger than max (2010.0)"),
    ("exclusive-unknown", "exclusive: [none]", "exclusive: [nothing]", "nothing]",
     "unknown-code", "exclusive code nothing"),
    ("other-unknown", "    other: 6", "    other: 7", "7", "unknown-code", "'other: 7'"),
    ("net-unknown-code", "codes: [4, 5]", "codes: [4, 6]", "6]", "unknown-code",
     "net 'top2' uses code 6"),
    ("scale-item-unknown", "items: [identity_1, identity_2, identity_3]",
     "items: [identity_1, identity_2, identity_4]", "identity_4]", "unknown-name",
     "'identity_4' is not a question"),
    ("scale-item-not-rating", "items: [identity_1, identity_2, identity_3]",
     "items: [identity_1, identity_2, birth_year]", "birth_year]", "not-a-rating",
     "a number question"),
    ("reverse-not-item", "    reverse: [identity_3]", "    reverse: [identity_9]", "identity_9",
     "unknown-name", "not an item of scale"),
    ("min-answered-over-items", "    reverse: [identity_3]\n",
     "    reverse: [identity_3]\n    min_answered: 4   # of 3\n", "4   # of 3", "bad-limits",
     "min_answered is 4, but the scale has 3 items; give 1 to 3"),
    ("min-answered-zero", "    reverse: [identity_3]\n",
     "    reverse: [identity_3]\n    min_answered: 0\n", "0\ndesign", "bad-limits",
     "min_answered is 0"),
    ("min-answered-not-whole", "    reverse: [identity_3]\n",
     "    reverse: [identity_3]\n    min_answered: 2.5\n", "2.5", "bad-value",
     "'min_answered' must be a whole number"),
    ("derived-both-forms", "    expr: \"2026 - birth_year\"",
     "    expr: \"2026 - birth_year\"\n    cases: [{when: \"birth_year > 1\", value: 1}]",
     "name: age", "derived-form", "either 'expr' or 'cases'"),
    ("case-value-unknown", "value: 2}", "value: 3}", "3}", "unknown-code",
     "case value 3 is not an option"),
    ("unquoted-version", "  version: \"1\"", "  version: 2026.10", "2026.10", "unquoted-version",
     "put the version in quotes"),
    ("required-not-bool", "    required: true", "    required: maybe", "maybe", "bad-value",
     "'required' must be true or false"),
    ("constraint-on-note", "    label: {zh: 本问卷匿名。, en: This survey is anonymous.}\n",
     "    label: {zh: 本问卷匿名。, en: This survey is anonymous.}\n    required: true\n",
     "required: true\n  - name: birth", "key-not-for-type", "'required' does not apply to a note"),
    ("bad-language", "  languages: [zh, en]", "  languages: [zh, English]", "English",
     "bad-language", "not a language code"),
    ("date-min-not-date", "    min: 1980-01-01", "    min: soon", "soon", "bad-limit",
     "'soon' is neither a number nor a date"),
    ("segment-bad-name", "  young: {label", "  Young: {label", "Young", "bad-name",
     "not a valid name"),
]




@pytest.mark.parametrize(("case", "old", "new", "anchor", "code", "fragment"), CATALOGUE,
                         ids=[c[0] for c in CATALOGUE])
def test_broken_questionnaire_is_located(case, old, new, anchor, code, fragment):
    assert GOOD.count(old) == 1, f"{case}: the edit must apply exactly once"
    text = GOOD.replace(old, new)
    with pytest.raises(SourceError) as raised:
        parse_questionnaire(text, "bad.yaml")
    problems = raised.value.problems
    matching = [p for p in problems if p.code == code]
    assert matching, f"{case}: expected a '{code}' problem, got {[str(p) for p in problems]}"
    problem = matching[0]
    assert fragment in problem.message
    assert (problem.line, problem.column) == position(text, anchor), str(problem)
    assert str(problem).startswith(f"bad.yaml:{problem.line}:{problem.column}: ")


def test_catalogue_is_large_and_distinct():
    assert len(CATALOGUE) >= 25
    assert len({c[0] for c in CATALOGUE}) == len(CATALOGUE)


def test_every_problem_in_one_run():
    text = (GOOD.replace("    type: grid", "    type: matrix")
            .replace("where: \"workplace == 1\"", "where: \"worplace == 1\"")
            .replace("    max_length: 500", "    maxlength: 500"))
    with pytest.raises(SourceError) as raised:
        parse_questionnaire(text, "bad.yaml")
    codes = sorted(p.code for p in raised.value.problems)
    assert codes == ["unknown-key", "unknown-name", "unknown-type"]
    lines = [p.line for p in raised.value.problems]
    assert lines == sorted(lines)


def test_a_broken_question_does_not_hide_references_to_it():
    # the grid fails validation; the scale that uses its items must not add false 'unknown' errors
    text = GOOD.replace("    type: grid", "    type: matrix")
    with pytest.raises(SourceError) as raised:
        parse_questionnaire(text, "bad.yaml")
    assert [p.code for p in raised.value.problems] == ["unknown-type"]
