"""What the cells of a Wenjuanxing export say about a question: its type, and its options with
their codes, from the option numbers (按序号), the option texts (按文本), or both paired answer by
answer. Pure functions on pandas Series of text cells (answers only: wjx's tokens removed)."""

from __future__ import annotations

import re

import pandas as pd

from survey.drafts.wjx_views import FILL_IN, NOT_ANSWERS, WjxViewsError, is_number
from survey.drafts.xlsform import DONT_KNOW

MAX_OPTIONS = 30  # more distinct answers than this are free text (or numbers), not options
PARTS = re.compile(r"\s*[/／、|;；]\s*")  # '不适用/说不清': a label of several words
_OPTION_NUMBER = re.compile(r"^[1-9]\d*(?:\.0+)?$")
_DATE = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_LIMITS = {"max_choices": re.compile(r"(?:最多|至多|不超过)\s*(?:选择?|选出)?\s*(\d+)\s*[项个]"),
           "min_choices": re.compile(r"(?:至少|最少)\s*(?:选择?|选出)?\s*(\d+)\s*[项个]")}


def split_fill_in(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(the option of each answer, the text typed beside it or NaN): `其他〖自己开店〗`."""
    parts = values.str.extract(FILL_IN, expand=True)
    embedded = parts[0].notna()
    return values.where(~embedded, parts[0]).str.strip(), parts[1].where(embedded)


def option_number(text: str) -> int | None:
    """An option number as 按序号 writes it ('3', or '3.0' from a spreadsheet); None otherwise."""
    return int(float(text)) if _OPTION_NUMBER.match(text) else None


def are_option_numbers(values: pd.Series) -> bool:
    """Cells a 按序号 choice column could hold: option numbers 1 to MAX_OPTIONS."""
    numbers = values.map(option_number)
    return bool(len(values)) and numbers.notna().all() and numbers.max() <= MAX_OPTIONS


def looks_like_options(values: pd.Series) -> bool:
    """Few distinct texts, each given by several respondents: the options of a choice question."""
    distinct = values.nunique()
    return 0 < distinct <= MAX_OPTIONS and 2 * distinct <= len(values)


def plain_type(values: pd.Series) -> tuple[str, dict]:
    """number (integer or not), date or text, from the answers themselves."""
    if len(values) and values.map(is_number).all():
        numbers = pd.to_numeric(values.str.replace(",", "", regex=False))
        return "number", {"integer": bool((numbers == numbers.round()).all())}
    if len(values) and values.str.match(_DATE).all():
        return "date", {}
    return "text", {}


def paired_codes(numbers: pd.Series, texts: pd.Series, where: str) -> dict[int, str]:
    """Each option number with the text the other view holds for the same answer; two texts for
    one number mean the two files are not the same answers in the same order."""
    both = pd.DataFrame({"code": numbers.map(option_number), "text": texts}).dropna()
    both = both.drop_duplicates()
    clash = both[both["code"].duplicated(keep=False)]
    if len(clash):
        code = clash["code"].iloc[0]
        said = " and ".join(f"'{t}'" for t in clash[clash["code"] == code]["text"][:2])
        raise WjxViewsError(f"{where}: option {int(code)} is {said} for different respondents; "
                            "the two files do not hold the same answers in the same order")
    return {int(code): text for code, text in sorted(zip(both["code"], both["text"],
                                                         strict=True))}


def first_seen_codes(texts: pd.Series) -> dict[int, str]:
    """Codes for option texts when no option numbers are given: the numbers themselves when every
    text is one (`1`..`5`), else 1, 2, ... in the order the texts first appear."""
    seen = list(dict.fromkeys(texts))
    numbers = [option_number(text) for text in seen]
    if seen and all(n is not None for n in numbers) and len(set(numbers)) == len(numbers):
        return dict(sorted(zip(numbers, seen, strict=True)))  # type: ignore[arg-type]
    return {code: text for code, text in enumerate(seen, start=1)}


def numbered_options(found: dict[int, str | None], missing: str) -> tuple[dict[int, str],
                                                                             list[int]]:
    """Options 1..the highest number found, the text unknown (`missing` with the number in it)
    where nobody chose the option; and those numbers."""
    top = max(found, default=0)
    unknown = [code for code in range(1, top + 1) if found.get(code) is None]
    return {code: found.get(code) or missing.format(code=code)
            for code in range(1, top + 1)}, unknown


def set_positions(block: pd.DataFrame) -> pd.DataFrame:
    """A 按序号 block of option columns as numbers (NaN where not answered)."""
    return block.where(~block.isin(NOT_ANSWERS)).apply(pd.to_numeric, errors="coerce")


def set_kind(block: pd.DataFrame) -> str:
    """What a 按序号 block of option columns is: `multi` (1/0), `rank` (positions, 0 not ranked,
    each respondent's positions distinct) or `grid` (option numbers per matrix row); `multi`
    when nobody answered (its header names the options)."""
    numbers = set_positions(block)
    values = pd.Series(numbers.to_numpy().ravel()).dropna()
    if values.isin([0, 1]).all():
        return "multi"
    ranked = numbers.where(numbers > 0)
    distinct = ranked.apply(lambda row: row.dropna().is_unique, axis=1).all()
    if distinct and ranked.notna().any(axis=None) and (values == 0).any():
        return "rank"
    return "grid"


def dont_know_code(options: dict[int, str]) -> int | None:
    """The option whose label says "don't know" (不知道, 说不清, ...), as the XLSForm drafter."""
    for code, text in options.items():
        if any(DONT_KNOW.fullmatch(part.strip(" .。()（）")) for part in PARTS.split(text)):
            return code
    return None


def stem_limits(stem: str) -> dict[str, int]:
    """min_choices and max_choices a stem states: `（最多选3项）`, `至少选2项`."""
    return {key: int(match[1]) for key, pattern in _LIMITS.items()
            if (match := pattern.search(stem))}
