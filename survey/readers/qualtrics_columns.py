"""Which questionnaire variable each Qualtrics column holds: by tag, by ImportId, or by its text.

Each column is tried in this order:

1. metadata, by tag: `StartDate` … `UserLanguage`, the legacy names of V1..V10, `Q_…` fields
   (fraud detection: `Q_RecaptchaScore`), display order (`Q5_DO`, `Q5_DO_2`, ImportId `…_DO`);
2. a variable or grid item named by the tag (`birth_year`, `insurance_2`, `workplace_6_TEXT`);
3. the tag `Q<n>` / `Q<n>_<k>` / `Q<n>_<k>_TEXT`: question number n;
4. the ImportId `QID<m>` (`QID<m>_<k>`, `"choiceId": "<k>"`, `QID<m>_<k>_TEXT`): question m;
5. the text of row 2: a question's label, `label - option label` (`label - item label`), or
   an option's free text, `label - option label - Text`.

Question numbers [I]: both `Q<n>` and `QID<m>` are read as `survey.readers.mapping.numbered`
numbers (the n-th question in questionnaire order, notes not numbered, a grid one number).
Qualtrics gives a question both when it is created, and never reuses a QID, so they are our
numbers only for a survey built in questionnaire order with no question deleted; a Text/Graphic
item (our note) takes a number too, and "Auto-number questions" renumbers the tags but not the
QIDs. A number is therefore taken only when the column's text (row 2) resembles the question's
label, counting notes in too if that is what fits; else an exact label match (5) is taken; else
the first number, with a `stem-differs` warning. `<k>` is the option's code when every code of
the question is an integer, else its 1-based position; for a grid, the item's position.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass

from survey.files.source import Problem, excerpt
from survey.questionnaire.model import Question, Questionnaire
from survey.readers.answers import option_labels
from survey.readers.export_table import ExportTable
from survey.readers.mapping import (
    ColumnMapping,
    HeaderIndex,
    HeaderKey,
    Target,
    match_columns,
    normalise,
    number_of,
    stem_resembles,
)
from survey.readers.qualtrics_header import LEGACY, Header, QuestionId

LEADING = ("StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
           "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
           "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
           "DistributionChannel", "UserLanguage")
RENAMED = {"ResponseId": "respondent_id", "RecordedDate": "submitted_at",
           "Duration (in seconds)": "duration_seconds", "ResponseID": "respondent_id"}
META = frozenset((*LEADING, *LEGACY, "LocationAccuracy"))
TEXT_TYPES = ("text", "number", "date")
_NUMBERED = re.compile(r"^Q(?P<n>\d+)(?:_(?P<k>\d+))?(?P<text>_TEXT)?$")
_NAMED = re.compile(r"^(?P<name>.+?)(?:_(?P<k>\d+))?(?P<text>_TEXT)?$")
_DISPLAY_ORDER = re.compile(r"_DO(?:_|$)")


@dataclass(frozen=True)
class Found:
    """A column's key, how it was found ("tag", "import id", "label"), and a doubt if any."""

    key: HeaderKey | None
    how: str = "tag"
    doubt: str = ""


def values_by(question: Question) -> str:
    """How a numeric export spells a question's options: by "code" when every code is an
    integer, else by 1-based "position" (what `AnswerBuilder` calls `by`)."""
    return "code" if all(isinstance(c, int) for c in question.codes) else "position"


def part_key(index: HeaderIndex, question: Question, ref: str | int, by: str, part: int | None,
             text: bool) -> HeaderKey | None:
    """The key of a question's column from its part `<k>` and `_TEXT`; None when they do not
    fit the question (no such option or item, a text column of a choice question)."""
    if part is None:
        return HeaderKey(ref, by) if not text or question.type in TEXT_TYPES else None  # type: ignore[arg-type]
    if question.type == "grid":
        if text or not 0 < part <= len(question.items):
            return None
        return HeaderKey(ref, by, question.items[part - 1].name)  # type: ignore[arg-type]
    codes = list(option_labels(index.q, question))
    if values_by(question) == "code":
        code = next((c for c in codes if str(c) == str(part)), None)
    else:
        code = codes[part - 1] if 0 < part <= len(codes) else None
    if code is None or not (question.is_set or text):
        return None
    return HeaderKey(ref, by, str(code), text=text)  # type: ignore[arg-type]


class ColumnFinder:
    """Finds each column's key as the module docstring says."""

    def __init__(self, questionnaire: Questionnaire):
        self.index = HeaderIndex(questionnaire)
        self.numbers = number_of(questionnaire)
        self.with_notes = dict(enumerate(questionnaire.questions, start=1))

    def find(self, tag: str, text: str, qid: QuestionId | None, unique: bool,
             display_order: bool) -> Found:
        if tag in META or tag in RENAMED:
            return Found(HeaderKey(meta=RENAMED.get(tag, tag)), "metadata")
        if unique and tag in self.index.by_name:
            return Found(HeaderKey(tag, "name"))
        if tag.startswith("Q_") or display_order or _DISPLAY_ORDER.search(tag):
            return Found(HeaderKey(meta=tag), "metadata")
        named = _NAMED.match(tag) if unique else None
        if named and named["name"] in self.index.by_name and named["k"] is not None:
            question, item = self.index.by_name[named["name"]]
            if item is None:
                key = part_key(self.index, question, named["name"], "name", int(named["k"]),
                               bool(named["text"]))
                if key is not None:
                    return Found(key)
        return self.by_number(tag if unique else "", text, qid)

    def by_number(self, tag: str, text: str, qid: QuestionId | None) -> Found:
        """Steps 3 to 5: numbers from the tag and the ImportId, checked against the text."""
        numbered = _NUMBERED.match(tag)
        tried: list[tuple[int, int | None, bool, str]] = []
        if numbered:
            tried.append((int(numbered["n"]), int(numbered["k"]) if numbered["k"] else None,
                          bool(numbered["text"]), "tag"))
        if qid is not None:
            tried.append((qid.number, qid.part, qid.text, "import id"))
        fitting = []
        for number, part, is_text, how in tried:
            for question in self._questions(number, text):
                key = part_key(self.index, question, self.numbers[question.name], "number",
                               part, is_text)
                if key is not None:
                    fitting.append((question, key, how, number))
        for question, key, how, _ in fitting:
            if not text or stem_resembles(text, question):
                return Found(key, how)
        labelled = self.by_label(text)
        if labelled is not None:
            return Found(labelled, "label")
        if not fitting:
            return Found(None)
        question, key, how, number = fitting[0]
        label = self.index.q.label(question.label, None)
        by = f"its ImportId QID{number}" if how == "import id" else "its tag"
        return Found(key, how, f"matched question {key.question} '{question.name}' by {by}, "
                     f"but its text differs from the label '{label}'; check the questionnaire "
                     "version, or name the column in a mapping file (docs/reference/mapping.md)")

    def _questions(self, number: int, text: str) -> list[Question]:
        """Question `number` as we number them, then counting notes in (only with a text to
        check it by)."""
        found = [self.index.by_number[number]] if number in self.index.by_number else []
        other = self.with_notes.get(number)
        if text and other is not None and other.type != "note" and other not in found:
            found.append(other)
        return found

    def by_label(self, text: str) -> HeaderKey | None:
        """A key from the column's text: a question's label, `label - option (item)`, or an
        option's free text, `label - option - Text`."""
        if not text:
            return None
        found = self.index.by_label.get(normalise(text))
        if found is not None:
            return HeaderKey(text, "label")
        stem, _, part = text.rpartition(" - ")
        is_text = part.strip() == "Text" and " - " in stem
        if is_text:
            stem, _, part = stem.rpartition(" - ")
        found = self.index.by_label.get(normalise(stem)) if stem else None
        if found is None or found[1] is not None:
            return None
        question = found[0]
        if question.type == "grid":
            fits = not is_text and self.index.item(question, part) is not None
        else:
            fits = (question.is_set or is_text) and self.index.option(question, part) is not None
        return HeaderKey(stem, "label", part, text=is_text) if fits else None


def match_qualtrics(table: ExportTable, header: Header, questionnaire: Questionnaire,
                    overrides: dict[str, Target] | None) -> ColumnMapping:
    """The column mapping of an export (see the module docstring), with its doubts as warnings;
    a located SourceError for two columns holding the same variable, or none matching at all."""
    finder = ColumnFinder(questionnaire)
    counts = Counter(header.tags)
    found = []
    for position, (tag, text) in enumerate(zip(header.tags, header.texts, strict=True)):
        import_id = header.ids[position]
        order = bool(import_id) and str(import_id["ImportId"]).endswith("_DO")
        found.append(finder.find(tag, text, header.question_id(position), counts[tag] == 1,
                                 order))
    columns = match_columns(header.tags, [f.key for f in found], questionnaire, table.file,
                            overrides)
    overrides = overrides or {}
    targets, warnings = [], []
    for position, (tag, target, how) in enumerate(zip(header.tags, columns.targets, found,
                                                      strict=True), start=1):
        if tag in overrides or target.role == "unmapped":
            targets.append(target)
            continue
        if how.how in ("import id", "label"):
            target = dataclasses.replace(target, matched_by=how.how)
        targets.append(target)
        if how.doubt:
            warnings.append(Problem(table.file, 1, position, "stem-differs",
                                    f"column {position} '{excerpt(tag)}' {how.doubt}"))
    return ColumnMapping(columns.columns, targets, columns.warnings).with_warnings(warnings)
