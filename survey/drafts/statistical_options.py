"""The options of a question drafted from an SPSS or Stata variable, and what its values say.

Options are the value labels; a missing code labelled "don't know" (SPSS user-missing 99
"不知道", Stata's `.d`) becomes the `dont_know` option, and every other missing code (refused,
not applicable, our own -3/-2/-1) is left out, since the readers read it as a missing answer.
Codes the file holds without a label become options labelled with the code, so that no answer
is an unknown code on import. The values also say whether a number is whole and how many places
a ranking has.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from survey.drafts.draft import Code, DraftQuestion, Label
from survey.drafts.statistical_blocks import Block, is_dont_know
from survey.drafts.statistical_meta import Dictionary, Variable, code_of
from survey.questionnaire.model import CODE_PATTERN
from survey.responses.missing import FILE_CODES

STATA_LETTERS = {"a": "skipped by the questionnaire's logic", "b": "not shown",
                 "c": "left empty", "d": "\"don't know\""}
OURS = (float(min(FILE_CODES.values())), float(max(FILE_CODES.values())))
_GENERATED = re.compile(r"labels\d+")  # pyreadstat's names for SPSS's unnamed label sets


def is_named_set(name: str, sources: list[str]) -> bool:
    """Whether a value-label set has a name of its own (Stata's `agree5`), not one made up by
    the reader (`labels12`, or a variable's name and a number)."""
    return not _GENERATED.fullmatch(name) and not any(
        re.fullmatch(re.escape(source) + r"\d*", name) for source in sources)


def _ordered(options: dict[Code, str]) -> dict[Code, str]:
    numbers = sorted(c for c in options if isinstance(c, int))
    return {c: options[c] for c in numbers} | {c: t for c, t in options.items()
                                                if not isinstance(c, int)}


def shown(codes: dict[Code, str]) -> str:
    return ", ".join(f"{code} ({text})" if text else str(code) for code, text in codes.items())


class Options:
    def __init__(self, dictionary: Dictionary, label: Callable[[str, str], Label],
                 note: Callable[[str, DraftQuestion], None]) -> None:
        self.d = dictionary
        self.label = label
        self.note = note

    def unlabelled(self, v: Variable, known: dict[Code, str]) -> list[Code]:
        if not v.numeric:
            return []
        values = sorted(self.d.observed(v.name).unique())
        return [c for c in map(code_of, map(float, values))
                if c not in known and c not in FILE_CODES.values()]

    def of(self, v: Variable, question: DraftQuestion) -> dict[Code, Label] | None:
        """The options of a single-choice or grid variable (None: its labels are no options,
        a number with a few labelled values or text whose values are no codes)."""
        options = _ordered(v.labels)
        if v.text and not all(CODE_PATTERN.match(str(c)) for c in options):
            return None
        extra = self.unlabelled(v, options)
        if len(extra) > max(10, 2 * len(options)):
            return None
        if extra:
            options |= dict.fromkeys(extra, "")
            self.note(f"values {', '.join(map(str, extra))} are in the file without a label: "
                      "options labelled with their code", question)
        self.missing_codes(v, question, options)
        found = {code: self.label(text, str(code)) for code, text in _ordered(options).items()}
        if "dont_know" not in question.keys:
            question.keys["options"] = found
            self.guess_dont_know(question)
        return found

    def missing_codes(self, v: Variable, question: DraftQuestion,
                      options: dict[Code, str]) -> None:
        """Missing codes: a "don't know" becomes an option, the others are said and left out."""
        left: dict[Code, str] = {}
        for code, text in v.missing.items():
            if isinstance(code, str) and self.d.kind == "stata":
                self.letter(code, text, question, options)
            elif is_dont_know(text) and "dont_know" not in question.keys:
                options[code] = text
                question.keys["dont_know"] = code
                self.note(f"{code} ({text}) is declared missing in the file: kept as the "
                          "\"don't know\" option", question)
            else:
                left[code] = text
        ranges = [(lo, hi) for lo, hi in v.declared if (lo, hi) != OURS and not (
            lo == hi and code_of(lo) in options | left)]
        said = [shown(left)] if left else []
        said += [f"{lo:g}" if lo == hi else f"{lo:g} to {hi:g}" for lo, hi in ranges]
        if said:
            self.note(f"declared missing in the file and left out of the options: "
                      f"{', '.join(said)}; an import reads them as missing answers (left "
                      "empty), with a note", question)

    def letter(self, letter: str, text: str, question: DraftQuestion,
               options: dict[Code, str]) -> None:
        """A labelled Stata extended missing value: .d "don't know" is an option; others are
        read as the missing kind the letter has in our readers."""
        if letter == "d" and is_dont_know(text) and "dont_know" not in question.keys:
            numbers = [c for c in options if isinstance(c, int)]
            free = [c for c in (9, 99, 999, 9999) if c > max(numbers, default=0)]
            code: Code = free[0] if free and len(numbers) == len(options) else "dont_know"
            options[code] = text
            question.keys["dont_know"] = code
            self.note(f".d ({text}) is the \"don't know\" answer: option {code}, a code the "
                      "file never holds (the import reads .d as don't know)", question)
            return
        kind = STATA_LETTERS.get(letter, "left empty")
        said = f".{letter} ({text}) left out of the options: the import reads .{letter} as {kind}"
        if is_dont_know(text):
            said += "; recode it to .d for \"don't know\""
        self.note(said, question)

    def guess_dont_know(self, question: DraftQuestion) -> Code | None:
        for code, label in question.keys.get("options", {}).items():
            if any(is_dont_know(text) for text in label.values()):
                question.keys["dont_know"] = code
                self.note(f"option {code} taken as \"don't know\" from its label", question)
                return code
        return None

    def integer(self, v: Variable, question: DraftQuestion) -> bool:
        """Whole numbers only: when the format shows no decimals, or every value is whole."""
        if v.whole:
            return True
        values = self.d.observed(v.name)
        whole = bool((values == values.round()).all())
        if whole and len(values):
            shown = f"its format ({v.format}) allows decimals" if v.format else "no format"
            question.remarks.append(f"integer: every value in the file is whole ({shown})")
        return whole

    def missing_numbers(self, v: Variable, question: DraftQuestion) -> None:
        """The missing codes of a number, said (the import reads them as missing answers)."""
        left = dict(v.missing)
        if v.labels:
            question.remarks.append(f"its value labels are kept as numbers: {shown(v.labels)}")
        ranges = [f"{lo:g}" if lo == hi else f"{lo:g} to {hi:g}" for lo, hi in v.declared
                  if (lo, hi) != OURS and (lo != hi or code_of(lo) not in left)]
        said = ([shown(left)] if left else []) + ranges
        if said:
            question.remarks.append(f"declared missing in the file: {', '.join(said)}; an "
                                    "import reads them as missing answers")

    def places(self, block: Block, question: DraftQuestion) -> int:
        """How many places the ranking has: the most any respondent gave, in the file."""
        places = max((self.d.observed(v.name).max() for v in block.variables
                      if len(self.d.observed(v.name))), default=1)
        places = int(min(max(places, 1), len(block.options)))
        question.remarks.append(f"max_choices: {places}, the most places anyone ranked in "
                                "the file")
        return places
