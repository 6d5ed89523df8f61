"""The survey design: weights, strata, clusters and finite population corrections, built once.

A `Design` holds integer codes for strata, first-stage clusters (PSUs) and, for two-stage designs
with a second-stage fpc, second-stage units, so that every estimator aggregates with one
`np.bincount` pass and computes Taylor-linearised variances from unit totals. The variance
formulas are those of R's survey package (Lumley): `svydesign` for the design, `svyrecvar`,
`multistage`, `onestage` and `onestrat` for the variance of a total of influence values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from analysis.design.errors import DesignError, LonelyPSUError  # noqa: F401  (re-exported)
from analysis.design.stages import (  # noqa: F401  (LONELY_PSU_OPTIONS re-exported)
    LONELY_PSU_OPTIONS,
    LonelyPSU,
    check_lonely_psu,
    codes_of,
    description,
    design_column,
    first_stage,
    fpc_weights,
    given_weights,
    population_sizes,
    respondents,
    second_stage,
    stages,
)
from analysis.design.variables import NamedVariables


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class Design(NamedVariables):
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
        check_lonely_psu(lonely_psu)
        size = respondents(data, n, weight, strata, cluster)
        if strata is None:
            s_codes, s_labels = np.zeros(size, np.int64), ("_all",)
        else:
            s_codes, s_labels = codes_of(design_column(data, strata, "strata"), "strata")
        n_strata = len(s_labels)
        clusters, fpcs = stages(cluster, fpc)

        psu, psu_stratum, psu_labels = first_stage(data, clusters, s_codes, size, nest)
        n_psu = np.bincount(psu_stratum, minlength=n_strata).astype(float)
        popsize = np.full(n_strata, np.inf)
        if fpcs:
            popsize = population_sizes(design_column(data, fpcs[0], "fpc"), s_codes, n_psu,
                                       "fpc", s_labels)

        n_ssu = popsize2 = None  # a second stage enters the variance with its fpc (R)
        unit, unit_psu = psu, np.arange(len(psu_stratum), dtype=np.int64)
        if len(clusters) == 2:
            unit, unit_psu, n_ssu, popsize2 = second_stage(data, clusters[1], fpcs, psu,
                                                            len(psu_stratum), psu_labels)

        if weight is None:
            w = np.ones(size)
            if fpcs:  # R: probabilities from the fpc when no weights are given
                w = fpc_weights(w, s_codes, popsize, n_psu, psu, popsize2, n_ssu)
        else:
            w = given_weights(design_column(data, weight, "weight"))

        return cls(
            weights=_frozen(w.astype(float)), strata=_frozen(s_codes), strata_labels=s_labels,
            psu=_frozen(psu), psu_stratum=_frozen(psu_stratum), psu_labels=psu_labels,
            n_psu=_frozen(n_psu), popsize=_frozen(popsize), unit=_frozen(unit),
            unit_psu=_frozen(unit_psu),
            n_ssu=None if n_ssu is None else _frozen(n_ssu),
            popsize2=None if popsize2 is None else _frozen(popsize2),
            lonely_psu=lonely_psu,
            description=description(weight, strata, clusters, fpcs),
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
        if n_domains == 1:  # the PSUs of those inside, counted
            psus = np.bincount(self.psu[inside], minlength=len(self.psu_stratum)) > 0
        else:
            key = self.psu * n_domains + np.maximum(codes, 0)
            psus = np.bincount(key, inside, minlength=len(self.psu_stratum) * n_domains) > 0
        return self.psus_degf(psus.reshape(-1, n_domains))

    def psus_degf(self, present: np.ndarray) -> np.ndarray:
        """PSUs minus strata of each domain, from which PSUs it has respondents in: `present`
        (n_psu, D) or, per finest unit, (n_units, D). A stratum is in a domain when one of its
        PSUs is."""
        present = np.asarray(present, dtype=bool)
        if present.shape[0] != len(self.psu_stratum):  # second-stage units: any of the PSU's
            starts = np.flatnonzero(np.r_[True, np.diff(self.unit_psu) != 0])
            present = np.add.reduceat(present.astype(np.int64), starts, axis=0) > 0
        n_strata = len(self.strata_labels)
        strata = np.stack([np.bincount(self.psu_stratum, present[:, d], minlength=n_strata)
                           for d in range(present.shape[1])], axis=1) > 0
        return (present.sum(axis=0) - strata.sum(axis=0)).astype(np.int64)

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
        v = _stratified_variance(psu_totals, self.psu_stratum, self.n_psu, *self._stage_one,
                                 full)
        if self.n_ssu is not None and self.popsize2 is not None and self._stage_two is not None:
            v = v + _stratified_variance(totals, self.unit_psu, self.n_ssu, *self._stage_two, full)
        return v

    @cached_property
    def _stage_one(self) -> tuple[np.ndarray, np.ndarray]:
        """The first stage's factor and centring per stratum (`stratum_scale`): the same for
        every variance of the design, so worked out once."""
        return stratum_scale(self.n_psu, self.popsize, self.lonely_psu, self.strata_labels, 1)

    @cached_property
    def _stage_two(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The second stage's, per PSU, times the first stage's sampling fraction n_h / N_h
        (None when every fraction is 0: the second stage adds nothing)."""
        assert self.n_ssu is not None and self.popsize2 is not None
        fraction = (self.n_psu / self.popsize)[self.psu_stratum]  # n_h / N_h per PSU
        if not np.any(fraction > 0):
            return None
        scale, center = stratum_scale(self.n_ssu, self.popsize2, self.lonely_psu,
                                      self.psu_labels, 2)
        return scale * fraction, center


def stratum_scale(n: np.ndarray, popsize: np.ndarray, lonely: str, labels: Sequence[object],
                  stage: int) -> tuple[np.ndarray, np.ndarray]:
    """Per stratum of one stage (R's onestrat): the factor f_h n_h / (n_h - 1) of its centred
    sum of squares, and whether its units are centred on their mean.

    f_h = (N_h - n_h) / N_h is the finite population correction. A stratum with f_h < 1e-7 is
    taken with certainty (factor 0). A stratum with one unit: "fail" raises, "remove" and
    "certainty" give factor 0, "adjust" keeps f_h with the unit uncentred.
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
    return np.where(certain, 0.0, scale), center


def _stratified_variance(x: np.ndarray, stratum: np.ndarray, n: np.ndarray, scale: np.ndarray,
                         center: np.ndarray, full: bool) -> np.ndarray:
    """One stage of R's onestrat, for all strata at once: per stratum h with n_h units,
    V_h = scale_h * sum_i (x_hi - mean_h)^2 (`stratum_scale`: f_h n_h / (n_h - 1)), summed
    over strata; a stratum not `center`ed keeps its units uncentred."""
    sums = stratum_sums(x, stratum, len(n))
    means = np.where(center[:, None], sums / n[:, None], 0.0)
    xc = x - means[stratum]
    c = scale[stratum]
    if full:
        return xc.T @ (xc * c[:, None])
    return np.einsum("ij,ij,i->j", xc, xc, c)


def stratum_sums(x: np.ndarray, stratum: np.ndarray, n_strata: int) -> np.ndarray:
    """Each column's sum per stratum, (n_strata, q): one bincount over (stratum, column) while
    the index stays small (a column's units are added in the same order as a bincount per
    column, so the sums are the same to the last bit), else one per column."""
    rows, q = x.shape
    if rows * q <= 1 << 22:
        index = (stratum[:, None] * q + np.arange(q)).ravel()
        return np.bincount(index, np.ascontiguousarray(x).ravel(),
                           minlength=n_strata * q).reshape(n_strata, q)
    sums = np.zeros((n_strata, q))
    for j in range(q):
        sums[:, j] = np.bincount(stratum, x[:, j], minlength=n_strata)
    return sums
