"""The report's changes since the previous wave: every question of the report compared with the
previous wave (`analysis.waves.compare`), by the report's banner columns, laid out as one
workbook sheet (all changes, filterable) and a short HTML section (the significant ones).

One sheet rather than a change column on every banner sheet: a banner sheet already holds two
cells a column (figure and letters), and a researcher looking for what moved reads one list,
sorted as the report's questions, better than forty wider sheets. Each question is its own
family of tests (the correction runs within it), as each banner corrects within its own table.
A question the previous wave did not ask is left out with a note, not an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.report.workbook import SheetTable
from analysis.waves.asked import MissingQuestionError
from analysis.waves.compare import QuestionChanged, compare
from survey.messages import is_chinese, text, words
from survey.messages.tables import name_of
from survey.messages.waves import WAVES


@dataclass(frozen=True)
class PreviousWave:
    """The previous wave a report compares with: its responses (of the same questionnaire), its
    design (None: its questionnaire's `design:`), a label (its file name) and whether it is the
    same respondents (`paired`) or, with repeated ids, still an independent sample;
    `current_label` names the wave reported on in messages."""

    responses: Any
    design: Any = None
    label: str = "previous wave"
    current_label: str = "this wave"
    paired: bool = False
    independent: bool = False


@dataclass(frozen=True)
class Changes:
    """Every change of the report's questions (`table`, one row per question, option and
    column), the questions left out, and how they were tested."""

    previous: str
    table: pd.DataFrame
    skipped: tuple[str, ...]
    paired: bool
    correction: str
    alpha: float


def changes_since(previous: PreviousWave, responses, design, rows: Sequence[str],
                  by: Sequence[str], options, lang: str) -> Changes:
    """Compare each of `rows` between the previous wave and `responses` by `by`."""
    parts, skipped = [], []
    for name in rows:
        try:
            found = compare(previous.responses, responses, name, list(by),
                            design1=previous.design, design2=design, paired=previous.paired,
                            independent=previous.independent, alpha=options.alpha,
                            correction=options.correction, min_base=options.min_base,
                            lang=lang, names=(previous.label, previous.current_label))
        except (MissingQuestionError, QuestionChanged):
            skipped.append(name)
            continue
        part = found.changes.assign(question=name, question_label=found.row_label,
                                    share=found.measure == "share")
        parts.append(part)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return Changes(previous.label, table, tuple(skipped), previous.paired, options.correction,
                   options.alpha)


def _rule(changes: Changes, lang: str) -> str:
    rule = text(WAVES, "rule_paired" if changes.paired else "rule_independent", lang)
    tests = text(WAVES, "rule_tests", lang, correction=name_of(changes.correction, lang),
                 alpha=f"{changes.alpha:g}")
    return rule + ("；" if is_chinese(lang) else "; ") + tests


def _column(row: Any) -> str:
    """A column as a reader names it: Total, a segment, or its rest ("农民工: 其他")."""
    if row.by == "_total" or row.col_label == row.by_label:
        return row.col_label
    return f"{row.by_label}: {row.col_label}"


def sheet(changes: Changes, lang: str) -> SheetTable:
    """All changes as a plain workbook sheet: shares (and their changes) as percentages."""
    say = words(WAVES, lang)
    t = changes.table
    if t.empty:
        table = pd.DataFrame(columns=[say[k] for k in ("question", "option", "column")])
        return SheetTable(say["sheet"], table, _note(changes, lang))
    table = pd.DataFrame({
        say["question"]: t["question_label"],
        say["option"]: [label if share else "" for label, share in
                        zip(t["option_label"], t["share"], strict=True)],
        say["column"]: [_column(r) for r in t.itertuples()],
        say["previous"]: t["estimate1"], say["current"]: t["estimate2"],
        say["change"]: t["change"], say["ci_low"]: t["ci_low"], say["ci_high"]: t["ci_high"],
        say["p_adjusted"]: t["p_adjusted"], say["significant"]: t["significant"].map(
            lambda x: "*" if x else "")})
    percent = tuple(say[k] for k in ("previous", "current", "change", "ci_low", "ci_high"))
    return SheetTable(say["sheet"], table, _note(changes, lang), percent, t["share"])


def _note(changes: Changes, lang: str) -> str:
    note = text(WAVES, "sheet_note", lang, previous=changes.previous, rule=_rule(changes, lang))
    if changes.skipped:
        note += " " + text(WAVES, "skipped", lang, names=", ".join(changes.skipped))
    return note


def section(changes: Changes, lang: str) -> dict[str, Any]:
    """The HTML section: its title, the sentence that says how, and the significant changes."""
    say = words(WAVES, lang)
    t = changes.table
    shown = t[t["significant"]] if not t.empty else t
    rule = _rule(changes, lang)
    intro = text(WAVES, "section_intro" if len(shown) else "section_none", lang,
                 previous=changes.previous, rule=rule)
    rows = [{"question": r.question_label, "option": r.option_label if r.share else "",
             "column": _column(r), "previous": _figure(r.estimate1, r.share),
             "current": _figure(r.estimate2, r.share),
             "change": f"{100 * r.change:+.1f}{say['points']}" if r.share
             else _figure(r.change, False, signed=True),
             "p": "<0.001" if r.p_adjusted < 0.001 else f"{r.p_adjusted:.3f}"}
            for r in shown.itertuples()]
    skipped = text(WAVES, "skipped", lang, names=", ".join(changes.skipped)) \
        if changes.skipped else ""
    return {"title": say["section"], "intro": intro, "rows": rows, "skipped": skipped,
            "words": {k: say[k] for k in ("question", "option", "column", "previous",
                                          "current", "change", "p_adjusted")}}


def _figure(x: float, share: bool, signed: bool = False) -> str:
    if x != x:  # NaN: an empty column
        return ""
    sign = "+" if signed else ""
    return f"{100 * x:{sign}.1f}%" if share else f"{x:{sign}.2f}"
