"""The findings table as people read it: labels, numbers, verdicts and sentences, to any file.

One tidy DataFrame (`findings_table`) feeds the terminal, CSV, Markdown and Excel outputs, so the
same figures appear everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis.findings.claims import is_share
from analysis.findings.narrative import narrative
from analysis.findings.people import for_people
from analysis.findings.verdicts import Findings
from survey.files.atomic import atomic_path
from survey.messages import text, words
from survey.messages.tables import DESIGN_WORDS, FINDINGS, name_of
from survey.questionnaire.model import Questionnaire
from survey.writers import UnknownOutputFormat

VERDICT_ZH = {"supported": "支持", "not_supported": "不支持", "contradicted": "相反",
              "insufficient_data": "样本不足"}
FORMATS = (".csv", ".md", ".xlsx")


def findings_table(findings: Findings, questionnaire: Questionnaire,
                   lang: str | None = None) -> pd.DataFrame:
    """The findings as one tidy table in the labels of `lang`: one row per claim with its
    statement, estimate, comparison, interval, p-values, verdict and a sentence to quote; the
    terminal, CSV, Markdown and Excel outputs are all made from it."""
    lang = lang or questionnaire.survey.default_language
    rows = []
    for f in findings.findings:
        c = f.claim
        segment = c.within if c.kind == "top" else c.segment
        rows.append({
            "id": c.id, "finding": c.id.split("-")[0], "measure": c.resolved_measure,
            "operationalisation": c.operationalisation,
            "statement": questionnaire.label(c.statement, lang),
            "segment": questionnaire.label(questionnaire.segments[segment].label, lang)
            if segment else "", "comparison_group": _compared_with(f, questionnaire, lang),
            "estimate": f.estimate, "comparison": f.comparison, "difference": f.difference,
            "ci_low": f.ci[0], "ci_high": f.ci[1], "p": f.p, "p_adjusted": f.p_adjusted,
            "n": f.n, "n_comparison": f.n_comparison, "min_difference": c.threshold,
            "verdict": f.verdict, "test": f.test,
            "adjusted_coefficient": f.adjusted[0] if f.adjusted else None,
            "adjusted_p": f.adjusted[1] if f.adjusted else None, "adjusted_n": f.adjusted_n,
            "slope": f.slope,
            "narrative": narrative(f, questionnaire, lang) or "", "note": f.note_in(lang)})
    table = pd.DataFrame(rows)
    table.attrs["lang"] = lang  # the language its words are in, for the outputs made from it
    return table


def _compared_with(f, questionnaire: Questionnaire, lang: str) -> str:
    """What the estimate is compared with, in words: the rest, a segment, the strongest other
    option, the first group of a trend, or a published figure."""
    c = f.claim
    if c.kind == "anchor":
        return questionnaire.label(c.anchor.source, lang)
    if c.kind in ("top", "trend"):  # an option of the question, the first group of the trend
        variable, code = (c.question, f.comparison_label) if c.kind == "top" else \
            (c.trend.by, c.trend.order[0])
        return questionnaire.label(questionnaire.option_label(variable, code), lang) \
            or str(f.comparison_label)
    if c.kind == "comparison" and c.versus:
        return questionnaire.label(questionnaire.segments[c.versus].label, lang)
    return name_of(f.comparison_label, lang) if c.kind == "comparison" else f.comparison_label


def method_note(findings: Findings, design: str | None = None, lang: str | None = "en",
                variance: str | None = None) -> str:
    """How the claims were tested and judged, and with which design when `design` says;
    `variance` says how variances were made (default: Taylor linearisation)."""
    variance = variance or words(DESIGN_WORDS, lang)["taylor"]
    note = text(FINDINGS, "method", lang, alpha=findings.alpha, claims=len(findings.findings),
                correction=name_of(findings.correction, lang), min_base=findings.min_base,
                rule=text(FINDINGS, "verdict_rule", lang), variance=variance)
    return note if design is None else text(FINDINGS, "design", lang, note=note, design=design)


def write_findings(table: pd.DataFrame, note: str, path: str | Path,
                   lang: str | None = None) -> Path:
    """Write the table as .csv (UTF-8 with BOM for Excel; its codes kept for scripts), or as .md
    or .xlsx for people (headers and codes in the words of `lang`), whole or not at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UnknownOutputFormat(f"cannot write findings as '{suffix}': use one of "
                                  f"{', '.join(FORMATS)}", location=str(path))
    with atomic_path(path) as temporary:
        if suffix == ".csv":
            table.to_csv(temporary, index=False, encoding="utf-8-sig")
        elif suffix == ".md":
            temporary.write_text(_markdown(table, lang) + f"\n\n{note}\n", encoding="utf-8")
        else:
            say = words(FINDINGS, lang)
            # xlsxwriter, which the report's workbook imports already (openpyxl's import alone
            # was a fifth of a second of the report)
            with pd.ExcelWriter(temporary, engine="xlsxwriter") as writer:
                for_people(table, lang).to_excel(writer, sheet_name=say["sheet"], index=False,
                                                 freeze_panes=(1, 1))
                pd.DataFrame({say["method_header"]: [note]}).to_excel(
                    writer, sheet_name=say["method_sheet"], index=False)
    return path


VERDICT_STYLE = {"supported": "green", "contradicted": "red", "not_supported": "",
                 "insufficient_data": "dim"}


def terminal_table(table: pd.DataFrame, lang: str | None = "en"):
    """The findings as a rich Table: ids never cut, verdicts coloured, NaN shown blank."""
    from rich.table import Table
    from rich.text import Text

    say = words(FINDINGS, lang)
    shown = Table(show_lines=False, header_style="bold", pad_edge=False, box=None,
                  padding=(0, 1))
    shown.add_column(say["claim"], no_wrap=True)
    shown.add_column(say["verdict"], no_wrap=True)
    for column in ("estimate", "comparison", "difference", "p_adjusted"):
        shown.add_column(say[column], justify="right", no_wrap=True)
    for row in table.itertuples(index=False):
        share = is_share(row.measure)
        claim = Text(row.id)
        if row.segment:
            claim.append(f"\n{row.segment}", style="dim")
        shown.add_row(claim, Text(name_of(row.verdict, lang), style=VERDICT_STYLE[row.verdict]),
                      _figure(row.estimate, share), _figure(row.comparison, share),
                      _figure(row.difference, share, signed=True), _p_value(row.p_adjusted))
    return shown


def _figure(x: float, share: bool, signed: bool = False) -> str:
    """A number for people: shares as percent (differences in points), means to 2 decimals,
    large values with thousands separators."""
    if x != x:  # NaN
        return ""
    sign = "+" if signed else ""
    if share:
        return f"{100 * x:{sign}.1f}" + ("" if signed else "%")
    return f"{x:{sign},.0f}" if abs(x) >= 100 else f"{x:{sign}.2f}"


def _p_value(p: float) -> str:
    if p != p:
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def terminal_report(table: pd.DataFrame, notes: Sequence[str], lang: str | None = "en") -> list:
    """What a terminal shows of the findings: the table, a sentence per supported or
    contradicted claim, then the notes (design, method) dimmed."""
    from rich.text import Text

    return [terminal_table(table, lang),
            *(f"- {sentence}" for sentence in table["narrative"] if sentence),
            *(Text(note, style="dim") for note in notes)]


def _markdown(table: pd.DataFrame, lang: str | None) -> str:
    shown = for_people(table[["id", "segment", "estimate", "comparison", "difference",
                              "p_adjusted", "verdict", "narrative"]], lang)
    lines = ["| " + " | ".join(shown.columns) + " |", "|" + "---|" * len(shown.columns)]
    for row in shown.itertuples(index=False):
        cells = [f"{v:.4g}" if isinstance(v, float) else str(v).replace("|", "\\|") for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
