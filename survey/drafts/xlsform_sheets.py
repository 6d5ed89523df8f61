"""An XLSForm's sheets as read by pyxform's own reader: rows, languages, and groups as a tree.

Labels come in one column per language (`label::中文 (zh)`, `label::English (en)`,
`label::English`) and maybe a plain `label` for the default language. A language is known by the
code in parentheses, else by its name (English, 中文, Français, ...); `--lang` says what a plain
`label` is written in when the form does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from survey.drafts.draft import Label
from survey.drafts.names import slug
from survey.errors import InputError
from survey.forms.common import LANGUAGE_NAMES

Row = dict[str, str]
LABELLED = ("label", "hint", "constraint_message", "guidance_hint", "required_message")
NAMED_LANGUAGES = {name.lower(): code for code, name in LANGUAGE_NAMES.items()} | {
    "english": "en", "chinese": "zh", "中文": "zh", "简体中文": "zh", "汉语": "zh",
    "french": "fr", "spanish": "es", "german": "de", "russian": "ru", "arabic": "ar",
    "portuguese": "pt", "japanese": "ja", "korean": "ko", "vietnamese": "vi", "tibetan": "bo",
    "uyghur": "ug", "mongolian": "mn", "default": ""}
_CODE = re.compile(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\)\s*$")
_CJK = re.compile(r"[\u3400-\u9fff]")


class XLSFormError(InputError):
    """A workbook that is not an XLSForm pyxform can read."""

    code = "bad-xlsform"


def language_code(name: str) -> str:
    """`中文 (zh)` is zh, `English` is en; an unknown name becomes a code of its letters."""
    if match := _CODE.search(name):
        return match.group(1).lower() if "-" not in match.group(1) else match.group(1)
    known = NAMED_LANGUAGES.get(name.strip().lower())
    if known is not None:
        return known
    return (slug(name).replace("_", "")[:3] or "xx") if name.strip() else ""


def guess_language(texts: list[str]) -> str:
    """zh when the texts are written in Chinese characters, en otherwise."""
    return "zh" if any(_CJK.search(t) for t in texts) else "en"


@dataclass
class Node:
    """A survey row, or a group or repeat with the rows inside it."""

    row: Row
    children: list[Node] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.row.get("type", "").split()[0] if self.row.get("type") else ""

    @property
    def name(self) -> str:
        return self.row.get("name", "")


@dataclass
class Sheets:
    """The rows of the survey, choices and settings sheets, and the languages of their texts."""

    survey: list[Row]
    choices: list[Row]
    settings: Row
    languages: list[str]  # codes, the default first
    columns: dict[str, str]  # "中文 (zh)" or "" (plain column) -> code

    def text(self, row: Row, column: str) -> Label:
        """A row's text in every language it is written in ({} when it has none)."""
        found: Label = {}
        for suffix, code in self.columns.items():
            value = row.get(f"{column}::{suffix}" if suffix else column)
            if value is not None and str(value).strip():
                found.setdefault(code, str(value).strip())
        return found

    def tree(self) -> list[Node]:
        """The survey rows with groups and repeats holding their rows."""
        root = Node({})
        stack = [root]
        for row in self.survey:
            kind = (row.get("type") or "").strip().lower().replace(" ", "_")
            if kind in ("begin_group", "begin_repeat"):
                node = Node(row)
                stack[-1].children.append(node)
                stack.append(node)
            elif kind in ("end_group", "end_repeat"):
                if len(stack) > 1:
                    stack.pop()
            elif row.get("type"):
                stack[-1].children.append(Node(row))
        return root.children


def _languages(rows: list[Row], settings: Row, lang: str | None
               ) -> tuple[list[str], dict[str, str]]:
    """The languages (default first) and the code of each label column suffix ("" for a plain
    `label`, or `label::default`, which are in `lang`, the form's default or what they look)."""
    suffixes = dict.fromkeys(key.split("::", 1)[1] for row in rows for key in row
                             if "::" in key and key.split("::", 1)[0] in LABELLED)
    columns = {suffix: language_code(suffix) for suffix in suffixes}
    default = language_code(settings.get("default_language") or "")
    plain = [str(row[c]) for row in rows for c in LABELLED if row.get(c)]
    plain += [str(v) for row in rows for k, v in row.items() if k.endswith("::default") and v]
    for suffix in [s for s, code in columns.items() if not code]:
        columns[suffix] = lang or default or guess_language(plain)
    if plain:
        columns[""] = lang or default or guess_language(plain)
    languages = [code for code in dict.fromkeys([default, *columns.values()]) if code]
    return languages or [lang or guess_language(plain)], columns


def read_sheets(path: Path, lang: str | None = None) -> Sheets:
    """Read an XLSForm (.xlsx, .xls) with pyxform's reader."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json_backends import get_xlsform

    try:
        data = get_xlsform(str(path))
    except (PyXFormError, ValueError, OSError) as error:
        raise XLSFormError(f"{path}: not an XLSForm pyxform can read ({error}); an XLSForm has a "
                           "'survey' sheet with 'type' and 'name' columns") from None
    survey = [dict(r) for r in data.survey or []]
    if not survey or not any("type" in row for row in survey):
        raise XLSFormError(f"{path}: the 'survey' sheet has no rows with a 'type' column; "
                           "is this an XLSForm?")
    settings = dict((data.settings or [{}])[0])
    choices = [dict(r) for r in data.choices or []]
    languages, columns = _languages(survey + choices, settings, lang)
    return Sheets(survey, choices, settings, languages, columns)
