"""Multiple-comparison corrections: their names, in one place, and the adjustment itself.

Users name a correction `holm`, `bonferroni`, `bh` (Benjamini-Hochberg) or `none`; statsmodels'
spelling `fdr_bh` is accepted as `bh`. Every table and finding reports the user's name.
"""

from __future__ import annotations

import numpy as np

from survey.errors import InputError

CORRECTIONS: tuple[str, ...] = ("holm", "bonferroni", "bh", "none")
_ALIASES = {"fdr_bh": "bh"}


class UnknownCorrection(InputError):
    """A correction name that is none of CORRECTIONS."""

    code = "unknown-correction"


def correction_name(name: str) -> str:
    """The canonical name of a correction (`fdr_bh` is `bh`), or UnknownCorrection."""
    canonical = _ALIASES.get(name, name)
    if canonical not in CORRECTIONS:
        raise UnknownCorrection(f"unknown correction {name!r}: use one of "
                                f"{', '.join(CORRECTIONS)}")
    return canonical


def adjust_p(p: np.ndarray, correction: str) -> np.ndarray:
    """Bonferroni, Holm or Benjamini-Hochberg adjusted p values (as statsmodels' multipletests,
    whose Holm branch runs gc.collect(): 0.2 s on a large heap, more than the whole banner)."""
    correction = correction_name(correction)
    p = np.asarray(p, dtype=float)
    m = len(p)
    if correction == "none" or m == 0:
        return p
    if correction == "bonferroni":
        return np.minimum(p * m, 1.0)
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if correction == "holm":
        adjusted = np.minimum(np.maximum.accumulate(ranked * np.arange(m, 0, -1)), 1.0)
    else:  # bh
        adjusted = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[::-1])[::-1]
        adjusted = np.minimum(adjusted, 1.0)
    out = np.empty(m)
    out[order] = adjusted
    return out
