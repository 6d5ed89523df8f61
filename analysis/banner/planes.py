"""One aggregation pass per `by` variable for every quantity of a multi or rank row.

The Taylor variance of domain totals needs each quantity's weighted sum per (sampling unit,
domain): for a 16-option multi row, 16 flags, the nets and the respondents. One `np.bincount`
per quantity reads the million respondents 17 times per `by` variable. The quantities of a set
row are small integers (a flag is 0/1; a rank option's points are 0..k), so they are packed into
"planes": a plane is one code per respondent with at most `LEVELS` levels, the mixed-radix digits
of a few columns (four flags; two rank options), and a matrix that says what each level adds to
every quantity. One bincount per plane over (unit, domain, level), then one small matrix product,
gives the sums of all its columns: the sums the per-column pass gives, added in another order.

Only for the Taylor `Design` (other designs take the general estimator path), and only while
the (unit, domain, level) bins stay few (`MAX_BINS`): a design of one respondent per unit keeps
the per-column pass.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.banner.rows import ByVariable, RowBlock
from analysis.banner.totals import DomainTotals
from analysis.design.sample_design import Design

LEVELS = 16  # a plane's levels: bins of (unit, domain, level) small enough to stay in cache
MAX_BINS = 1 << 22


@dataclass(frozen=True, eq=False)
class Planes:
    """The packed quantities of a row: a code per respondent and a decode matrix per plane."""

    codes: tuple[np.ndarray, ...]  # (n,) uint8, one per plane
    decode: tuple[np.ndarray, ...]  # (levels, q): what each level adds to each quantity
    ones: int  # the quantity that counts each respondent once (of a single row, each answering)

    @property
    def quantities(self) -> int:
        return self.decode[0].shape[1]


def categorical_map(block: RowBlock) -> np.ndarray:
    """Category totals -> [categories, nets, respondents(, sum y, sum y^2)]."""
    k = block.n_options
    rows = [np.eye(k), block.net_matrix.reshape(-1, k), np.ones((1, k))]
    if block.scores is not None:
        rows += [block.scores[None], block.scores[None] ** 2]
    return np.vstack(rows)


def pack_categories(block: RowBlock) -> Planes | None:
    """A single or scale row's quantities in stats.layout's order (categories, nets,
    respondents, score, squared score) as one plane: its level is the answer, and the level
    after the last category (what the unanswered have, who are in no base) adds nothing; None
    when the options are more than a plane holds."""
    k = block.n_options
    if k + 1 > LEVELS or block.codes is None:
        return None
    decode = np.zeros((LEVELS, len(categorical_map(block))))
    decode[:k] = categorical_map(block).T
    return Planes((np.where(block.answered, block.codes, k).astype(np.uint8),), (decode,),
                  k + len(block.net_matrix))


def pack(block: RowBlock) -> Planes | None:
    """The quantities of a row in stats.layout's order, packed: a set row's flags, points and
    respondents (or a single row's, `pack_categories`); None when a column has more levels than
    a plane holds."""
    if not block.is_set:
        return pack_categories(block)
    f, p = len(block.flags), len(block.points)
    q = f + p + 1
    # (code column, its levels, decode (levels, q)): a flag, or a rank option's points 0..k
    columns: list[tuple[np.ndarray, int, np.ndarray]] = []
    for j, flag in enumerate(block.flags):
        if j < p:  # a ranked option: its points say both whether and how high it was ranked
            continue
        table = np.zeros((2, q))
        table[1, j] = 1
        columns.append((flag, 2, table))
    for j, points in enumerate(block.points):
        levels = block.max_rank + 1
        if levels > LEVELS:
            return None
        table = np.zeros((levels, q))
        table[1:, j] = 1
        table[:, f + j] = np.arange(levels)
        columns.append((points, levels, table))
    if not columns:
        return None
    planes: list[list[tuple[np.ndarray, int, np.ndarray]]] = [[]]
    for column in columns:
        size = int(np.prod([c[1] for c in planes[-1]] + [column[1]]))
        if size > LEVELS:
            planes.append([])
        planes[-1].append(column)
    codes, decodes = [], []
    for i, plane in enumerate(planes):
        code = np.zeros(len(block.answered), dtype=np.uint8)
        radix = 1
        for values, levels, _ in plane:
            code += values.astype(np.uint8) * np.uint8(radix)
            radix *= levels
        level = np.arange(radix)
        decode = np.zeros((LEVELS, q))  # rows past the plane's levels stay 0: one stride
        step = 1
        for _, levels, table in plane:
            decode[:radix] += table[(level // step) % levels]
            step *= levels
        if i == 0:
            decode[:, q - 1] = 1  # every respondent is counted once in each plane
        codes.append(code)
        decodes.append(decode)
    return Planes(tuple(codes), tuple(decodes), q - 1)


def fits(design: Design, n_dom: int) -> bool:
    """Whether the (unit, domain, level) bins are few enough for the packed pass."""
    return type(design) is Design and design.n_units * n_dom * LEVELS <= MAX_BINS


@dataclass(frozen=True, eq=False)
class DomainSums:
    """Weighted sums per (unit, domain, quantity), and which (unit, domain) have respondents
    (counted by the row: of a single row, its unanswered domain has none)."""

    weighted: np.ndarray  # (n_units, D, q)
    present: np.ndarray  # (n_units, D) bool

    def totals(self, design: Design, present: np.ndarray | None = None) -> DomainTotals:
        """Domain totals of every quantity with their Taylor covariance (svytotal's influence
        values are w y, summed per unit: Design.variance). With `present` (a mask of domains),
        the covariance of those alone, 0 elsewhere: the matrix `estimation` makes for the
        domains it finds, so that the figures agree to the last bit."""
        k, d, q = self.weighted.shape
        if present is None or present.all():
            v = design.variance(self.weighted.reshape(k, d * q), full=True)
        else:
            at = (np.flatnonzero(present)[:, None] * q + np.arange(q)).ravel()
            v = np.zeros((d * q, d * q))
            v[np.ix_(at, at)] = design.variance(self.weighted[:, present].reshape(k, -1),
                                                full=True)
        return DomainTotals(self.weighted.sum(axis=0), v, np.zeros(d), np.zeros(d))

    def degf(self, design: Design) -> np.ndarray:
        """Each domain's df: its PSUs minus its strata (R: degf(subset(design, ...)))."""
        return design.psus_degf(self.present).astype(float)


def domain_codes(block: RowBlock, by: ByVariable | None) -> tuple[np.ndarray, int]:
    """Each respondent's domain for a `by` variable: its level, then "no level" (a missing
    answer to the `by` question: in Total only), then "unanswered" (in no base)."""
    return _domains(block.answered, *by_levels(block, by))


def _domains(answered: np.ndarray, levels: np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """`domain_codes` from a `by` variable's `by_levels`: the unanswered after its n levels."""
    dom = np.where(answered, levels, n)
    return dom.astype(np.int16 if n + 1 < 32767 else np.int64, copy=False), n + 1


def domain_sums(design: Design, planes: Planes, dom: np.ndarray, n_dom: int) -> DomainSums:
    """Per plane, one weighted bincount over (unit, domain, level), then the decode: the sums of
    all quantities per (unit, domain). The weights are positive, so a (unit, domain) has
    respondents where its weighted respondents are above 0."""
    k = design.n_units
    first = design.unit * n_dom  # each respondent's first bin, made in place
    first += dom
    first *= LEVELS
    index = np.empty_like(first)  # one buffer for every plane's bins
    weighted = np.zeros((k * n_dom, planes.quantities))
    for code, decode in zip(planes.codes, planes.decode, strict=True):
        bins = np.bincount(np.add(first, code, out=index), design.weights,
                           minlength=k * n_dom * LEVELS)
        weighted += bins.reshape(k * n_dom, LEVELS) @ decode
    weighted = weighted.reshape(k, n_dom, -1)
    return DomainSums(weighted, weighted[:, :, planes.ones] > 0)


def category_totals(design: Design, codes: np.ndarray, levels: int, dom: np.ndarray,
                    n_dom: int, weights: np.ndarray | None = None) -> DomainTotals:
    """Estimated counts of each category of `codes` (0..levels-1) per domain, with their
    covariance: one bincount over (unit, domain, category), as estimation.proportions(counts=
    True) gives for the respondents of every domain (`weights` 0 leaves a respondent out; then
    the covariance is that of the domains with respondents, as the estimator's)."""
    k = design.n_units
    index = (design.unit * n_dom + dom) * levels + codes
    sums = np.bincount(index, design.weights if weights is None else weights,
                       minlength=k * n_dom * levels)
    del index
    # no presence: the totals need none (it is for degf, which this caller does not ask)
    return DomainSums(sums.reshape(k, n_dom, levels), np.zeros((k, n_dom), bool)).totals(
        design, None if weights is None else np.bincount(dom, minlength=n_dom) > 0)


def dense_sums(design: Design, columns: Sequence[np.ndarray], dom: np.ndarray, n_dom: int
               ) -> DomainSums:
    """The weighted sums of each of `columns` (numbers, no NaN) per (unit, domain), one bincount
    each, as estimation.total makes them; and which (unit, domain) have respondents."""
    k = design.n_units
    key = design.unit * n_dom + dom
    weighted = np.stack([np.bincount(key, design.weights * c, minlength=k * n_dom)
                         for c in columns], axis=1)
    return DomainSums(weighted.reshape(k, n_dom, len(columns)),
                      np.bincount(key, minlength=k * n_dom).reshape(k, n_dom) > 0)


class Margins:
    """Several `by` variables' codes (0..n-1, with their n) combined into one cell code while
    their combinations are few (7 x 6 x 5): then one bincount over (cell, inner code) gives the
    counts of every variable, summed out of the others; else one bincount each."""

    def __init__(self, variables: Sequence[tuple[np.ndarray, int]]):
        self.variables = list(variables)
        self.sizes = [n for _, n in variables]
        self.cells = math.prod(self.sizes)
        self._cell: np.ndarray | None = None
        self._first: dict[int, np.ndarray] = {}  # inner size: each respondent's first bin

    def counts(self, inner: np.ndarray, size: int) -> list[np.ndarray]:
        """Respondents per (level, inner code 0..size-1) of each variable, (n, size)."""
        if self.cells * size > min(1 << 20, len(inner)):  # more cells than respondents
            return [np.bincount(codes.astype(np.int64) * size + inner, minlength=n * size)
                    .reshape(n, size) for codes, n in self.variables]
        if size not in self._first:
            self._first[size] = self._cells() * size
        table = np.bincount(self._first[size] + inner, minlength=self.cells * size)
        table = table.reshape(*self.sizes, size)
        axes = range(len(self.sizes))
        return [table.sum(axis=tuple(i for i in axes if i != b)) for b in axes]

    def _cells(self) -> np.ndarray:
        """Each respondent's combination of levels, in four bytes (`counts` asks only while the
        cells are few)."""
        if self._cell is None:
            self._cell = np.zeros(len(self.variables[0][0]), np.int32)
            for codes, n in self.variables:
                if n > 1:
                    self._cell *= n
                    self._cell += codes
        return self._cell


def by_levels(block: RowBlock, by: ByVariable | None) -> tuple[np.ndarray, int]:
    """Each respondent's level of a `by` variable (None: the Total's one level), then "no
    level", answered or not; with their number."""
    if by is None:
        return np.zeros(len(block.answered), np.int8), 1
    return np.where(by.codes >= 0, by.codes, len(by.values)), len(by.values) + 1


def tallies(planes: Planes, margins: Margins, answered: np.ndarray) -> list[np.ndarray]:
    """Unweighted sums per (domain, quantity) of each `by` variable, its domains numbered as
    `domain_codes` numbers them: per plane, its levels' counts by level and answered or not
    (`Margins` of `by_levels`), decoded; the unanswered make the last domain."""
    unanswered = np.where(answered, 0, LEVELS).astype(np.uint8)
    found = [np.zeros((n + 1, planes.quantities)) for n in margins.sizes]
    for code, decode in zip(planes.codes, planes.decode, strict=True):
        for b, counts in enumerate(margins.counts(code + unanswered, 2 * LEVELS)):
            split = counts.reshape(-1, 2, LEVELS)
            found[b][:-1] += split[:, 0] @ decode
            found[b][-1] += split[:, 1].sum(axis=0) @ decode
    return found


def _values_frame(block: RowBlock) -> pd.DataFrame | None:
    """The dense quantities of multi/rank and number rows, built once for every `by`."""
    if block.is_set:
        cols = {f"f{j}": f for j, f in enumerate(block.flags)}
        cols |= {f"p{j}": p for j, p in enumerate(block.points)}
        cols["ones"] = np.ones(len(block.answered), dtype=np.uint8)
        return pd.DataFrame(cols, copy=False)
    if block.kind == "number":
        y = np.where(block.answered, block.values, 0.0)
        return pd.DataFrame({"y": y, "y2": y * y, "ones": np.ones(len(y), dtype=np.uint8)})
    return None


@dataclass(frozen=True, eq=False)
class Prepared:
    """What every `by` variable shares: a set or single row's quantities packed into planes
    (one pass per plane), or else the dense quantities with the (respondent, option) pairs
    of all selections (for unweighted counts in one bincount); and the df of the answered."""

    values: pd.DataFrame | None
    selections: tuple[np.ndarray, np.ndarray]
    total_df: float
    squared_weights: np.ndarray
    planes: Planes | None = None
    counts: dict[str | None, np.ndarray] | None = None  # with planes: tallies by `by` name
    domains: dict[str | None, tuple[np.ndarray, int]] | None = None  # domain_codes by name
    kinds: dict[str | None, np.ndarray] | None = None  # kind_tallies by `by` name

    def domain_codes(self, block: RowBlock, by: ByVariable | None) -> tuple[np.ndarray, int]:
        name = None if by is None else by.name
        if self.domains is not None and name in self.domains:
            return self.domains[name]
        return domain_codes(block, by)


def prepare(design: Design, block: RowBlock, by: Sequence[ByVariable | None] = (None,)
            ) -> Prepared:
    """What the banner of `block` by each of `by` (None: Total only) shares."""
    total_df = float(design.domain_degf(np.where(block.answered, 0, -1), 1)[0])
    squared = design.weights * design.weights
    levels = [by_levels(block, b) for b in by]
    doms = [_domains(block.answered, *lv) for lv in levels]
    names = [None if b is None else b.name for b in by]
    margins = Margins(levels)
    kinds = dict(zip(names, kind_tallies(block, margins), strict=True))
    n_dom = max(n for _, n in doms)
    domains = dict(zip(names, doms, strict=True))  # kept for every path: made once
    planes = pack(block) if block.kind != "number" and fits(design, n_dom) else None
    if planes is not None:
        none = (np.zeros(0, np.int32), np.zeros(0, np.int16))
        counts = dict(zip(names, tallies(planes, margins, block.answered), strict=True))
        return Prepared(None, none, total_df, squared, planes, counts, domains, kinds)
    rows = [np.flatnonzero(f).astype(np.int32) for f in block.flags]  # int32: a third less
    opts = [np.full(len(r), j, np.int16) for j, r in enumerate(rows)]
    selections = ((np.concatenate(rows), np.concatenate(opts)) if rows
                  else (np.zeros(0, np.int32), np.zeros(0, np.int16)))
    return Prepared(_values_frame(block), selections, total_df, squared, domains=domains,
                    kinds=kinds)


def kind_tallies(block: RowBlock, margins: Margins) -> list[np.ndarray]:
    """Respondents per column and missing kind of each `by` variable (`Margins` of
    `by_levels`), (levels + 1, 5): its levels, then "no level"; kind 0 answered, 1..4
    MISSING_KINDS."""
    n = len(block.answered)
    kind = np.zeros(n, np.uint8) if block.missing_kind is None else \
        np.clip(block.missing_kind, 0, 4).astype(np.uint8)
    return margins.counts(kind, 5)
