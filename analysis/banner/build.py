"""Banner tables: one row variable against one or several `by` variables side by side, plus Total.

Composed from the design-based estimators (R survey's svyby idea): per `by` variable, one
aggregation pass gives the domain totals of every quantity the row needs (`banner_totals`); all
figures (shares, nets, means, scores) and their covariances are ratios of those totals, and the
tests (Rao-Scott or Pearson per table or per option, pairwise column tests with letters, mean
tests) read them. Results are frozen values with tidy DataFrames; `banner_render` shows them.

Columns: a single/scale question or derived categorical gives one column per option; a segment
gives two, its members and the rest of the sample, so several segments side by side form
overlapping groups. Letters and tests compare columns within a group; the multiple-comparison
correction runs over all pairwise comparisons of the whole banner.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from analysis.banner import quantiles as banner_quantiles
from analysis.banner import tables as banner_tables
from analysis.banner.rows import (
    BannerError,
    ByVariable,
    ResponsesLike,
    RowBlock,
    by_variable,
    row_block,
)
from analysis.banner.stats import BannerTest
from analysis.design.corrections import correction_name
from analysis.design.estimation import TOTAL
from analysis.design.quantiles import INTERVALS
from analysis.design.sample_design import Design, LonelyPSUError
from survey.files.source import suggest
from survey.messages import text
from survey.messages.tables import BANNER_NOTES

__all__ = ["Banner", "BannerError", "BannerOptions", "BannerTest", "banner"]

Correction = Literal["none", "bonferroni", "holm", "bh", "fdr_bh"]


@dataclass(frozen=True)
class BannerOptions:
    """How to make a banner. `suppress` k > 0 hides cells of 1..k-1 respondents everywhere;
    `percent` "responses" makes multi/rank shares of all selections instead of respondents;
    `extra` asks for "row" and/or "total" proportions beside column proportions; `nets` adds
    nets (name, codes) to those of the questionnaire, each also as text "top2=4,5"; `versus`
    "rest" shows a group of segments as its segments, each against the rest of the sample,
    instead of side by side, each compared with each other ("group", as SPSS CTABLES);
    `quantiles` asks number and scale rows for quantiles with Woodruff intervals;
    `quantile_interval` "replicates" recomputes them under each replicate weight instead (a
    replicate design only, R's interval.type "quantile")."""

    alpha: float = 0.05
    correction: Correction = "holm"
    min_base: int = 30
    suppress: int = 0
    percent: Literal["respondents", "responses"] = "respondents"
    extra: tuple[str, ...] = ()
    level: float = 0.95
    interval: Literal["logit", "beta"] = "logit"
    nets: tuple[tuple[str, tuple[Any, ...]] | str, ...] = ()
    lang: str | None = None
    versus: Literal["group", "rest"] = "group"
    quantiles: tuple[float, ...] = ()  # number and scale rows: e.g. (0.25, 0.5, 0.75)
    quantile_interval: Literal["woodruff", "replicates"] = "woodruff"

    def __post_init__(self) -> None:
        object.__setattr__(self, "correction", correction_name(self.correction))
        object.__setattr__(self, "nets", tuple(parse_net(n) if isinstance(n, str) else n
                                               for n in self.nets))
        if not 0 < self.alpha < 1:
            raise BannerError(f"alpha must be between 0 and 1, not {self.alpha}")
        if self.percent not in ("respondents", "responses"):
            raise BannerError(f"percent must be respondents or responses, not {self.percent!r}")
        bad = [e for e in self.extra if e not in ("row", "total")]
        if bad:
            raise BannerError(f"extra proportions are 'row' and 'total', not {bad[0]!r}")
        if self.min_base < 0 or self.suppress < 0:
            raise BannerError("min_base and suppress must not be negative")
        if self.versus not in ("group", "rest"):
            raise BannerError(f"versus is 'group' or 'rest', not {self.versus!r}")
        object.__setattr__(self, "quantiles", banner_quantiles.asked(self.quantiles))
        if self.quantile_interval not in INTERVALS:
            raise BannerError(f"the interval of quantiles is woodruff or replicates, not "
                              f"{self.quantile_interval!r}")


def parse_net(spec: str) -> tuple[str, tuple[Any, ...]]:
    """A net written NAME=CODES ("top2=4,5") as (name, codes); integer codes become ints."""
    name, _, codes = spec.partition("=")
    parts = [c.strip() for c in codes.split(",") if c.strip()]
    if not name.strip() or not parts:
        raise BannerError(f"net {spec!r}: write NAME=CODES, e.g. top2=4,5")
    return name.strip(), tuple(int(c) if c.lstrip("-").isdigit() else c for c in parts)


@dataclass(frozen=True)
class DesignSummary:
    """What the design was: column names (None when absent), design df, and whether it is a
    simple random sample (no weights, strata, clusters or fpc); for a replicate-weight design,
    its type and number of replicates."""

    weight: str | None
    strata: str | None
    cluster: str | None
    fpc: str | None
    df: int
    srs: bool
    replicate_type: str | None = None
    replicates: int | None = None


@dataclass(frozen=True, eq=False)
class Banner:
    """A banner table. `columns`: one row per column (Total first). `cells`: one row per
    (row option or net, column). `means`: scale/number rows, one row per column. `missing`:
    counts of each missing kind per column. `quantiles`: when asked, one row per column and
    quantile (value, se, Woodruff interval). Suppressed figures are NaN with `suppressed`."""

    row: str
    row_label: str
    row_type: str
    by: tuple[str, ...]
    design: DesignSummary
    options: BannerOptions
    columns: pd.DataFrame
    cells: pd.DataFrame
    means: pd.DataFrame | None
    missing: pd.DataFrame
    tests: tuple[BannerTest, ...]
    column_test: str
    mean_test: str | None
    notes: tuple[str, ...] = field(default=())
    dont_know: str | None = None  # the label of the row's "don't know" option, if it has one
    quantiles: pd.DataFrame | None = None

    def missing_rows(self, lang: str | None = None) -> list[tuple[str, list[str]]]:
        """(label, a cell per column) for each missing kind some column has: the count and its
        share of the column's respondents, outside the base of the percentages above."""
        from analysis.banner.render import missing_rows

        return missing_rows(self, lang)

    def to_json(self) -> dict[str, Any]:
        """The `survey crosstab --json` document (DESIGN.md, with documented extensions)."""
        from analysis.banner.render import to_json

        return to_json(self)


def _is_srs(design: Design) -> bool:
    return all(design.description.get(k) is None for k in ("weight", "strata", "cluster", "fpc"))


def prepared(responses: ResponsesLike, row: str, by: str | Sequence[str],
             options: BannerOptions) -> tuple[BannerOptions, RowBlock, list[ByVariable]]:
    """A banner's request read and checked, wherever its sums are made: the options with their
    language, the row's block and the by variables (a group's segments one by one with
    `versus="rest"`)."""
    names = [by] if isinstance(by, str) else list(by)
    if options.versus == "rest":  # a group's segments, each against the rest of the sample
        groups_of = responses.questionnaire.segment_groups
        names = [name for b in names for name in groups_of.get(b, [b])]
    if options.lang is None:  # labels in the questionnaire's first language, as everywhere else
        options = dataclasses.replace(options,
                                      lang=responses.questionnaire.survey.default_language)
    if len(set(names)) != len(names):
        raise BannerError("a by variable is given twice")
    block = row_block(responses, row, lang=options.lang, nets=dict(options.nets))
    if options.quantiles and block.kind not in banner_quantiles.ROW_KINDS:
        raise BannerError(f"quantiles are for number and scale rows; {row} is {block.kind}")
    if options.percent == "responses" and not block.is_set:
        raise BannerError(f"percentages of responses are for multi and rank rows; {row} is "
                          f"{block.kind}")
    if row in names:
        raise BannerError(f"{row} is both the row and a by variable")
    return options, block, [by_variable(responses, b, lang=options.lang) for b in names]


def banner(responses: ResponsesLike, row: str, by: str | Sequence[str] = (), *,
           design: Design | None = None, options: BannerOptions | None = None,
           **settings: Any) -> Banner:
    """The banner of `row` by each of `by` (questions, derived categoricals or segments).

    Without `design` the sample is a simple random sample: unweighted counts, Pearson and
    two-proportion z tests, Wilson intervals. With one, everything is design-based. Options
    come as `options=BannerOptions(...)` or as its fields (`correction="bh"`, `suppress=5`).
    """
    if settings:
        known = [f.name for f in dataclasses.fields(BannerOptions)]
        unknown = [name for name in settings if name not in known]
        if unknown:
            raise BannerError(f"unknown banner option {unknown[0]!r}{suggest(unknown[0], known)}")
        options = dataclasses.replace(options or BannerOptions(), **settings)
    options, block, groups = prepared(responses, row, by, options or BannerOptions())
    if design is None:
        design = Design.build(responses.frame)
    elif design.n != len(responses.frame):
        raise BannerError(f"the design has {design.n} respondents, the data {len(responses.frame)}")
    notes: list[str] = []
    try:
        parts = banner_tables.compute(design, block, groups, options, _is_srs(design), notes)
    except LonelyPSUError as err:
        notes.append(text(BANNER_NOTES, "lonely_psu", options.lang, error=err))
        design = dataclasses.replace(design, lonely_psu="adjust")
        parts = banner_tables.compute(design, block, groups, options, _is_srs(design), notes)
    quantiles = banner_quantiles.table(design, block, groups, options, parts.columns)
    return assemble(design, block, groups, options, parts, notes, quantiles)


def assemble(design: Design, block: RowBlock, groups: list[ByVariable], options: BannerOptions,
             parts: banner_tables.Parts, notes: list[str],
             quantiles: pd.DataFrame | None = None) -> Banner:
    """The Banner value from its parts and the design's summary."""
    srs = _is_srs(design)
    d = design.description
    summary = DesignSummary(d.get("weight"), d.get("strata"), d.get("cluster"), d.get("fpc"),
                            int(design.degf), srs, d.get("replicate_type"),
                            getattr(design, "n_replicates", None))
    if srs:
        column_test = "srs-column-proportions-z"
        mean_test = "anova-F" if block.has_mean else None
    else:
        column_test = "design-column-proportions-t"
        mean_test = "design-wald-F" if block.has_mean else None
    if options.suppress:
        notes.append(text(BANNER_NOTES, "suppressed", options.lang, k=options.suppress))
    return Banner(
        row=block.name, row_label=block.label, row_type=block.kind,
        by=tuple(g.name for g in groups), design=summary, options=options,
        columns=parts.columns, cells=parts.cells, means=parts.means, missing=parts.missing,
        tests=tuple(parts.tests), column_test=column_test, mean_test=mean_test,
        notes=tuple(dict.fromkeys(notes)), dont_know=block.dont_know, quantiles=quantiles)


TOTAL_VALUE = TOTAL
