"""Quantiles of a numeric variable, overall and by segment, with Woodruff intervals.

As R survey 4.x's `svyquantile(~y, design, quantiles, na.rm=TRUE)` with its defaults (qrule
"math", interval.type "mean", ci=TRUE) and `svyby(~y, ~by, design, svyquantile, ...)`:

- the estimate is the weighted quantile of rule "math": sort the values, find the last whose
  cumulative weight is at most p of the total; take it when the weight hits p exactly, else the
  next value. R keeps one quirk that we keep too, so the figures match: when the first sorted
  value alone holds more than p of the weight, R's `qs` starts from it anyway and returns the
  second value (only tiny domains or extreme p meet it);
- the interval (Woodruff 1952) maps a Wald interval for the share at or below the estimate,
  F(q), back through the same quantile rule: the share is a domain mean of the indicator
  y <= q, with its Taylor-linearised se from the full design and t on the degf of the domain's
  respondents with a value; an end beyond 0 or 1 is undefined (NaN), as in R;
- the se is the interval's width over 2 t, as R reports it.

On a replicate-weight design (R's svyquantile.svyrep.design) the same Woodruff interval is R's
default there too (interval.type "mean"): the share at or below the estimate is a domain mean
whose se comes from the replicates (svrVar), t on the degf of the domain's respondents with a
value (the rank of their replicate weights minus one). `interval="replicates"` is R's
interval.type "quantile": the quantile is computed again under each replicate's weights (rule
"math", respondents of weight 0 left out, as qrule_math does), its variance is svrVar of those
replicates and the interval is the estimate plus or minus t times its se. R warns that jackknife
replicates may not give valid standard errors for quantiles (a quantile is not smooth), which is
why Woodruff stays the default.

Cumulative weights are summed in extended precision, as R's `cumsum` and `sum` do, so that a
cumulative weight equal to p times the total is recognised exactly as in R.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.design import distributions as dist
from analysis.design import estimation
from analysis.design.estimation import AnyDesign, By
from analysis.design.replicate_design import ReplicateDesign
from analysis.design.sample_design import Design, DesignError

INTERVALS = ("woodruff", "replicates")  # R's interval.type "mean" and "quantile"
REPLICATE_BLOCK = 16  # replicate columns gathered at a time: a domain's copy stays small


@dataclass(frozen=True, eq=False)
class Quantiles:
    """Quantiles `q` of one variable in D domains; arrays are read-only, shaped (D, len(q)).

    `lower`/`upper` are the Woodruff interval at level 1 - alpha (NaN where an end is
    undefined), `se` its width over 2 t. `cdf` is the estimated share at or below each quantile
    and `cdf_se` its se, on which the interval rests. `n` counts the respondents with a value
    per domain and `df` the t degrees of freedom used (degf of those respondents). `interval`
    is "woodruff" or, on a replicate design, "replicates" (then `cdf` and `cdf_se` are NaN).
    """

    variable: str
    by: str | None
    domains: tuple[str, ...]
    q: tuple[float, ...]
    value: np.ndarray
    se: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    cdf: np.ndarray
    cdf_se: np.ndarray
    n: np.ndarray
    df: np.ndarray
    alpha: float
    interval: str = "woodruff"

    def to_frame(self) -> pd.DataFrame:
        """One row per domain and quantile: value, se, ci_low, ci_high, n, df."""
        d, k = self.value.shape
        return pd.DataFrame({
            "domain": np.repeat(self.domains, k), "q": np.tile(self.q, d),
            "value": self.value.ravel(), "se": self.se.ravel(),
            "ci_low": self.lower.ravel(), "ci_high": self.upper.ravel(),
            "n": np.repeat(self.n, k), "df": np.repeat(self.df, k)})


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.flags.writeable = False
    return a


def probabilities(q: float | Sequence[float]) -> tuple[float, ...]:
    """The quantiles asked for as a tuple of probabilities, each in [0, 1]."""
    found = (float(q),) if np.isscalar(q) else tuple(float(p) for p in q)  # type: ignore[arg-type]
    if not found:
        raise DesignError("give at least one quantile, e.g. 0.5 for the median")
    bad = [p for p in found if not 0 <= p <= 1]
    if bad:
        raise DesignError(f"a quantile is a probability between 0 and 1, not {bad[0]:g}")
    return found


@dataclass(frozen=True)
class _Sorted:
    """One domain's values in increasing order with their cumulative weights, as R's `qs`."""

    x: np.ndarray
    cumw: np.ndarray
    total: float

    @classmethod
    def of(cls, x: np.ndarray, w: np.ndarray) -> _Sorted:
        order = np.argsort(x, kind="stable")  # R's order(): ties keep their rows' order
        return cls.ordered(x[order], w[order])

    @classmethod
    def ordered(cls, x: np.ndarray, w: np.ndarray) -> _Sorted:
        """From values already in R's order and their weights."""
        cumw = np.cumsum(w.astype(np.longdouble))
        total = float(cumw[-1]) if len(w) else 0.0
        return cls(x, cumw.astype(float), total)

    def quantile(self, p: np.ndarray) -> np.ndarray:
        """R's qrule_math: the value at the last position whose cumulative weight is at most
        p * total (the first when there is none), or the next one unless p is hit exactly."""
        p = np.asarray(p, dtype=float)
        if not len(self.x):
            return np.full(p.shape, np.nan)
        pos = np.maximum(np.searchsorted(self.cumw, p * self.total, side="right") - 1, 0)
        nxt = np.minimum(pos + 1, len(self.x) - 1)
        exact = (p - self.cumw[pos] / self.total) == 0
        return np.where(exact, self.x[pos], self.x[nxt])


def _values(design: AnyDesign, variable: str | pd.Series | np.ndarray) -> tuple[np.ndarray, str]:
    name = variable if isinstance(variable, str) else str(getattr(variable, "name", None) or "x")
    if isinstance(variable, np.ndarray) and variable.dtype.kind == "f" and variable.ndim == 1 \
            and len(variable) == design.n:  # numbers already (a banner's row)
        return variable.astype(float, copy=False), name
    s = design.column(variable) if isinstance(variable, str) else pd.Series(variable)
    if len(s) != design.n:
        raise DesignError(f"{name} has {len(s)} rows, the design {design.n}")
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    try:
        y = pd.to_numeric(s).to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise DesignError(f"{name} is not numeric: quantiles need numbers") from None
    return y, name


def quantile(design: AnyDesign, variable: str | pd.Series | np.ndarray,
             q: float | Sequence[float] = 0.5, by: By = None, *,
             alpha: float = 0.05, interval: str = "woodruff") -> Quantiles:
    """Quantiles `q` of a numeric variable, overall or by segment, with their intervals.

    As R's svyquantile(~y, design, q, na.rm=TRUE) (defaults: qrule "math", Woodruff intervals,
    ci=TRUE) and svyby(~y, ~by, design, svyquantile, ...): respondents without a value are
    dropped, domains keep the full design. `by` names a column or gives one value a respondent.
    On a replicate design `interval="replicates"` recomputes the quantile under each replicate
    (R: interval.type="quantile"); the default is Woodruff's, as R's.
    """
    if not isinstance(design, Design | ReplicateDesign):
        raise DesignError("quantiles are estimated on a survey design (Taylor or replicate "
                          "weights)")
    if interval not in INTERVALS:
        raise DesignError(f"the interval of a quantile is {' or '.join(INTERVALS)}, not "
                          f"{interval!r}")
    if interval == "replicates" and not isinstance(design, ReplicateDesign):
        raise DesignError("replicate intervals of quantiles need replicate weights; a design "
                          "with strata and clusters gives Woodruff intervals")
    if not 0 < alpha < 1:
        raise DesignError(f"alpha must be between 0 and 1, not {alpha}")
    probs = probabilities(q)
    y, name = _values(design, variable)
    dom, labels, by_name = estimation.domains(design, by)
    if not ((dom >= 0) & ~np.isnan(y)).any():
        raise DesignError(f"{name} has no values" + (f" in any level of {by_name}" if by_name
                                                       else ""))
    if interval == "replicates":
        assert isinstance(design, ReplicateDesign)
        return _replicated(design, y, name, dom, labels, by_name, probs, alpha)
    return _woodruff(design, y, name, dom, labels, by_name, probs, alpha)


def _in_domains(dom: np.ndarray, y: np.ndarray, n_dom: int) -> list[np.ndarray]:
    """The rows of each domain with a value, in row order."""
    rows = np.flatnonzero((dom >= 0) & ~np.isnan(y))
    rows = rows[np.argsort(dom[rows], kind="stable")]
    starts = np.searchsorted(dom[rows], np.arange(n_dom + 1))
    return [rows[starts[d]:starts[d + 1]] for d in range(n_dom)]


def _replicated(design: ReplicateDesign, y: np.ndarray, name: str, dom: np.ndarray,
                labels: tuple[str, ...], by: str | None, probs: tuple[float, ...],
                alpha: float) -> Quantiles:
    """R's repCI: each domain's quantiles under every replicate's weights (qrule_math drops
    weights of 0), their svrVar, and estimate +- t se on the domain's degf."""
    n_dom, k = len(labels), len(probs)
    p = np.array(probs)
    value = np.full((n_dom, k), np.nan)
    var = np.full((n_dom, k), np.nan)
    w = np.asarray(design.weights)
    for d, rows in enumerate(_in_domains(dom, y, n_dom)):
        if not len(rows):
            continue
        rows = rows[np.argsort(y[rows], kind="stable")]  # sorted once for every replicate
        x = y[rows]
        value[d] = _Sorted.ordered(x, w[rows]).quantile(p)
        reps = np.full((design.n_replicates, k), np.nan)
        for start in range(0, design.n_replicates, REPLICATE_BLOCK):
            block = design.replicates[rows, start:start + REPLICATE_BLOCK]
            for j in range(block.shape[1]):
                keep = block[:, j] != 0
                if keep.any():
                    reps[start + j] = _Sorted.ordered(x[keep], block[keep, j]).quantile(p)
        var[d] = design.rule.variances(reps, value[d], np.arange(k))  # svrVar per quantile
    ok = (dom >= 0) & ~np.isnan(y)
    df = design.domain_degf(np.where(ok, dom, -1), n_dom).astype(float)
    n = np.bincount(dom[ok], minlength=n_dom)
    df[n == 0] = np.nan
    with np.errstate(invalid="ignore"):
        t = dist.t_ppf(1 - alpha / 2, df)[:, None]
    se = np.sqrt(var)
    nan = np.full((n_dom, k), np.nan)
    return Quantiles(variable=name, by=by, domains=labels, q=probs, value=_ro(value),
                     se=_ro(se), lower=_ro(value - t * se), upper=_ro(value + t * se),
                     cdf=_ro(nan), cdf_se=_ro(nan), n=_ro(n), df=_ro(df), alpha=alpha,
                     interval="replicates")


def _woodruff(design: AnyDesign, y: np.ndarray, name: str, dom: np.ndarray,
              labels: tuple[str, ...], by: str | None, probs: tuple[float, ...],
              alpha: float) -> Quantiles:
    n_dom, k = len(labels), len(probs)
    ok = (dom >= 0) & ~np.isnan(y)
    rows = np.flatnonzero(ok)
    w = np.asarray(design.weights)
    sorted_ = [_Sorted.of(y[r], w[r]) for r in _in_domains(dom, y, n_dom)]
    value = np.array([s.quantile(np.array(probs)) for s in sorted_]).reshape(n_dom, k)

    # the share at or below each domain's estimate: a domain mean of y <= q, full design
    below = np.full((design.n, k), np.nan)
    below[rows] = (y[rows, None] <= value[dom[rows]]).astype(float)
    codes = np.where(ok, dom, -1)
    share = estimation.mean(design, below,  # its columns' names are not read
                            by=pd.Categorical.from_codes(codes, categories=range(n_dom)))
    cdf = np.full((n_dom, k), np.nan)
    cdf_se = np.full((n_dom, k), np.nan)
    df = np.full(n_dom, np.nan)
    present = np.array([int(d) for d in share.domains], dtype=np.int64)
    cdf[present], cdf_se[present] = share.estimate, share.se
    df[present] = share.domain_df

    with np.errstate(invalid="ignore"):
        t = dist.t_ppf(1 - alpha / 2, df)[:, None]  # NaN for df 0, as R's qt
        p_low, p_high = cdf - t * cdf_se, cdf + t * cdf_se
    lower = np.full((n_dom, k), np.nan)
    upper = np.full((n_dom, k), np.nan)
    for d, s in enumerate(sorted_):
        ends = (p_low[d] >= 0, p_high[d] <= 1)  # False for NaN too
        lower[d] = np.where(ends[0], s.quantile(np.nan_to_num(p_low[d])), np.nan)
        upper[d] = np.where(ends[1], s.quantile(np.nan_to_num(p_high[d])), np.nan)
    n = np.bincount(dom[rows], minlength=n_dom)
    return Quantiles(variable=name, by=by, domains=labels, q=probs, value=_ro(value),
                     se=_ro((upper - lower) / (2 * t)), lower=_ro(lower), upper=_ro(upper),
                     cdf=_ro(cdf), cdf_se=_ro(cdf_se), n=_ro(n), df=_ro(df), alpha=alpha)


@dataclass(frozen=True)
class QuantileDifference:
    """The difference of one quantile between two groups (second level minus first), its
    Woodruff-linearised se, t on `df` and the interval at level 1 - alpha."""

    q: float
    estimate: float  # the second group's quantile
    comparison: float  # the first group's
    difference: float
    se: float
    df: float
    statistic: float
    p: float
    ci: tuple[float, float]
    n: tuple[int, int]  # respondents with a value: second group, first group


def quantile_difference(design: AnyDesign, variable: str | pd.Series | np.ndarray, groups: By,
                        q: float = 0.5, *, alpha: float = 0.05) -> QuantileDifference:
    """Difference of a quantile (the median by default) between the two levels of `groups`.

    Each group's quantile moves with its share F(q) by the slope that its Woodruff interval
    implies (se_quantile / se(F(q)), Francisco and Fuller's linearisation with the density
    estimated by the interval), so cov(q1, q0) = slope1 slope0 cov(F1(q1), F0(q0)): the
    covariance of two domain means of indicators, taken from the full design, so groups that
    share clusters are not treated as independent. t on the degf of the respondents in either
    group with a value (R: degf(subset(design, ...))).
    """
    p = probabilities(q)
    if len(p) != 1:
        raise DesignError("a quantile difference is of one quantile")
    found = quantile(design, variable, p, by=groups, alpha=alpha)
    if len(found.domains) != 2:
        raise DesignError(f"a two-group comparison needs two groups with values, got "
                          f"{len(found.domains)}")
    y, _ = _values(design, variable)
    dom, labels, _ = estimation.domains(design, groups)
    level = np.array([labels.index(d) for d in found.domains])
    slot = np.full(len(labels), -1)
    slot[level] = np.arange(2)
    codes = np.where((dom >= 0) & ~np.isnan(y), slot[np.maximum(dom, 0)], -1)
    value = found.value[:, 0]
    below = np.where(codes >= 0, y <= value[np.maximum(codes, 0)], np.nan)
    share = estimation.mean(design, pd.Series(below, name="below"),
                            by=pd.Categorical.from_codes(codes, categories=[0, 1]),
                            covariance=True)
    v = np.asarray(share.vcov)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = found.se[:, 0] / share.se[:, 0]
        se = float(np.sqrt(max(slope[1] ** 2 * v[1, 1] + slope[0] ** 2 * v[0, 0]
                               - 2 * slope[1] * slope[0] * v[1, 0], 0.0)))
        difference = float(value[1] - value[0])
        df = float(design.domain_degf(np.where(codes >= 0, 0, -1), 1)[0])
        statistic = difference / se if se > 0 else np.nan
        pvalue = float(2 * dist.t_sf(abs(statistic), df))
        half = float(dist.t_ppf(1 - alpha / 2, df)) * se
    return QuantileDifference(p[0], float(value[1]), float(value[0]), difference, se, df,
                              float(statistic), pvalue, (difference - half, difference + half),
                              (int(found.n[1]), int(found.n[0])))
