"""The web form file: self-contained, every label escaped, embedded data unable to end a script."""

from __future__ import annotations

import json
import re

import pytest
from collect_helpers import REFERENCE, SMALL

from survey.collect.app import content_security_policy
from survey.errors import UnknownLanguage
from survey.forms.html import render_html, safe_json
from survey.questionnaire.loader import load_questionnaire, parse_questionnaire

EVIL = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
HOSTILE = f"""
survey:
  id: hostile
  version: "1"
  title: {{zh: "{EVIL}", en: "T & <b>"}}
  languages: [zh, en]
questions:
  - name: q0
    type: text
    label: x
  - name: q1
    type: single
    label: "{EVIL}"
    hint: "<!-- {EVIL}"
    options:
      1: "{EVIL}"
      2: plain
  - name: q2
    type: text
    label: x
    relevant: "q1 == 1 or q0 == '</script><!--'"
"""


@pytest.fixture(scope="module")
def hostile():
    return parse_questionnaire(HOSTILE)


def test_labels_are_escaped_and_no_script_breaks_out(hostile):
    html = render_html(hostile, "zh")
    assert "<img src=x" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 2  # the JSON spec and the form's code, nothing else
    spec = json.loads(scripts[0])
    assert spec["titles"]["zh"] == EVIL
    assert "alert(1)" not in scripts[1]


def test_safe_json_round_trips():
    value = {"a": "</script><!-- & \u2028 >"}
    text = safe_json(value)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == value


@pytest.mark.parametrize("path", [SMALL, REFERENCE])
def test_self_contained_and_every_language_embedded(path):
    questionnaire = load_questionnaire(path)
    html = render_html(questionnaire, "en")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    assert '<html lang="en" data-lang="en">' in html
    for lang in questionnaire.survey.languages:
        assert f'<span class="tr" lang="{lang}">' in html
    for name in questionnaire.items:
        assert f'name="{name}"' in html
    policy = content_security_policy(html)
    assert policy.count("sha256-") == 2  # the code and the style (the JSON spec is inert)


def test_accessible_markup():
    html = render_html(load_questionnaire(SMALL), "zh")
    assert '<label class="question" for="q-birth_year">' in html
    assert re.search(r'<fieldset class="block single" id="block-workplace"', html)
    assert '<label for="q-workplace-1">' in html
    assert 'aria-describedby="error-birth_year"' in html
    assert '<tr role="radiogroup" aria-labelledby="row-identity_1">' in html
    assert '<select id="q-concerns-income"' in html and '<label for="q-concerns-income">' in html
    assert 'role="status" aria-live="polite"' in html


def test_unknown_language_is_refused():
    with pytest.raises(UnknownLanguage, match="no language 'fr'"):
        render_html(load_questionnaire(SMALL), "fr")
