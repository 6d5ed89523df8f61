"""One Qualtrics question (an `SQ` element's Payload) drafted as our questions, with the export
columns each one is read from.

| Qualtrics | ours | export columns |
|---|---|---|
| MC SAVR, SAHR, SACOL, DL, SB | single | `Q5`; `Q5_<code>_TEXT` (or `Q5_TEXT`) an other text |
| MC NPS | scale 0..10 | `Q5`; `Q5_NPS_GROUP` left unmapped |
| MC MAVR, MAHR, MACOL, MSB | multi | `Q5_<code>` (1 or empty), or `Q5` joined; `Q5_<code>_TEXT` |
| Matrix Likert SingleAnswer, DL | grid | `Q5_<row id>`; `Q5_<row tag>` or `<row tag>` |
| Matrix Likert MultipleAnswer | a multi per row | `Q5_<row id>_<code>` |
| RO | rank (of every choice) | `Q5_<code>` (its place) |
| TE SL, ML, ESTB | text, or number when validated as one | `Q5` |
| TE FORM | a text per field | `Q5_<field id>` |
| Slider, CS | a number per choice | `Q5_<choice id>` |
| DB | note | none |
| Timing, Meta, FileUpload, Draw | dropped | `Q5_First Click` ... left unmapped |

Codes are the choices' recode values (what a numeric export holds and what the export tags of a
multi's columns end in, [I] for a rank's), else the choice ids. Everything else is dropped with a
note. The columns are written as mapping entries where their names are not the variable's.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from survey.drafts.draft import Code, Draft, DraftQuestion, Label
from survey.drafts.names import Names, slug
from survey.drafts.qualtrics_logic import Target
from survey.drafts.qualtrics_text import Texts
from survey.drafts.statistical_blocks import is_dont_know

SINGLE = {"SAVR", "SAHR", "SACOL", "DL", "SB", "NPS"}
MULTI = {"MAVR", "MAHR", "MACOL", "MSB"}
GRID = {"SingleAnswer", "DL"}
DROPPED = {"Timing": ("First Click", "Last Click", "Page Submit", "Click Count"),
           "Meta": ("Browser", "Version", "Operating System", "Resolution"),
           "FileUpload": ("Id", "Name", "Size", "Type"), "Draw": ("Id", "Name", "Size", "Type")}
_INTEGER = re.compile(r"-?(0|[1-9]\d*)")


def _yes(value: object) -> bool:
    return str(value).strip().lower() in ("true", "1", "on", "yes")


def _order(payload: dict[str, Any], part: str) -> list[str]:
    """The ids of a question's choices (or answers) in the order they are shown."""
    entries = payload.get(part) if isinstance(payload.get(part), dict) else {}
    order = payload.get("ChoiceOrder" if part == "Choices" else "AnswerOrder") or list(entries)
    return [str(i) for i in dict.fromkeys(str(i) for i in order) if str(i) in entries]


@dataclass
class Choices:
    """A question's choices (or a matrix's answers): ids in order, their codes and labels, and
    the ids that take a typed text or exclude every other."""

    ids: list[str]
    codes: dict[str, Code]
    labels: dict[str, Label]
    texts: list[str] = field(default_factory=list)
    exclusive: list[str] = field(default_factory=list)

    def options(self) -> dict[Code, Label]:
        return {self.codes[i]: self.labels[i] for i in self.ids}


class QuestionReader:
    """Drafts each question into `draft`, naming it with `names`, its texts from `texts`; the
    questions that logic may name later are kept as `targets` by QID."""

    def __init__(self, draft: Draft, texts: Texts, tags: Counter[str]) -> None:
        self.draft, self.texts, self.tags = draft, texts, tags
        self.names = Names()
        self.targets: dict[str, Target] = {}
        self.position = 0

    # choices

    def choices(self, payload: dict[str, Any], part: str = "Choices",
                coded: bool = True) -> Choices:
        """The choices (or a matrix's answers), coded by their recode values; a matrix's rows
        and a form's or slider's fields (`coded` false) by their ids."""
        ids = _order(payload, part)
        entries = {i: e if isinstance(e := payload[part][i], dict) else {} for i in ids}
        labels = {i: self.texts.choice(payload, i, i, part) for i in ids}
        codes = self.codes(payload, ids) if coded else {
            i: int(i) if _INTEGER.fullmatch(i) else i for i in ids}
        found = Choices(ids, codes, labels)
        found.texts = [i for i in ids if _yes(entries[i].get("TextEntry"))]
        found.exclusive = [i for i in ids if _yes(entries[i].get("ExclusiveAnswer"))]
        return found

    def codes(self, payload: dict[str, Any], ids: list[str]) -> dict[str, Code]:
        """The recode values of a question's choices (a matrix's: of its answers) as codes;
        the choice ids where they are missing, not integers, or not one per choice."""
        recodes = payload.get("RecodeValues") if isinstance(payload.get("RecodeValues"),
                                                             dict) else {}
        raw = {i: str(recodes.get(i, i)).strip() for i in ids}
        if all(_INTEGER.fullmatch(v) for v in raw.values()) \
                and len(set(raw.values())) == len(raw):
            return {i: int(v) for i, v in raw.items()}
        self.draft.note(f"{self.tag(payload)}: its recode values ({', '.join(raw.values())}) "
                        "are not one integer per choice; the codes are the choice ids, which a "
                        "numeric export does not hold: set the recode values and export again")
        return {i: int(i) if _INTEGER.fullmatch(i) else i for i in ids}

    # questions

    @staticmethod
    def tag(payload: dict[str, Any]) -> str:
        """The question's export tag (Q5 unless its owner renamed it)."""
        qid = str(payload.get("QuestionID") or "")
        return str(payload.get("DataExportTag") or qid.replace("QID", "Q", 1) or "Q")

    def new(self, payload: dict[str, Any], kind: str, label: Label | None = None,
            part: str | None = None) -> DraftQuestion:
        tag = self.tag(payload)
        label = label or self.texts.question(payload, tag)
        source = tag if part is None else f"{tag}_{part}"
        self.position += 1
        name = self.names.readable(source, self.texts.english(label), self.position)
        return DraftQuestion(name, kind, label, source=source)

    @staticmethod
    def map(question: DraftQuestion, column: str, target: str) -> None:
        """A mapping entry, unless the column's name is the variable's."""
        if column != target:
            question.columns[column] = target

    def read(self, payload: dict[str, Any]) -> list[DraftQuestion]:
        """The questions drafted from one payload (none for a dropped one, with a note), with
        their limits and what could not be carried over said beside them."""
        found = self.kind_of(payload)
        if not found:
            return found
        tag = self.tag(payload)
        if self.tags[tag] > 1:
            for question in found:
                question.columns.clear()
            self.draft.note(f"{self.tags[tag]} questions have the export tag {tag}: only their "
                            "QIDs tell their columns apart; name them in a mapping file",
                            found[0])
        settings = (payload.get("Validation") or {}).get("Settings") or {}
        if found[0].type == "multi":
            limits(found[0], settings)
        choices = payload.get("Choices") if isinstance(payload.get("Choices"), dict) else {}
        if any(isinstance(c, dict) and c.get("DisplayLogic") for c in choices.values()):
            self.draft.note("some choices are shown only under a condition; all are kept",
                            found[0])
        if payload.get("DynamicChoices"):
            self.draft.note("its choices are carried forward from another question: check "
                            "their codes against an export", found[0])
        self.draft.questions.extend(found)
        return found

    def kind_of(self, payload: dict[str, Any]) -> list[DraftQuestion]:
        kind, selector = payload.get("QuestionType"), payload.get("Selector")
        sub = payload.get("SubSelector")
        if kind in ("MC", "Matrix", "RO") and not (
                _order(payload, "Choices") and (kind != "Matrix" or _order(payload, "Answers"))):
            self.draft.note(f"{self.tag(payload)} has no choices to answer with: left out")
            return []
        if kind == "MC" and selector in SINGLE | MULTI:
            return [self.choice(payload, "multi" if selector in MULTI else "single")]
        if kind == "Matrix" and selector == "Likert" and sub in GRID:
            return [self.grid(payload)]
        if kind == "Matrix" and selector == "Likert" and sub == "MultipleAnswer":
            return self.rows_as_multi(payload)
        if kind == "RO":
            return [self.choice(payload, "rank")]
        if kind == "TE" and selector == "FORM":
            return self.per_choice(payload, "text")
        if kind == "TE":
            return [self.text(payload)]
        if kind in ("Slider", "CS"):
            return self.per_choice(payload, "number")
        if kind == "DB":  # no column, except in some 2016 exports: kept unmapped
            note = self.new(payload, "note")
            note.source = None
            self.draft.extra_columns.setdefault(self.tag(payload), None)
            return [note]
        self.drop(payload)
        return []

    def drop(self, payload: dict[str, Any]) -> None:
        """A question left out, said; the columns it may have are kept unmapped, so that no
        reader takes `Q7_2` for the 7th question's option 2 [I]."""
        tag, kind = self.tag(payload), payload.get("QuestionType")
        what = "/".join(str(p) for p in (kind, payload.get("Selector"), payload.get(
            "SubSelector")) if p)
        if kind in DROPPED:
            columns = [f"{tag}_{suffix}" for suffix in DROPPED[kind]]
            self.draft.extra_columns.update(dict.fromkeys(columns))
            self.draft.note(f"{tag} ({what}) is not a question: its columns "
                            f"{', '.join(columns)} are kept unmapped")
            return
        if kind != "SBS":  # a side-by-side's columns are Q5#1_1: no question's
            columns = [tag, *(f"{tag}_{i}" for i in _order(payload, "Choices"))]
            self.draft.extra_columns.update(dict.fromkeys(columns))
        self.draft.note(f"{tag} ({what}) is a kind of question the questionnaire cannot hold; "
                        "it is left out, and its columns in an export are kept unmapped")

    def choice(self, payload: dict[str, Any], kind: str) -> DraftQuestion:
        """A single, multi or rank question; an NPS question is a 0..10 scale."""
        tag, choices = self.tag(payload), self.choices(payload)
        is_nps = payload.get("Selector") == "NPS"
        question = self.new(payload, "scale" if is_nps else kind)
        name = question.name
        question.keys["options"] = choices.options()
        if kind != "rank":  # a multi's one column when the export joins its choices
            self.map(question, tag, name)
        else:
            question.source = None
        if kind != "single":
            for i in choices.ids:
                self.map(question, f"{tag}_{choices.codes[i]}", f"{name}[{choices.codes[i]}]")
        if is_nps:
            self.draft.extra_columns[f"{tag}_NPS_GROUP"] = None
            self.draft.note(f"its column {tag}_NPS_GROUP (promoter, passive, detractor) is left "
                            "unmapped: derive it from the answer", question)
        self.other(question, choices, tag)
        if kind == "multi" and choices.exclusive:
            question.keys["exclusive"] = [choices.codes[i] for i in choices.exclusive]
        if kind == "rank":
            question.keys["max_choices"] = len(choices.ids)
        self.guess_dont_know(question)
        self.values(question, payload, choices)
        self.targets[str(payload.get("QuestionID"))] = Target(name, question.type, choices.codes)
        return question

    def other(self, question: DraftQuestion, choices: Choices, tag: str) -> None:
        """The first choice that takes a typed text is the question's `other`; the text of any
        later one is left unmapped."""
        for n, i in enumerate(choices.texts):
            code, column = choices.codes[i], f"{tag}_{choices.codes[i]}_TEXT"
            if n:
                self.draft.extra_columns[column] = None
                self.draft.note(f"choice {code} takes a typed text too; only one option can: "
                                f"its column {column} is left unmapped", question)
                continue
            question.keys["other"] = code
            single = question.type in ("single", "scale")
            layout = f"{question.name}[{code}]" if single else f"{question.name}__{code}_text"
            self.map(question, column, layout)
            if single and len(choices.texts) == 1:  # as 2016-17 exports name it
                self.map(question, f"{tag}_TEXT", layout)
            elif single:
                self.draft.extra_columns[f"{tag}_TEXT"] = None

    def guess_dont_know(self, question: DraftQuestion) -> None:
        """The option labelled "don't know" (说不清, 不知道 ...) is the question's `dont_know`."""
        for code, label in question.keys["options"].items():
            if any(is_dont_know(text) for text in label.values()):
                question.keys["dont_know"] = code
                self.draft.note(f"option {code} taken as \"don't know\" from its label", question)
                return

    def values(self, question: DraftQuestion, payload: dict[str, Any], choices: Choices) -> None:
        """A choice-text export writes a choice's variable name where it has one: mapped to its
        code (single choice), or said (other kinds)."""
        naming = payload.get("VariableNaming")
        if not isinstance(naming, dict):
            return
        renamed = {str(naming[i]).strip(): choices.codes[i] for i in choices.ids
                   if str(naming.get(i) or "").strip()
                   and str(naming[i]).strip() not in choices.labels[i].values()}
        if renamed and question.type in ("single", "scale"):
            self.draft.values[question.name] = renamed
        elif renamed:
            self.draft.note("its choices have variable names other than their texts; export "
                            "numeric values, or map the names in a mapping file", question)

    def grid(self, payload: dict[str, Any]) -> DraftQuestion:
        """A matrix of single answers: items named after the grid and the row ids."""
        tag, rows, answers = self.tag(payload), self.choices(payload, coded=False), \
            self.choices(payload, "Answers")
        grid = self.new(payload, "grid")
        grid.source = None
        grid.keys["options"] = answers.options()
        items, by_row = [], {}
        for i in rows.ids:
            item = self.names.claim(f"{grid.name[:28].rstrip('_')}_{slug(i) or len(items) + 1}")
            items.append({"name": item, "label": rows.labels[i]})
            by_row[i] = item
            for column in row_columns(payload, tag, i):
                self.map(grid, column, item)
        grid.keys["items"] = items
        for i in rows.texts:
            texts = [f"{column}_TEXT" for column in row_columns(payload, tag, i)]
            self.draft.extra_columns.update(dict.fromkeys(texts))
            self.draft.note(f"row {i} takes a typed text, which a grid does not hold: its column "
                            f"{texts[0]} is left unmapped", grid)
        self.guess_dont_know(grid)
        self.targets[str(payload.get("QuestionID"))] = Target(grid.name, "grid", answers.codes,
                                                              by_row)
        return grid

    def _parts(self, payload: dict[str, Any]) -> tuple[str, Label, Choices]:
        """The tag, the text and the rows (or fields) of a question drafted row by row."""
        return self.tag(payload), self.texts.question(payload, self.tag(payload)), \
            self.choices(payload, coded=False)

    def rows_as_multi(self, payload: dict[str, Any]) -> list[DraftQuestion]:
        """A matrix that allows several answers per row: a multi question per row."""
        tag, label, rows = self._parts(payload)
        answers = self.choices(payload, "Answers")
        found = []
        for i in rows.ids:
            question = self.new(payload, "multi", _joined(label, rows.labels[i]), i)
            question.source = None
            question.keys["options"] = answers.options()
            for column in row_columns(payload, tag, i):
                for code in answers.codes.values():
                    self.map(question, f"{column}_{code}", f"{question.name}[{code}]")
            found.append(question)
        if found:
            self.draft.note("a matrix of several answers per row: a multi question per row",
                            found[0])
        return found

    def per_choice(self, payload: dict[str, Any], kind: str) -> list[DraftQuestion]:
        """A form's fields, a slider's or constant sum's choices: a question each."""
        tag, label, choices = self._parts(payload)
        found = []
        for i in choices.ids:
            question = self.new(payload, kind, _joined(label, choices.labels[i]), i)
            if kind == "number":
                question.keys["integer"] = False
            self.map(question, f"{tag}_{i}", question.name)
            found.append(question)
        return found

    def text(self, payload: dict[str, Any]) -> DraftQuestion:
        """A text entry; a number when Qualtrics validated it as one (its bounds and decimals)."""
        settings = (payload.get("Validation") or {}).get("Settings") or {}
        content = settings.get("ContentType") if settings.get("Type") == "ContentType" \
            else settings.get("Type")
        question = self.new(payload, "number" if content == "ValidNumber" else "text")
        if content == "ValidNumber":
            bounds = settings.get("ValidNumber") or {}
            question.keys["integer"] = str(bounds.get("NumDecimals") or "").strip() == "0"
            for key in ("Min", "Max"):
                value = str(bounds.get(key) or "").strip()
                if re.fullmatch(r"-?\d+(\.\d+)?", value):
                    question.keys[key.lower()] = float(value) if "." in value else int(value)
        elif content not in (None, "None"):
            self.draft.note(f"Qualtrics checked it as {content}; kept as text", question)
        self.map(question, self.tag(payload), question.name)
        self.targets[str(payload.get("QuestionID"))] = Target(question.name, question.type)
        return question


def row_columns(payload: dict[str, Any], tag: str, row: str) -> list[str]:
    """The export name of a matrix row: `Q5_<row id>`; for a row with its own export tag,
    `Q5_<row tag>` (2016-17 exports) and the row tag alone (newer ones, [I])."""
    own = payload.get("ChoiceDataExportTags")
    name = str(own.get(row) or "").strip() if isinstance(own, dict) else ""
    return [f"{tag}_{name}", name] if name else [f"{tag}_{row}"]


def limits(question: DraftQuestion, settings: dict[str, Any]) -> None:
    """A multi question's least and most choices, as its validation type says [I]."""
    kind = settings.get("Type")
    wanted = {"MinChoices": ("MinChoices",), "MaxChoices": ("MaxChoices",),
              "RangeChoices": ("MinChoices", "MaxChoices"),
              "ExactChoices": ("MinChoices", "MaxChoices")}.get(str(kind), ())
    count = len(question.codes())
    for key in wanted:
        value = str(settings.get(key) or "").strip()
        if value.isdigit() and (key == "MaxChoices" and int(value) < count
                                or key == "MinChoices" and int(value) > 1):
            question.keys["min_choices" if key == "MinChoices" else "max_choices"] = int(value)


def _joined(label: Label, part: Label) -> Label:
    return {lang: f"{text} - {part.get(lang, '')}".strip(" -") for lang, text in label.items()}
