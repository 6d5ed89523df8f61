"""Internal consistency of the questionnaire's multi-item scales: Cronbach's alpha.

Computed on respondents who answered every item (listwise, as SPSS RELIABILITY and R's
psych::alpha by default), with reverse-keyed items scored (min + max - answer) first, so that a
reverse-keyed item that was not reversed shows up as a negative item-rest correlation. Beside
those complete cases, each scale says how many respondents have a score: those who answered at
least its `min_answered` items (Responses.scale_scores; by default all items, the same people).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

THRESHOLD = 0.70


@dataclass(frozen=True)
class Reliability:
    scale: str
    alpha: float
    n: int  # complete cases: respondents who answered every item, on whom alpha is computed
    items: tuple[str, ...]
    item_rest: tuple[float, ...]  # correlation of each item with the sum of the others
    alpha_if_deleted: tuple[float, ...]
    n_scored: int = 0  # respondents with a scale score (at least min_answered items answered)
    min_answered: int = 0  # the items a score needs

    @property
    def flagged(self) -> bool:
        """True when alpha is below 0.70, the usual floor for a scale used in group comparisons."""
        return not self.alpha >= THRESHOLD

    def row(self) -> dict:
        """The scale as a row of the reliability table (column names of messages.HEADERS)."""
        return {"scale": self.scale, "items": len(self.items), "min_answered": self.min_answered,
                "n_scored": self.n_scored, "n_complete": self.n, "cronbach_alpha": self.alpha,
                "below_0.70": self.flagged,
                "item_rest": ", ".join(f"{i}: {c:.2f}" for i, c in
                                       zip(self.items, self.item_rest, strict=True))}


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
    """Cronbach's alpha and item-rest correlations for every scale of the questionnaire, with
    the respondents who have a score and the complete cases alpha uses."""
    results = []
    for scale in responses.questionnaire.scales:
        items = responses.scale_items(scale.name)
        answered = (~np.isnan(items)).sum(axis=0)
        matrix = items[:, answered == len(scale.items)].T
        total = matrix.sum(axis=1)
        rest = [_correlation(matrix[:, j], total - matrix[:, j]) for j in range(matrix.shape[1])]
        deleted = [cronbach_alpha(np.delete(matrix, j, axis=1)) for j in range(matrix.shape[1])]
        results.append(Reliability(scale.name, cronbach_alpha(matrix), len(matrix),
                                   tuple(scale.items), tuple(rest), tuple(deleted),
                                   int((answered >= scale.needed).sum()), scale.needed))
    return results


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 3 or a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])
