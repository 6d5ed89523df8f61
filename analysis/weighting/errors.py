"""Weighting errors: one class per kind of impossible target, each with a stable code and the
margin and category it concerns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from survey.errors import SurveyError

if TYPE_CHECKING:
    from analysis.weighting.common import WeightingReport



class WeightingError(SurveyError):
    """Targets or options that cannot be used; `code` is stable for tests and scripts."""

    code = "weighting"

    def __init__(self, message: str, *, margin: str | None = None, category: Any = None):
        super().__init__(message)
        self.margin = margin
        self.category = category


class EmptyCategoryError(WeightingError):
    """A target category (or cell) with a positive target and no respondents."""

    code = "empty-category"


class UncoveredCategoryError(WeightingError):
    """Respondents in a category (or cell) that has no target."""

    code = "uncovered-category"


class MarginSumError(WeightingError):
    """Shares of a margin that do not sum to 1, or margins of totals that disagree."""

    code = "margin-sum"


class NegativeTargetError(WeightingError):
    """A negative target, or a zero target for a category that has respondents."""

    code = "negative-target"


class MissingValuesError(WeightingError):
    """Missing values in a weighting variable: every respondent needs a category."""

    code = "missing-values"


class DesignWeightsError(WeightingError):
    """Design weights that are missing, non-positive or of the wrong length."""

    code = "design-weights"


class BoundsError(WeightingError):
    """An adjustment factor outside the requested bounds that the method cannot avoid."""

    code = "bounds"


class NotConvergedError(WeightingError):
    """Raking that did not reach the tolerance within the maximum number of iterations."""

    code = "not-converged"

    def __init__(self, message: str, report: WeightingReport):
        self.report = report
        worst = max(report.margins, key=lambda m: m.max_abs_deviation)
        super().__init__(message, margin=worst.name)
