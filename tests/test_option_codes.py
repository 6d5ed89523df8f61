"""Option codes as XLSForm allows them (`Yes`, `E`, `mid-slope`, `v1.2`, `True`), YAML read with the
1.2 core schema (`yes:` is the text yes), and one message for a code that really is wrong."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import survey
from survey.files.source import SourceError, load_yaml
from survey.questionnaire.loader import parse_questionnaire

CODES = Path(__file__).parent / "fixtures" / "questionnaires" / "xlsform_codes.yaml"


def test_yaml_11_booleans_and_octals_are_the_text_and_numbers_written():
    value, _ = load_yaml("a: yes\nb: no\nc: on\nd: off\ne: y\nf: true\ng: 010\nh: 0o10\n"
                         "i: 1:30\nyes: 1\nTrue: 2\nNo: 3\n", "t.yaml")
    assert value == {"a": "yes", "b": "no", "c": "on", "d": "off", "e": "y", "f": True,
                     "g": 10, "h": 8, "i": "1:30", "yes": 1, "True": 2, "No": 3}


def test_the_codes_real_forms_use_are_codes():
    q = survey.load_questionnaire(CODES)
    assert q.items["consent"].codes == ["yes", "no"]
    assert q.items["slope"].codes == ["upper-slope", "mid-slope", "E", "v1.2"]
    assert q.items["flags"].codes == ["True", "False", "on", "Off-Site"]


def test_a_wrong_code_is_one_message_not_two():
    text = CODES.read_text(encoding="utf-8").replace("      E: {zh: 东", "      E W: {zh: 东")
    with pytest.raises(SourceError) as raised:
        parse_questionnaire(text, "codes.yaml")
    messages = [str(p) for p in raised.value.problems]
    assert len(messages) == 1, messages
    assert "option code 'E W' must be an integer or a name" in messages[0]
    assert messages[0].startswith(f"codes.yaml:{text[:text.index('E W')].count(chr(10)) + 1}:")


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "sav", "dta", "parquet"])
def test_such_codes_survive_every_writer_and_reader(tmp_path, suffix):
    q = survey.load_questionnaire(CODES)
    responses = survey.simulate(q, 300, seed=5)
    path = survey.write(responses, tmp_path / f"codes.{suffix}")
    back = survey.import_export(path, q).responses
    for column in ["consent", "slope", "flags__True", "flags__Off-Site", "flags__on"]:
        expected = responses.frame[column].astype(str)
        assert back.frame[column].astype(str).tolist() == expected.tolist(), column
    pd.testing.assert_frame_equal(back.missing, responses.missing, check_dtype=False)
    assert responses.frame["slope"].isin(["mid-slope", "E", "v1.2"]).any()


def test_number_and_null_keys_are_codes_as_written():
    value, _ = load_yaml("1.5: a\n1.50: b\n~: c\n", "t.yaml")
    assert value == {"1.5": "a", "1.50": "b", "~": "c"}
    text = CODES.read_text(encoding="utf-8").replace("      v1.2:", "      1.5:")
    q = parse_questionnaire(text, "codes.yaml")
    assert q.items["slope"].codes[-1] == "1.5"
