"""Showing a comparison of two waves: the `survey compare --json` document
(docs/reference/json.md) and a terminal table that reads at 80 columns. Only presentation:
every figure comes from the `WaveComparison`; NaN becomes JSON null and "–" on a terminal."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rich import box
from rich.table import Table

from survey.messages import is_chinese, text, words
from survey.messages.tables import name_of
from survey.messages.waves import WAVES

if TYPE_CHECKING:
    from analysis.waves.compare import WaveComparison

TEST_NAME = {False: "design-t-independent-waves", True: "design-t-paired-waves"}


def _num(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def _change(c: Any) -> dict[str, Any]:
    low, high = _num(c.ci_low), _num(c.ci_high)
    return {"option": c.option, "label": c.option_label, "by": c.by, "col": str(c.col),
            "wave1": {"estimate": _num(c.estimate1), "se": _num(c.se1), "n": int(c.n1)},
            "wave2": {"estimate": _num(c.estimate2), "se": _num(c.se2), "n": int(c.n2)},
            "change": _num(c.change), "se": _num(c.se),
            "ci": None if low is None or high is None else [low, high], "df": _num(c.df),
            "t": _num(c.statistic), "p": _num(c.p), "p_adjusted": _num(c.p_adjusted),
            "significant": bool(c.significant), "small_base": bool(c.small_base)}


def to_json(w: WaveComparison) -> dict[str, Any]:
    """The comparison as one JSON document (docs/reference/json.md, "survey compare --json")."""
    return {
        "row": w.row, "row_label": w.row_label, "row_type": w.row_type, "measure": w.measure,
        "by": list(w.by), "paired": w.paired,
        "waves": [{"label": label, "design": design}
                  for label, design in zip(w.waves, w.designs, strict=True)],
        "test": {"name": TEST_NAME[w.paired], "df": w.df_rule, "alpha": w.alpha,
                 "correction": w.correction, "level": w.level, "min_base": w.min_base},
        "columns": [{"by": c.by, "value": str(c.col), "label": c.label,
                     "n": [int(c.n1), int(c.n2)]} for c in w.columns.itertuples()],
        "changes": [_change(c) for c in w.changes.itertuples()],
        "notes": list(w.notes),
    }


def _figure(x: Any, share: bool, signed: bool = False) -> str:
    v = _num(x)
    if v is None:
        return "–"
    sign = "+" if signed else ""
    return f"{100 * v:{sign}.1f}" if share else f"{v:{sign}.2f}"


def _p(c: Any) -> str:
    v = _num(c.p_adjusted)
    if v is None:
        return "–"
    return (f"{v:.3f}" if v >= 0.001 else "<0.001") + (" *" if c.significant else "")


def terminal_table(w: WaveComparison, lang: str | None = None) -> Table:
    """One row per column of the banner, grouped by option: each wave's figure, the change,
    its interval and the corrected p."""
    lang = lang or w.lang
    say = words(WAVES, lang)
    share = w.measure == "share"
    table = Table(title=text(WAVES, "title", lang, label=w.row_label, row=w.row,
                             first=w.waves[0], second=w.waves[1]),
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(say["column"], overflow="fold", max_width=22)
    for key in ("first", "second", "change"):
        table.add_column(say[key], justify="right")
    table.add_column(say["interval"].format(level=f"{100 * w.level:g}"), justify="right")
    table.add_column(say["p_adjusted"], justify="right")
    for _, part in w.changes.groupby("option", sort=False, dropna=False):
        if share:
            table.add_row(part["option_label"].iloc[0], style="bold")
        for c in part.itertuples():
            ci = f"{_figure(c.ci_low, share, True)}, {_figure(c.ci_high, share, True)}"
            table.add_row(("  " if share else "") + c.col_label, _figure(c.estimate1, share),
                          _figure(c.estimate2, share), _figure(c.change, share, True),
                          "–" if _num(c.ci_low) is None else ci, _p(c))
    return table


def footnote(w: WaveComparison, lang: str | None = None) -> str:
    """How the changes were estimated and tested, in one paragraph."""
    lang = lang or w.lang
    unit = text(WAVES, "unit_share" if w.measure == "share" else "unit_mean", lang)
    names = {"first": w.waves[0], "second": w.waves[1], "unit": unit}
    if w.paired:
        parts = [text(WAVES, "paired", lang, n=int(w.columns["n2"].iloc[0]),
                      df=w.designs[1]["df"], **names)]
    else:
        parts = [text(WAVES, "independent", lang, df1=w.designs[0]["df"],
                      df2=w.designs[1]["df"], **names)]
    tested = int(w.changes["p_adjusted"].notna().sum())
    parts.append(text(WAVES, "tests", lang, m=tested, correction=name_of(w.correction, lang),
                      alpha=f"{w.alpha:g}") if tested else text(WAVES, "none_tested", lang))
    if w.changes["small_base"].any():
        parts.append(text(WAVES, "small_base", lang, min_base=w.min_base))
    return ("" if is_chinese(lang) else " ").join(parts)


def terminal_report(w: WaveComparison, lang: str | None = None) -> list:
    """What a terminal shows: the table, the footnote, then the notes."""
    return [terminal_table(w, lang), footnote(w, lang), *(f"Note: {n}" for n in w.notes)]
