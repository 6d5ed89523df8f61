"""Which variables of an SPSS or Stata file make one question, before anything is named.

A multiple-response set is one multi question (a category set whose labels speak of places, a
ranking, is a rank question). Without a set, consecutive variables sharing a name stem are one
question when their values say so: 0/1 variables (`Q5_1`..`Q5_4`, `concerns__income`) are the
options of a multi question; variables labelled only "not ranked" at 0 hold the places of a rank
question; variables sharing one label set of 4-7 points are the items of a grid. Every other
variable is a question of its own; the id, the sample weight and the design columns are not
questions at all.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from survey.drafts.draft import Code
from survey.drafts.statistical_meta import Dictionary, Variable, code_of
from survey.drafts.xlsform import DONT_KNOW
from survey.questionnaire.model import CODE_PATTERN

SEPARATORS = ":：-—–|/?？.。 \t"  # where a label's shared text may end
TRIMMED = ":：-—–|/ \t([（【"  # what the shared text, as the question's, does not end with
CLOSERS = {"(": ")", "（": "）", "[": "]", "【": "】"}
GRID_POINTS = range(4, 8)
NOT_RANKED = re.compile(r"未排序|未排|不排序|未入选|not ranked|unranked", re.I)
RANKING = re.compile(r"排序|排名|名次|第[一二三四五六七八九十\d]+(位|项|选择|重要|顺位)|"
                     r"按.{0,8}顺序|\brank|\b(1st|2nd|3rd)\b|first choice|most important|最重要",
                     re.I)
_PARTS = re.compile(r"\s*[/／、|;；]\s*")
_OUR_STEM = re.compile(r"^([A-Za-z][A-Za-z0-9_]*?)__([A-Za-z0-9_.-]+)$")
_STEM = re.compile(r"^(.*\w)[_.]([A-Za-z0-9]+)$")
_LETTER_STEM = re.compile(r"^(.*\d)([A-Za-z])$")
ROLES = {  # columns that are no question, by name (lower case)
    "id": re.compile(r"id|respondent_?id|resp_?id|case_?id|caseno|response_?id|record_?id|"
                     r"serial|uuid|序号|编号|问卷编号|样本编号"),
    "weight": re.compile(r"(p|final_?|design_?|survey_?|samp_?|base_?)?(weight|wt|wgt)s?|"
                         r"权重|权数|加权系数"),
    "strata": re.compile(r"strat(a|um|um_?id)?|分层|层"),
    "cluster": re.compile(r"psu|cluster(_?id)?|clu|初级抽样单元"),
    "fpc": re.compile(r"fpc"),
}


@dataclass
class Block:
    """Variables that are one question (or the id, the weight, a design column)."""

    kind: str  # single multi rank grid number text date | id weight strata cluster fpc
    variables: list[Variable]
    stem: str  # the source's name for it: a set's name, the variables' stem, the variable's own
    label: str  # the question's text ('' when the file has none for the whole)
    options: dict[Code, str] = field(default_factory=dict)  # of a multi or rank block
    columns: dict[str, Code] = field(default_factory=dict)  # variable -> option, of a block
    items: list[str] = field(default_factory=list)  # per variable of a grid: the item's text
    mentions: bool = False  # a category set: each variable holds a code chosen

    @property
    def first(self) -> Variable:
        return self.variables[0]


def split_labels(labels: list[str]) -> tuple[str, list[str]]:
    """The text that labels share, cut at a separator (`您参加了哪些保险：`), and what is left
    of each (`养老保险`); ('', labels) when they share none, (label, ['', ...]) when alike.
    What is left may repeat where a file cut its labels short (Stata keeps 80 bytes)."""
    if len(labels) < 2 or not all(labels):
        return "", labels
    if len(set(labels)) == 1:
        return labels[0], [""] * len(labels)
    prefix = os.path.commonprefix(labels)
    cut = max((i + 1 for i, ch in enumerate(prefix) if ch in SEPARATORS or ch in CLOSERS),
              default=0)
    if cut == 0:
        return "", labels
    opener = prefix[:cut].rstrip()[-1:]
    parts = []
    for label in labels:
        part = label[cut:].strip(SEPARATORS)
        if opener in CLOSERS and part.endswith(CLOSERS[opener]):
            part = part[:-1].strip()
        parts.append(part)
    if not all(parts):
        return "", labels
    return prefix[:cut].strip(TRIMMED), parts


def name_stem(name: str) -> tuple[str, str] | None:
    """'Q5_1' is ('Q5', '1'), 'Q5a' ('Q5', 'a'), our layout's 'concerns__income' ('concerns',
    'income'); None for a name with no stem."""
    for pattern in (_OUR_STEM, _STEM, _LETTER_STEM):
        if match := pattern.match(name):
            return match.group(1), match.group(2)
    return None


def option_codes(variables: list[Variable]) -> list[Code]:
    """The options of a block of variables: their names' suffixes when those are codes and the
    stems agree (`Q5_3` is option 3), else 1, 2, 3 in order."""
    stems = [stem for v in variables if (stem := name_stem(v.name))]
    if len(stems) == len(variables) and len({stem for stem, _ in stems}) == 1:
        codes: list[Code] = [int(code) if code.isdigit() else code for _, code in stems]
        if len(set(map(str, codes))) == len(codes) and all(CODE_PATTERN.match(str(c))
                                                           for c in codes):
            return codes
    return list(range(1, len(variables) + 1))


def is_dont_know(text: str) -> bool:
    """A label that says "don't know" / 不知道 / 说不清 (alone or as one of its parts)."""
    return any(DONT_KNOW.fullmatch(part.strip(" .。()（）")) for part in _PARTS.split(text))


def role(variable: Variable) -> str | None:
    name = variable.name.lower()
    return next((kind for kind, pattern in ROLES.items() if pattern.fullmatch(name)), None)


class _Blocks:
    def __init__(self, dictionary: Dictionary) -> None:
        self.d = dictionary
        self.by_name = {v.name: v for v in dictionary.variables}
        self.roles: set[str] = set()
        self.starts: set[str] = set()  # the first variable of each multiple-response set

    def dichotomous(self, v: Variable) -> bool:
        if not v.numeric:
            return False
        if v.labels:
            return set(v.labels) <= {0, 1}
        values = set(self.d.observed(v.name).unique())
        return bool(values) and values <= {0.0, 1.0}

    @staticmethod
    def ranked(v: Variable) -> bool:
        return v.numeric and list(v.labels) == [0] and bool(NOT_RANKED.search(v.labels[0]))

    @staticmethod
    def gridded(v: Variable) -> bool:
        """Labelled with integer points, 4 to 7 of them besides a "don't know"."""
        points = [c for c, text in v.labels.items() if not is_dont_know(text)]
        return v.numeric and all(isinstance(c, int) for c in v.labels) and \
            len(points) in GRID_POINTS

    def run(self, variables: list[Variable], at: int, fits, strict: bool) -> int:
        """How many variables from `at` on are one block (1 when they are not): they fit, share
        a name stem (`strict`: the same stem, else at least a common beginning) and, unless
        `strict`, the first one's value labels."""
        first, end = variables[at], at + 1
        if not fits(first):
            return 1
        while end < len(variables) and variables[end].name not in self.starts \
                and fits(variables[end]) and (strict or variables[end].labels == first.labels) \
                and shared_stem([v.name for v in variables[at:end + 1]], strict):
            end += 1
        return end - at

    def blocks(self) -> list[Block]:
        sets = {block.first.name: block for block in self.sets()}
        self.starts = set(sets)
        in_sets = {v.name for block in sets.values() for v in block.variables}
        rest = [v for v in self.d.variables if v.name not in in_sets or v.name in sets]
        found: list[Block] = []
        at = 0
        while at < len(rest):
            block = sets.get(rest[at].name) or self.group(rest, at)
            found.append(block)
            at += 1 if rest[at].name in sets else len(block.variables)
        return found

    def group(self, variables: list[Variable], at: int) -> Block:
        tests = (("rank", self.ranked, True), ("multi", self.dichotomous, True),
                 ("grid", self.gridded, False))
        for kind, fits, strict in tests:
            n = self.run(variables, at, fits, strict)
            labels = [v.label for v in variables[at:at + n]]
            if n >= 2 and (kind != "multi" or split_labels(labels)[0] or not any(labels)):
                return self.block(kind, variables[at:at + n])  # 0/1 items of one question
        return self.single(variables[at])

    def block(self, kind: str, variables: list[Variable]) -> Block:
        label, parts = split_labels([v.label for v in variables])
        stem = shared_stem([v.name for v in variables], kind != "grid") or variables[0].name
        if kind == "grid":
            return Block("grid", variables, stem, label, items=parts)
        codes = option_codes(variables)
        return Block(kind, variables, stem, label,
                     options={c: p or str(c) for c, p in zip(codes, parts, strict=True)},
                     columns={v.name: c for v, c in zip(variables, codes, strict=True)})

    def single(self, v: Variable) -> Block:
        kind = role(v)
        if kind is not None and kind not in self.roles and not v.labels:
            self.roles.add(kind)
            return Block(kind, [v], v.name, v.label)
        if v.date:
            kind = "date"
        elif v.labels:
            kind = "single"
        else:
            kind = "text" if v.text else "number"
        return Block(kind, [v], v.name, v.label)

    def sets(self) -> list[Block]:
        """The multiple-response sets, each a multi (or rank) block."""
        found, used = [], set()
        for name, spec in self.d.mr_sets.items():
            variables = [self.by_name[n] for n in spec.get("variable_list", [])
                         if n in self.by_name and n not in used]
            label = str(spec.get("label") or "").strip()
            if not variables:
                continue
            if spec.get("is_dichotomy"):
                block = self.block("multi", variables)
                block.stem, block.label = name, label or block.label
                if label:  # options are what the labels say beyond the set's label
                    block.options = {c: _beyond(v.label, label) or text for (c, text), v in
                                     zip(block.options.items(), variables, strict=True)}
            elif not (block := self.mentions(name, label, variables)).options:
                continue  # text mentions with no labels: the variables are drafted one by one
            used |= {v.name for v in variables}
            found.append(block)
        return found

    def mentions(self, name: str, label: str, variables: list[Variable]) -> Block:
        options: dict[Code, str] = {}
        for v in variables:
            for code, text in v.labels.items():
                options.setdefault(code, text or str(code))
        for v in (v for v in variables if v.numeric):
            for value in sorted(self.d.observed(v.name).unique()):
                options.setdefault(code_of(float(value)), str(code_of(float(value))))
        texts = " ".join([label, *(v.label for v in variables)])
        kind = "rank" if RANKING.search(texts) else "multi"
        return Block(kind, variables, name, label or split_labels(
            [v.label for v in variables])[0], options=options, mentions=True)


def _beyond(label: str, stem: str) -> str:
    """What a variable's label says beyond its set's label (`Q5: 养老保险` -> `养老保险`)."""
    if label.startswith(stem):
        return label[len(stem):].strip(SEPARATORS)
    return label


def shared_stem(names: list[str], strict: bool) -> str:
    """The stem the names share (`Q5` of Q5_1, Q5_2); unless `strict`, also their common
    beginning up to its last '_' or '.' (`sat` of sat_income, sat_career_growth); or ''."""
    stems = {stem for name in names if (found := name_stem(name)) for stem in found[:1]}
    if len(stems) == 1 and all(name_stem(name) for name in names):
        return stems.pop()
    prefix = os.path.commonprefix(names)
    cut = max(prefix.rfind("_"), prefix.rfind("."))
    return prefix[:cut] if cut > 0 and not strict else ""


def find_blocks(dictionary: Dictionary) -> list[Block]:
    """The file's variables grouped into questions, in the file's order."""
    return _Blocks(dictionary).blocks()
