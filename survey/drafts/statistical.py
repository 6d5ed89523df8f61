"""A questionnaire drafted from a labelled SPSS (.sav) or Stata (.dta) file.

The variable labels are the questions' texts (in the language they are written in), the value
labels their options (a set of labels several questions share becomes one choice list), and the
missing codes say which option is "don't know" (SPSS user-missing values, Stata's `.d`); other
missing codes are left out of the options, since every import reads them as missing answers.
Which variables make one question (a multiple-response set, a block of 0/1 variables, the items
of a grid) is decided in `survey.drafts.statistical_blocks`. Names are made readable and stable,
and the mapping the questionnaire carries renames the file's columns back, so that the very file
imports with no other file. Everything guessed or left out is said above its question.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from survey.drafts.draft import Code, Draft, DraftQuestion, Label
from survey.drafts.names import Names, slug
from survey.drafts.statistical_blocks import Block, find_blocks
from survey.drafts.statistical_meta import Dictionary, read_dictionary
from survey.drafts.statistical_options import Options, is_named_set, shown
from survey.drafts.xlsform_sheets import guess_language
from survey.questionnaire.columns import option_column, text_column
from survey.questionnaire.model import NAME_PATTERN, RESERVED

OTHER = re.compile(r"其他|其它|\bother\b|specify|请注明|请说明", re.I)
OTHER_NAME = re.compile(r"(other|oth|text|txt|specify|spec)$", re.I)
NONE = re.compile(r"^(以上)?(都|均|全都)?(没有|无)|^(以上)?(都|均)不|^none\b|^no\b|^nothing",
                  re.I)
MAX_CHOICES = re.compile(r"最多(?:选|选择|可选|填)?\s*([1-9一二三四五六七八九])\s*(?:项|个|种)|"
                         r"(?:up to|at most|no more than)\s*([1-9])", re.I)
NUMERALS = dict(zip("一二三四五六七八九", range(1, 10), strict=True))
CHOICES = ("single", "multi", "rank")
STATA_LABEL_BYTES = 80
ROLE_WORDS = {"weight": "the sample weight", "strata": "the strata", "cluster": "the clusters "
              "(primary sampling units)", "fpc": "the finite population correction"}


class _Drafter:
    def __init__(self, dictionary: Dictionary, lang: str | None) -> None:
        self.d = dictionary
        texts = [v.label for v in dictionary.variables] + \
            [t for v in dictionary.variables for t in v.labels.values()]
        self.lang = lang or guess_language(texts)
        path = dictionary.path
        base = slug(path.stem) or "survey"
        self.draft = Draft(origin=path.name, id=base if base[0].isalpha() else f"s_{base}",
                           title=self.label(dictionary.title, path.stem),
                           languages=[self.lang])
        self.names = Names()
        lowered = Counter(v.name.lower() for v in dictionary.variables)
        self.ambiguous = {name for name, n in lowered.items() if n > 1}
        self.options = Options(dictionary, self.label, self.draft.note)
        self.previous: DraftQuestion | None = None  # a choice question just drafted
        self.sets: dict[str, tuple[str | None, list[str]]] = {}  # question -> its options'
        # value-label set, and the variables it labels

    def label(self, text: str, fallback: str) -> Label:
        return {self.lang: str(text or "").strip() or fallback}

    def english(self, text: str) -> str | None:
        return text if self.lang == "en" else None

    def map(self, question: DraftQuestion, column: str, entry: str, layout: str) -> None:
        """A mapping entry, unless the reader matches the column by its name (or its case)."""
        if column == layout or (column.lower() == layout.lower()
                                and column.lower() not in self.ambiguous):
            return
        question.columns[column] = entry

    def question(self, block: Block, kind: str, name: str | None = None) -> DraftQuestion:
        v = block.first
        name = name or self.names.readable(block.stem, self.english(block.label), v.position)
        question = DraftQuestion(name, kind, self.label(block.label, block.stem),
                                 source=block.stem)
        if self.d.kind == "stata" and len(v.label.encode("utf-8")) >= STATA_LABEL_BYTES - 2:
            question.remarks.append("its label may be cut short: Stata keeps 80 bytes")
        return question

    # blocks

    def add(self, block: Block) -> None:
        drafted = getattr(self, f"_{block.kind}")(block)
        self.previous = drafted if drafted is not None and drafted.type in CHOICES else None

    def _id(self, block: Block) -> None:
        column = block.first.name
        if column != "respondent_id":
            self.draft.extra_columns[column] = "respondent_id"
        self.draft.note(f"column {column} taken as the respondent id")

    def _design(self, block: Block) -> DraftQuestion | None:
        column, what = block.first.name, ROLE_WORDS[block.kind]
        if NAME_PATTERN.match(column) and "__" not in column and column not in RESERVED:
            self.draft.design[block.kind] = column
            self.draft.note(f"column {column} taken as {what} (design: {block.kind}) from its "
                            "name; check it")
            return None
        question = self._number(block)
        self.draft.design[block.kind] = question.name
        self.draft.note(f"taken as {what} from its name (design: {block.kind}); a number "
                        "question so that the import gives the column this name", question)
        return question

    _weight = _strata = _cluster = _fpc = _design

    def _number(self, block: Block, question: DraftQuestion | None = None) -> DraftQuestion:
        v = block.first
        question = question or self.question(block, "number")
        question.type = "number"
        question.keys["integer"] = self.options.integer(v, question)
        self.options.missing_numbers(v, question)
        if not v.label:
            question.remarks.append("the file gives it no label: is it a question? (a design "
                                    "column such as strata or clusters belongs under design:)")
        return self.append(question, v.name)

    def _date(self, block: Block) -> DraftQuestion:
        question = self.question(block, "date")
        if block.first.datetime:
            question.remarks.append(f"the file holds a date and time ({block.first.format}); "
                                    "kept as a date")
        return self.append(question, block.first.name)

    def _text(self, block: Block) -> DraftQuestion | None:
        v = block.first
        previous = self.previous
        if previous is not None and "other" not in previous.keys and \
                (OTHER.search(v.label) or OTHER_NAME.search(v.name)):
            code = _other_code(previous)
            if code is not None:
                previous.keys["other"] = code
                layout = text_column(previous.name, code)
                entry = f"{previous.name}[{code}]" if previous.type == "single" else layout
                self.map(previous, v.name, entry, layout)
                previous.remarks.append(f"column {v.name} holds the free text of option {code}")
                return None
        return self.append(self.question(block, "text"), v.name)

    def _single(self, block: Block) -> DraftQuestion:
        v = block.first
        question = self.question(block, "single")
        options = self.options.of(v, question)
        if options is None:  # a number with a few labelled values, or text with odd codes
            if not v.text:
                return self._number(block, question)
            question.type = "text"
            question.remarks.append("its values are no option codes (letters, digits, _ - "
                                    f"and . only): their labels {shown(v.labels)} are left out")
            return self.append(question, v.name)
        question.keys["options"] = options
        if v.ordinal:
            question.keys["ordered"] = True
        self.sets[question.name] = (v.label_set, [v.name])
        return self.append(question, v.name)

    def _grid(self, block: Block) -> DraftQuestion:
        first, last = block.first, block.variables[-1]
        name = self.names.readable(f"{block.stem}_grid", None, first.position)
        question = self.question(block, "grid", name)
        options = self.options.of(first, question)
        question.keys["options"] = options
        items = []
        for v, text in zip(block.variables, block.items, strict=True):
            item = self.names.readable(v.name, self.english(text or v.label), v.position)
            items.append({"name": item, "label": self.label(text or v.label, v.name)})
            self.map(question, v.name, item, item)
        question.keys["items"] = items
        question.remarks.append(f"{first.name} to {last.name} share one set of {len(options)} "
                                "value labels: drafted as a grid (make them scale questions if "
                                "they are not one block)")
        if not block.label:
            self.draft.note("the file has no text for the grid as a whole (its variables are "
                            "labelled by item): write its question", question)
        self.sets[question.name] = (first.label_set, [v.name for v in block.variables])
        return self.append(question, None)

    def _set(self, block: Block) -> DraftQuestion:
        question = self.question(block, block.kind)
        question.keys["options"] = {code: self.label(text, str(code))
                                    for code, text in block.options.items()}
        names = ", ".join(v.name for v in block.variables)
        if block.mentions:
            what = "ranked in order" if block.kind == "rank" else "chosen"
            question.remarks.append(f"multiple-response set ${block.stem}: {names} hold the "
                                    f"codes {what}")
            if block.kind == "rank":
                question.keys["max_choices"] = min(len(block.variables), len(block.options))
        else:
            for column, code in block.columns.items():
                self.map(question, column, f"{question.name}[{code}]",
                         option_column(question.name, code))
            origin = f"multiple-response set ${block.stem}" if block.stem in self.d.mr_sets \
                else (f"{block.first.name} to {block.variables[-1].name}: one variable per "
                      "option")
            if block.kind == "rank":
                question.keys["max_choices"] = self.options.places(block, question)
            question.remarks.append(f"{origin}" + (", holding its place in the ranking"
                                                   if block.kind == "rank" else ""))
        if block.kind == "multi":
            self.multi_keys(question)
        if not block.label:
            self.draft.note("the file has no text for the question as a whole: write it",
                            question)
        return self.append(question, None)

    _multi = _rank = _set

    def multi_keys(self, question: DraftQuestion) -> None:
        options = question.keys["options"]
        texts = {code: next(iter(label.values())) for code, label in options.items()}
        dont_know = self.options.guess_dont_know(question)
        last = [code for code, text in texts.items() if code != dont_know
                and not OTHER.search(text)][-1:]  # "none" comes last, before dk and other
        exclusive = [code for code in last if NONE.match(texts[code])]
        exclusive += [dont_know] if dont_know is not None else []
        if exclusive:
            question.keys["exclusive"] = exclusive
            question.remarks.append(f"exclusive: {', '.join(map(str, exclusive))} guessed from "
                                    "the labels")
        if match := MAX_CHOICES.search(next(iter(question.label.values()))):
            written = match.group(1) or match.group(2)
            limit = NUMERALS.get(written) or int(written)
            if limit < len(options):
                question.keys["max_choices"] = limit
                question.remarks.append(f"max_choices: {limit} read from the label")

    def append(self, question: DraftQuestion, column: str | None) -> DraftQuestion:
        if column is not None:
            self.map(question, column, question.name, question.name)
        self.draft.questions.append(question)
        return question

    # after every question

    def finish(self) -> Draft:
        grids = [q.keys["options"] for q in self.draft.questions if q.type == "grid"]
        for question in self.draft.questions:
            if question.type == "single" and question.keys.get("ordered") and \
                    question.keys["options"] in grids:
                question.type = "scale"
                del question.keys["ordered"]
                question.remarks.append("an ordinal rating with the options of a grid: drafted "
                                        "as a scale")
        self.share_lists()
        return self.draft

    def share_lists(self) -> None:
        """Options several questions have alike become one choice list."""
        users: dict[str, list[DraftQuestion]] = {}
        for question in self.draft.questions:
            if question.type in ("single", "scale", "grid"):
                users.setdefault(repr(question.keys["options"]), []).append(question)
        names = Names()
        for questions in users.values():
            if len(questions) < 2:
                continue
            label_set = self.sets[questions[0].name][0]
            sources = [v for q in questions for v in self.sets[q.name][1]]
            named = slug(label_set) if label_set and is_named_set(label_set, sources) else ""
            shared = names.claim(named if named[:1].isalpha() and named not in RESERVED
                                 else f"{questions[0].name}_options")
            self.draft.choice_lists[shared] = questions[0].keys["options"]
            for question in questions:
                question.keys["options"] = shared


def _other_code(question: DraftQuestion) -> Code | None:
    """The option of `question` whose label asks to specify (其他, Other), the last one."""
    options = question.keys.get("options")
    found = [code for code, label in (options or {}).items()
             if any(OTHER.search(text) for text in label.values())]
    return found[-1] if found else None


def draft_statistical(paths: list[Path], lang: str | None = None) -> Draft:
    """A draft of the questionnaire a labelled .sav or .dta file holds the answers of."""
    dictionary = read_dictionary(paths[0])
    drafter = _Drafter(dictionary, lang)
    for block in find_blocks(dictionary):
        drafter.add(block)
    return drafter.finish()
