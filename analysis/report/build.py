"""`survey report`: everything a researcher hands on, from one dataset, in one folder.

Banner tables of every question by the segments, charts (PNG; SVG on request), the banner
workbook, the findings (when claims are given) and a self-contained HTML report. The folder is
built beside the target and moved into place at the end, so a failed or interrupted run (Ctrl-C,
SIGTERM) leaves no half-written report and no staging folder; the report gets the mode the umask
gives.
"""

from __future__ import annotations

import dataclasses
import io
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.banner.build import Banner, BannerOptions, banner
from analysis.banner.render import chart_cells, footnote
from analysis.design.choice import DesignChoice, choose_design
from analysis.design.sample_design import Design
from analysis.findings.claims import Claim, is_share, load_claims
from analysis.findings.people import for_people
from analysis.findings.profiles import segment_profiles
from analysis.findings.reliability import scale_reliability
from analysis.findings.summary import finding_summary
from analysis.findings.table import findings_table, method_note, write_findings
from analysis.findings.verdicts import ClaimData, assess_claims
from analysis.report.changes import PreviousWave, changes_since, section
from analysis.report.changes import sheet as changes_sheet
from analysis.report.drawing import FORMATS, ChartJob, Drawing
from analysis.report.fonts import font_face
from analysis.report.html import STAND_IN, QuestionBlock, ReportContent, draft_report
from analysis.report.shown import chart_columns, drawn_marks, people_table, segment_differences
from analysis.report.workbook import SheetTable, write_workbook
from survey.files.atomic import staging_folder
from survey.messages import text, words
from survey.messages.tables import FINDINGS, HEADERS, REPORT

ROW_TYPES = ("single", "multi", "rank", "scale", "number")
QUARTILES = (0.25, 0.5, 0.75)
CHART_COLUMNS = 6  # Total and the first five segments: more bars than that are unreadable
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ReportFiles:
    folder: Path
    files: tuple[Path, ...]
    banners: int
    claims: int


def _quiet(step: str, done: int, total: int) -> None:
    """The default progress callback: report nothing."""


def report(responses, folder: str | Path, *, claims: Sequence[Claim] | str | Path = (),
           design: Design | None = None, by: Sequence[str] | None = None,
           lang: str | None = None, suppress: int = 0, versus: str = "group",
           previous: PreviousWave | Any = None, svg: bool = False,
           progress: Progress = _quiet) -> ReportFiles:
    """Write the whole report of `responses` into `folder`: banner workbook, charts (PNG, and
    SVG for print with `svg`: a third more of the charts' time), findings of
    `claims` (a claims file or claims loaded) and the HTML report; `design` defaults to the
    questionnaire's, `by` to its banner columns (segment groups, other segments); `versus`
    "rest" shows each segment of a group against the rest of the sample. `previous` (the
    previous wave's responses, or a `PreviousWave` with its design and how it relates) adds
    the changes since it: a workbook sheet and a section of the HTML report."""
    if isinstance(claims, (str, Path)):
        claims = load_claims(claims, responses.questionnaire)
    if previous is not None and not isinstance(previous, PreviousWave):
        previous = PreviousWave(previous)
    choice = choose_design(responses) if design is None else DesignChoice.of(design)
    return make_report(responses, choice, folder, claims=claims, by=by, lang=lang,
                       options=BannerOptions(lang=lang, suppress=suppress,
                                             versus=versus),  # type: ignore[arg-type]
                       previous=previous, chart_formats=("png", "svg") if svg else ("png",),
                       progress=progress)


def make_report(responses, choice: DesignChoice, folder: str | Path, *,
                claims: Sequence[Claim] = (), by: Sequence[str] | None = None,
                lang: str | None = None, options: BannerOptions | None = None,
                charts_for: int = CHART_COLUMNS, previous: PreviousWave | None = None,
                chart_formats: Sequence[str] = ("png",),
                progress: Progress = _quiet) -> ReportFiles:
    """Write the whole report into `folder` (created or replaced whole)."""
    q = responses.questionnaire
    lang = lang or q.survey.default_language
    options = options or BannerOptions(lang=lang)
    by = list(by if by is not None else q.banner_columns())
    unknown = sorted(set(chart_formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"chart formats are {', '.join(FORMATS)}, not {', '.join(unknown)}")
    folder = Path(folder)
    with staging_folder(folder) as staging:  # removed whatever happens, SIGTERM included
        written = _build(responses, choice, staging, claims, by, lang, options, charts_for,
                         previous, progress, tuple(chart_formats))
        _move_into_place(staging, folder)
    return ReportFiles(folder, tuple(folder / p.relative_to(staging) for p in written[0]),
                       written[1], written[2])


def _build(responses, choice, staging: Path, claims, by, lang, options, charts_for, previous,
           progress, chart_formats):
    q = responses.questionnaire
    (staging / "charts").mkdir()
    rows = _rows(q)
    changes = None
    if previous is not None:  # first: waves that cannot be compared stop before the work
        progress("changes since the previous wave", 0, 1)
        changes = changes_since(previous, responses, choice.design, rows, by, options, lang)
    with Drawing(charts_expected(q)) as drawing:  # drawn by workers while the tables are made
        charts = _Charts(drawing, staging / "charts", chart_formats)
        table, note, findings_charts = None, "", []
        if claims:  # first: the findings' charts are the largest, and drawn last they kept one
            progress("findings", 0, 1)  # worker busy after the other had finished
            result = assess_claims(claims, ClaimData.from_responses(responses), choice.design,
                                   alpha=options.alpha, min_base=options.min_base)
            table = findings_table(result, q, lang)
            note = method_note(result, lang=lang, variance=choice.variance(lang)["variance"])
            charts.files.append(write_findings(table, note, staging / "findings.csv"))
            charts.files.append(write_findings(table, note, staging / "findings.xlsx", lang))
            findings_charts = [charts.draw("difference_dots", dots, title, name,
                                           note=note_, lang=lang)
                               for name, dots, title, note_ in findings_dots(table, lang)]
        progress("segment profiles", 0, 1)  # before the banners: rank heatmaps draw on them
        profiles = segment_profiles(responses, choice.design, lang=lang,
                                    min_base=options.min_base)
        banners = _banners(responses, choice, rows, by, lang, options, charts_for, profiles,
                           charts, progress)
        _likert_charts(responses, choice, charts, lang)
        reliability = scale_reliability(responses)
        progress("html report", 0, 1)
        content = ReportContent(
            title=q.label(q.survey.title, lang),
            subtitle=f"{q.survey.id} {q.survey.version} · n = {len(responses.frame)} · "
                     f"{choice.describe(lang)}",
            lang=lang, sample_text=_sample_text(responses, choice, lang),
            bases=_bases(responses, choice, lang), design_notes=choice.notes,
            methods=_methods(banners, choice, lang), questions=charts.blocks(drawn=False),
            findings=table, findings_rule=text(FINDINGS, "verdict_rule", lang),
            correction=options.correction, findings_png=(STAND_IN,) * len(findings_charts),
            profiles=profiles, reliability=tuple(reliability),
            scale_labels={s.name: q.label(s.label, lang) for s in q.scales},
            changes=section(changes, lang) if changes else None)
        draft = draft_report(content)  # the page's text, before its charts are drawn
        # its font is cut from the CJK font (half a second to a second) by a worker, after the
        # charts already queued, while this process writes the workbook
        font = drawing.call(font_face, draft.text)
        progress("workbook", 0, 1)
        charts.files.append(write_workbook(
            staging / "banner.xlsx", banners, title=q.label(q.survey.title, lang),
            tables=_sheets(q, table, note, profiles, reliability, lang)
            + ([changes_sheet(changes, lang)] if changes else []), lang=lang))
        progress("charts", 0, 1)
        content = dataclasses.replace(
            content, questions=charts.blocks(drawn=True),
            findings_png=tuple(future.result().web_png for future in findings_charts))
        font = font.result()
    html = staging / "report.html"
    html.write_text(draft.fill(content, font), encoding="utf-8")
    return charts.files + [html], len(banners), len(claims)


def _rows(q) -> list[str]:
    return [name for name, item in q.items.items() if item.type in ROW_TYPES]


def charts_expected(q) -> int:
    """How many of the report's charts are the questions' (the likert and findings charts
    come on top): enough to know whether a pool of workers will draw them."""
    return sum(q.items[name].type in ("single", "multi", "rank") for name in _rows(q))


class _Charts:
    """The report's charts as they are submitted, and its question blocks waiting for them."""

    def __init__(self, drawing: Drawing, folder: Path, formats: tuple[str, ...]):
        self.drawing, self.folder, self.formats = drawing, folder, formats
        self.files: list[Path] = []
        self._drawn: list[Future | None] = []  # every chart, in the order it was asked for
        self._blocks: list[tuple[QuestionBlock, Future | None]] = []

    def draw(self, kind: str, data: pd.DataFrame, title: str, name: str, **options) -> Future:
        future = self.drawing.submit(ChartJob(kind, data, title, self.folder / name, options,
                                              self.formats))
        self._drawn.append(future)
        return future

    def block(self, block: QuestionBlock, chart: Future | None) -> None:
        self._blocks.append((block, chart))

    def blocks(self, drawn: bool) -> tuple[QuestionBlock, ...]:
        """The question blocks with their charts once every chart is drawn (`drawn`), else with
        a stand-in for each chart (the page's text without waiting)."""
        if not drawn:
            return tuple(dataclasses.replace(block, chart_png=STAND_IN) if chart else block
                         for block, chart in self._blocks)
        for future in self._drawn:
            self.files += future.result().paths
        return tuple(dataclasses.replace(block, chart_png=chart.result().web_png) if chart
                     else block for block, chart in self._blocks)


def _banners(responses, choice, rows, by, lang, options, charts_for, profiles, charts: _Charts,
             progress) -> list[Banner]:
    """A banner per question, each chart submitted as soon as its table is computed."""
    q = responses.questionnaire
    banners: list[Banner] = []
    for k, name in enumerate(rows, start=1):
        progress("banner tables and charts", k, len(rows))
        kind = q.items[name].type
        # number questions: quartiles and the median beside the mean (Woodruff intervals)
        asked = dataclasses.replace(options, quantiles=QUARTILES) if kind == "number" else options
        b = banner(responses, name, by, design=choice.design, options=asked)
        banners.append(b)
        chart = None
        if kind in ("single", "multi", "rank"):
            cells = chart_cells(b)
            shown = drawn_marks(b, q, cells[cells["column_label"].isin(
                chart_columns(b, q, cells)[:charts_for])])
            # shares of one answer add up to 100%: stacked; sets of options: grouped bars
            note = f"{footnote(b, lang)} {text(REPORT, 'chart_marks', lang)}"
            chart = charts.draw("stacked_bars", shown, b.row_label, name, note=note,
                                ordered=bool(q.items[name].ordered)) \
                if kind == "single" else charts.draw("grouped_bars", shown, b.row_label, name,
                                                     note=note)
            if kind == "rank" and not profiles.empty:
                values, significant = segment_differences(profiles, name)
                if not values.empty:
                    charts.draw("residual_heatmap", values, b.row_label, f"{name}_residuals",
                                significant=significant, bar=text(REPORT, "heatmap_bar", lang),
                                note=text(REPORT, "heatmap_note", lang))
        charts.block(QuestionBlock(name, b.row_label, people_table(b, q, lang),
                                   footnote(b, lang)), chart)
    return banners


def findings_dots(table: pd.DataFrame, lang: str) -> list[tuple[str, pd.DataFrame, str, str]]:
    """The findings charts' points as (name, dots, title, note): shares in percentage points;
    means (scale points, hours, counts, yuan) as a percentage of what they are compared with, so
    that F5's yuan and a scale's points share one axis without one flattening the other."""
    say = words(REPORT, lang)
    shown = table[table["difference"].notna() & table["ci_low"].notna()]
    share = shown["measure"].map(is_share)
    means = shown[~share & shown["comparison"].abs().gt(0)]
    parts = [("findings_shares", shown[share], 100, say["shares_title"], say["dots_note"]),
             ("findings_means", means, 100 / means["comparison"].abs(), say["means_title"],
              say["relative_note"])]
    return [(name, pd.DataFrame({"label": part["id"], "difference": part["difference"] * scale,
                                 "ci_low": part["ci_low"] * scale,
                                 "ci_high": part["ci_high"] * scale,
                                 "verdict": part["verdict"]}), title, note)
            for name, part, scale, title, note in parts if not part.empty]


def _likert_charts(responses, choice, charts: _Charts, lang: str) -> None:
    """One diverging-bar chart per grid: the weighted distribution of each item."""
    q = responses.questionnaire
    weights = np.asarray(choice.design.weights)
    for grid in (g for g in q.questions if g.type == "grid"):
        codes = [c for c in grid.codes if c != grid.dont_know]
        rows = {}
        for item in grid.items:  # one pass per item (comparing per code was 13 s at 1M)
            found = pd.Categorical(responses.frame[item.name], categories=codes).codes
            kept = found >= 0
            rows[q.label(item.label, lang)] = np.bincount(
                found[kept], weights=weights[kept], minlength=len(codes)).tolist()
        table = pd.DataFrame.from_dict(rows, orient="index",
                                       columns=[q.label(grid.options[c], lang) for c in codes])
        if table.to_numpy().sum() == 0:
            continue
        chart = charts.draw("likert_bars", table, q.label(grid.label, lang), grid.name)
        shares = table.div(table.sum(axis=1), axis=0).map(lambda x: f"{100 * x:.1f}%")
        charts.block(QuestionBlock(grid.name, q.label(grid.label, lang),
                                   shares.reset_index(names=""),
                                   text(REPORT, "likert_note", lang)), chart)


def _bases(responses, choice, lang: str) -> pd.DataFrame:
    q = responses.questionnaire
    w = np.asarray(choice.design.weights)
    total = w.sum()
    everyone = text(REPORT, "everyone", lang)
    groups = [(everyone, np.ones(len(w), bool))]
    groups += [(q.label(s.label, lang), responses.segment(name).to_numpy(bool))
               for name, s in q.segments.items()]
    rows = []
    for label, member in groups:
        wm = w[member]
        rows.append({"label": label, "n": int(member.sum()), "weighted_n": float(wm.sum()),
                     "effective_n": float(wm.sum() ** 2 / (wm ** 2).sum()) if len(wm) else 0.0,
                     "share": float(wm.sum() / total), "small": int(member.sum()) < 30})
    return pd.DataFrame(rows)


def _sample_text(responses, choice, lang: str) -> str:
    n = len(responses.frame)
    w = np.asarray(choice.design.weights)
    efficiency = w.sum() ** 2 / (n * (w ** 2).sum())
    return text(REPORT, "sample", lang, n=n, design=choice.describe(lang), df=choice.design.degf,
                efficiency=f"{efficiency:.1%}")


def _methods(banners: Sequence[Banner], choice, lang: str) -> tuple[str, ...]:
    lines = [footnote(banners[0], lang)] if banners else []
    lines.append(text(REPORT, "methods", lang, **choice.variance(lang)))
    return tuple(lines)


def _sheets(q, findings, note, profiles, reliability, lang: str) -> list[SheetTable]:
    say = words(REPORT, lang)
    sheets = []
    header = words(HEADERS, lang)
    segments = {name: q.label(s.label, lang) for name, s in q.segments.items()}
    if findings is not None:
        sheets.append(SheetTable(say["summary_sheet"],
                                 for_people(finding_summary(findings), lang)))
        shares = tuple(header[c] for c in ("estimate", "comparison", "difference", "ci_low",
                                           "ci_high"))
        sheets.append(SheetTable(say["findings_sheet"], for_people(findings, lang), note,
                                 shares, findings["measure"].map(is_share)))
    if profiles is not None and not profiles.empty:
        questions = {name: q.label(item.label, lang) for name, item in q.items.items()}
        sheets.append(SheetTable(say["profiles_sheet"],
                                 for_people(profiles, lang, segments=segments,
                                            questions=questions), say["profiles_note"],
                                 tuple(header[c] for c in ("share", "rest_share", "difference"))))
    if reliability:
        table = pd.DataFrame([r.row() for r in reliability])
        sheets.append(SheetTable(say["reliability_sheet"], for_people(table, lang),
                                 say["reliability_note"]))
    sheets.append(SheetTable(say["codebook_sheet"], _codebook(q, lang)))
    return sheets


def _codebook(q, lang: str) -> pd.DataFrame:
    from survey.forms.codebook import codebook_csv

    table = pd.read_csv(io.StringIO(codebook_csv(q, lang).lstrip("\ufeff")), dtype=str)
    return table.rename(columns=words(HEADERS, lang))


def _move_into_place(staging: Path, folder: Path) -> None:
    """Replace `folder`'s files with the staged ones (new files appear only when complete)."""
    if not folder.exists():
        os.replace(staging, folder)
        staging.mkdir()  # so the caller's cleanup has something to remove
        return
    for path in sorted(staging.rglob("*")):
        target = folder / path.relative_to(staging)
        if path.is_dir():
            target.mkdir(exist_ok=True)
        else:
            os.replace(path, target)
