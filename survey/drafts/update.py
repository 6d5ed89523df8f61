"""`survey init --update`: what the source has and the questionnaire lacks, added to the
researcher's file as text, so that every comment, order and edit of theirs stays as it is.

A drafted question is the questionnaire's when it has the same name, when the questionnaire's
`mapping:` sends the draft's source column to it, or when their labels read the same in some
language. Such a question is never touched: a label or codes that differ are reported for the
researcher to decide. New questions are appended to the end of `questions:` (their options
written out, since a choice list of the draft may not exist in the file), and the source columns
they need in `mapping: columns:`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from survey.drafts.draft import Draft, DraftQuestion, InitError
from survey.drafts.names import Names
from survey.drafts.yaml_text import INDENT, question_lines, scalar
from survey.files.encoding import read_text
from survey.questionnaire.loader import parse_questionnaire
from survey.questionnaire.model import Question, Questionnaire
from survey.readers.mapping import normalise

_TOP_KEY = re.compile(r"^[A-Za-z_]+\s*:")


@dataclass(frozen=True)
class Merged:
    text: str
    added: tuple[str, ...]
    changed: tuple[str, ...]


def _same(question: DraftQuestion, existing: Questionnaire) -> Question | None:
    """The questionnaire's question the drafted one is, if any (a grid is the questionnaire's
    when one of its items is)."""
    named = {q.name: q for q in existing.questions} | dict(existing.items)
    if question.name in named:
        return named[question.name]
    items = {item["name"] for item in question.keys.get("items", ())}
    if grid := next((q for q in existing.questions if items & {i.name for i in q.items}), None):
        return grid
    sent = existing.mapping.columns
    for column in (question.source, *question.columns):
        target = sent.get(column) if column is not None else None
        if isinstance(target, str) and target.split("[")[0] in existing.items:
            return existing.items[target.split("[")[0]]
    labels = {normalise(text) for text in question.label.values()}
    return next((q for q in existing.questions
                 if labels & {normalise(text) for text in q.label.values()}), None)


def _options(draft: Draft, question: DraftQuestion) -> dict:
    options = question.keys.get("options")
    return draft.choice_lists.get(options, {}) if isinstance(options, str) else options or {}


def _differences(draft: Draft, question: DraftQuestion, existing: Questionnaire,
                 known: Question) -> list[str]:
    """What the source says otherwise of a question the questionnaire has (never applied)."""
    found = []
    lang = next((lang for lang in question.label if lang in known.label), None)
    if lang and normalise(question.label[lang]) != normalise(known.label[lang]):
        found.append(f"{known.name}: the source's label is \"{question.label[lang]}\", the "
                     f"questionnaire's \"{known.label[lang]}\" (kept)")
    options = known.options
    ours = existing.choice_lists.get(options, {}) if isinstance(options, str) else options or {}
    theirs = _options(draft, question)
    new = [str(code) for code in theirs if code not in ours]
    gone = [str(code) for code in ours if theirs and code not in theirs]
    if new:
        found.append(f"{known.name}: the source has option(s) {', '.join(new)} that the "
                     "questionnaire lacks (not added: codes are yours to decide)")
    if gone:
        found.append(f"{known.name}: the source no longer has option(s) {', '.join(gone)}")
    for code in set(ours) & set(theirs):
        if lang and lang in ours[code] and lang in theirs[code] \
                and normalise(ours[code][lang]) != normalise(theirs[code][lang]):
            found.append(f"{known.name}: option {code} is \"{theirs[code][lang]}\" in the "
                         f"source, \"{ours[code][lang]}\" in the questionnaire (kept)")
    return found


def _end_of_section(lines: list[str], key: str) -> int | None:
    """The line before which a new item of the top-level `key` goes (after its last item and
    before the comments that open the next section)."""
    start = next((i for i, line in enumerate(lines) if re.match(rf"^{key}\s*:", line)), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if _TOP_KEY.match(lines[i])),
               len(lines))
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    return end


def _item_indent(lines: list[str], key: str) -> int:
    start = next(i for i, line in enumerate(lines) if re.match(rf"^{key}\s*:", line))
    for line in lines[start + 1:]:
        if line.lstrip().startswith("- "):
            return (len(line) - len(line.lstrip())) // len(INDENT)
    return 1


def _add_columns(lines: list[str], columns: dict[str, str | None]) -> list[str]:
    """The mapping entries new questions need, in `mapping: columns:` (made if missing)."""
    entries = [f"{scalar(k)}: {scalar(v)}" for k, v in columns.items()]
    if not entries:
        return lines
    at = next((i for i, line in enumerate(lines) if re.match(r"^mapping\s*:", line)), None)
    if at is None:
        return [*lines, "", "mapping:", f"{INDENT}columns:", *[INDENT * 2 + e for e in entries]]
    for i in range(at + 1, len(lines)):
        if _TOP_KEY.match(lines[i]):
            break
        if re.match(r"^\s+columns\s*:\s*$", lines[i]):
            pad = " " * (len(lines[i]) - len(lines[i].lstrip())) + INDENT
            return [*lines[:i + 1], *[pad + e for e in entries], *lines[i + 1:]]
    raise InitError("the questionnaire's mapping has no block 'columns:' to add the new "
                    f"questions' columns to; add them yourself: {'; '.join(entries)}")


def update_text(path: Path, draft: Draft) -> Merged:
    """The questionnaire file at `path` with the draft's new questions added."""
    text = read_text(path)
    existing = parse_questionnaire(text, str(path))
    names = Names(set(existing.items) | {q.name for q in existing.questions}
                  | {d.name for d in existing.derived})
    added, changed, lines_added, columns = [], [], [], {}
    for question in draft.questions:
        known = _same(question, existing)
        if known is not None:
            changed += _differences(draft, question, existing, known)
            continue
        renamed = names.claim(question.name)
        if renamed != question.name:
            question.columns = {c: v.replace(question.name, renamed, 1)
                                for c, v in question.columns.items()}
            if question.source and question.source not in question.columns:
                question.columns[question.source] = renamed
            question.name = renamed
        question.keys["options"] = _options(draft, question) or question.keys.get("options")
        question.remarks.append(f"added by survey init from {draft.origin}")
        added.append(question.name)
        lines_added.append(question)
        columns.update(question.columns)
    lines = text.splitlines()
    end = _end_of_section(lines, "questions")
    if end is None:
        raise InitError(f"{path}: no 'questions:' section to add to")
    depth = _item_indent(lines, "questions")
    block = [line for q in lines_added for line in ["", *question_lines(q, depth)]]
    lines = _add_columns([*lines[:end], *block, *lines[end:]], columns)
    return Merged("\n".join(lines).rstrip() + "\n", tuple(added), tuple(changed))
