"""Others' SPSS, Stata and CSV files for our questionnaire: their answers land on the right codes,
their missing-value conventions become missing kinds, and every such reading is said in a note.
The files are the catalogue's (tests/catalogue/statistical.py); the truth is the simulated data
they were written from."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from catalogue import simulated, spss_sets, statistical

import survey
from survey.responses.missing import EMPTY

TRUTH = simulated(seed=21)  # what statistical.coded() encodes


def imported(tmp_path, write, **options):
    path = write(tmp_path)
    options = {k: path.parent / v for k, v in options.items()}
    return survey.import_export(path, statistical.small(), **options)


def codes(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.astype(object)]


@pytest.mark.parametrize("write", [statistical.sav_their_codes, statistical.dta_their_codes,
                                   statistical.sav_string_labels, statistical.csv_english_labels],
                         ids=["sav-value-labels", "dta-value-labels", "sav-strings", "csv-english"])
def test_answers_written_otherwise_land_on_the_questionnaires_codes(tmp_path, write):
    done = imported(tmp_path, write)
    assert codes(done.responses.frame["workplace"]) == codes(TRUTH.frame["workplace"])
    assert done.validation.table.empty, done.validation.table.head()
    assert any("column 'workplace': read 3 value(s) as option codes" in n
               for n in done.match.notes), done.match.notes


def test_english_labels_of_a_scale_and_a_grid_are_its_codes(tmp_path):
    done = imported(tmp_path, statistical.csv_english_labels)
    for name in ("pension_worry", "identity_1", "identity_3"):
        assert codes(done.responses.frame[name]) == codes(TRUTH.frame[name]), name


def test_a_user_missing_code_of_the_file_is_a_missing_answer_said_in_a_note(tmp_path):
    done = imported(tmp_path, statistical.sav_user_missing)
    kinds = done.responses.missing["workplace"]
    truth = TRUTH.frame["workplace"]
    assert int((kinds == EMPTY).sum()) == int((TRUTH.missing["workplace"] == EMPTY).sum()) + 5
    assert done.responses.frame["workplace"].notna().sum() == truth.notna().sum() - 5
    assert "column 'workplace': 5 answer(s) with a user-missing code of the file (98, 99) " \
           "read as left empty" in done.match.notes
    assert done.validation.table.empty


def test_stata_letters_of_another_program_are_missing_answers_in_every_column(tmp_path):
    done = imported(tmp_path, statistical.dta_their_letters)
    missing = done.responses.missing
    assert int((missing["birth_year"] == EMPTY).sum()) >= 4
    assert int((missing["workplace"] == EMPTY).sum()) >= 4
    assert any(".n (4 cells), .r (4 cells) read as left empty" in n for n in done.match.notes)
    problems = set(done.validation.table["code"])
    assert problems <= {"required-missing"}, problems  # refusing a required question: no more


def test_names_found_by_variable_label_and_by_a_header_that_is_a_label(tmp_path):
    for write in (statistical.sav_labelled_variables, statistical.csv_label_headers):
        folder = tmp_path / write.__name__
        folder.mkdir()
        done = imported(folder, write)
        table = done.mapping
        value = (table["variable"] == "workplace") & (table["role"] == "value")
        assert table.loc[value, "matched_by"].tolist() == ["label"]
        assert codes(done.responses.frame["workplace"]) == codes(TRUTH.frame["workplace"])
        assert codes(done.responses.frame["comments"]) == codes(TRUTH.frame["comments"])


@pytest.mark.parametrize("write", [statistical.csv_with_mapping, statistical.sav_with_mapping],
                         ids=["csv", "sav"])
def test_a_mapping_file_names_columns_and_spells_values(tmp_path, write):
    done = imported(tmp_path, write, mapping="mapping.yaml")
    assert codes(done.responses.frame["workplace"]) == codes(TRUTH.frame["workplace"])
    for code in ("pension", "injury", "none"):
        column = f"insurance__{code}"
        assert codes(done.responses.frame[column]) == codes(TRUTH.frame[column]), column
    table = done.mapping
    assert table.loc[table["column"] == "yob", "matched_by"].tolist() == ["override"]


def test_a_wrong_value_in_a_mapping_file_is_located(tmp_path):
    path = statistical.csv_with_mapping(tmp_path)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("OTH: 6", "OTH: 7"),
                       encoding="utf-8")
    with pytest.raises(survey.SurveyError) as raised:
        survey.import_export(path, statistical.small(), mapping=mapping)
    assert str(raised.value).startswith(f"{mapping}:8:")
    assert "'workplace' has no option '7'" in str(raised.value)


def test_multiple_response_sets_become_the_questions_blocks(tmp_path):
    """A dichotomy set found by its label, variables matched by their labels in another order;
    a category set of mentions read through value labels, each mention's place its rank."""
    done = imported(tmp_path, spss_sets.dichotomies)
    for code in ("pension", "injury", "none"):
        column = f"insurance__{code}"
        assert codes(done.responses.frame[column]) == codes(TRUTH.frame[column]), column
    assert "multiple-response set $ins (ins_3, ins_1, ins_2) read as question 'insurance'" in \
        done.match.notes
    (tmp_path / "m").mkdir()
    done = imported(tmp_path / "m", spss_sets.mentions)
    for code in spss_sets.CONCERNS:
        column = f"concerns__{code}"
        assert codes(done.responses.frame[column]) == codes(TRUTH.frame[column]), column


def test_our_sav_carries_the_sets_that_spss_reads(tmp_path):
    import pyreadstat

    path = survey.write(TRUTH, tmp_path / "ours.sav")
    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    assert meta.mr_sets["insurance"]["variable_list"] == [
        "insurance__pension", "insurance__injury", "insurance__none"]
    assert meta.mr_sets["insurance"]["counted_value"] == 1
    assert meta.mr_sets["insurance"]["label"] == "参加的保险"


# ------------------------------------------------------------------ what a review found


def _sav(path, frame, **meta):
    import pyreadstat

    pyreadstat.write_sav(frame, str(path), **meta)
    return survey.import_export(path, statistical.small())


def test_value_labels_are_read_one_by_one_and_never_give_a_wrong_option(tmp_path):
    """1 国有, 2 私营, 3 其他 map by label (our 1, 3, 6); 4, labelled with no label of ours,
    would be our... nothing: it stays unknown; 3 labelled '其它单位' where our 3 is 私营 is not
    taken for 私营."""
    frame = pd.DataFrame({"workplace": [1.0, 2, 3, 99, 4], "birth_year": [1980.0] * 5})
    done = _sav(tmp_path / "a.sav", frame, variable_value_labels={
        "workplace": {1: "国有", 2: "私营", 3: "其他", 99: "拒答", 4: "外资"}})
    assert codes(done.responses.frame["workplace"]) == [1, 3, 6, 99, 4]
    assert sorted(done.validation.table["value"].astype(str)) == ["4", "99"]
    frame["workplace"] = [1.0, 3, 3, 1, 1]
    done = _sav(tmp_path / "b.sav", frame, variable_value_labels={
        "workplace": {1: "国有", 3: "其它单位"}})
    assert codes(done.responses.frame["workplace"]) == [1, "3「其它单位」", "3「其它单位」", 1, 1]
    assert (done.validation.table["code"] == "unknown-code").sum() == 2


def test_user_missing_ranges_and_renamed_columns_are_missing_answers(tmp_path):
    frame = pd.DataFrame({"Workplace": [1.0, 97, 98, 99, 3], "birth_year": [1980.0] * 5})
    done = _sav(tmp_path / "r.sav", frame, missing_ranges={"Workplace": [{"lo": 97, "hi": 99}]})
    assert codes(done.responses.frame["workplace"]) == [1, None, None, None, 3]
    assert (done.responses.missing["workplace"] == EMPTY).sum() == 3
    assert done.validation.table.empty


def test_stata_letters_in_columns_matched_by_case_are_missing_answers(tmp_path):
    import pyreadstat

    frame = pd.DataFrame({"Birth_Year": pd.Series([1980.0, "r", 1990.0], dtype=object),
                          "Workplace": pd.Series([1.0, 3.0, "r"], dtype=object)})
    pyreadstat.write_dta(frame, str(tmp_path / "l.dta"),
                         missing_user_values={"Birth_Year": ["r"], "Workplace": ["r"]})
    done = survey.import_export(tmp_path / "l.dta", statistical.small())
    assert codes(done.responses.frame["birth_year"]) == [1980, None, 1990]
    assert codes(done.responses.frame["workplace"]) == [1, 3, None]
    assert "unknown-code" not in set(done.validation.table["code"])


def test_an_mr_set_keeps_variables_it_cannot_place_and_falls_back_to_order_only_alone(tmp_path):
    from survey.writers.spss_mrsets import MRSet, add_mrsets

    frame = pd.DataFrame({"birth_year": [1980.0, 1990], "e1": [1.0, 0], "e2": [0.0, 1],
                          "e3": [1.0, 1], "e4": [1.0, 1]})
    path = tmp_path / "m.sav"
    import pyreadstat

    pyreadstat.write_sav(frame, str(path), column_labels={
        "e1": "Unemployment", "e2": "Pension", "e3": "Work injury", "e4": "Medical"})
    add_mrsets(path, [MRSet("insurance", "ins", ("e1", "e2", "e3", "e4"))])
    done = survey.import_export(path, statistical.small())
    f = done.responses.frame
    assert codes(f["insurance__pension"]) == [0, 1] and codes(f["insurance__injury"]) == [1, 1]
    assert set(done.match.unused) == {"e1", "e4"}
    assert "e1, e4 match no option and are kept" in done.match.notes[0]


def test_a_multi_question_written_as_one_joined_column_is_read(tmp_path):
    path = tmp_path / "j.csv"
    pd.DataFrame({"birth_year": [1980, 1990, 1985],
                  "insurance": ["pension injury", "都没有", "pension bogus"],
                  "concerns": ["工资收入┋医疗", "housing", ""]}).to_csv(path, index=False)
    done = survey.import_export(path, statistical.small())
    f = done.responses.frame
    assert codes(f["insurance__pension"]) == [1, 0, 1] and codes(f["insurance__none"]) == [0, 1, 0]
    assert codes(f["concerns__medical"]) == [2, 0, None]  # rank order kept
    assert any("not options of it: bogus" in n for n in done.match.notes)


def test_stata_reserved_words_and_label_line_breaks_do_not_break_the_writers(tmp_path):
    import pyreadstat

    responses = simulated(seed=3)
    frame = responses.frame.assign(long=1.0, int="x", _n=2.0)
    data = dataclasses.replace(responses, frame=frame)
    survey.write(data, tmp_path / "r.dta")
    back, _ = pyreadstat.read_dta(str(tmp_path / "r.dta"))
    assert {"vlong", "vint", "v_n"} <= set(back.columns)
    q = statistical.small()
    label = {"zh": "参加的\n保险", "en": "Insurance\nheld"}
    q = q.model_copy(update={"questions": [
        item.model_copy(update={"label": label}) if item.name == "insurance" else item
        for item in q.questions]})
    survey.write(dataclasses.replace(responses, questionnaire=q), tmp_path / "l.sav")
    _, meta = pyreadstat.read_sav(str(tmp_path / "l.sav"), metadataonly=True)
    assert meta.mr_sets["insurance"]["label"] == "参加的 保险"
