"""A questionnaire drafted from an XLSForm (KoboToolbox, ODK, SurveyCTO).

Types: select_one (with `likert` appearance: a scale), select_multiple, rank, integer, decimal,
range, text, date, note; calculate rows become derived variables. A `field-list` group of
select_one rows sharing a list is a grid; other groups are flattened (their relevant joins their
questions', their label becomes a note). Our own XLSForm's shapes come back as they were written:
a rank's `__pick` step, the `<q>__<code>_text` row of an "other" option. Everything that cannot
be carried over (repeats, attachments, choice filters, XPath our expressions cannot say) is
said, beside the question and on the terminal.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from survey.drafts.draft import Draft, DraftQuestion, Label
from survey.drafts.names import Names, slug
from survey.drafts.xlsform_logic import calculation, lift_constraint
from survey.drafts.xlsform_sheets import Node, Row, Sheets, read_sheets
from survey.expressions.from_xpath import Untranslatable, translate
from survey.questionnaire.columns import text_column

META = {"start", "end", "today", "deviceid", "phonenumber", "username", "email", "simserial",
        "subscriberid", "audit", "start-geopoint", "background-geopoint", "instanceid"}
NUMBER = {"integer": True, "decimal": False, "range": False}
ATTACHMENTS = {"image", "audio", "video", "file", "background-audio"}
SELECTS = {"select_one": "single", "select_multiple": "multi", "rank": "rank"}
DONT_KNOW = re.compile(r"不知道|不清楚|说不清|说不清楚|不好说|说不好|不确定|don'?t know|"
                       r"do not know|not sure|hard to say|dk", re.I)
_PARTS = re.compile(r"\s*[/／、|;；]\s*")
_OTHER = re.compile(r"^selected\(\s*\$\{(?P<q>[^}]+)\}\s*,\s*'(?P<code>[^']+)'\s*\)$")


def _yes(value: object) -> bool:
    return str(value or "").strip().lower() in ("yes", "true", "true()", "1")


class _Form:
    def __init__(self, sheets: Sheets, origin: str) -> None:
        self.sheets = sheets
        settings = sheets.settings
        title = self.label({"": settings.get("form_title") or Path(origin).stem})
        self.draft = Draft(origin=origin, id=self._id(settings, origin), title=title,
                           languages=sheets.languages, version=str(settings.get("version") or 1))
        self.names = Names()
        self.renamed: dict[str, str] = {}
        self.lists: dict[str, dict[Any, Label]] = {}
        self.list_of: dict[str, str] = {}  # question -> the form's list it takes its options from
        for row in sheets.choices:
            if row.get("list_name") and row.get("name") not in (None, ""):
                code = _code(row["name"])
                self.lists.setdefault(str(row["list_name"]), {})[code] = self.label(
                    sheets.text(row, "label") or {"": str(row["name"])})

    @staticmethod
    def _id(settings: Row, origin: str) -> str:
        base = slug(str(settings.get("form_id") or Path(origin).stem)) or "survey"
        return base if base[0].isalpha() else f"s_{base}"

    def label(self, text: Label, fallback: str | None = None) -> Label:
        """A text in every language of the draft, filled from another where one is missing."""
        text = {(k or self.draft_language()): v for k, v in text.items()} if text else {}
        if not text:
            text = {self.draft_language(): fallback or "?"}
        first = next(iter(text.values()))
        return {lang: text.get(lang, first) for lang in self.sheets.languages}

    def draft_language(self) -> str:
        return self.sheets.languages[0]

    # names

    def name_all(self, nodes: list[Node]) -> None:
        """Give every row a name first: expressions may name a later calculate."""
        for node in nodes:
            if node.name and node.kind not in META and node.name not in self.renamed:
                if not node.name.endswith("__pick"):
                    self.renamed[node.name] = self.names.claim(slug(node.name) or "q")
            self.name_all(node.children)

    def expression(self, text: str, question: DraftQuestion, what: str) -> str | None:
        try:
            return translate(text, question.name, self.renamed)
        except Untranslatable as why:
            self.draft.note(f"{what} not carried over: {text} ({why})", question)
            return None

    # rows

    def walk(self, nodes: list[Node], relevant: list[str]) -> None:
        index = 0
        while index < len(nodes):
            node = nodes[index]
            following = nodes[index + 1] if index + 1 < len(nodes) else None
            if node.name.endswith("__pick") and following is not None \
                    and following.kind == "rank" and following.name == node.name[:-6]:
                self.rank_in_two_steps(node, following, relevant)
                index += 2
                continue
            self.node(node, relevant)
            index += 1

    def node(self, node: Node, relevant: list[str]) -> None:
        kind = node.kind.lower()
        if kind in META or not kind:
            return
        if kind == "begin_repeat":
            names = ", ".join(child.name for child in node.children)
            self.draft.note(f"repeat group {node.name} ({names}) is not carried over: its answers "
                            "are one row per repetition, which the questionnaire does not hold")
            return
        if kind == "begin_group":
            return self.group(node, relevant)
        if kind == "calculate":
            return self.derived(node.row)
        if self.other_text(node.row):
            return
        self.question(node.row, relevant)

    def group(self, node: Node, relevant: list[str]) -> None:
        own = self.draft_relevant(node.row.get("relevant"), node.name)
        if self.grid(node, relevant + own):
            return
        label = self.sheets.text(node.row, "label")
        if label:
            self.append(DraftQuestion(self.renamed[node.name], "note", self.label(label)),
                        node.row, relevant + own)
        self.walk(node.children, relevant + own)

    def draft_relevant(self, text: str | None, where: str) -> list[str]:
        if not text:
            return []
        try:
            return [translate(text, None, self.renamed)]
        except Untranslatable as why:
            self.draft.note(f"the relevant of {where} is not carried over: {text} ({why})")
            return []

    def grid(self, node: Node, relevant: list[str]) -> bool:
        rows = [child.row for child in node.children]
        lists = {str(row.get("type", "")).split()[-1] for row in rows}
        if "field-list" not in str(node.row.get("appearance", "")) or len(rows) < 2 \
                or len(lists) != 1 or any(child.children or child.kind != "select_one"
                                          for child in node.children):
            return False
        list_name = lists.pop()
        options = self.options(list_name)
        self.list_of[self.renamed[node.name]] = list_name
        items = [{"name": self.renamed[row["name"]],
                  "label": self.label(self.sheets.text(row, "label"), row["name"])}
                 for row in rows]
        question = DraftQuestion(self.renamed[node.name], "grid",
                                 self.label(self.sheets.text(node.row, "label"), node.name),
                                 {"options": options, "items": items})
        self.guess_dont_know(question)
        self.append(question, {"required": rows[0].get("required")}, relevant)
        return True

    def options(self, list_name: str) -> dict[Any, Label]:
        return dict(self.lists.get(list_name, {}))

    def question(self, row: Row, relevant: list[str]) -> None:
        words = str(row.get("type", "")).split()
        kind, name = words[0].lower(), self.renamed[row["name"]]
        label = self.label(self.sheets.text(row, "label"), row["name"])
        question = DraftQuestion(name, "text", label)
        if kind in SELECTS and len(words) > 1:
            question.type = SELECTS[kind]
            if question.type == "single" and "likert" in str(row.get("appearance", "")):
                question.type = "scale"
            question.keys["options"] = self.options(words[1])
            self.list_of[name] = words[1]
            if "or_other" in words[2:]:
                question.keys["options"]["other"] = self.label({"en": "Other", "zh": "其他"})
                question.keys["other"] = "other"
            if row.get("choice_filter"):
                self.draft.note(f"its choice filter is not carried over: "
                                f"{row['choice_filter']}", question)
            self.guess_dont_know(question)
        elif kind in NUMBER:
            question.type = "number"
            question.keys["integer"] = NUMBER[kind]
        elif kind in ("date", "note"):
            question.type = kind
        elif kind != "text":
            what = "an attachment (its file name)" if kind in ATTACHMENTS else f"a {kind} answer"
            self.draft.note(f"{what} in the form; kept as text", question)
        self.append(question, row, relevant)

    def append(self, question: DraftQuestion, row: Row, relevant: list[str]) -> None:
        own = self.draft_relevant(row.get("relevant"), question.name) if row.get("type") else []
        parts = relevant + own
        if parts:
            question.keys["relevant"] = " and ".join(
                f"({p})" if len(parts) > 1 and " or " in p else p for p in parts)
        if _yes(row.get("required")) and question.type != "note":
            question.keys["required"] = True
        if hint := self.sheets.text(row, "hint"):
            question.keys["hint"] = self.label(hint)
        if row.get("constraint"):
            self.constraint(question, row)
        self.draft.questions.append(question)

    def constraint(self, question: DraftQuestion, row: Row) -> None:
        kind = {"multi": "set", "rank": "set"}.get(question.type, question.type)
        lifted = lift_constraint(str(row["constraint"]), kind, question.name, self.renamed)
        question.keys.update(lifted.keys)
        if lifted.rest:
            question.keys["constraint"] = " and ".join(lifted.rest)
            if message := self.sheets.text(row, "constraint_message"):
                question.keys["constraint_message"] = self.label(message)
        for text in lifted.lost:
            self.draft.note(f"constraint not carried over: {text}", question)

    def rank_in_two_steps(self, pick: Node, rank: Node, relevant: list[str]) -> None:
        """Our XLSForm's rank with fewer places than options: pick, then order the picked."""
        words = str(rank.row.get("type", "")).split()
        question = DraftQuestion(self.renamed[rank.name], "rank",
                                 self.label(self.sheets.text(pick.row, "label"), rank.name),
                                 {"options": self.options(words[1])})
        self.list_of[question.name] = words[1]
        self.append(question, {**pick.row, "type": "rank"}, relevant)

    def other_text(self, row: Row) -> bool:
        """Our `<q>__<code>_text` row: the free text of option `code`, not a question."""
        match = _OTHER.match(str(row.get("relevant") or "").strip())
        if str(row.get("type", "")).strip() != "text" or not match:
            return False
        question = next((q for q in self.draft.questions
                         if q.name == self.renamed.get(match["q"])), None)
        code = _code(match["code"])
        if question is None or code not in question.codes() \
                or row["name"] != text_column(match["q"], code):
            return False
        question.keys["other"] = code
        return True

    def guess_dont_know(self, question: DraftQuestion) -> None:
        for code, text in question.keys.get("options", {}).items():
            parts = [part.strip(" .。()（）") for value in text.values()
                     for part in _PARTS.split(value)]
            if any(DONT_KNOW.fullmatch(part) for part in parts):
                question.keys["dont_know"] = code
                self.draft.note(f"option {code} taken as \"don't know\" from its label",
                                question)
                return

    def derived(self, row: Row) -> None:
        name = self.renamed[row["name"]]
        text = str(row.get("calculation") or "")
        try:
            keys = calculation(text, self.renamed)
        except Untranslatable as why:
            self.draft.note(f"calculation {row['name']} is not carried over: {text} ({why})")
            return
        item: dict[str, Any] = {"name": name,
                                "label": self.label(self.sheets.text(row, "label"), name),
                                **keys}
        if "options" in keys:
            item["options"] = {code: self.label({"": str(code)}) for code in keys["options"]}
            item["remarks"] = ["the form gives no labels for these values: write them"]
        self.draft.derived.append(item)


def _code(value: object) -> int | str:
    """A choice name as a code: '7' (or 7.0 from a spreadsheet cell) is 7; '07' stays text."""
    text = str(value).strip()
    if re.fullmatch(r"-?\d+\.0", text):
        text = text[:-2]
    return int(text) if re.fullmatch(r"-?(0|[1-9]\d*)", text) else text


def draft_xlsform(path: Path, lang: str | None = None) -> Draft:
    """A draft of the questionnaire an XLSForm describes."""
    sheets = read_sheets(path, lang)
    form = _Form(sheets, path.name)
    tree = sheets.tree()
    form.name_all(tree)
    form.walk(tree, [])
    _share_lists(form.draft, form.list_of)
    return form.draft


def draft_xlsform_files(paths: list[Path], lang: str | None = None) -> Draft:
    return draft_xlsform(paths[0], lang)


def _share_lists(draft: Draft, list_of: dict[str, str]) -> None:
    """A choice list of the form that more than one question uses stays one choice list."""
    users: dict[str, list[DraftQuestion]] = {}
    for question in draft.questions:
        if question.name in list_of:
            users.setdefault(list_of[question.name], []).append(question)
    names = Names()
    for list_name, questions in users.items():
        first = questions[0].keys["options"]
        if len(questions) < 2 or any(q.keys["options"] != first for q in questions):
            continue  # an `or_other` list differs from the form's list
        shared = names.claim(slug(list_name) or "options")
        draft.choice_lists[shared] = questions[0].keys["options"]
        for question in questions:
            question.keys["options"] = shared
