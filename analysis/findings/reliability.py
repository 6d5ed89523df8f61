"""Internal consistency of the questionnaire's multi-item scales: Cronbach's alpha.

Computed on respondents who answered every item (listwise, as SPSS RELIABILITY and R's
psych::alpha by default), with reverse-keyed items scored (min + max - answer) first, so that a
reverse-keyed item that was not reversed shows up as a negative item-rest correlation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

THRESHOLD = 0.70


@dataclass(frozen=True)
class Reliability:
    scale: str
    alpha: float
    n: int
    items: tuple[str, ...]
    item_rest: tuple[float, ...]  # correlation of each item with the sum of the others
    alpha_if_deleted: tuple[float, ...]

    @property
    def flagged(self) -> bool:
        """True when alpha is below 0.70, the usual floor for a scale used in group comparisons."""
        return not self.alpha >= THRESHOLD


def cronbach_alpha(items: np.ndarray) -> float:
    """alpha = k/(k-1) * (1 - sum of item variances / variance of the total), sample variances."""
    k = items.shape[1]
    if k < 2 or len(items) < 2:
        return float("nan")
    total = items.sum(axis=1).var(ddof=1)
    if total == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / total))


def scale_reliability(responses) -> list[Reliability]:
    """Cronbach's alpha and item-rest correlations for every scale of the questionnaire."""
    results = []
    for scale in responses.questionnaire.scales:
        columns = []
        for name in scale.items:
            q = responses.question(name)
            codes = [c for c in q.codes if c != q.dont_know]
            x = pd.to_numeric(responses.frame[name].astype(object), errors="coerce").astype(float)
            if name in scale.reverse or q.reverse:
                x = min(codes) + max(codes) - x
            columns.append(x.to_numpy())
        matrix = np.column_stack(columns)
        matrix = matrix[~np.isnan(matrix).any(axis=1)]
        total = matrix.sum(axis=1)
        rest = [_correlation(matrix[:, j], total - matrix[:, j]) for j in range(matrix.shape[1])]
        deleted = [cronbach_alpha(np.delete(matrix, j, axis=1)) for j in range(matrix.shape[1])]
        results.append(Reliability(scale.name, cronbach_alpha(matrix), len(matrix),
                                   tuple(scale.items), tuple(rest), tuple(deleted)))
    return results


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 3 or a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])
