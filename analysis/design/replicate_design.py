"""A replicate-weight design: full-sample weights and columns of replicate weights, built once.

What national microdata ship instead of strata and PSUs (the ACS's 80 successive-difference
weights, jackknife weights of panel releases, bootstrap weights of Statistics Canada files).
Every estimate is computed again under each replicate's weights and the variance is R's svrVar
(`ReplicateRule`); `scale`, `rscales` and `mse` default as R's `svrepdesign` (survey 4.x) sets
them for each type. Replicate weights are full weights (R: combined.weights = TRUE).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from analysis.design.errors import DesignError
from analysis.design.replication import ReplicateRule, domain_ranks, group_sums, patterns
from analysis.design.stages import design_column, given_weights, spec_name
from analysis.design.variables import NamedVariables
from survey.files.source import suggest
from survey.questionnaire.replicates import REPLICATE_TYPES, option_problems, replicate_type

Replicates = str | Sequence[str] | np.ndarray | pd.DataFrame


def replicate_kind(name: str) -> str:
    """The type as R spells it, from any case ("jk1", "fay", "sdr"; R's "ACS" and
    "successive-difference" are "SDR"); an error names the types."""
    found = replicate_type(name)
    if found is None:
        raise DesignError(f"unknown replicate type {name!r}{suggest(str(name), REPLICATE_TYPES)}"
                          f"; the types are: {', '.join(REPLICATE_TYPES)}")
    return found


def replicate_columns(data: pd.DataFrame | None, spec: str | Sequence[str],
                      exclude: str | None = None) -> list[str]:
    """The columns a glob ("repw*", matched in the data's column order, the weight column left
    out) or a list of names stands for; an error when the glob matches nothing or a name is not
    in the data."""
    columns = [] if data is None else [str(c) for c in data.columns]
    if isinstance(spec, str):
        found = [c for c in columns if fnmatch.fnmatchcase(c, spec) and c != exclude]
        if not found:
            raise DesignError(f"the replicate weights '{spec}' match no column of the data"
                              f"{suggest(spec.rstrip('*?'), columns)}")
        return found
    missing = [name for name in spec if name not in columns]
    if missing:
        raise DesignError(f"the replicate weight column '{missing[0]}' is not in the data"
                          f"{suggest(missing[0], columns)}"
                          + (f" ({len(missing)} of {len(spec)} are missing)"
                             if len(missing) > 1 else ""))
    if len(set(spec)) < len(spec):
        raise DesignError("a replicate weight column is listed twice")
    return list(spec)


def _matrix(data: pd.DataFrame | None, spec: Replicates, weight: object) -> tuple[np.ndarray, str]:
    """The replicate weights as a C-ordered (n, R) float array, and how they are described."""
    if isinstance(spec, str | list | tuple):
        names = replicate_columns(data, spec, weight if isinstance(weight, str) else None)
        assert data is not None
        block = data[names]
        described = spec if isinstance(spec, str) else ",".join(names)
    else:
        block, described = pd.DataFrame(np.asarray(spec, dtype=float)), "<array>"
    columns = np.empty((block.shape[1], len(block)))  # by rows, then one transposing copy
    for j, name in enumerate(block.columns):
        try:
            columns[j] = pd.to_numeric(block[name]).to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError) as error:
            raise DesignError(f"the replicate weight '{name}' is not all numbers: "
                              f"{error}") from None
    values = np.ascontiguousarray(columns.T)
    if values.shape[1] < 2:
        raise DesignError("a replicate design needs at least two columns of replicate weights")
    if not np.isfinite(values).all():
        raise DesignError("the replicate weights have missing or infinite values; a replicate "
                          "design needs all")
    return values, described


def replicate_rule(kind: str, n_replicates: int, scale: float | None,
                   rscales: Sequence[float] | float | None, mse: bool | None,
                   rho: float | None) -> ReplicateRule:
    """scale, rscales and mse as R's svrepdesign sets them for `kind` (combined weights)."""
    problem = next(option_problems(kind, scale=scale is not None, rscales=rscales is not None,
                                   rho=rho), None)
    if problem is not None:
        raise DesignError(problem[1])
    r = n_replicates
    fixed = {"BRR": 1 / r, "Fay": 1 / (r * (1 - (rho or 0.0)) ** 2), "SDR": 4 / r}
    default = {"JK1": (r - 1) / r, "bootstrap": 1 / (r - 1)}
    s = fixed.get(kind, scale if scale is not None else default.get(kind, 1.0))
    if not (np.isfinite(s) and s > 0):
        raise DesignError(f"the replicate scale must be a positive number, not {scale}")
    rs = np.ones(r) if rscales is None else np.asarray(rscales, dtype=float).reshape(-1)
    if len(rs) == 1:
        rs = np.full(r, rs[0])
    if len(rs) != r:
        raise DesignError(f"{len(rs)} rscales for {r} replicate weight columns; give one per "
                          "column (or one for all)")
    if not np.isfinite(rs).all() or (rs < 0).any():
        raise DesignError("rscales must be numbers of at least 0")
    rs.flags.writeable = False
    return ReplicateRule(float(s), rs, bool(mse))


@dataclass(frozen=True, eq=False)
class ReplicateDesign(NamedVariables):
    """An immutable replicate-weight design; see `ReplicateDesign.build`. Arrays are read-only:
    `weights` (n,) full-sample, `replicates` (n, R) replicate weights, C-ordered (a respondent's
    replicate weights adjacent)."""

    weights: np.ndarray
    replicates: np.ndarray
    type: str
    rule: ReplicateRule
    rho: float | None = None
    description: dict[str, str | None] = field(default_factory=dict, compare=False)
    data: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    variables: Callable[[str], pd.Series] | None = field(default=None, repr=False, compare=False)
    notes: tuple[str, ...] = field(default=(), compare=False)
    lonely_psu: str = "fail"  # no strata: never used, kept so that banners treat designs alike

    @classmethod
    def build(cls, data: pd.DataFrame | None = None, *,
              weight: str | np.ndarray | pd.Series,
              replicates: Replicates,
              type: str,  # noqa: A002  (R's name)
              scale: float | None = None,
              rscales: Sequence[float] | float | None = None,
              mse: bool | None = None,
              rho: float | None = None) -> ReplicateDesign:
        """A design as R's `svrepdesign(repweights, weights, type, scale, rscales, mse, rho,
        combined.weights = TRUE)` makes it.

        `replicates` is a glob of column names ("repw*", in the data's column order, the weight
        column left out), a list of names or an (n, R) array. Defaults as R: JK1 scale
        (R-1)/R; bootstrap 1/(R-1); BRR 1/R; Fay 1/(R (1-rho)^2); SDR 4/R; JKn needs
        `rscales`; `mse` is False (centred on the replicates' mean), as R's default option.
        """
        kind = replicate_kind(type)
        if weight is None:
            raise DesignError("a replicate design needs the full-sample weight column too")
        w = given_weights(design_column(data, weight, "weight"))
        matrix, described = _matrix(data, replicates, weight)
        if len(matrix) != len(w):
            raise DesignError(f"{len(matrix)} rows of replicate weights for {len(w)} respondents")
        rule = replicate_rule(kind, matrix.shape[1], scale, rscales, mse, rho)
        w.flags.writeable = False
        matrix.flags.writeable = False
        description = {"weight": spec_name(weight), "strata": None, "cluster": None, "fpc": None,
                       "replicate_weights": described, "replicate_type": kind}
        return cls(weights=w, replicates=matrix, type=kind, rule=rule, rho=rho,
                   description=description, data=data)

    # ---------------------------------------------------------------- properties
    @property
    def n(self) -> int:
        return len(self.weights)

    @property
    def n_replicates(self) -> int:
        return self.replicates.shape[1]

    @cached_property
    def patterns(self) -> tuple[np.ndarray, np.ndarray]:
        """Respondents with the same replicate factors (see `replication.patterns`)."""
        return patterns(self.weights, self.replicates)

    @cached_property
    def degf(self) -> int:
        """Degrees of freedom: the rank of the replicate weights minus one (R: degf of a
        svyrep.design, qr(weights(design, "analysis"))$rank - 1)."""
        return int(self.domain_degf(np.zeros(self.n, np.int64), 1)[0])

    def domain_degf(self, codes: np.ndarray, n_domains: int) -> np.ndarray:
        """degf of each domain's respondents (codes, -1 for none), as R's degf(subset(...)) of a
        replicate design: the rank of their replicate weights minus one."""
        ranks = domain_ranks(self.weights, self.replicates, np.asarray(codes), n_domains,
                             lambda: self.patterns)
        return np.maximum(ranks - 1, 0)

    # ---------------------------------------------------------------- estimation
    def totals(self, key: np.ndarray, n_groups: int, values: Sequence[np.ndarray]
               ) -> np.ndarray:
        """Weighted totals of each of `values`, then of 1, per group (`key`, -1 for none) under
        the full-sample weights (index 0) and each replicate: (R + 1, n_groups, p + 1)."""
        if not len(values):
            return group_sums(self.replicates, key, n_groups, None, self.weights
                              ).transpose(2, 0, 1)
        columns = np.empty((len(values) + 1, len(key)))  # filled by rows: 3x faster
        for j, v in enumerate(values):  # rows outside every group may hold NaN: never summed
            columns[j] = v
        columns[-1] = 1.0
        return group_sums(self.replicates, key, n_groups, columns.T, self.weights
                          ).transpose(2, 0, 1)
