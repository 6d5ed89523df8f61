"""A questionnaire drafted from a Qualtrics survey definition (.qsf, the JSON file that "Export
Survey" writes).

Its blocks are read in the order of the survey flow (then blocks the flow leaves out, said; the
trash is left out), each question as `survey.drafts.qualtrics_questions` drafts it. A question's
display logic, and the logic of the flow's branches around its block, become its `relevant`
where they translate (`survey.drafts.qualtrics_logic`; what does not is kept as a comment and
said); "force response" is `required`; texts come in the survey's language and every
translation (`survey.drafts.qualtrics_text`). The export columns of each question are named in the
questionnaire's mapping, so that a Qualtrics export of the survey imports as it is.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from survey.drafts.draft import Draft
from survey.drafts.names import slug
from survey.drafts.qualtrics_logic import describe, translate
from survey.drafts.qualtrics_questions import QuestionReader
from survey.drafts.qualtrics_text import survey_texts
from survey.errors import InputError
from survey.expressions.from_xpath import Untranslatable

BLOCKS = ("Block", "Standard", "Default")


class QsfError(InputError):
    """A file that is not a Qualtrics survey definition (.qsf) `survey init` can read."""

    code = "bad-qsf"


@dataclass
class Definition:
    """What a .qsf holds that a draft needs: the survey entry, the questions by QID, the blocks
    by id (in the file's order) and the survey flow (None when the file has none)."""

    entry: dict[str, Any]
    questions: dict[str, dict[str, Any]]
    blocks: dict[str, dict[str, Any]]
    flow: list[Any] | None


def _elements(data: dict[str, Any], kind: str) -> list[Any]:
    return [e.get("Payload") for e in data["SurveyElements"]
            if isinstance(e, dict) and e.get("Element") == kind]


def read_qsf(path: Path) -> Definition:
    """The parts of a .qsf file; a located QsfError for one that is no survey definition."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise QsfError(f"{path}: not a text file; a .qsf is the JSON file Qualtrics writes with "
                       "Tools, Import/Export, Export Survey") from None
    except json.JSONDecodeError as error:
        raise QsfError(f"not JSON ({error.msg}); a .qsf is the JSON file Qualtrics writes with "
                       "Tools, Import/Export, Export Survey",
                       location=f"{path}:{error.lineno}:{error.colno}") from None
    if not isinstance(data, dict) or not isinstance(data.get("SurveyElements"), list):
        raise QsfError(f"{path}: not a Qualtrics survey definition (a .qsf holds "
                       "'SurveyEntry' and 'SurveyElements')")
    questions = {str(p["QuestionID"]): p for p in _elements(data, "SQ")
                 if isinstance(p, dict) and p.get("QuestionID")}
    blocks: dict[str, dict[str, Any]] = {}
    for payload in _elements(data, "BL"):
        listed = payload.values() if isinstance(payload, dict) else payload or []
        blocks.update({str(b.get("ID")): b for b in listed if isinstance(b, dict)})
    flows = [p.get("Flow") for p in _elements(data, "FL") if isinstance(p, dict)]
    entry = data.get("SurveyEntry") if isinstance(data.get("SurveyEntry"), dict) else {}
    return Definition(entry, questions, blocks, next((f for f in flows if f is not None), None))


class _Survey:
    """Walks the flow, drafting each block's questions once, in order."""

    def __init__(self, definition: Definition, origin: str, lang: str | None) -> None:
        self.definition = definition
        self.trash = {qid for b in definition.blocks.values() if b.get("Type") == "Trash"
                      for qid in _question_ids(b)}
        kept = [p for qid, p in definition.questions.items() if qid not in self.trash]
        texts, said = survey_texts(definition.entry.get("SurveyLanguage"), kept, lang)
        name = str(definition.entry.get("SurveyName") or Path(origin).stem)
        identifier = (slug(name) or slug(Path(origin).stem) or "survey")[:32].rstrip("_")
        self.draft = Draft(origin=origin, title=dict.fromkeys(texts.languages, name),
                           id=identifier if identifier[0].isalpha() else f"s_{identifier}"[:32],
                           languages=texts.languages)
        if said:
            self.draft.note(said)
        self.reader = QuestionReader(self.draft, texts,
                                     Counter(QuestionReader.tag(p) for p in kept))
        self.seen: set[str] = set()
        self.embedded: list[str] = []

    def walk(self, flow: list[Any], relevant: list[str]) -> None:
        for element in flow:
            if not isinstance(element, dict):
                continue
            kind = element.get("Type")
            if kind in BLOCKS:
                self.block(str(element.get("ID")), relevant)
            elif kind == "Branch":
                own, lost = self.logic(element.get("BranchLogic"))
                if lost:
                    self.draft.note(f"a branch of the survey flow is not carried over: {lost}")
                self.walk(element.get("Flow") or [], relevant + own)
            elif kind == "EmbeddedData":
                self.embedded += [str(f["Field"]) for f in element.get("EmbeddedData") or []
                                  if isinstance(f, dict) and f.get("Field")]
            elif isinstance(element.get("Flow"), list):  # randomizer, group, authenticator
                self.walk(element["Flow"], relevant)

    def block(self, block_id: str, relevant: list[str]) -> None:
        block = self.definition.blocks.get(block_id)
        if block is None or block_id in self.seen or block.get("Type") == "Trash":
            return
        self.seen.add(block_id)
        for element in block.get("BlockElements") or []:
            payload = self.definition.questions.get(str(element.get("QuestionID")))
            if element.get("Type") == "Question" and payload is not None:
                self.question(payload, relevant, bool(element.get("SkipLogic")))

    def question(self, payload: dict[str, Any], relevant: list[str], skips: bool) -> None:
        own, lost = self.logic(payload.get("DisplayLogic"))
        drafted = self.reader.read(payload)
        required = str(((payload.get("Validation") or {}).get("Settings") or {})
                       .get("ForceResponse")).upper() == "ON"
        parts = relevant + own
        for question in drafted:
            if parts:
                question.keys["relevant"] = " and ".join(
                    f"({p})" if len(parts) > 1 and " or " in p else p for p in parts)
            if required and question.type != "note":
                question.keys["required"] = True
        if drafted and lost:
            self.draft.note(f"its display logic is not carried over: {lost}", drafted[0])
        if drafted and (skips or payload.get("SkipLogic")):
            self.draft.note("its skip logic is not carried over: give the questions it skips "
                            "a relevant", drafted[0])

    def logic(self, logic: Any) -> tuple[list[str], str | None]:
        """The logic as an expression (none when there is none), or what it says and why it
        does not translate."""
        if not isinstance(logic, dict):
            return [], None
        try:
            return [translate(logic, self.reader.targets)], None
        except Untranslatable as why:
            return [], f"{describe(logic)} ({why})"

    def rest(self) -> None:
        """Blocks the flow leaves out, questions in no block, the trash and embedded data."""
        blocks = [i for i, b in self.definition.blocks.items()
                  if i not in self.seen and b.get("Type") != "Trash"]
        for block_id in blocks:
            if self.definition.flow is not None:
                self.draft.note(f"block '{self.definition.blocks[block_id].get('Description')}' "
                                "is not in the survey flow; its questions are kept at the end")
            self.block(block_id, [])
        placed = {qid for b in self.definition.blocks.values() for qid in _question_ids(b)}
        loose = [q for q in self.definition.questions if q not in placed]
        if loose:
            self.draft.note(f"{', '.join(loose)} are in no block: left out")
        if self.trash & set(self.definition.questions):
            self.draft.note(f"{len(self.trash)} question(s) in the trash are left out")
        if self.embedded:
            self.draft.note(f"embedded data {', '.join(dict.fromkeys(self.embedded))}: columns "
                            "of the export kept under their own names, not questions")


def _question_ids(block: dict[str, Any]) -> list[str]:
    return [str(e.get("QuestionID")) for e in block.get("BlockElements") or []
            if isinstance(e, dict) and e.get("Type") == "Question"]


def draft_qsf(paths: list[Path], lang: str | None = None) -> Draft:
    """A draft of the questionnaire a Qualtrics survey definition (.qsf) describes."""
    definition = read_qsf(paths[0])
    survey = _Survey(definition, paths[0].name, lang)
    survey.walk(definition.flow or [], [])
    survey.rest()
    if not any(q.type != "note" for q in survey.draft.questions):
        raise QsfError(f"{paths[0]}: the survey has no question the questionnaire can hold")
    return survey.draft
