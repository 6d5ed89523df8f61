"""A questionnaire drafted from a Wenjuanxing (问卷星) export: its 按序号 view, its 按文本 view, or
both (`survey init a_按序号.xlsx b_按文本.xlsx`).

The header gives the questions, in wjx's numbering (which the wjx reader matches by): `N、题干`
one column, `N、题干(选项)` then `N(选项)` the options of a multi or rank question (按序号),
`N、题干—行` or `N(行)` the rows of a matrix. The cells give the types: option texts a single
choice (按文本), texts joined with ┋ a multi and with → a rank, numbers a number, dates a date, any
other text free text. With both views, each option number is paired with its text answer by
answer; with only 按文本 the codes are given in the order the answers first appear; with only
按序号 the options are labelled by their numbers. Options nobody chose are in no export.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pandas as pd

from survey.drafts.draft import Draft, DraftQuestion, Label
from survey.drafts.names import Names, slug
from survey.drafts.wjx_codes import (
    are_option_numbers,
    dont_know_code,
    first_seen_codes,
    looks_like_options,
    numbered_options,
    option_number,
    paired_codes,
    plain_type,
    set_kind,
    set_positions,
    split_fill_in,
    stem_limits,
)
from survey.drafts.wjx_views import SKIPS, Export, Group, Pair, answered, read_pair
from survey.readers.mapping import normalise
from survey.readers.wjx import MULTI_SEPARATOR, RANK_SEPARATOR

UNKNOWN = {"zh": "选项{code}", "en": "Option {code}"}  # an option number nobody chose
_CJK = re.compile(r"[\u3400-\u9fff]")
_FILE = re.compile(r"^(?P<vid>\d+)_按(?:选项)?(?:序号|文本|分数)_(?P<title>.+?)(?:_\d+_\d+)?$")


def draft_wjx(paths: list[Path], lang: str | None = None) -> Draft:
    """A draft of the questionnaire a Wenjuanxing export (one view, or both) answers."""
    return _Drafter(read_pair(paths), lang).run()


class _Drafter:
    def __init__(self, pair: Pair, lang: str | None) -> None:
        self.pair = pair
        stems = " ".join(g.stem for g in (pair.text or pair.sequence).groups)  # type: ignore
        self.lang = lang or ("zh" if _CJK.search(stems) else "en")
        paths = [e.path for e in (pair.sequence, pair.text) if e is not None]  # 序号 first
        match = _FILE.match(paths[0].stem)
        title = match["title"] if match else paths[0].stem
        base = f"wjx_{match['vid']}" if match else slug(paths[0].stem)
        self.draft = Draft(origin=" and ".join(p.name for p in paths),
                           id=base if base[:1].isalpha() else f"wjx_{base or 'survey'}",
                           title=self.label(title), languages=[self.lang])
        self.names = Names()
        self.later: list[DraftQuestion] = []  # matrix rows that are no grid, after the first

    def label(self, text: str) -> Label:
        return {self.lang: text}
    def run(self) -> Draft:
        for note in self.pair.notes:
            self.draft.note(note)
        for sequence, text in self.pair.questions():
            self.question(sequence, text)
        self.draft.questions += self.later
        for export in (self.pair.sequence, self.pair.text):
            if export is not None:
                self.leftovers(export)
        if any(q.codes() for q in self.draft.questions):
            self.draft.note("options nobody chose are in no Wenjuanxing export: compare the "
                            "options drafted with the form's")
        return self.draft

    # one question

    def question(self, sequence: Group | None, text: Group | None) -> None:
        group = text or sequence
        assert group is not None
        name = self.names.readable(str(group.number), None, len(self.draft.questions) + 1)
        stem = (text.stem if text else "") or (sequence.stem if sequence else "")
        question = DraftQuestion(name, "text", self.label(stem or f"第{group.number}题"),
                                 source=str(group.number))
        if not stem:
            question.remarks.append("the export gives no text for this question: write it")
        s, t = _block(self.pair.sequence, sequence), _block(self.pair.text, text)
        self.skipped(question, [frame for frame in (s, t) if frame is not None])
        several = [g for g in (sequence, text) if g is not None and g.shape != "one"]
        if not several:
            self.one_column(question, sequence, text)
        elif text is not None and text.shape == "one" or s is not None and t is None and \
                sequence.shape == "options" and set_kind(s) != "grid":  # type: ignore[union-attr]
            self.choice_set(question, sequence, text)
        else:
            self.matrix(question, sequence, text)
            return
        self.draft.questions.append(question)

    def skipped(self, question: DraftQuestion, frames: list[pd.DataFrame]) -> None:
        skipped = int(pd.concat(frames, axis=1).isin(SKIPS).any(axis=1).sum())
        if skipped:
            question.remarks.append(f"skipped by the form's logic for {skipped} respondent(s); "
                                    "the condition is not in the export: write it as relevant")

    def one_column(self, question: DraftQuestion, sequence: Group | None,
                   text: Group | None) -> None:
        s, t = _first(self.pair.sequence, sequence), _first(self.pair.text, text)
        if t is not None and s is None and t.str.contains(
                f"[{MULTI_SEPARATOR}{RANK_SEPARATOR}]").any():
            return self.choice_set(question, None, text)
        if s is not None and t is not None:
            numbers, texts = split_fill_in(s)[0], split_fill_in(t)[0]
            choice = differ(numbers, texts) and are_option_numbers(numbers)
        elif s is not None:
            choice = are_option_numbers(split_fill_in(s)[0])
        else:
            choice = plain_type(t)[0] == "text" and (  # type: ignore[arg-type]
                looks_like_options(split_fill_in(t)[0]) or split_fill_in(t)[1].notna().any())
        if not choice:
            question.type, keys = plain_type(t if t is not None else s)  # type: ignore[arg-type]
            question.keys.update(keys)
            return self.plain(question, t if t is not None else s)  # type: ignore[arg-type]
        question.type = "single"
        self.options(question, s, t, [sequence, text])

    def plain(self, question: DraftQuestion, values: pd.Series) -> None:
        if not len(values):
            question.remarks.append("nobody answered it: drafted as text")
        elif question.type == "number":
            numbers = pd.to_numeric(values.str.replace(",", "", regex=False))
            question.remarks.append(f"answers run from {numbers.min():g} to {numbers.max():g}; "
                                    "set min and max if the form had limits")

    def options(self, question: DraftQuestion, s: pd.Series | None, t: pd.Series | None,
                groups: list[Group | None]) -> None:
        """A single or grid question's options from the cells of the views given."""
        where = f"{self.draft.origin}, question {question.source}"
        if s is not None and t is not None:
            numbers, texts = split_fill_in(s)[0], split_fill_in(t)[0]
            both = numbers.index.intersection(texts.index)
            found: dict[int, str | None] = dict(paired_codes(numbers[both], texts[both],
                                                              where))
            found |= {n: None for n in numbers.drop(both).map(option_number).dropna()
                      .astype(int) if n not in found}
            options, unknown = numbered_options(found, UNKNOWN.get(self.lang, UNKNOWN["en"]))
        elif s is not None:
            numbers = split_fill_in(s)[0].map(option_number).dropna().astype(int)
            options, unknown = numbered_options(dict.fromkeys(numbers), "{code}")
            question.remarks.append("the 按序号 view holds option numbers only: write each "
                                    "option's text")
        else:
            options, unknown = first_seen_codes(split_fill_in(t)[0]), []  # type: ignore
            question.remarks.append(f"codes 1-{len(options)} given in the order the answers "
                                    "first appear: the 按文本 view holds no option numbers")
        if unknown and t is not None:
            question.remarks.append(f"option(s) {', '.join(map(str, unknown))} chosen by "
                                    "nobody: the export does not hold their text; write it")
        question.keys["options"] = {code: self.label(text) for code, text in options.items()}
        self.other(question, options, typed_options(s, t), groups)
        self.dont_know(question, options)

    def other(self, question: DraftQuestion, options: dict, typed: Counter,
              groups: list[Group | None]) -> None:
        """The option with a fill-in box: from 〖text〗 in cells or an `N、(选项)` column."""
        columns = {text: header for g in groups if g is not None
                   for text, header in g.fill_ins.items()}
        by_label = {normalise(text): code for code, text in options.items()}
        candidates = [text for text, _ in typed.most_common()] + list(columns)
        codes = [by_label.get(normalise(text)) for text in candidates]
        if self.pair.text is None and columns:  # labels are numbers: the typed rows say which
            codes += [self.typed_code(groups[0], header) for header in columns.values()]
        found = [code for code in dict.fromkeys(codes) if code is not None]
        if found and question.type != "grid":
            found.sort(key=lambda code: not str(options[code]).startswith("其他"))
            question.keys["other"] = found[0]
            if self.pair.text is None and columns:
                question.keys["options"][found[0]] = self.label(next(iter(columns)))
        other = question.keys.get("other")
        for text, header in columns.items():
            code = by_label.get(normalise(text), other)
            if code is None or code != other:
                why = "nobody chose that option" if code is None else \
                    "the question's other option is another"
                self.draft.extra_columns[header] = None
                self.draft.note(f"column '{header}' holds the text typed beside option "
                                f"'{text}', but {why}: the import keeps it under its own name",
                                question)

    def typed_code(self, group: Group | None, header: str) -> int | None:
        """The option number most often chosen where the fill-in column holds text (one
        column: a multi's option columns hold 1/0, and its options are named)."""
        export = self.pair.sequence
        if export is None or group is None or group.shape != "one":
            return None
        typed = answered(export.cells(header)).index
        numbers = split_fill_in(answered(export.cells(group.headers[0])))[0]
        chosen = numbers.reindex(typed).dropna().map(option_number).dropna()
        return int(chosen.mode().iloc[0]) if len(chosen) else None

    def dont_know(self, question: DraftQuestion, options: dict) -> None:
        code = dont_know_code(options)
        if code is not None and question.type != "rank":
            question.keys["dont_know"] = code
            self.draft.note(f"option {code} taken as \"don't know\" from its label", question)

    # multi and rank

    def choice_set(self, question: DraftQuestion, sequence: Group | None,
                   text: Group | None) -> None:
        """A multi or rank question: one column per option (按序号), or options joined (按文本)."""
        joined = _first(self.pair.text, text)
        block = _block(self.pair.sequence, sequence)
        ranked = (block is not None and set_kind(block) == "rank") or \
            (joined is not None and joined.str.contains(RANK_SEPARATOR).any())
        question.type = "rank" if ranked else "multi"
        separator = RANK_SEPARATOR if ranked else MULTI_SEPARATOR
        parts = joined.str.split(separator).explode().str.strip() if joined is not None \
            else None
        if sequence is not None:
            options = dict(enumerate(sequence.parts, start=1))
        else:
            options = first_seen_codes(split_fill_in(parts)[0])  # type: ignore[arg-type]
            question.remarks.append(f"codes 1-{len(options)} given in the order the options "
                                    "first appear: the 按文本 view holds no option numbers")
        question.keys["options"] = {code: self.label(text) for code, text in options.items()}
        self.other(question, options, typed_options(None, parts), [sequence, text])
        if not ranked:
            self.dont_know(question, options)
        limits = stem_limits(question.label[self.lang])
        if ranked and "max_choices" not in limits:
            most = set_positions(block).max(axis=None) \
                if block is not None else joined.str.count(separator).max() + 1  # type: ignore
            limits["max_choices"] = int(most) if most == most and most > 0 else len(options)
            question.remarks.append(f"max_choices {limits['max_choices']}: the most any "
                                    "respondent ranked; set the form's limit")
        question.keys.update({k: min(v, len(options)) for k, v in limits.items()})

    # matrices

    def matrix(self, question: DraftQuestion, sequence: Group | None,
               text: Group | None) -> None:
        """A matrix: a grid when its rows share answer texts, else one question per row."""
        group = text or sequence
        assert group is not None
        if sequence is not None and text is not None and len(sequence.parts) != len(text.parts):
            self.draft.note(f"the 按序号 view has {len(sequence.parts)} rows and the 按文本 "
                            f"view {len(text.parts)}: drafted from the 按序号 view", question)
            text, group = None, sequence
        s = _pooled(self.pair.sequence, sequence)
        t = _pooled(self.pair.text, text)
        if s is not None and t is not None:
            grid = differ(s, t) and are_option_numbers(s)
        else:
            grid = are_option_numbers(s) if s is not None else \
                plain_type(t)[0] == "text" and looks_like_options(t)  # type: ignore[arg-type]
        if not grid:
            return self.rows(question, sequence, text)
        question.type = "grid"
        question.keys["items"] = [{"name": self.names.claim(f"{question.name}_{i}"),
                                   "label": self.label(row)}
                                  for i, row in enumerate(group.parts, start=1)]
        self.options(question, s, t, [])
        self.draft.questions.append(question)

    def rows(self, question: DraftQuestion, sequence: Group | None,
             text: Group | None) -> None:
        """The rows of a matrix of numbers or free text, each a question: the first where the
        matrix was, the others last (mapped by their columns) so that the questions after it
        keep their Wenjuanxing numbers."""
        group = text or sequence
        assert group is not None
        for i, part in enumerate(group.parts):
            row = DraftQuestion(self.names.claim(f"{question.name}_{i + 1}"), "text",
                                self.label(f"{question.label[self.lang]}—{part}"),
                                remarks=list(question.remarks) if i == 0 else [],
                                source=question.source)
            export = self.pair.text if text else self.pair.sequence
            values = answered(export.body[group.positions[i]])  # type: ignore[union-attr]
            row.type, keys = plain_type(values)
            row.keys.update(keys)
            self.plain(row, values)
            row.columns = {g.headers[i]: row.name for g in (sequence, text) if g is not None}
            if i:
                row.remarks.append(f"a row of question {question.source} (placed last so that "
                                   "the questions after it keep their Wenjuanxing numbers)")
            (self.later if i else self.draft.questions).append(row)

    # columns that are no question

    def leftovers(self, export: Export) -> None:
        for header in export.loose:
            self.draft.extra_columns[header] = None
            self.draft.note(f"{export.path.name}: column '{header}' is neither a numbered "
                            "question nor Wenjuanxing's metadata; the import keeps it under its "
                            "own name")
        for header in export.scores:
            self.draft.note(f"{export.path.name}: column '{header}' holds the points an "
                            "answer scored; the import keeps it as metadata")


def differ(numbers: pd.Series, texts: pd.Series) -> bool:
    """Whether the two views hold different cells for the same answers (option numbers and
    their texts), not the same numbers, dates or words."""
    both = numbers.index.intersection(texts.index)
    return not texts[both].eq(numbers[both]).all()


def typed_options(*cells: pd.Series | None) -> Counter:
    """The options respondents typed a text beside (`其他〖…〗` in a cell), by how often."""
    typed: Counter = Counter()
    for values in cells:
        if values is not None:
            options, texts = split_fill_in(values)
            typed.update(options[texts.notna()])
    return typed


def _block(export: Export | None, group: Group | None) -> pd.DataFrame | None:
    return export.body[group.positions] if export is not None and group is not None else None


def _first(export: Export | None, group: Group | None) -> pd.Series | None:
    """The answers in a question's (first) column."""
    return answered(export.body[group.positions[0]]) if export and group else None


def _pooled(export: Export | None, group: Group | None) -> pd.Series | None:
    """The answers to every row of a matrix in one Series, in reading order (respondent, then
    row), indexed by (respondent, row) so that the two views' answers pair up."""
    if export is None or group is None:
        return None
    frame = export.body[group.positions]
    return answered(frame.set_axis(range(len(group.positions)), axis=1).stack())
