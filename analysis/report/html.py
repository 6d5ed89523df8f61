"""The self-contained HTML report: one file, charts embedded, nothing fetched when it is opened.

`render_report` takes plain values (tables as DataFrames, charts as PNG bytes) and fills a
jinja2 template with autoescaping, so a label or an answer can never inject markup.
"""

from __future__ import annotations

import base64
import html
import math
import re
import uuid
from dataclasses import dataclass, field

import jinja2
import pandas as pd

from analysis.findings.claims import is_share
from analysis.findings.people import for_people
from analysis.findings.summary import finding_summary
from analysis.report.fonts import font_face

WORDS = {
    "zh": {"sample": "样本构成", "findings": "研究结论检验", "profiles": "群体特征",
           "questions": "分题结果", "reliability": "量表信度", "methods": "方法说明",
           "segment": "群体", "weighted_n": "加权样本量", "effective_n": "有效样本量",
           "claim": "编号", "statement": "报告结论", "estimate": "估计值",
           "comparison": "对照值", "difference": "差值", "verdict": "结论",
           "question": "题目", "option": "选项", "share": "比例", "rest": "其他职工",
           "index": "指数", "scale": "量表", "items": "题项数", "item_rest": "题项-其余相关",
           "scored": "有得分人数", "complete": "完整作答（α）",
           "supported": "支持", "not_supported": "不支持", "contradicted": "相反",
           "insufficient_data": "样本不足", "all": "全部受访者", "ci": "95%置信区间",
           "p_adjusted": "校正p值",
           "operationalised": "† 工具对该研究发现的操作化检验，非报告原话。"},
    "en": {"sample": "Sample", "findings": "The report's claims", "profiles": "Segment profiles",
           "questions": "Questions", "reliability": "Scale reliability", "methods": "Methods",
           "segment": "Segment", "weighted_n": "Weighted n", "effective_n": "Effective n",
           "claim": "Claim", "statement": "Statement", "estimate": "Estimate",
           "comparison": "Comparison", "difference": "Difference", "verdict": "Verdict",
           "question": "Question", "option": "Option", "share": "Share", "rest": "Others",
           "index": "Index", "scale": "Scale", "items": "Items", "item_rest": "Item-rest r",
           "scored": "With a score", "complete": "Complete cases (α)",
           "supported": "supported", "not_supported": "not supported",
           "contradicted": "contradicted", "insufficient_data": "insufficient data",
           "all": "All respondents", "ci": "95% CI", "p_adjusted": "p adjusted",
           "operationalised": "† the toolkit's operationalisation of the finding, not the "
                              "report's sentence."},
}


@dataclass(frozen=True)
class QuestionBlock:
    name: str
    title: str
    table: pd.DataFrame
    footnote: str
    chart_png: bytes | None = None  # the page's copy (`drawing.web_png`)


@dataclass(frozen=True)
class ReportContent:
    title: str
    subtitle: str
    lang: str
    sample_text: str
    bases: pd.DataFrame  # label, n, weighted_n, effective_n, share, small
    design_notes: tuple[str, ...]
    methods: tuple[str, ...]
    questions: tuple[QuestionBlock, ...]
    findings: pd.DataFrame | None = None  # the findings_table
    findings_rule: str = ""
    correction: str = ""
    findings_png: tuple[bytes, ...] = ()
    profiles: pd.DataFrame | None = None
    reliability: tuple = field(default_factory=tuple)
    scale_labels: dict = field(default_factory=dict)
    changes: dict | None = None  # the changes since the previous wave (report/changes.py)


def _fmt(x, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return ""
    if isinstance(x, float):
        return f"{x:.{digits}g}" if abs(x) < 1000 else f"{x:,.0f}"
    return str(x)


def _pct(x) -> str:
    return "" if x is None or not math.isfinite(x) else f"{100 * x:.1f}%"


def _p(x) -> str:
    return "" if x is None or not math.isfinite(x) else ("<0.001" if x < 0.001 else f"{x:.3f}")


def _png(data: bytes | None) -> str | None:
    return base64.b64encode(data).decode("ascii") if data else None


STAND_IN = b"-"  # a chart not drawn yet (`draft_report`)


@dataclass(frozen=True)
class Draft:
    """The page rendered once, before its charts are drawn: `text` holds a marker where each
    of its `charts` and the @font-face rule go, and shows every glyph the page will (charts
    are images), so the font is made from it while the charts are drawn."""

    text: str
    marker: str
    charts: int

    def fill(self, content: ReportContent, font: str) -> str:
        """The finished page: `content`'s charts (the draft's, drawn now) and `font`."""
        charts = _charts_of(content)
        if len(charts) != self.charts:
            raise ValueError(f"the page has {self.charts} charts, {len(charts)} were given")
        done = {f"{self.marker}-{k}": _png(png) for k, png in enumerate(charts)}
        done[f"{self.marker}-font"] = font
        return re.sub(f"{self.marker}-(?:font|\\d+)", lambda m: done[m[0]], self.text)


def render_report(content: ReportContent, font: str | None = None) -> str:
    """The page; `font` is its @font-face rule when made beforehand (else made from the page)."""
    draft = draft_report(content)
    return draft.fill(content, font_face(draft.text) if font is None else font)


def draft_report(content: ReportContent) -> Draft:
    """The page with markers for its charts (those of `content` that are not None; a
    `STAND_IN` is enough) and its font."""
    marker = f"worker-survey-{uuid.uuid4().hex}"  # no label or answer can hold it
    slot = iter(f"{marker}-{k}" for k in range(len(_charts_of(content))))
    words = WORDS.get(content.lang, WORDS["en"])
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("analysis.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = environment.get_template("report.html.j2")
    text = template.render(
        font_face=f"{marker}-font",
        title=content.title, subtitle=content.subtitle, lang=content.lang, words=words,
        sample_text=content.sample_text, bases=_bases(content.bases),
        design_notes=content.design_notes, methods=content.methods,
        findings=_findings(content.findings, words), findings_rule=content.findings_rule,
        findings_summary=_summary(content.findings, content.lang),
        correction=content.correction,
        findings_charts=[next(slot) for _ in content.findings_png],
        profiles=_profiles(content.profiles), reliability=_reliability(content),
        changes=content.changes,
        questions=[{"name": b.name, "title": b.title,
                    "chart": next(slot) if b.chart_png is not None else None,
                    "footnote": b.footnote,
                    "table": table_html(b.table, "banner")}
                   for b in content.questions])
    return Draft(text, marker, len(_charts_of(content)))


def _charts_of(content: ReportContent) -> list[bytes]:
    """The page's charts in the order the draft marks them."""
    return [*content.findings_png,
            *(b.chart_png for b in content.questions if b.chart_png is not None)]


def _summary(findings: pd.DataFrame | None, lang: str) -> str:
    """The per-finding summary (F1-F11) as an HTML table, headers in `lang`."""
    if findings is None or findings.empty or "finding" not in findings:
        return ""
    table = for_people(finding_summary(findings), lang)
    return table_html(table, "summary")


def table_html(frame: pd.DataFrame, css: str) -> str:
    """`frame` as an HTML table of class `css`, escaped, empty where a value is missing (pandas'
    to_html took a tenth of the page's time)."""
    def cell(value) -> str:
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) \
            else html.escape(str(value))

    head = "".join(f"<th>{cell(name)}</th>" for name in frame.columns)
    columns = [frame.iloc[:, k].tolist() for k in range(frame.shape[1])]
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>\n"
                   for row in zip(*columns, strict=True))
    return (f'<table class="{css}">\n<thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n{body}</tbody>\n</table>")


def _bases(bases: pd.DataFrame) -> list[dict]:
    return [{"label": r.label, "n": int(r.n), "weighted_n": f"{r.weighted_n:,.1f}",
             "effective_n": f"{r.effective_n:,.1f}", "share": _pct(r.share),
             "small": bool(r.small)} for r in bases.itertuples(index=False)]


def _findings(table: pd.DataFrame | None, words: dict) -> list[dict]:
    if table is None:
        return []
    rows = []
    for r in table.itertuples(index=False):
        share = is_share(r.measure) if "measure" in table.columns else r.estimate <= 1
        value = _pct if share and r.estimate <= 1 and r.comparison <= 1 else _fmt
        rows.append({"id": r.id, "operationalisation": bool(getattr(r, "operationalisation",
                                                                        False)),
                     "statement": r.statement, "estimate": value(r.estimate),
                     "comparison": value(r.comparison), "difference": value(r.difference),
                     "ci": f"[{value(r.ci_low)}, {value(r.ci_high)}]"
                     if math.isfinite(r.ci_low) else "",
                     "p": _p(r.p_adjusted), "n": f"{r.n}/{r.n_comparison}",
                     "verdict": r.verdict, "verdict_label": words[r.verdict],
                     "narrative": r.narrative})
    return rows


def _profiles(profiles: pd.DataFrame | None, per_segment: int = 8) -> list[dict]:
    if profiles is None or profiles.empty:
        return []
    shown = []
    for _, part in profiles.groupby("segment", sort=False):
        significant = part[part["significant"]].head(per_segment)
        if significant.empty:
            continue
        shown.append({"label": significant["segment_label"].iloc[0], "rows": [
            {"question": r.question_label, "option": r.option_label, "share": _pct(r.share),
             "rest": _pct(r.rest_share), "difference": f"{100 * r.difference:+.1f}",
             "index": _fmt(r.index, 3), "p": _p(r.p_adjusted)}
            for r in significant.itertuples()]})
    return shown


def _reliability(content: ReportContent) -> list[dict]:
    return [{"label": content.scale_labels.get(r.scale, r.scale), "k": len(r.items), "n": r.n,
             "scored": r.n_scored,
             "alpha": _fmt(r.alpha, 3), "flagged": r.flagged,
             "item_rest": ", ".join(f"{i}: {_fmt(c, 2)}" for i, c in zip(r.items, r.item_rest,
                                                                        strict=True))}
            for r in content.reliability]
