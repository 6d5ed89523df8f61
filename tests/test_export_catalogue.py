"""Every layout of the catalogue (tests/catalogue/) imports with the respondents and answers per
question that an independent read of the same file finds, or is refused with its error code:
never exit 0 with a question silently empty, never a traceback."""

from __future__ import annotations

import importlib
import pkgutil

import catalogue
import pytest
from catalogue import cells

import survey
from survey.errors import SurveyError

WRITTEN = ("parquet", "sav", "dta", "csv", "xlsx")
READ_BACK = ("sav", "dta")
MODULES = sorted(m.name for m in pkgutil.iter_modules(catalogue.__path__))
LAYOUTS = [layout for name in MODULES
           for layout in importlib.import_module(f"catalogue.{name}").LAYOUTS]


def test_the_catalogue_holds_at_least_forty_layouts_with_unique_names():
    names = [layout.name for layout in LAYOUTS]
    assert len(names) == len(set(names))
    assert len(names) >= 40, f"{len(names)} layouts"


@pytest.mark.parametrize("layout", LAYOUTS, ids=[layout.name for layout in LAYOUTS])
def test_each_layout_imports_as_an_independent_read_says(layout, tmp_path):
    path = layout.write(tmp_path)
    questionnaire = survey.load_questionnaire(layout.questionnaire)
    options = {key: path.parent / value if key == "mapping" else value
               for key, value in layout.options.items()}
    if layout.refused is not None:
        code, words = layout.refused
        with pytest.raises(SurveyError) as caught:
            survey.import_export(path, questionnaire, **options)
        codes = [p.code for p in getattr(caught.value, "problems", ())] or [caught.value.code]
        assert code in codes, str(caught.value)
        assert words in str(caught.value)
        return
    expected = layout.expect(path)
    imported = survey.import_export(path, questionnaire, **options)
    match = {q.name: q for q in imported.match.questions}
    assert imported.match.respondents == expected.respondents
    assert {q.name for q in imported.match.unmatched} == set(expected.unmatched)
    got = {name: match[name].answers for name in expected.answers}
    assert got == expected.answers
    for column, values in expected.values.items():
        assert cells(imported.responses.frame[column]) == values, column
    assert set(expected.answers) | set(expected.unmatched) == set(questionnaire.items), \
        "a layout must account for every question"
    (tmp_path / "out").mkdir()
    for suffix in WRITTEN:  # every writer takes what every reader brings, and loses no answer
        written = survey.write(imported.responses, tmp_path / "out" / f"written.{suffix}")
        if suffix in READ_BACK:  # the formats that rename columns and recode missing answers
            again = survey.import_export(written, questionnaire)
            assert {q.name: q.answers for q in again.match.questions} == \
                {q.name: q.answers for q in imported.match.questions}, suffix
