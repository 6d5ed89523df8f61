"""Quantiles in a banner: for a number or scale row, each column's quantiles (the median,
quartiles) with Woodruff intervals (or, on a replicate design, intervals from the quantile under
each replicate), as `analysis.design.quantiles.quantile` and R's
svyby(..., svyquantile) give them; Total first, then each `by` variable's levels, as the columns.

A quantile is some respondent's own answer, so small-cell suppression hides it like any figure
resting on fewer than k respondents.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.banner.rows import BannerError, ByVariable, RowBlock
from analysis.design.estimation import TOTAL
from analysis.design.quantiles import Quantiles, probabilities, quantile
from analysis.design.sample_design import Design, DesignError

ROW_KINDS = ("number", "scale")
COLUMNS = ["by", "col", "letter", "q", "n", "value", "se", "ci_low", "ci_high", "small_base",
           "suppressed"]


def asked(quantiles: Sequence[float] | str) -> tuple[float, ...]:
    """The quantiles asked for (a sequence, or text such as "0.25,0.5,0.75"), checked."""
    if isinstance(quantiles, str):
        parts = [p.strip() for p in quantiles.split(",") if p.strip()]
        try:
            quantiles = [float(p) for p in parts]
        except ValueError:
            raise BannerError(f"quantiles {quantiles!r}: write probabilities such as "
                              "0.25,0.5,0.75") from None
    if not len(quantiles):
        return ()
    try:
        return tuple(dict.fromkeys(probabilities(quantiles)))
    except DesignError as error:
        raise BannerError(str(error)) from None


def row_values(block: RowBlock) -> np.ndarray:
    """The row's numbers: a number question's values, or a scale's scores (NaN unanswered)."""
    if block.kind == "number":
        assert block.values is not None
        return np.asarray(block.values, dtype=float)
    assert block.codes is not None and block.scores is not None
    codes = np.asarray(block.codes)
    return np.where(codes >= 0, block.scores[np.maximum(codes, 0)], np.nan)


def _rows(found: Quantiles | None, probs: tuple[float, ...], by: str, values: Sequence[str],
          slot: Sequence[str]) -> list[dict]:
    """One row per column value and quantile; `slot` is each value's domain label. A column
    without respondents (or a row nobody answered) has no figures."""
    rows = []
    for value, label in zip(values, slot, strict=True):
        d = found.domains.index(label) if found is not None and label in found.domains else None
        for j, q in enumerate(probs):
            rows.append({"by": by, "col": value, "q": q,
                         "n": 0 if d is None else int(found.n[d]),
                         **{key: np.nan if d is None else float(getattr(found, name)[d, j])
                            for key, name in (("value", "value"), ("se", "se"),
                                              ("ci_low", "lower"), ("ci_high", "upper"))}})
    return rows


def table(design: Design, block: RowBlock, groups: list[ByVariable], options,
          columns: pd.DataFrame) -> pd.DataFrame | None:
    """The banner's quantiles as a tidy table (COLUMNS), or None when none were asked for."""
    if not options.quantiles:
        return None
    y = row_values(block)
    alpha, interval = 1 - options.level, options.quantile_interval
    answered = ~np.isnan(y)  # nobody answered: no figures (the banner's notes say so)
    try:
        found = quantile(design, y, options.quantiles, alpha=alpha, interval=interval) \
            if answered.any() else None
        rows = _rows(found, options.quantiles, TOTAL, [TOTAL], [TOTAL])
        for g in groups:
            codes = np.asarray(g.codes)
            found = (quantile(design, y, options.quantiles, alpha=alpha, interval=interval,
                              by=pd.Categorical.from_codes(codes, range(len(g.values))))
                     if (answered & (codes >= 0)).any() else None)
            rows += _rows(found, options.quantiles, g.name, g.values,
                          [str(i) for i in range(len(g.values))])
    except DesignError as error:  # replicate intervals asked of a Taylor design
        raise BannerError(str(error)) from None
    frame = pd.DataFrame(rows)
    look = {(b, str(v)): (letter, bool(small)) for b, v, letter, small in zip(
        columns["by"], columns["value"], columns["letter"], columns["small_base"], strict=True)}
    found = [look[(b, str(v))] for b, v in zip(frame["by"], frame["col"], strict=True)]
    frame["letter"] = [letter for letter, _ in found]
    frame["small_base"] = [small for _, small in found]
    hide = (frame["n"] > 0) & (frame["n"] < options.suppress) if options.suppress else \
        np.zeros(len(frame), bool)
    frame["n"] = frame["n"].astype(float)  # a count or NaN where it is hidden
    if hide.any():
        frame.loc[hide, ["n", "value", "se", "ci_low", "ci_high"]] = np.nan
    frame["suppressed"] = hide
    return frame[COLUMNS]
