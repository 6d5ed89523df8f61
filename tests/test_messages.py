"""The message catalogue: both languages complete and consistent, and the only home of wording."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from survey import messages
from survey.messages import forms, tables, waves

ROOT = Path(__file__).resolve().parents[1]
AREAS = {f"{module.__name__}.{name}": area for module in (forms, tables, waves)
         for name, area in vars(module).items() if name.isupper() and isinstance(area, dict)}


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


@pytest.mark.parametrize("name", sorted(AREAS))
def test_both_languages_say_the_same_things(name):
    area = AREAS[name]
    assert set(area) == set(messages.LANGUAGES)
    assert set(area["zh"]) == set(area["en"]), f"{name}: keys differ between zh and en"
    for key in area["en"]:
        assert placeholders(area["zh"][key]) == placeholders(area["en"][key]), (name, key)


def test_chinese_variants_use_the_chinese_texts():
    assert messages.family("zh-Hant") == messages.family("zh-CN") == "zh"
    assert messages.family("en") == messages.family("fr") == messages.family(None) == "en"
    assert messages.text(tables.BANNER, "small_base", "zh-Hant", min_base=30) == \
        "* 样本量不足30：仅标注，不检验。"


def test_no_module_outside_the_catalogue_decides_the_language_itself():
    pattern = re.compile(r"""lang(uage)?\s*==\s*["']zh|\.startswith\(["']zh["']\)""")
    offenders = [f"{path.relative_to(ROOT)}:{n}"
                 for folder in ("survey", "analysis") for path in (ROOT / folder).rglob("*.py")
                 if "messages" not in path.parts
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line)]
    assert not offenders, offenders
