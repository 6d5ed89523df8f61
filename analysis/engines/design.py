"""The survey design of a file that stays in its engine, and the variance of domain totals from
the sums the engine returns.

Every Taylor variance we compute is that of a sum of influence values, which are linear in each
respondent's weighted values u_i = w_i (1, y_i1, ..., y_iq) within their domain. So:

- clustered designs need only the sums of u per sampling unit (PSU, or SSU with a second-stage
  fpc) and domain: the unit totals that `Design.variance` (R's onestrat/multistage) takes;
- designs without clusters (each respondent its own PSU) need per stratum and domain the sums
  of u and of u u' (sums of w^2 y_j y_k): the centred sum of squares of the respondents'
  influence values is S2 - S1 S1' / n_h, with the same factor and lonely-PSU rule per stratum.

The design itself is built from one query of the units (strata, clusters, fpc, counts) with
`Design.build`, so its checks and its codes are those of the in-memory engine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.banner.totals import DomainTotals
from analysis.design.sample_design import Design, DesignError, stratum_scale
from analysis.design.stages import (
    check_lonely_psu,
    codes_of,
    description,
    population_sizes,
    stages,
)
from analysis.engines.connect import Engine
from survey.expressions.sql import NUMBER


@dataclass(frozen=True)
class DesignSpec:
    """A design by column names, as `Design.build` takes them."""

    weight: str | None = None
    strata: str | None = None
    cluster: str | Sequence[str] | None = None
    fpc: str | Sequence[str] | None = None
    lonely_psu: str = "fail"
    nest: bool = False


@dataclass(frozen=True, eq=False)
class Rows:
    """Aggregated rows: unit (or stratum) code, domain code (-1: none), weighted sums u (R, q),
    sums of products m (R, q, q) for designs without clusters, respondents counted."""

    unit: np.ndarray
    dom: np.ndarray
    u: np.ndarray
    m: np.ndarray | None
    count: np.ndarray


@dataclass(frozen=True, eq=False)
class EngineDesign:
    """A design whose respondents stay in the engine: `n`, `degf`, `description` and
    `lonely_psu` as a `Design` has them; `keys` (SQL) group the respondents by unit."""

    n: int
    degf: int
    description: dict[str, str | None]
    lonely_psu: str
    keys: tuple[str, ...]
    weight: str  # SQL of each respondent's weight (1.0 when weights come from the fpc)
    units: pd.DataFrame  # the key values of each unit (or stratum), row i is code i
    factor: np.ndarray  # weight of each unit's respondents when the data give none, else 1
    design: Design | None  # clustered: the design over units
    strata_n: np.ndarray | None = None  # without clusters: respondents per stratum
    popsize: np.ndarray | None = None
    strata_labels: tuple[object, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def clustered(self) -> bool:
        return self.design is not None

    def with_lonely(self, rule: str) -> EngineDesign:
        check_lonely_psu(rule)
        inner = None if self.design is None else dataclasses.replace(self.design, lonely_psu=rule)
        return dataclasses.replace(self, lonely_psu=rule, design=inner)

    def codes(self, frame: pd.DataFrame) -> np.ndarray:
        """The unit code of each row of an aggregated frame (its first key columns)."""
        k = len(self.keys)
        if k == 0:
            return np.zeros(len(frame), np.int64)
        names = [f"k{i}" for i in range(k)]
        index = self.units.assign(_code=np.arange(len(self.units)))
        found = frame[names].merge(index, on=names, how="left")["_code"]
        return found.to_numpy(dtype=np.int64)

    def totals(self, rows: Rows, n_dom: int) -> DomainTotals:
        """Domain totals of the q quantities and their covariance (domain-major), as
        `estimation.total(..., covariance=True)` gives them for the same data."""
        keep = rows.dom >= 0
        unit, dom, u = rows.unit[keep], rows.dom[keep], rows.u[keep] * self.factor[rows.unit[keep],
                                                                                  None]
        q = u.shape[1]
        n_units = len(self.units)
        z = np.zeros((n_units, n_dom * q))
        cols = dom[:, None] * q + np.arange(q)[None, :]
        np.add.at(z, (np.repeat(unit, q), cols.ravel()), u.ravel())
        theta = z.sum(axis=0).reshape(n_dom, q)
        if self.design is not None:
            v = self.design.variance(z, full=True)
        else:
            assert rows.m is not None and self.strata_n is not None and self.popsize is not None
            m = rows.m[keep] * (self.factor[unit] ** 2)[:, None, None]
            v = self._moment_variance(z, unit, dom, m, n_dom)
        return DomainTotals(theta, v, np.zeros(n_dom), np.zeros(n_dom))

    def _moment_variance(self, z: np.ndarray, stratum: np.ndarray, dom: np.ndarray,
                         m: np.ndarray, n_dom: int) -> np.ndarray:
        """sum_h c_h (S2_h - [centred] S1_h S1_h' / n_h): S2 is block-diagonal in domains, as
        a respondent belongs to one domain."""
        assert self.strata_n is not None and self.popsize is not None
        scale, center = stratum_scale(self.strata_n, self.popsize, self.lonely_psu,
                                      self.strata_labels, 1)
        q = m.shape[1]
        blocks = np.zeros((n_dom, q, q))
        np.add.at(blocks, dom, m * scale[stratum][:, None, None])
        v = np.zeros((n_dom * q, n_dom * q))
        for d in range(n_dom):
            v[d * q:(d + 1) * q, d * q:(d + 1) * q] = blocks[d]
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(center, scale / self.strata_n, 0.0)
        return v - z.T @ (z * c[:, None])

    def domain_degf(self, rows: Rows, n_dom: int) -> np.ndarray:
        """Each domain's PSUs minus its strata among the respondents counted (R:
        degf(subset(design, ...))), as `Design.domain_degf`."""
        keep = (rows.dom >= 0) & (rows.count > 0)
        unit, dom = rows.unit[keep], rows.dom[keep]
        if self.design is None:  # every respondent is a PSU
            psus = np.bincount(dom, rows.count[keep], minlength=n_dom)
            strata = _distinct(unit, dom, len(self.units), n_dom)
            return (psus - strata).astype(np.int64)
        psu = self.design.unit_psu[unit]
        stratum = self.design.psu_stratum[psu]
        psus = _distinct(psu, dom, len(self.design.psu_stratum), n_dom)
        strata = _distinct(stratum, dom, len(self.design.strata_labels), n_dom)
        return psus - strata


def _distinct(group: np.ndarray, dom: np.ndarray, n_groups: int, n_dom: int) -> np.ndarray:
    """How many distinct groups each domain has."""
    seen = np.bincount(group * n_dom + dom, minlength=n_groups * n_dom) > 0
    return seen.reshape(n_groups, n_dom).sum(axis=0)


def _column(engine: Engine, name: str, what: str) -> str:
    if name not in engine.kinds:
        raise DesignError(f"{what} column {name!r} is not in the data")
    return engine.quote(name)


def _number(engine: Engine, name: str, what: str) -> str:
    text = _column(engine, name, what)
    if engine.kinds[name] != NUMBER:
        raise DesignError(f"{what} column {name!r} is not numeric")
    return f"CAST({text} AS DOUBLE)"


def build_design(engine: Engine, spec: DesignSpec) -> EngineDesign:
    """The design of the engine's file, checked as `Design.build` checks it (one query)."""
    check_lonely_psu(spec.lonely_psu)
    clusters, fpcs = stages(spec.cluster, spec.fpc)
    clusters = [str(c) for c in clusters]
    fpcs = [str(f) for f in fpcs]
    keys = ([_column(engine, spec.strata, "strata")] if spec.strata else [])
    keys += [_column(engine, c, "cluster") for c in clusters[: 2 if len(fpcs) == 2 else 1]]
    sums = ["COUNT(*)"]
    nulls = ([("strata", keys[0])] if spec.strata else []) + \
        [("cluster", _column(engine, c, "cluster")) for c in clusters]
    sums += [f"SUM(CASE WHEN {sql} IS NULL THEN 1 ELSE 0 END)" for _, sql in nulls]
    fpc_sql = [_number(engine, f, "fpc") for f in fpcs]
    for f in fpc_sql:
        sums += [f"SUM(CASE WHEN {f} IS NULL THEN 1 ELSE 0 END)", f"MIN({f})", f"MAX({f})"]
    weight = "CAST(1.0 AS DOUBLE)"
    if spec.weight:
        weight = _number(engine, spec.weight, "weight")
        sums += [f"SUM(CASE WHEN {weight} IS NULL OR isnan({weight}) OR "
                 f"ABS({weight}) = CAST('Infinity' AS DOUBLE) THEN 1 ELSE 0 END)",
                 f"SUM(CASE WHEN {weight} <= 0 THEN 1 ELSE 0 END)"]
    frame = engine.aggregate(keys, sums)
    count = frame["s0"].to_numpy(dtype=np.int64)
    n = int(count.sum())
    if n == 0:
        raise DesignError("the data have no rows")
    s = 1
    for what, _ in nulls:
        missing = int(frame[f"s{s}"].sum())
        if missing:
            raise DesignError(f"{what} has {missing} missing value(s); a design needs all")
        s += 1
    fpc_values = []
    for stage, _ in enumerate(fpc_sql):
        what = "fpc" if stage == 0 else "fpc (stage 2)"
        if frame[f"s{s}"].sum():
            raise DesignError(f"{what} has missing values")
        low, high = frame[f"s{s + 1}"].to_numpy(float), frame[f"s{s + 2}"].to_numpy(float)
        if (low != high).any():
            row = frame.iloc[int(np.argmax(low != high))]
            if stage == 0:
                place = row["k0"] if spec.strata else "_all"
            else:
                place = row[f"k{1 if spec.strata else 0}"]
            raise DesignError(f"{what} varies within {place!r}; it must be constant there")
        fpc_values.append(low)
        s += 3
    if spec.weight:
        if frame[f"s{s}"].sum():
            raise DesignError("weight has missing or infinite values")
        if (bad := int(frame[f"s{s + 1}"].sum())):
            raise DesignError(f"weight has {bad} value(s) <= 0; drop those respondents instead")
    units = frame[[f"k{i}" for i in range(len(keys))]].reset_index(drop=True)
    about = description(spec.weight, spec.strata, clusters, fpcs)
    common = dict(n=n, description=about, lonely_psu=spec.lonely_psu, keys=tuple(keys),
                  weight=weight, units=units)
    if clusters:
        return _clustered(spec, units, fpc_values, clusters, common)
    return _unclustered(spec, units, count, fpc_values, common)


def _clustered(spec: DesignSpec, units: pd.DataFrame, fpc_values: list[np.ndarray],
               clusters: list[str], common: dict) -> EngineDesign:
    """Units are PSUs (or SSUs with a second-stage fpc): `Design.build` over one row each."""
    k = 1 if spec.strata else 0
    data = pd.DataFrame({f"c{i}": units[f"k{k + i}"] for i in range(units.shape[1] - k)})
    if spec.strata:
        data["s"] = units["k0"]
    cluster = [f"c{i}" for i in range(len(data.columns) - k)]
    for i, values in enumerate(fpc_values):
        data[f"f{i}"] = values
    design = Design.build(data, strata="s" if spec.strata else None,
                          cluster=cluster if len(cluster) > 1 else cluster[0],
                          fpc=[f"f{i}" for i in range(len(fpc_values))] or None,
                          lonely_psu=spec.lonely_psu, nest=spec.nest)  # type: ignore[arg-type]
    # rows are units: Design.build numbered them in its own order
    order = np.argsort(design.unit, kind="stable")
    units = units.iloc[order].reset_index(drop=True)
    factor = design.weights[order] if spec.weight is None else np.ones(len(units))
    return EngineDesign(degf=design.degf, design=design, factor=np.asarray(factor, float),
                        **common | {"units": units})


def _unclustered(spec: DesignSpec, units: pd.DataFrame, count: np.ndarray,
                 fpc_values: list[np.ndarray], common: dict) -> EngineDesign:
    """Each respondent its own PSU: strata, their sizes and population sizes."""
    if spec.strata:
        codes, labels = codes_of(units["k0"], "strata")
        order = np.argsort(codes)
        units = units.iloc[order].reset_index(drop=True)
        count = count[order]
        fpc_values = [v[order] for v in fpc_values]
    else:
        labels = ("_all",)
    n_h = count.astype(float)
    popsize = np.full(len(n_h), np.inf)
    if fpc_values:
        popsize = population_sizes(fpc_values[0], np.arange(len(n_h)), n_h, "fpc", labels)
    factor = popsize / n_h if spec.weight is None and fpc_values else np.ones(len(n_h))
    return EngineDesign(degf=int(n_h.sum()) - len(n_h), design=None, factor=factor,
                        strata_n=n_h, popsize=popsize, strata_labels=tuple(labels), **common
                        | {"units": units})
