"""Design-based means, proportions, totals and ratios, overall and by segment (domain).

Taylor linearisation as R's survey package: each estimate's influence values are summed per
sampling unit and passed to `Design.variance` (svyrecvar). On a `ReplicateDesign` the sums are
taken under every replicate's weights instead and each estimate is computed again from them (R's
svymean, svytotal and svyratio on a svyrep.design). Domain estimates keep the full design:
influence values are zero outside the domain, which is what `svyby` and `subset` do in R. Missing
values are dropped like `na.rm=TRUE` (a respondent missing any analysed column leaves that
analysis, not the design). One call aggregates all variables and all domains of one segment
variable in one `np.bincount` pass per column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.design.replicate_design import ReplicateDesign
from analysis.design.replication import Replicated
from analysis.design.sample_design import Design, DesignError

TOTAL = "_total"  # the domain label of the whole sample, as in the crosstab JSON contract

AnyDesign = Design | ReplicateDesign  # Taylor-linearised or replicate-weight
Variables = str | Sequence[str] | pd.Series | pd.DataFrame | np.ndarray
By = str | pd.Series | np.ndarray | None


@dataclass(frozen=True, eq=False)
class Estimates:
    """Estimates for p variables in D domains; arrays are read-only, shaped (D, p).

    `vcov` (when asked for) is the (D*p, D*p) covariance of all estimates, domain-major: the
    estimate of variable j in domain d is at index d * p + j. `n` counts respondents used per
    domain (non-missing), `weighted_n` sums their weights. `df` is the design's degrees of
    freedom (PSUs - strata); `domain_df` those of each domain's subset, as R's degf(subset(...)),
    which svyciprop uses for domains. On a replicate design `replicates` holds the estimate
    under each replicate's weights, for figures derived from these (ratios of them).
    """

    statistic: str
    variables: tuple[str, ...]
    domains: tuple[str, ...]
    by: str | None
    estimate: np.ndarray
    se: np.ndarray
    vcov: np.ndarray | None
    deff: np.ndarray | None
    n: np.ndarray
    weighted_n: np.ndarray
    df: int
    domain_df: np.ndarray
    replicates: Replicated | None = None  # (R, D, p) the estimates under each replicate

    def index(self, domain: str, variable: str) -> int:
        """Position of (domain, variable) in `vcov`."""
        return self.domains.index(domain) * len(self.variables) + self.variables.index(variable)

    def to_frame(self) -> pd.DataFrame:
        """One row per domain and variable: estimate, se, deff, n, weighted_n, df."""
        d, p = self.estimate.shape
        return pd.DataFrame({
            "domain": np.repeat(self.domains, p),
            "variable": np.tile(self.variables, d),
            "estimate": self.estimate.ravel(),
            "se": self.se.ravel(),
            "deff": np.nan if self.deff is None else self.deff.ravel(),
            "n": np.repeat(self.n, p),
            "weighted_n": np.repeat(self.weighted_n, p),
            "df": np.repeat(self.domain_df, p),
        })


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


def _as_float(s: pd.Series, name: str) -> np.ndarray:
    if isinstance(s.dtype, pd.CategoricalDtype):
        if not pd.api.types.is_numeric_dtype(s.cat.categories.dtype):
            raise DesignError(f"{name} is categorical; use proportions() for its shares")
        s = s.astype(float)
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iufb":
        return s.to_numpy()  # kept in its own dtype: no copy of large integer flag blocks
    try:
        return pd.to_numeric(s).to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as err:
        raise DesignError(f"{name} is not numeric: {err}") from None


def _matrix(design: AnyDesign, variables: Variables) -> tuple[list[np.ndarray], tuple[str, ...]]:
    """The analysed columns (numeric 1-D arrays, NaN for missing) and their names.

    Columns are not stacked into one float matrix: at a million rows that copy costs more than
    the estimation itself."""
    if isinstance(variables, str):
        variables = [variables]
    if isinstance(variables, pd.Series):
        variables = variables.to_frame(name=str(variables.name or "x"))
    if isinstance(variables, np.ndarray):
        arr = variables.astype(float)
        if arr.ndim == 1:
            arr = arr[:, None]
        names = tuple(f"x{j}" for j in range(arr.shape[1])) if arr.shape[1] > 1 else ("x",)
        cols = [arr[:, j] for j in range(arr.shape[1])]
    else:
        if not isinstance(variables, pd.DataFrame):
            variables = pd.DataFrame({v: design.column(v) for v in variables})
        names = tuple(str(c) for c in variables.columns)
        cols = [_as_float(variables[c], str(c)) for c in variables.columns]
    if len(cols[0]) != design.n:
        raise DesignError(f"the variables have {len(cols[0])} rows, the design {design.n}")
    return cols, names


def _missing(col: np.ndarray) -> np.ndarray | None:
    return np.isnan(col) if col.dtype.kind == "f" else None


def domains(design: AnyDesign, by: By) -> tuple[np.ndarray, tuple[str, ...], str | None]:
    """Domain codes per respondent (-1: missing segment), their labels and the segment's name.

    Levels are those present in the data, in category order for a categorical and sorted
    otherwise (R: svyby's interaction(..., drop=TRUE)).
    """
    if by is None:
        return np.zeros(design.n, np.int64), (TOTAL,), None
    name = by if isinstance(by, str) else getattr(by, "name", None)
    s = design.column(by) if isinstance(by, str) else \
        by if isinstance(by, pd.Categorical) else pd.Series(by)
    if len(s) != design.n:
        raise DesignError(f"segment {name!r} has {len(s)} rows, the design {design.n}")
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, labels = _used_categories(s if isinstance(s, pd.Categorical) else s.array)
    else:
        codes, uniq = pd.factorize(s, sort=True)
        codes = codes.astype(np.int64)
        labels = tuple(str(u) for u in uniq)
    if not labels:
        raise DesignError(f"segment {name!r} has no non-missing values")
    return codes, labels, None if name is None else str(name)


def _used_categories(values: pd.Categorical) -> tuple[np.ndarray, tuple[str, ...]]:
    """The codes and labels of the categories present, in category order: what
    `remove_unused_categories` leaves, counted with one bincount."""
    raw = np.asarray(values.codes, dtype=np.int64)
    used = np.bincount(raw[raw >= 0], minlength=len(values.categories)) > 0
    rank = np.cumsum(used) - 1
    return (np.where(raw >= 0, rank[np.maximum(raw, 0)], -1),
            tuple(str(c) for c, u in zip(values.categories, used, strict=True) if u))


def _categories(design: AnyDesign, variable: str | pd.Series | np.ndarray
                ) -> tuple[np.ndarray, tuple[str, ...], str]:
    """Category codes (-1 missing) and labels; a categorical keeps unused categories, as R's
    svymean(~factor) keeps unused levels."""
    name = variable if isinstance(variable, str) else str(getattr(variable, "name", None) or "x")
    s = design.column(variable) if isinstance(variable, str) else pd.Series(variable)
    if isinstance(s.dtype, pd.CategoricalDtype):
        return (s.cat.codes.to_numpy().astype(np.int64),
                tuple(str(c) for c in s.cat.categories), name)
    codes, uniq = pd.factorize(s, sort=True)
    return codes.astype(np.int64), tuple(str(u) for u in uniq), name


@dataclass(frozen=True)
class _Sums:
    """Weighted sums per (unit, domain[, column]) and per domain, from one aggregation pass.

    With `replicated`, K indexes the full-sample weights (0) and then each replicate's weights
    instead of the sampling units."""

    sw: np.ndarray  # (K, D) weights
    sy: np.ndarray  # (K, D, p) weighted values
    syy: np.ndarray  # (D, p) weighted squares (for design effects)
    n: np.ndarray  # (D,) respondents used
    ok_codes: np.ndarray  # (n,) domain code of each respondent used, -1 otherwise
    replicated: bool = False
    present: np.ndarray | None = None  # (n_units, D) whether a unit has respondents used

    @property
    def weighted_n(self) -> np.ndarray:
        return self.sw[0] if self.replicated else self.sw.sum(axis=0)

    @property
    def totals(self) -> np.ndarray:
        return self.sy[0] if self.replicated else self.sy.sum(axis=0)


def _sum_dense(design: AnyDesign, y: list[np.ndarray], dom: np.ndarray, n_dom: int,
               squares: bool) -> _Sums:
    ok = dom >= 0
    for col in y:
        miss = _missing(col)
        if miss is not None and miss.any():
            ok &= ~miss
    w = np.where(ok, design.weights, 0.0)
    g = np.where(ok, dom, 0)
    if isinstance(design, ReplicateDesign):
        t = design.totals(np.where(ok, dom, -1), n_dom, y)
        syy = np.zeros((n_dom, len(y)))
        if squares:
            for j, yj in enumerate(y):
                syy[:, j] = np.bincount(g, w * np.where(ok, yj, 0.0) ** 2, minlength=n_dom)
        n = np.bincount(g, ok, minlength=n_dom).astype(np.int64)
        return _Sums(t[:, :, -1], t[:, :, :-1], syy, n, np.where(ok, dom, -1), True)
    key = design.unit * n_dom + g
    size = design.n_units * n_dom
    p = len(y)
    sy = np.empty((p, size))
    syy = np.zeros((n_dom, p))
    everyone = bool(ok.all())
    for j in range(p):
        yj = y[j] if everyone else np.where(ok, y[j], 0.0)
        wy = w * yj
        sy[j] = np.bincount(key, wy, minlength=size)
        if squares:
            syy[:, j] = np.bincount(g, wy * yj, minlength=n_dom)
    sw = np.bincount(key, w, minlength=size).reshape(design.n_units, n_dom)
    sy = sy.reshape(p, design.n_units, n_dom).transpose(1, 2, 0)
    count = np.bincount(key, ok, minlength=size).reshape(design.n_units, n_dom)
    n = np.rint(count.sum(axis=0)).astype(np.int64)
    return _Sums(sw, sy, syy, n, np.where(ok, dom, -1), present=count > 0)


def _sum_categorical(design: AnyDesign, cat: np.ndarray, n_cat: int, dom: np.ndarray,
                     n_dom: int) -> _Sums:
    ok = (dom >= 0) & (cat >= 0)
    n = np.bincount(dom[ok], minlength=n_dom).astype(np.int64)
    if isinstance(design, ReplicateDesign):
        t = design.totals(np.where(ok, dom * n_cat + cat, -1), n_dom * n_cat, [])
        sy = t[:, :, 0].reshape(-1, n_dom, n_cat)
        return _Sums(sy.sum(axis=2), sy, sy[0], n, np.where(ok, dom, -1), True)
    key = ((design.unit * n_dom + dom) * n_cat + cat)[ok]
    sy = np.bincount(key, design.weights[ok], minlength=design.n_units * n_dom * n_cat)
    sy = sy.reshape(design.n_units, n_dom, n_cat)
    return _Sums(sy.sum(axis=2), sy, sy.sum(axis=0), n, np.where(ok, dom, -1))


def _finish(design: AnyDesign, statistic: str, names: tuple[str, ...], labels: tuple[str, ...],
            by: str | None, sums: _Sums, covariance: bool, deff: bool,
            denominator: np.ndarray | None = None) -> Estimates:
    """Estimates, their variance (from influence totals per unit, or from replicates) and
    design effects from the sums."""
    n_dom, p = sums.sy.shape[1], sums.sy.shape[2]
    nd = sums.weighted_n  # (D,) weighted n
    td = sums.totals  # (D, p) weighted totals
    replicates = None
    if sums.replicated:
        est, var, v, replicates = _replicated(design, statistic, sums, covariance, denominator)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            if statistic == "mean":
                # svymean: z_i = w_i (y_i - ybar_d) / N_d inside domain d
                est = td / nd[:, None]
                z = (sums.sy - est[None] * sums.sw[:, :, None]) / nd[None, :, None]
            elif statistic == "total":
                # svytotal: z_i = w_i y_i inside domain d
                est = td.copy()
                z = sums.sy
            else:
                # svyratio: z_i = w_i (y_i - R x_i) / X_d
                assert denominator is not None
                tx = denominator.sum(axis=0)
                est = td / tx
                z = (sums.sy - est[None] * denominator) / tx[None]
        z = np.where(np.isfinite(z), z, 0.0).reshape(design.n_units, n_dom * p)
        v = design.variance(z, full=covariance)
        var = np.diag(v) if covariance else v
    se = np.sqrt(np.maximum(var, 0.0)).reshape(n_dom, p)
    empty = sums.n == 0
    se[empty] = np.nan
    effect = None
    if deff and statistic in ("mean", "total"):
        # svymean/svytotal(deff=TRUE): against SRS without replacement of the same size, with
        # Kish's n/(n-1) in svyvar: vsrs = s2 (N - n) / (N n) for a mean, times N^2 for a total
        with np.errstate(divide="ignore", invalid="ignore"):
            nn = sums.n[:, None].astype(float)
            mean_d = td / nd[:, None]
            s2 = (sums.syy / nd[:, None] - mean_d**2) * nn / (nn - 1)
            vsrs = s2 * (nd[:, None] - nn) / (nd[:, None] * nn)
            if statistic == "total":
                vsrs = vsrs * nd[:, None] ** 2
            vsrs = np.where(nd[:, None] < nn, np.nan, vsrs)  # R: weights not scaled to N
            effect = _ro(var.reshape(n_dom, p) / vsrs)
    return Estimates(
        statistic=statistic, variables=names, domains=labels, by=by,
        estimate=_ro(est), se=_ro(se), vcov=_ro(v) if covariance else None, deff=effect,
        n=_ro(sums.n), weighted_n=_ro(nd), df=design.degf,
        domain_df=_ro(design.domain_degf(sums.ok_codes, n_dom) if sums.present is None
                      else design.psus_degf(sums.present)),
        replicates=None if replicates is None else Replicated(_ro(replicates), design.rule),
    )


def _replicated(design: ReplicateDesign, statistic: str, sums: _Sums, covariance: bool,
                denominator: np.ndarray | None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """Each estimate under the full-sample weights and every replicate's, and the variances R's
    svrVar gives: per domain for the standard errors (svyby's), all together for the covariance
    (svyby(covmat=TRUE)'s)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if statistic == "mean":
            every = sums.sy / sums.sw[:, :, None]
        elif statistic == "total":
            every = sums.sy
        else:
            assert denominator is not None
            every = sums.sy / denominator
    est, replicates = every[0], every[1:]
    n_dom, p = est.shape
    thetas = replicates.reshape(len(replicates), n_dom * p)
    var = design.rule.variances(thetas, est.ravel(), np.repeat(np.arange(n_dom), p))
    v = design.rule.vcov(thetas, est.ravel()) if covariance else None
    return est, var, v, replicates


def _check_missing(y: list[np.ndarray], names: tuple[str, ...], na_rm: bool) -> None:
    if na_rm:
        return
    bad = [name for col, name in zip(y, names, strict=True)
           if (m := _missing(col)) is not None and m.any()]
    if bad:
        raise DesignError(f"{', '.join(bad)} has missing values; pass na_rm=True to drop them")


def _estimate(statistic: Literal["mean", "total"], design: AnyDesign, variables: Variables,
              by: By, na_rm: bool, covariance: bool, deff: bool) -> Estimates:
    y, names = _matrix(design, variables)
    _check_missing(y, names, na_rm)
    dom, labels, by_name = domains(design, by)
    sums = _sum_dense(design, y, dom, len(labels), squares=deff)
    return _finish(design, statistic, names, labels, by_name, sums, covariance, deff)


def mean(design: AnyDesign, variables: Variables, by: By = None, *, na_rm: bool = True,
         covariance: bool = False, deff: bool = False) -> Estimates:
    """Means of one or many numeric columns (0/1 flags give proportions), overall or by segment.

    As R's svymean(~x1+x2, design, na.rm=TRUE) and svyby(~x1+x2, ~by, design, svymean,
    covmat=TRUE): respondents missing any of the columns are dropped.
    """
    return _estimate("mean", design, variables, by, na_rm, covariance, deff)


def total(design: AnyDesign, variables: Variables, by: By = None, *, na_rm: bool = True,
          covariance: bool = False, deff: bool = False) -> Estimates:
    """Population totals of numeric columns, as R's svytotal / svyby(..., svytotal)."""
    return _estimate("total", design, variables, by, na_rm, covariance, deff)


def proportions(design: AnyDesign, variable: str | pd.Series | np.ndarray, by: By = None, *,
                covariance: bool = False, deff: bool = False, counts: bool = False
                ) -> Estimates:
    """Shares of each category of a single-choice variable, as R's svymean(~factor, na.rm=TRUE).

    With `counts=True`, estimated population counts instead (svytotal(~factor)). The categories
    are the variable's variables; aggregation is one bincount over (unit, domain, category).
    """
    cat, levels, _ = _categories(design, variable)
    dom, labels, by_name = domains(design, by)
    sums = _sum_categorical(design, cat, len(levels), dom, len(labels))
    return _finish(design, "total" if counts else "mean", levels, labels, by_name, sums,
                   covariance, deff)


def ratio(design: AnyDesign, numerator: Variables, denominator: Variables, by: By = None, *,
          na_rm: bool = True, covariance: bool = False) -> Estimates:
    """Ratios of totals sum(w y) / sum(w x), as R's svyratio(~y, ~x, design, na.rm=TRUE).

    One denominator serves all numerators, or give one denominator per numerator.
    """
    y, names = _matrix(design, numerator)
    x, _ = _matrix(design, denominator)
    if len(x) not in (1, len(y)):
        raise DesignError("give one denominator, or one per numerator")
    x = x * len(y) if len(x) == 1 else x
    _check_missing(y + x, names * 2, na_rm)
    dom, labels, by_name = domains(design, by)
    sums = _sum_dense(design, y + x, dom, len(labels), squares=False)
    p = len(y)
    num = _Sums(sums.sw, sums.sy[:, :, :p], sums.syy[:, :p], sums.n, sums.ok_codes,
                sums.replicated, sums.present)
    return _finish(design, "ratio", names, labels, by_name, num, covariance, False,
                   denominator=sums.sy[:, :, p:])
