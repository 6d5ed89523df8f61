"""The sums segment profiles need, for every segment at once.

A profile compares, for each segment and each option of a question, the segment's share with the
rest's (those who answered, outside the segment). The Taylor variance of that difference needs
only weighted counts per sampling unit: of each option and of the answered, inside the segment
and in the rest (DESIGN.md, "Scale"). Segments overlap (a migrant worker may also be young and
skilled), so no one domain code serves them all; but respondents fall into few *patterns* of
membership (about 800 of the 2^15 possible for the reference questionnaire's 15 segments), and
so into few (unit, pattern) *cells*. Per question, one weighted bincount per plane over (cell,
level) gives its sums per cell (a plane packs the answered flag and option flags as the banner's
planes do, or holds a single-choice answer's category); a sparse 0/1 matrix then adds the cells
of each (unit, segment), and of each unit for everyone; the rest is everyone minus the segment.

Only for the Taylor `Design` while the cells stay few (`MAX_BINS`); `analysis.findings.profiles`
keeps the per-segment estimator for other designs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.banner.planes import LEVELS
from analysis.design.sample_design import Design
from analysis.design.stages import unique_codes

MAX_BINS = 1 << 23  # (cell, level) bins of one plane's pass: 64 MB of float64
BITS = 4  # flags per plane: 2^4 = LEVELS levels


@dataclass(frozen=True, eq=False)
class Quantities:
    """A question's options in planes: per plane a level (0..LEVELS-1) per respondent and a
    decode matrix (LEVELS, p + 1) of what each level adds to each option's count and, last, to
    the answered."""

    codes: tuple[np.ndarray, ...]
    decode: tuple[np.ndarray, ...]
    answered: np.ndarray

    @property
    def options(self) -> int:
        return self.decode[0].shape[1] - 1


def from_flags(flags: Sequence[np.ndarray], answered: np.ndarray) -> Quantities:
    """Options as 0/1 flags (0 where unanswered), packed four to a plane after the answered."""
    p = len(flags)
    columns = [answered, *flags]
    targets = [p, *range(p)]  # the quantity each column counts
    levels = np.arange(LEVELS)
    codes, decodes = [], []
    for start in range(0, len(columns), BITS):
        code = np.zeros(len(answered), np.uint8)
        decode = np.zeros((LEVELS, p + 1))
        for bit, j in enumerate(range(start, min(start + BITS, len(columns)))):
            code |= columns[j].astype(np.uint8) << np.uint8(bit)
            decode[:, targets[j]] = (levels >> bit) & 1
        codes.append(code)
        decodes.append(decode)
    return Quantities(tuple(codes), tuple(decodes), answered)


def from_categories(codes: np.ndarray, option_of: np.ndarray, p: int) -> Quantities:
    """A single-choice answer from its category (-1 unanswered): `option_of[k]` is the option
    that category k counts for (-1: none, a code the questionnaire does not define)."""
    k = len(option_of)
    answered = codes >= 0
    if k >= LEVELS:  # more categories than a plane's levels: as flags
        category = np.full(p, -2)  # -2: no category counts for the option (never a code)
        category[option_of[option_of >= 0]] = np.flatnonzero(option_of >= 0)
        return from_flags([codes == category[j] for j in range(p)], answered)
    decode = np.zeros((LEVELS, p + 1))
    counted = np.flatnonzero(option_of >= 0)
    decode[counted, option_of[counted]] = 1
    decode[:k, p] = 1  # level k (unanswered) and the unused levels add nothing
    return Quantities((np.where(answered, codes, k).astype(np.uint8),), (decode,), answered)


def question_quantities(responses, name: str, options: Sequence) -> Quantities:
    """A choice question's `options` as flags or categories, with who answered it (a multi or
    rank block answered in every column; a single answer present: "don't know" is not)."""
    q = responses.question(name)
    if q.is_set:
        columns = [responses.frame[c] for c in responses.columns_of(name)]
        columns = [c if pd.api.types.is_numeric_dtype(c.dtype) else pd.to_numeric(c)
                   for c in columns]
        answered = ~np.logical_or.reduce([c.isna().to_numpy() for c in columns])
        return from_flags([(c > 0).to_numpy(dtype=bool, na_value=False) & answered
                           for c in columns], answered)
    values = responses.frame[name]
    if isinstance(values.dtype, pd.CategoricalDtype):
        place = {code: j for j, code in enumerate(options)}
        option_of = np.array([place.get(c, -1) for c in values.cat.categories], dtype=np.int64)
        return from_categories(values.cat.codes.to_numpy().astype(np.int64), option_of,
                               len(options))
    plain = values.astype(object)
    answered = plain.notna().to_numpy()
    return from_flags([(plain == c).to_numpy(bool) & answered for c in options], answered)


@dataclass(frozen=True)
class Contrasts:
    """Per segment (rows) and option (columns): the share among the segment's answered, the
    rest's share, and the variance of their difference; respondents answered in and out."""

    share: np.ndarray
    rest: np.ndarray
    variance: np.ndarray
    n: np.ndarray
    n_rest: np.ndarray


@dataclass(frozen=True, eq=False)
class Membership:
    """Respondents in (unit, pattern) cells, and the sparse matrix that adds cells up into the
    sums of each (unit, segment), then each unit's for everyone (row unit * (S + 1) + S)."""

    cell: np.ndarray  # (n,) cell of each respondent, times LEVELS (a plane's level is added)
    n_cells: int
    pattern: np.ndarray  # (n,) pattern of each respondent
    members: np.ndarray  # (patterns, S) which segments a pattern is in
    gather: object  # scipy.sparse CSR (n_units * (S + 1), n_cells)

    @classmethod
    def of(cls, design: Design, inside: Sequence[np.ndarray]) -> Membership | None:
        """The cells of `inside` (one boolean array per segment); None when the design is not
        a Taylor `Design`, or the cells are too many for one pass."""
        from scipy.sparse import csr_matrix

        s = len(inside)
        if type(design) is not Design or not 0 < s <= 62:
            return None
        key = np.zeros(design.n, np.int64)
        for j, member in enumerate(inside):
            key |= member.astype(np.int64) << j
        patterns, pattern = unique_codes(key)
        n_patterns = len(patterns)
        cells, cell = unique_codes(design.unit * n_patterns + pattern)
        if len(cells) * LEVELS > MAX_BINS:
            return None
        members = ((patterns[:, None] >> np.arange(s)) & 1).astype(bool)
        unit, of_cell = cells // n_patterns, cells % n_patterns
        which, segment = np.nonzero(members[of_cell])
        rows = np.concatenate([unit[which] * (s + 1) + segment, unit * (s + 1) + s])
        columns = np.concatenate([which, np.arange(len(cells))])
        gather = csr_matrix((np.ones(len(rows)), (rows, columns)),
                            shape=(design.n_units * (s + 1), len(cells)))
        return cls(cell * LEVELS, len(cells), pattern, members, gather)

    def sums(self, design: Design, quantities: Quantities) -> np.ndarray:
        """Weighted sums (n_units, S + 1, p + 1) of every option and the answered, per unit in
        each segment and (last) for everyone: per plane its (cell, level) sums, added up per
        (unit, segment) by the sparse gather, then decoded (a small product: a large one would
        start BLAS threads, which spin on a busy machine)."""
        x = 0.0
        for code, decode in zip(quantities.codes, quantities.decode, strict=True):
            bins = np.bincount(self.cell + code, design.weights, minlength=self.n_cells * LEVELS)
            x = x + (self.gather @ bins.reshape(self.n_cells, LEVELS)) @ decode
        return np.asarray(x).reshape(design.n_units, self.members.shape[1] + 1, -1)

    def contrasts(self, design: Design, quantities: Quantities) -> Contrasts:
        """Each segment's shares against its rest's, with the Taylor variance of the difference:
        the influence values of the two ratios (svymean by domain), differenced per unit and
        passed to Design.variance, which is what the covariance of the domain means gives."""
        y = self.sums(design, quantities)
        s = self.members.shape[1]
        inside = y[:, :s]
        share, z_in = _ratio_influence(inside)
        rest, z_out = _ratio_influence(y[:, s:] - inside)
        z = (z_in - z_out).reshape(design.n_units, -1)
        variance = design.variance(z, full=False).reshape(s, -1)
        counts = np.bincount(self.pattern, quantities.answered, minlength=len(self.members))
        n = np.rint(counts @ self.members).astype(np.int64)
        return Contrasts(share, rest, variance, n, int(quantities.answered.sum()) - n)


def _ratio_influence(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shares r = sum y_j / sum y_base per domain and their influence totals per unit,
    (y_j - r y_base) / sum y_base (0 where the domain is empty), as estimation.mean's."""
    total = y.sum(axis=0)
    base = total[:, -1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = total[:, :-1] / base
        z = (y[:, :, :-1] - share[None] * y[:, :, -1:]) / base[None]
    return share, np.where(np.isfinite(z), z, 0.0)
