"""XLSForm writer: pyxform converts every generated form, binds and translations are right."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from pyxform.xls2xform import convert

from survey.errors import UnknownLanguage
from survey.forms.xlsform import pyxform_input, write_xlsform, xlsform_sheets
from survey.questionnaire.loader import load_questionnaire, parse_questionnaire

ROOT = Path(__file__).parent.parent
SMALL = ROOT / "tests/fixtures/questionnaires/small.yaml"
REFERENCE = ROOT / "questionnaires/industrial_workers.yaml"
GOLDEN = ROOT / "tests/fixtures/forms/small_xlsform_survey.json"
NS = {"h": "http://www.w3.org/1999/xhtml", "x": "http://www.w3.org/2002/xforms",
      "jr": "http://openrosa.org/javarosa"}


def xform(path: Path) -> etree._Element:
    result = convert(pyxform_input(xlsform_sheets(load_questionnaire(path))), warnings=[])
    return etree.fromstring(result.xform.encode())


def binds(root: etree._Element) -> dict[str, dict[str, str]]:
    return {b.get("nodeset").rsplit("/", 1)[-1]: dict(b.attrib)
            for b in root.iterfind(".//x:bind", NS)}


@pytest.mark.parametrize("path", [SMALL, REFERENCE], ids=["small", "reference"])
def test_pyxform_converts_the_form_without_warnings(path: Path) -> None:
    warnings: list[str] = []
    convert(pyxform_input(xlsform_sheets(load_questionnaire(path))), warnings=warnings)
    assert warnings == []


@pytest.mark.parametrize("path", [SMALL, REFERENCE], ids=["small", "reference"])
def test_the_written_workbook_converts(path: Path, tmp_path: Path) -> None:
    target = write_xlsform(load_questionnaire(path), tmp_path / "form.xlsx")
    assert set(openpyxl.load_workbook(target).sheetnames) == {"survey", "choices", "settings"}
    assert "<odk:rank" in convert(str(target)).xform
    assert [p.name for p in tmp_path.iterdir()] == ["form.xlsx"]  # no temporary file left


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs java on PATH")
def test_odk_validate_accepts_the_reference_form() -> None:
    convert(pyxform_input(xlsform_sheets(load_questionnaire(REFERENCE))), validate=True)


def test_binds_carry_relevant_constraint_and_required() -> None:
    b = binds(xform(REFERENCE))
    assert b["hukou_location"]["relevant"]  # hukou_type != 6
    assert "/data/hukou_type" in b["hukou_location"]["relevant"]
    assert b["birth_year"]["required"] == "true()"
    assert b["birth_year"]["constraint"] == "(. >= 1950 and . <= 2010)"
    assert b["birth_year"]["type"] == "int"
    assert "count-selected(.) <= 3" in b["expense_pressure"]["constraint"]
    assert "not(selected(., 'none') and count-selected(.) > 1)" in b["expense_pressure"][
        "constraint"]
    assert b["hours_online_workday"]["type"] == "decimal"
    assert b["concerns"]["type"] == "odk:rank"
    assert "count-selected(.) >= 1" in b["concerns__pick"]["constraint"]
    assert b["union_how"]["relevant"].replace(" ", "") == "(number(/data/union_member)=1)"
    assert "selected(" in b["workplace__6_text"]["relevant"]
    assert "if(" in b["cohort"]["calculate"] and "if(" in b["migrant"]["calculate"]


def test_itext_has_chinese_and_english_with_chinese_default() -> None:
    root = xform(SMALL)
    translations = {t.get("lang"): t for t in root.iterfind(".//x:translation", NS)}
    assert set(translations) == {"中文 (zh)", "English (en)"}
    assert translations["中文 (zh)"].get("default") == "true()"
    zh = {t.get("id"): "".join(t.itertext()).strip()
          for t in translations["中文 (zh)"].iterfind("x:text", NS)}
    en = {t.get("id"): "".join(t.itertext()).strip()
          for t in translations["English (en)"].iterfind("x:text", NS)}
    assert zh["/data/workplace:label"] == "单位性质"
    assert en["/data/workplace:label"] == "Workplace ownership"
    assert zh["/data/birth_year:jr:constraintMsg"] == "请填写1950到2010之间的数"


def test_choice_lists_are_shared_and_grids_are_field_lists() -> None:
    sheets = xlsform_sheets(load_questionnaire(SMALL))
    lists = {row["list_name"] for row in sheets["choices"]}
    assert lists == {"workplace", "concerns", "insurance", "agree5"}
    agree = [row["name"] for row in sheets["choices"] if row["list_name"] == "agree5"]
    assert agree == ["1", "2", "3", "4", "5"]
    root = xform(SMALL)
    instances = {i.get("id") for i in root.iterfind(".//x:instance", NS)} - {None}
    assert {"agree5", "concerns", "insurance", "workplace"} <= instances
    group = next(g for g in root.iterfind(".//x:group", NS) if g.get("ref") == "/data/identity")
    assert group.get("appearance") == "field-list"
    assert [s.get("appearance") for s in group.iterfind("x:select1", NS)] == ["likert"] * 3


def test_settings_and_default_language() -> None:
    model = load_questionnaire(SMALL)
    assert xlsform_sheets(model)["settings"] == [{
        "form_title": "小问卷", "form_id": "small_test", "version": "1",
        "default_language": "中文 (zh)"}]
    english = xlsform_sheets(model, "en")["settings"][0]
    assert english["default_language"] == "English (en)" and english["form_title"] == "Small survey"
    with pytest.raises(UnknownLanguage, match="fr"):
        xlsform_sheets(model, "fr")


def test_survey_sheet_matches_the_golden_file() -> None:
    """The survey rows for small.yaml; rewrite the golden file on purpose only."""
    rows = xlsform_sheets(load_questionnaire(SMALL))["survey"]
    assert rows == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_a_label_with_markup_stays_text() -> None:
    text = SMALL.read_text(encoding="utf-8").replace("出生年份", "<script>alert(1)</script>")
    root_text = convert(pyxform_input(xlsform_sheets(parse_questionnaire(text)))).xform
    assert "<script>" not in root_text and "&lt;script&gt;" in root_text
