"""Banner tables of a file that stays in its engine: the same `Banner` as `analysis.banner`.

Per `by` variable, one query sums each respondent's weighted quantities (shares' numerators,
rank points, values, squares) by unit, column level, answered, missing kind and (single rows)
answer code, or (rank rows) the option ranked first. From those sums numpy rebuilds exactly
what `banner.stats.group_figures` computes in memory: domain totals with their covariance,
unweighted counts, bases, missing kinds and degrees of freedom; the columns, cells, letters and
tests then come from the same code (`banner.tables.from_groups`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.banner.build import Banner, BannerOptions, assemble, prepared
from analysis.banner.rows import (
    BannerError,
    ByVariable,
    RowBlock,
    derived_codes,
    net_codes,
)
from analysis.banner.stats import GroupFigures, categorical_map
from analysis.banner.tables import from_groups
from analysis.design.choice import design_columns
from analysis.design.sample_design import LonelyPSUError
from analysis.engines.connect import Engine, open_engine
from analysis.engines.design import DesignSpec, EngineDesign, Rows, build_design
from analysis.engines.errors import EngineError
from analysis.engines.estimators import products, unpack
from analysis.engines.variables import Variables, metadata
from survey.expressions.sql import equal, literal
from survey.messages import text
from survey.messages.tables import BANNER_NOTES
from survey.questionnaire.loader import load_questionnaire
from survey.questionnaire.model import Questionnaire


@dataclass(frozen=True)
class RowSql:
    """The row variable in SQL: answered, missing kind, and its quantities or answer code."""

    answered: str
    kind: str | None
    code: str | None = None  # single/scale/segment rows: the answer's index
    flags: tuple[str, ...] = ()  # multi/rank rows (nets included): 1 selected, 0 not
    points: tuple[str, ...] = ()
    first: str | None = None  # rank rows: the option ranked first (k: none)
    value: str | None = None  # number rows


def row_sql(v: Variables, block: RowBlock, nets: dict) -> RowSql:
    """How the engine computes the row `block` describes (read from the metadata)."""
    q = v.questionnaire.items.get(block.name)
    if block.name in v.questionnaire.segments:
        return RowSql("TRUE", None, code=f"(CASE WHEN {v.segment(block.name)} THEN 0 ELSE 1 END)")
    if block.kind == "number":
        value = v.value(block.name).text
        answered = f"({value} IS NOT NULL AND NOT isnan({value}))"
        return RowSql(answered, q and v.missing_kind(q, answered, None), value=value)
    if not block.is_set:
        assert q is None or not q.is_set
        options = list(q.codes) if q is not None else _derived_codes(v, block.name)
        dk = q.dont_know if q is not None else None
        codes = [c for c in options if c != dk]
        code = v.codes(block.name, codes, dk)
        dont_know = None
        if dk is not None:
            dont_know = equal_code(v, block.name, dk)
        return RowSql(f"({code} >= 0)", q and v.missing_kind(q, f"({code} >= 0)", dont_know),
                      code=code)
    assert q is not None
    cells = v.block(q)
    answered = "(" + " OR ".join(f"{c} IS NOT NULL" for c in cells) + ")"
    flags = [f"(CASE WHEN {c} > 0 THEN 1 ELSE 0 END)" for c in cells]
    for _, _, members in net_codes(q, nets, None, v.questionnaire):  # any of their members
        flags.append("(CASE WHEN " + " OR ".join(f"{cells[i]} > 0" for i in members)
                     + " THEN 1 ELSE 0 END)")
    points, first = (), None
    if q.type == "rank":
        top = v.engine.aggregate([], ["MAX(GREATEST(" + ", ".join(
            f"COALESCE({c}, 0)" for c in cells) + "))"])
        max_rank = int(max(q.max_choices or len(cells), top["s0"].fillna(0).iloc[0]))
        points = tuple(f"(CASE WHEN {c} > 0 THEN {max_rank + 1} - {c} ELSE 0 END)"
                       for c in cells)
        # the last option ranked first wins, as the in-memory loop leaves it
        first = "(CASE " + " ".join(f"WHEN {cells[j]} = 1 THEN {j}"
                                    for j in reversed(range(len(cells)))) + \
            f" ELSE {len(cells)} END)"
    dk = None
    if q.dont_know is not None:
        dk = f"COALESCE({v.block(q)[list(q.codes).index(q.dont_know)]} > 0, FALSE)"
    return RowSql(answered, v.missing_kind(q, answered, dk), flags=tuple(flags),
                  points=points, first=first)


def equal_code(v: Variables, name: str, code: object) -> str:
    return equal(v.value(name), literal(code))


def _derived_codes(v: Variables, name: str) -> list[object]:
    """The codes of the derived variable `name`, in its order."""
    return derived_codes(next(d for d in v.questionnaire.derived if d.name == name))


def by_sql(v: Variables, by: ByVariable | None) -> str:
    """Each respondent's level of a `by` variable: -1 none, -2 a value not among its codes."""
    if by is None:
        return "CAST(-1 AS INTEGER)"
    if by.name in v.questionnaire.segment_groups:  # one column per segment, none: -1
        segments = v.questionnaire.segment_groups[by.name]
        whens = " ".join(f"WHEN {v.segment(s)} THEN {i}" for i, s in enumerate(segments))
        return f"(CASE {whens} ELSE -1 END)"
    if by.name in v.questionnaire.segments:
        return f"(CASE WHEN {v.segment(by.name)} THEN 0 ELSE 1 END)"
    q = v.questionnaire.items.get(by.name)
    if q is not None:
        return v.codes(by.name, list(q.codes), q.dont_know)
    return v.codes(by.name, _derived_codes(v, by.name))


def quantities(block: RowBlock, r: RowSql) -> list[str]:
    """The dense quantities of multi/rank and number rows, in `stats.layout` order."""
    if block.kind == "number":
        y = f"(CASE WHEN {r.answered} THEN {r.value} ELSE 0 END)"
        return [y, f"{y} * {y}", "1"]
    return [*r.flags, *r.points, "1"]


def group_figures(v: Variables, design: EngineDesign, block: RowBlock, r: RowSql,
                  by: ByVariable | None) -> GroupFigures:
    """One `by` variable's figures from one aggregation, as `stats.group_figures`."""
    level = by_sql(v, by)
    w = design.weight
    keys = [level, r.answered, r.kind or "0"]
    if r.code is not None:
        keys.append(r.code)
    elif r.first is not None:
        keys.append(r.first)
    dense = quantities(block, r) if r.code is None else []
    sums = ["COUNT(*)", f"SUM({w})", f"SUM({w} * {w})"]
    sums += [f"SUM({w} * {x})" for x in dense]
    sums += [f"SUM({x})" for x in dense]  # unweighted
    if not design.clustered and dense:
        sums += products(dense, w, "TRUE")
    frame = v.engine.aggregate([*design.keys, *keys], sums)
    k0 = len(design.keys)
    lev = frame[f"k{k0}"].to_numpy(np.int64)
    if (lev == -2).any():
        v.strays(level, by.name if by else "")
    n_lev = 0 if by is None else len(by.values)
    answered = frame[f"k{k0 + 1}"].to_numpy(bool)
    kind = frame[f"k{k0 + 2}"].to_numpy(np.int64)
    extra = frame[f"k{k0 + 3}"].to_numpy(np.int64) if len(keys) > 3 else None
    if r.code is not None and (extra == -2).any():
        v.strays(r.code, block.name)
    unit = design.codes(frame)
    level_all = np.where(lev >= 0, lev, n_lev)
    dom = np.where(answered, level_all, n_lev + 1)
    n_dom = n_lev + 2
    count = frame["s0"].to_numpy(float)
    f = design.factor[unit]
    sw, sw2 = frame["s1"].to_numpy(float) * f, frame["s2"].to_numpy(float) * f * f
    q = len(dense)
    if r.code is not None:
        k = block.n_options
        cat = np.where(answered, extra, -1)
        rows = coded_rows(design, unit, dom, cat, k, frame, count)
        tot = design.totals(rows, n_dom).mapped(categorical_map(block))
        raw = _table(dom, np.where(cat >= 0, cat, 0), count * (cat >= 0), n_dom, k)
    else:
        u = frame[[f"s{3 + j}" for j in range(q)]].to_numpy(float)
        m = None if design.clustered else unpack(frame, 3 + 2 * q, q)
        rows = Rows(unit, dom, u, m, count.astype(np.int64))
        tot = design.totals(rows, n_dom)
    level_df = design.domain_degf(rows, n_dom)[:n_lev].astype(float)
    s = np.zeros((n_lev + 1, n_dom))
    s[np.arange(n_lev), np.arange(n_lev)] = 1
    s[n_lev, : n_lev + 1] = 1
    n = s @ np.bincount(dom, count, minlength=n_dom)
    sw_d = s @ np.bincount(dom, sw, minlength=n_dom)
    sw2_d = s @ np.bincount(dom, sw2, minlength=n_dom)
    ext = tot.combine(s)
    y_sums = None
    if block.is_set:
        m_flags = len(block.flags)
        unweighted = frame[[f"s{3 + q + j}" for j in range(m_flags)]].to_numpy(float)
        counts = s @ _sum_by(dom, unweighted, n_dom)
    elif r.code is not None:
        counts = s @ (raw @ categorical_map(block)[: block.n_options + len(block.net_matrix)].T)
        if block.scores is not None:
            y_sums = (s @ raw) @ np.column_stack([block.scores, block.scores ** 2])
    else:
        counts = np.zeros((n_lev + 1, 0))
        y_sums = s @ _sum_by(dom, frame[[f"s{3 + q}", f"s{4 + q}"]].to_numpy(float), n_dom)
    first = first_counts = None
    if r.first is not None:
        k = block.n_options + 1
        fc = np.where(answered, extra, -1)
        frows = coded_rows(design, unit, dom, fc, k, frame, count)
        first = design.totals(frows, n_dom).mapped(
            np.vstack([np.eye(k), np.ones((1, k))])).combine(s)
        first_counts = s @ _table(dom, np.maximum(fc, 0), count * (fc >= 0), n_dom, k)
    answered_rows = Rows(unit, np.where(answered, 0, -1), np.zeros((len(unit), 0)), None,
                         count.astype(np.int64))
    total_df = float(design.domain_degf(answered_rows, 1)[0])
    df = np.append(level_df, total_df)
    missing = np.zeros((n_lev + 1, 4))
    size = np.bincount(level_all, count, minlength=n_lev + 1)
    size[n_lev] = size.sum()
    if block.missing_kind is not None:
        kinds = _table(level_all, np.clip(kind, 0, 4), count, n_lev + 1, 5)[:, 1:]
        missing[:n_lev] = kinds[:n_lev]
        missing[n_lev] = kinds.sum(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        eff = sw_d ** 2 / sw2_d
    return GroupFigures(by, ext, counts, n, sw_d, np.nan_to_num(eff), df, missing, size,
                        y_sums, first, first_counts)


def coded_rows(design: EngineDesign, unit: np.ndarray, dom: np.ndarray, code: np.ndarray,
               k: int, frame, count: np.ndarray) -> Rows:
    """Rows of k coded quantities (one per answer code, -1 none): weights s1, squares s2."""
    onehot = np.eye(k)[np.maximum(code, 0)]
    m = None if design.clustered else \
        onehot[:, :, None] * onehot[:, None, :] * frame["s2"].to_numpy(float)[:, None, None]
    return Rows(unit, np.where(code >= 0, dom, -1), onehot * frame["s1"].to_numpy(float)[:, None],
                m, count.astype(np.int64))


def _table(row: np.ndarray, col: np.ndarray, weight: np.ndarray, n_rows: int, n_cols: int
           ) -> np.ndarray:
    return np.bincount(row * n_cols + col, weight, minlength=n_rows * n_cols).reshape(
        n_rows, n_cols)


def _sum_by(dom: np.ndarray, values: np.ndarray, n_dom: int) -> np.ndarray:
    out = np.zeros((n_dom, values.shape[1]))
    np.add.at(out, dom, values)
    return out


def _refuse_overlaps(v: Variables, group: str) -> None:
    """A respondent in two segments of a group: the in-memory banner's error, counted by SQL."""
    segments = v.questionnaire.segment_groups[group]
    member = " + ".join(f"(CASE WHEN {v.segment(s)} THEN 1 ELSE 0 END)" for s in segments)
    frame = v.engine.aggregate([member], ["COUNT(*)"])
    shared = int(frame.loc[frame["k0"] > 1, frame.columns[-1]].sum())
    if shared:
        raise BannerError(f"segments of group {group!r} share {shared} respondent(s); the "
                          "segments of a group must not overlap (check their 'where')")


def engine_banner(v: Variables, design: EngineDesign, row: str, by: str | Sequence[str] = (),
                  options: BannerOptions | None = None) -> Banner:
    """The banner of `row` by each of `by` over the engine's file (see `analysis.banner`)."""
    options = options or BannerOptions()
    if options.quantiles:
        raise EngineError("quantiles need every answer in order, which the out-of-core engines "
                          "do not gather; import the file and analyse it in memory")
    options, block, groups = prepared(metadata(v.engine, v.questionnaire), row, by, options)
    for group in groups:
        if group.name in v.questionnaire.segment_groups:
            _refuse_overlaps(v, group.name)
    r = row_sql(v, block, dict(options.nets))
    notes: list[str] = []
    srs = all(design.description.get(k) is None for k in ("weight", "strata", "cluster", "fpc"))
    try:
        figures = [group_figures(v, design, block, r, b) for b in groups] or \
            [group_figures(v, design, block, r, None)]
    except LonelyPSUError as err:
        notes.append(text(BANNER_NOTES, "lonely_psu", options.lang, error=err))
        design = design.with_lonely("adjust")
        figures = [group_figures(v, design, block, r, b) for b in groups] or \
            [group_figures(v, design, block, r, None)]
    answered = any(float(g.n[-1]) > 0 for g in figures)
    block = dataclasses.replace(block, answered=np.array([answered]),
                                missing_kind=None if r.kind is None else np.zeros(1, np.int8))
    parts = from_groups(design, block, figures, options, srs, notes)
    return assemble(design, block, groups, options, parts, notes)  # type: ignore[arg-type]


def file_banner(path: str | Path, questionnaire: Questionnaire | str | Path, row: str,
                by: str | Sequence[str] = (), *, engine: str | Engine = "duckdb",
                weight: str | None = None, strata: str | None = None,
                cluster: str | None = None, fpc: str | None = None,
                options: BannerOptions | None = None, **settings) -> Banner:
    """The banner of `row` by each of `by` over a Parquet or CSV file in our layout, aggregated
    by an engine ("duckdb", or "spark") instead of read into memory: the same `Banner` as
    `survey.banner` for the figures it supports. The design is the questionnaire's `design:`
    overridden by the columns named here; its notes come first among the banner's."""
    if not isinstance(questionnaire, Questionnaire):
        questionnaire = load_questionnaire(questionnaire)
    if settings:
        options = dataclasses.replace(options or BannerOptions(), **settings)
    if questionnaire.design.replicate_weights:
        raise EngineError("replicate-weight designs are analysed in memory: the engines sum "
                          "by primary sampling unit, which replicate weights stand in for")
    eng = open_engine(path, engine) if isinstance(engine, str) else engine
    columns, design_notes = design_columns(eng.kinds, questionnaire.design, weight=weight,
                                           strata=strata, cluster=cluster, fpc=fpc)
    design = build_design(eng, DesignSpec(**columns))
    table = engine_banner(Variables(eng, questionnaire), design, row, by, options)
    return dataclasses.replace(table, notes=(*design_notes, *table.notes))
