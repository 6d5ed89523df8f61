"""Means, totals and proportions by domain over a file that stays in its engine.

The same figures as `analysis.design.estimation` (and so as R's svymean, svytotal, svyby) from
one aggregation: the engine sums the weighted values per unit (or stratum) and domain, numpy
finishes the domain totals' covariance (`EngineDesign.totals`) and the ratios of means and shares
(`banner.totals.ratios`, the linearisation svymean uses). Design effects are not computed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.banner.totals import DomainTotals, ratios
from analysis.design.estimation import TOTAL, Estimates
from analysis.design.sample_design import DesignError
from analysis.engines.connect import DuckDB, Engine
from analysis.engines.design import DesignSpec, EngineDesign, Rows, build_design
from survey.expressions.sql import NUMBER

Source = str | Path | Engine


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


def engine_of(source: Source) -> Engine:
    """A DuckDB engine over a path, or the engine given."""
    return DuckDB(source) if isinstance(source, (str, Path)) else source


def levels(values: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes (-1 missing) and labels of values in sorted order, as `estimation.domains`."""
    codes, uniq = pd.factorize(pd.Series(values.to_numpy(dtype=object)), sort=True)
    return codes.astype(np.int64), tuple(str(u) for u in uniq)


def products(values: Sequence[str], weight: str, ok: str) -> list[str]:
    """SUM(w^2 v_a v_b) for a <= b: the second moments of designs without clusters."""
    return [f"SUM(CASE WHEN {ok} THEN {weight} * {weight} * {a} * {b} ELSE 0 END)"
            for i, a in enumerate(values) for b in values[i:]]


def unpack(frame: pd.DataFrame, first: int, q: int) -> np.ndarray:
    """The (R, q, q) symmetric second moments stored as upper triangles from column s{first}."""
    m = np.zeros((len(frame), q, q))
    col = first
    for a in range(q):
        for b in range(a, q):
            m[:, a, b] = m[:, b, a] = frame[f"s{col}"].to_numpy(float)
            col += 1
    return m


def _design(engine: Engine, design: DesignSpec | EngineDesign | None) -> EngineDesign:
    if isinstance(design, EngineDesign):
        return design
    return build_design(engine, design or DesignSpec())


def _number(engine: Engine, name: str) -> str:
    if name not in engine.kinds:
        raise DesignError(f"column {name!r} is not in the data")
    if engine.kinds[name] != NUMBER:
        raise DesignError(f"{name} is not numeric")
    return f"CAST({engine.quote(name)} AS DOUBLE)"


def _by(engine: Engine, by: str | None) -> str:
    if by is None:
        return "CAST(0 AS INTEGER)"
    if by not in engine.kinds:
        raise DesignError(f"segment {by!r} is not in the data")
    return engine.quote(by)


def _estimates(statistic: str, names: tuple[str, ...], labels: tuple[str, ...], by: str | None,
               totals: DomainTotals, count: np.ndarray, design: EngineDesign,
               domain_df: np.ndarray, covariance: bool, weights: int | None = 0) -> Estimates:
    """Means (ratios to the quantity `weights`, or to the sum of all when None) or totals."""
    d, q = totals.shape
    if statistic == "mean":
        eye = np.eye(q)
        if weights is None:
            num, den = eye, np.ones((q, q))
        else:
            num = eye[[j for j in range(q) if j != weights]]
            den = np.tile(eye[weights], (len(num), 1))
        r = ratios(totals, num, den)
        est, se, vcov = r.estimate, r.se, r.vcov
        weighted_n = totals.theta @ den[0]
    else:
        keep = [j for j in range(q) if j != weights] if weights is not None else list(range(q))
        idx = (np.arange(d)[:, None] * q + np.array(keep)[None, :]).ravel()
        est, vcov = totals.theta[:, keep], totals.vcov[np.ix_(idx, idx)]
        se = np.sqrt(np.maximum(np.diag(vcov), 0.0)).reshape(d, len(keep))
        weighted_n = totals.theta[:, weights] if weights is not None else totals.theta.sum(1)
    se = np.where((count == 0)[:, None], np.nan, se)
    return Estimates(statistic=statistic, variables=names, domains=labels, by=by,
                     estimate=_ro(est), se=_ro(se), vcov=_ro(vcov) if covariance else None,
                     deff=None, n=_ro(count.astype(np.int64)), weighted_n=_ro(weighted_n),
                     df=design.degf, domain_df=_ro(domain_df))


def _dense(statistic: str, source: Source, variables: str | Sequence[str], by: str | None,
           design: DesignSpec | EngineDesign | None, covariance: bool) -> Estimates:
    engine = engine_of(source)
    ed = _design(engine, design)
    names = (variables,) if isinstance(variables, str) else tuple(variables)
    ys = [_number(engine, v) for v in names]
    by_sql = _by(engine, by)
    ok = " AND ".join([f"{by_sql} IS NOT NULL"] + [f"({y} IS NOT NULL AND NOT isnan({y}))"
                                                   for y in ys])
    w = ed.weight
    values = ["CAST(1.0 AS DOUBLE)", *ys]
    sums = [f"SUM(CASE WHEN {ok} THEN 1 ELSE 0 END)"]
    sums += [f"SUM(CASE WHEN {ok} THEN {w} * {v} ELSE 0 END)" for v in values]
    if not ed.clustered:
        sums += products(values, w, ok)
    frame = ed_aggregate(engine, ed, [by_sql], sums)
    k = len(ed.keys)
    dom, labels = levels(frame[f"k{k}"]) if by is not None else \
        (np.zeros(len(frame), np.int64), (TOTAL,))
    q = len(values)
    u = frame[[f"s{1 + j}" for j in range(q)]].to_numpy(float)
    m = None if ed.clustered else unpack(frame, 1 + q, q)
    rows = Rows(ed.codes(frame), dom, u, m, frame["s0"].to_numpy(np.int64))
    totals = ed.totals(rows, len(labels))
    count = np.bincount(dom[dom >= 0], rows.count[dom >= 0], minlength=len(labels))
    return _estimates(statistic, names, labels, by, totals, count, ed,
                      ed.domain_degf(rows, len(labels)), covariance)


def ed_aggregate(engine: Engine, ed: EngineDesign, keys: list[str], sums: list[str]
                 ) -> pd.DataFrame:
    """Sums grouped by the design's units (or strata) and `keys`."""
    return engine.aggregate([*ed.keys, *keys], sums)


def mean(source: Source, variables: str | Sequence[str], by: str | None = None, *,
         design: DesignSpec | EngineDesign | None = None, covariance: bool = False
         ) -> Estimates:
    """Means of numeric columns of a file, overall or by a column, as `estimation.mean`
    (respondents missing any of them are dropped)."""
    return _dense("mean", source, variables, by, design, covariance)


def total(source: Source, variables: str | Sequence[str], by: str | None = None, *,
          design: DesignSpec | EngineDesign | None = None, covariance: bool = False
          ) -> Estimates:
    """Population totals of numeric columns of a file, as `estimation.total`."""
    return _dense("total", source, variables, by, design, covariance)


def proportions(source: Source, variable: str, by: str | None = None, *,
                design: DesignSpec | EngineDesign | None = None, covariance: bool = False,
                counts: bool = False) -> Estimates:
    """Shares (or with `counts`, population counts) of each value of a column of a file, as
    `estimation.proportions`: categories are the values present, sorted."""
    engine = engine_of(source)
    ed = _design(engine, design)
    if variable not in engine.kinds:
        raise DesignError(f"column {variable!r} is not in the data")
    w = ed.weight
    sums = ["COUNT(*)", f"SUM({w})", f"SUM({w} * {w})"]
    frame = ed_aggregate(engine, ed, [_by(engine, by), engine.quote(variable)], sums)
    k = len(ed.keys)
    dom, labels = levels(frame[f"k{k}"]) if by is not None else \
        (np.zeros(len(frame), np.int64), (TOTAL,))
    cat, categories = levels(frame[f"k{k + 1}"])
    dom = np.where(cat >= 0, dom, -1)
    n_cat = len(categories)
    onehot = np.eye(n_cat)[np.maximum(cat, 0)]
    u = onehot * frame["s1"].to_numpy(float)[:, None]
    m = None if ed.clustered else \
        onehot[:, :, None] * onehot[:, None, :] * frame["s2"].to_numpy(float)[:, None, None]
    rows = Rows(ed.codes(frame), dom, u, m, frame["s0"].to_numpy(np.int64))
    totals = ed.totals(rows, len(labels))
    count = np.bincount(dom[dom >= 0], rows.count[dom >= 0], minlength=len(labels))
    return _estimates("total" if counts else "mean", categories, labels, by, totals, count, ed,
                      ed.domain_degf(rows, len(labels)), covariance, weights=None)
