"""The survey design: weights, strata, clusters and finite population corrections, built once.

A `Design` holds integer codes for strata, first-stage clusters (PSUs) and, for two-stage designs
with a second-stage fpc, second-stage units, so that every estimator aggregates with one
`np.bincount` pass and computes Taylor-linearised variances from unit totals. The variance
formulas are those of R's survey package (Lumley): `svydesign` for the design, `svyrecvar`,
`multistage`, `onestage` and `onestrat` for the variance of a total of influence values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from survey.errors import SurveyError

LonelyPSU = Literal["fail", "remove", "adjust", "certainty"]
LONELY_PSU_OPTIONS: tuple[str, ...] = ("fail", "remove", "adjust", "certainty")


class DesignError(SurveyError):
    """A design that cannot be built or used: the message says which column or stratum."""

    code = "bad-design"


class LonelyPSUError(DesignError):
    """A stratum with a single PSU under lonely_psu="fail" (R: survey.lonely.psu = "fail")."""

    code = "lonely-psu"


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


def _codes(values: np.ndarray | pd.Series, what: str) -> tuple[np.ndarray, tuple[object, ...]]:
    """Integer codes 0..k-1 (in sorted order of the values) and the values they stand for."""
    s = pd.Series(np.asarray(values) if not isinstance(values, pd.Series) else values)
    if s.isna().any():
        raise DesignError(f"{what} has {int(s.isna().sum())} missing value(s); a design needs all")
    codes, uniques = pd.factorize(s, sort=True)
    return codes.astype(np.int64), tuple(uniques.tolist())


def _constant_within(values: np.ndarray, groups: np.ndarray, n_groups: int, what: str,
                     labels: Sequence[object]) -> np.ndarray:
    """The one value each group has, or an error naming the first group where it varies."""
    first = np.full(n_groups, np.nan)
    first[groups[::-1]] = values[::-1]
    bad = values != first[groups]
    if bad.any():
        g = groups[np.argmax(bad)]
        raise DesignError(f"{what} varies within {labels[g]!r}; it must be constant there")
    return first


def _popsize(fpc: np.ndarray, groups: np.ndarray, n_units: np.ndarray, what: str,
             labels: Sequence[object]) -> np.ndarray:
    """Population size per group from an fpc given as sizes or as sampling fractions (as.fpc)."""
    fpc = np.asarray(fpc, dtype=float)
    if np.isnan(fpc).any():
        raise DesignError(f"{what} has missing values")
    per = _constant_within(fpc, groups, len(n_units), what, labels)
    if np.all(per <= 1):  # sampling fractions, as R's svydesign accepts
        if np.any(per <= 0):
            raise DesignError(f"{what} as a sampling fraction must be in (0, 1]")
        return n_units / per
    if np.any(per < n_units):
        g = int(np.argmax(per < n_units))
        raise DesignError(f"{what} for {labels[g]!r} is {per[g]:g}, smaller than the "
                          f"{int(n_units[g])} units sampled there")
    return per


def _check_lonely_psu(lonely_psu: str) -> None:
    """Refuse a lonely-PSU rule that the variance does not implement, before any work is done."""
    if lonely_psu not in LONELY_PSU_OPTIONS:
        raise DesignError(f"lonely_psu must be one of {', '.join(LONELY_PSU_OPTIONS)}; "
                          f"got {lonely_psu!r} ('average' is not supported)")


def _column(data: pd.DataFrame | None, spec: object, what: str) -> np.ndarray:
    """A design column: named in `data`, or given as an array."""
    if isinstance(spec, str):
        if data is None or spec not in data.columns:
            raise DesignError(f"{what} column {spec!r} is not in the data")
        return data[spec].to_numpy()
    return np.asarray(spec)


def _many(spec: object) -> list[object]:
    """One spec per stage: none, a list or tuple of them, or a single one."""
    if spec is None:
        return []
    if isinstance(spec, (list, tuple)):
        return list(spec)
    return [spec]


def _size(data: pd.DataFrame | None, n: int | None, weight: object, strata: object,
          cluster: object) -> int:
    """The number of respondents: the data's rows, n, or the length of the first array given."""
    size = len(data) if data is not None else n
    if size is None:
        for spec in (weight, strata, *_many(cluster)):
            if spec is not None and not isinstance(spec, str):
                size = len(np.asarray(spec))
                break
    if size is None:
        raise DesignError("give data or the number of respondents n")
    if size == 0:
        raise DesignError("the data have no rows")
    return size


def _stages(cluster: object, fpc: object) -> tuple[list[object], list[object]]:
    """The cluster and fpc of each sampling stage, checked to make at most two matching stages."""
    clusters = _many(cluster)
    if len(clusters) > 2:
        raise DesignError("at most two stages of clusters are supported")
    fpcs = _many(fpc)
    if len(fpcs) > max(1, len(clusters)):
        raise DesignError("give one fpc per sampling stage")
    if len(clusters) == 2 and len(fpcs) == 1:
        raise DesignError("a two-stage design needs an fpc for both stages, or none "
                          "(then only the first stage enters the variance, as in R)")
    return clusters, fpcs


def _first_stage(data: pd.DataFrame | None, clusters: list[object], s_codes: np.ndarray,
                 size: int, nest: bool) -> tuple[np.ndarray, np.ndarray, tuple[object, ...]]:
    """PSU code per respondent, stratum per PSU and PSU labels; PSUs are nested in strata."""
    if not clusters:  # each respondent is its own PSU, rows in stratum order so PSUs sort too
        order = np.argsort(s_codes, kind="stable")
        psu = np.empty(size, np.int64)
        psu[order] = np.arange(size)
        return psu, s_codes[order], tuple(range(size))
    c_codes, c_labels_all = _codes(_column(data, clusters[0], "cluster"), "cluster")
    pairs, psu = np.unique(s_codes * len(c_labels_all) + c_codes, return_inverse=True)
    pair_cluster = pairs % len(c_labels_all)
    if not nest and len(pair_cluster) > len(c_labels_all):
        bad = c_labels_all[int(np.argmax(np.bincount(pair_cluster) > 1))]
        raise DesignError(f"cluster {bad!r} appears in more than one stratum: "
                          "clusters are not nested in strata (use nest=True if "
                          "cluster ids are only unique within a stratum)")
    psu_stratum = (pairs // len(c_labels_all)).astype(np.int64)
    psu_labels = tuple(c_labels_all[i] for i in pair_cluster)
    return np.asarray(psu, dtype=np.int64), psu_stratum, psu_labels


def _second_stage(data: pd.DataFrame | None, cluster: object, fpcs: list[object],
                  psu: np.ndarray, n_psus: int, psu_labels: Sequence[object],
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """SSU code per respondent, PSU per SSU, SSUs sampled and in the population per PSU (from
    the second of `fpcs`, looked up only once the SSUs are known)."""
    ssu_raw, ssu_labels = _codes(_column(data, cluster, "second-stage cluster"), "cluster")
    pairs2, unit = np.unique(psu * len(ssu_labels) + ssu_raw, return_inverse=True)
    unit = unit.astype(np.int64)
    unit_psu = (pairs2 // len(ssu_labels)).astype(np.int64)
    n_ssu = np.bincount(unit_psu, minlength=n_psus).astype(float)
    popsize2 = _popsize(_column(data, fpcs[1], "fpc (stage 2)"), psu, n_ssu, "fpc (stage 2)",
                        psu_labels)
    return unit, unit_psu, n_ssu, popsize2


def _fpc_weights(w: np.ndarray, s_codes: np.ndarray, popsize: np.ndarray, n_psu: np.ndarray,
                 psu: np.ndarray, popsize2: np.ndarray | None,
                 n_ssu: np.ndarray | None) -> np.ndarray:
    """Weights as inverse sampling fractions of each stage, as R's svydesign makes them."""
    w = w * (popsize / n_psu)[s_codes]
    if popsize2 is not None and n_ssu is not None:
        w = w * (popsize2 / n_ssu)[psu]
    return w


def _given_weights(values: np.ndarray) -> np.ndarray:
    """The weight column as floats, refused if any is missing, infinite or not positive."""
    w = np.asarray(pd.to_numeric(pd.Series(values)), dtype=float)
    if np.isnan(w).any() or np.isinf(w).any():
        raise DesignError("weight has missing or infinite values")
    if (w <= 0).any():
        raise DesignError(f"weight has {int((w <= 0).sum())} value(s) <= 0; "
                          "drop those respondents instead")
    return w


def _name(spec: object) -> str | None:
    """How a spec is described: its column name, '<array>', or None when not given."""
    return spec if isinstance(spec, str) else (None if spec is None else "<array>")


def _description(weight: object, strata: object, clusters: list[object],
                 fpcs: list[object]) -> dict[str, str | None]:
    """The design as specified, by column names, for printing and reports."""
    return {"weight": _name(weight), "strata": _name(strata),
            "cluster": ",".join(c if isinstance(c, str) else "<array>" for c in clusters) or None,
            "fpc": ",".join(f if isinstance(f, str) else "<array>" for f in fpcs) or None}

@dataclass(frozen=True, eq=False)
class Design:
    """An immutable survey design; see `Design.build`. Arrays are read-only.

    `unit` is the finest unit whose totals the variance needs: the PSU, or for a two-stage design
    with a second-stage fpc, the second-stage unit (SSU).
    """

    weights: np.ndarray
    strata: np.ndarray  # (n,) stratum code
    strata_labels: tuple[object, ...]
    psu: np.ndarray  # (n,) PSU code, unique across strata
    psu_stratum: np.ndarray  # (n_psu,) stratum of each PSU
    psu_labels: tuple[object, ...]
    n_psu: np.ndarray  # (n_strata,) PSUs sampled per stratum
    popsize: np.ndarray  # (n_strata,) PSUs in the population per stratum (inf: no fpc)
    unit: np.ndarray  # (n,) finest unit code
    unit_psu: np.ndarray  # (n_units,) PSU of each unit (sorted, so units of a PSU are adjacent)
    n_ssu: np.ndarray | None  # (n_psu,) SSUs sampled per PSU, two-stage only
    popsize2: np.ndarray | None  # (n_psu,) SSUs in the population per PSU, two-stage only
    lonely_psu: str = "fail"
    description: dict[str, str | None] = field(default_factory=dict, compare=False)
    data: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    # Names beyond data's columns (derived variables, segments): a Responses' `series`
    variables: Callable[[str], pd.Series] | None = field(default=None, repr=False, compare=False)
    notes: tuple[str, ...] = field(default=(), compare=False)  # what was left out, and why

    # ---------------------------------------------------------------- construction
    @classmethod
    def build(
        cls,
        data: pd.DataFrame | None = None,
        *,
        weight: str | np.ndarray | pd.Series | None = None,
        strata: str | np.ndarray | pd.Series | None = None,
        cluster: str | Sequence[str] | np.ndarray | pd.Series | None = None,
        fpc: str | Sequence[str] | np.ndarray | pd.Series | None = None,
        lonely_psu: LonelyPSU = "fail",
        nest: bool = False,
        n: int | None = None,
    ) -> Design:
        """Build a design as R's `svydesign(ids, strata, weights, fpc, nest)` does.

        Columns are named (looked up in `data`) or given as arrays. `cluster` may name two
        columns for a two-stage design (PSU, then SSU within PSU); `fpc` then names one column per
        stage: population sizes, or sampling fractions when every value is at most 1. Without
        weights and with an fpc, weights are the inverse sampling fractions, as in R. With nothing
        but data this is simple random sampling with replacement and weights 1.
        """
        _check_lonely_psu(lonely_psu)
        size = _size(data, n, weight, strata, cluster)
        if strata is None:
            s_codes, s_labels = np.zeros(size, np.int64), ("_all",)
        else:
            s_codes, s_labels = _codes(_column(data, strata, "strata"), "strata")
        n_strata = len(s_labels)
        clusters, fpcs = _stages(cluster, fpc)

        psu, psu_stratum, psu_labels = _first_stage(data, clusters, s_codes, size, nest)
        n_psu = np.bincount(psu_stratum, minlength=n_strata).astype(float)
        popsize = np.full(n_strata, np.inf)
        if fpcs:
            popsize = _popsize(_column(data, fpcs[0], "fpc"), s_codes, n_psu, "fpc", s_labels)

        # Second stage: only its fpc makes it enter the variance (R's multistage).
        n_ssu = popsize2 = None
        unit, unit_psu = psu, np.arange(len(psu_stratum), dtype=np.int64)
        if len(clusters) == 2:
            unit, unit_psu, n_ssu, popsize2 = _second_stage(data, clusters[1], fpcs, psu,
                                                            len(psu_stratum), psu_labels)

        if weight is None:
            w = np.ones(size)
            if fpcs:  # R: probabilities from the fpc when no weights are given
                w = _fpc_weights(w, s_codes, popsize, n_psu, psu, popsize2, n_ssu)
        else:
            w = _given_weights(_column(data, weight, "weight"))

        return cls(
            weights=_frozen(w.astype(float)), strata=_frozen(s_codes), strata_labels=s_labels,
            psu=_frozen(psu), psu_stratum=_frozen(psu_stratum), psu_labels=psu_labels,
            n_psu=_frozen(n_psu), popsize=_frozen(popsize), unit=_frozen(unit),
            unit_psu=_frozen(unit_psu),
            n_ssu=None if n_ssu is None else _frozen(n_ssu),
            popsize2=None if popsize2 is None else _frozen(popsize2),
            lonely_psu=lonely_psu,
            description=_description(weight, strata, clusters, fpcs),
            data=data,
        )

    # ---------------------------------------------------------------- properties
    @property
    def n(self) -> int:
        return len(self.weights)

    @property
    def n_units(self) -> int:
        return len(self.unit_psu)

    @property
    def degf(self) -> int:
        """Design degrees of freedom: PSUs minus strata (R: degf(design))."""
        return len(self.psu_stratum) - len(self.strata_labels)

    def domain_degf(self, codes: np.ndarray, n_domains: int) -> np.ndarray:
        """degf of each domain's subset (R: degf(subset(design, ...))): its PSUs minus strata.

        `codes` holds a domain code per respondent, -1 for respondents in no domain.
        """
        inside = codes >= 0
        c = codes[inside]
        psus = np.bincount(self.psu[inside] * n_domains + c,
                           minlength=len(self.psu_stratum) * n_domains) > 0
        strata = np.bincount(self.strata[inside] * n_domains + c,
                             minlength=len(self.strata_labels) * n_domains) > 0
        return (psus.reshape(-1, n_domains).sum(0) - strata.reshape(-1, n_domains).sum(0))

    def column(self, name: str) -> pd.Series:
        """A column of the data the design was built from, or a variable it knows by name."""
        if self.data is not None and name in self.data.columns:
            return self.data[name]
        if self.variables is not None:
            return self.variables(name)
        raise DesignError(f"column {name!r} is not in the design's data")

    def with_variables(self, variables: Callable[[str], pd.Series]) -> Design:
        """This design, looking names up with `variables` too (e.g. `Responses.series`)."""
        return dataclasses.replace(self, variables=variables)

    # ---------------------------------------------------------------- variance
    def variance(self, totals: np.ndarray, full: bool = True) -> np.ndarray:
        """Variance of the sum of influence values from their totals per unit (n_units, q).

        Returns the q x q covariance matrix, or only its diagonal when `full` is False. Stage 1 as
        R's onestage/onestrat; stage 2 (only with a second-stage fpc) as R's multistage, each PSU's
        within-PSU variance scaled by the first-stage sampling fraction n_h / N_h.
        """
        totals = np.asarray(totals, dtype=float)
        if totals.ndim == 1:
            totals = totals[:, None]
        if self.n_ssu is None:
            psu_totals = totals
        else:
            starts = np.flatnonzero(np.r_[True, np.diff(self.unit_psu) != 0])
            psu_totals = np.add.reduceat(totals, starts, axis=0)
        v = _stratified_variance(psu_totals, self.psu_stratum, self.n_psu, self.popsize,
                                 np.ones_like(self.n_psu), self.lonely_psu,
                                 self.strata_labels, 1, full)
        if self.n_ssu is not None and self.popsize2 is not None:
            fraction = (self.n_psu / self.popsize)[self.psu_stratum]  # n_h / N_h per PSU
            if np.any(fraction > 0):
                v = v + _stratified_variance(totals, self.unit_psu, self.n_ssu, self.popsize2,
                                             fraction, self.lonely_psu, self.psu_labels, 2, full)
        return v


def _stratified_variance(x: np.ndarray, stratum: np.ndarray, n: np.ndarray, popsize: np.ndarray,
                         multiplier: np.ndarray, lonely: str, labels: Sequence[object],
                         stage: int, full: bool) -> np.ndarray:
    """One stage of R's onestrat, for all strata at once.

    Per stratum h with n_h units and finite population correction f_h = (N_h - n_h) / N_h:
    V_h = f_h n_h / (n_h - 1) * sum_i (x_hi - mean_h)^2, summed over strata. A stratum with
    f_h < 1e-7 is taken with certainty (no variance). A stratum with one unit: "fail" raises,
    "remove" and "certainty" contribute nothing, "adjust" uses the uncentred total with scale f_h.
    """
    f = np.where(np.isinf(popsize), 1.0, (popsize - n) / np.where(np.isinf(popsize), 1, popsize))
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n > 1, f * n / (n - 1), f)
    certain = f < 1e-7
    single = (n == 1) & ~certain
    center = np.ones(len(n), dtype=bool)
    if single.any():
        if lonely == "fail":
            bad = [str(labels[h]) for h in np.flatnonzero(single)]
            raise LonelyPSUError(
                f"stratum {', '.join(bad[:5])}{' ...' if len(bad) > 5 else ''} has only one PSU "
                f"at stage {stage}; choose lonely_psu='remove', 'adjust' or 'certainty' "
                "(R: options(survey.lonely.psu=...)), or merge strata")
        if lonely == "adjust":
            center = ~single
        else:
            scale = np.where(single, 0.0, scale)
    scale = np.where(certain, 0.0, scale) * multiplier
    sums = np.zeros((len(n), x.shape[1]))
    for j in range(x.shape[1]):
        sums[:, j] = np.bincount(stratum, x[:, j], minlength=len(n))
    means = np.where(center[:, None], sums / n[:, None], 0.0)
    xc = x - means[stratum]
    c = scale[stratum]
    if full:
        return xc.T @ (xc * c[:, None])
    return np.einsum("ij,ij,i->j", xc, xc, c)
