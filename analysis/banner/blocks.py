"""What a banner reads its variables into: the row as a `RowBlock` of plain numpy arrays, each
`by` variable as a `ByVariable` partition of the sample, and the error a banner raises; and how
its tables become frames. Kept apart from the reading (`rows`, `segments`) and the tables
(`tables`, `quantiles`) so that all of them can use these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from survey.errors import SurveyError
from survey.questionnaire.model import Questionnaire

MISSING_KINDS: tuple[str, ...] = ("skipped", "not_shown", "empty", "dont_know")  # codes 1..4


class BannerError(SurveyError):
    """A banner that cannot be made as asked: the message names the question or option."""

    code = "bad-banner"


class ResponsesLike(Protocol):
    """What a banner needs of `survey.responses.dataset.Responses`."""

    @property
    def frame(self) -> pd.DataFrame: ...

    @property
    def missing(self) -> pd.DataFrame | None: ...

    @property
    def questionnaire(self) -> Questionnaire: ...

    def segment(self, name: str) -> pd.Series: ...


@dataclass(frozen=True, eq=False)
class RowBlock:
    """The row variable. `keys`/`labels` list its options, then its nets.

    kind "single"/"scale": `codes` (category index per respondent, -1 missing) and `net_matrix`
    (nets x categories, 0/1) mapping category totals to net totals; "scale" also has `scores`
    (the numeric code of each category) for means. "multi"/"rank": `flags` (options then nets, 0/1
    uint8, 0 when unanswered) and for rank `points` (k+1-rank, 0 unranked) and `first` (index of
    the option ranked first, `len(options)` when none). "number": `values` (NaN missing).
    """

    name: str
    kind: str
    label: str
    keys: tuple[str, ...]
    labels: tuple[str, ...]
    n_options: int
    answered: np.ndarray
    missing_kind: np.ndarray | None = None
    codes: np.ndarray | None = None
    net_matrix: np.ndarray | None = None
    scores: np.ndarray | None = None
    flags: tuple[np.ndarray, ...] = ()
    points: tuple[np.ndarray, ...] = ()
    first: np.ndarray | None = None
    max_rank: int = 0
    values: np.ndarray | None = None
    dont_know: str | None = None  # the label of the question's "don't know" option: a missing
    # answer counted beside the table, never a 0% row inside the base

    @property
    def is_set(self) -> bool:
        return self.kind in ("multi", "rank")

    def label_of(self, key: str) -> str:
        """What a table named `key` is of, as people read it: the question, or an option (or
        net) of a set's."""
        return self.label if key == self.name or key not in self.keys \
            else self.labels[self.keys.index(key)]

    @property
    def has_categories(self) -> bool:
        return self.kind in ("single", "scale", "multi", "rank")

    @property
    def has_mean(self) -> bool:
        return self.kind in ("scale", "number")


@dataclass(frozen=True, eq=False)
class ByVariable:
    """A partition of the sample into the columns of one banner group.

    `codes` holds the level index per respondent (-1: not in any column, e.g. missing answer).
    A segment gives two levels: its members ("1") and the rest of the sample ("0").
    """

    name: str
    label: str
    values: tuple[str, ...]
    labels: tuple[str, ...]
    codes: np.ndarray


def read_only(a: np.ndarray) -> np.ndarray:
    """`a` contiguous and read-only: a banner's arrays are shared, never changed."""
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


def level_codes(codes: np.ndarray) -> np.ndarray:
    """A `by` variable's level per respondent, read-only, in two bytes (a million respondents'
    levels in int64 are 8 MB; three `by` variables held that much more than their data)."""
    return read_only(codes.astype(np.int16 if codes.max(initial=0) < 32767 else np.int64,
                                  copy=False))


TEXT = pd.StringDtype(na_value=np.nan)  # pandas' "str", the dtype it infers for text


def frame(columns: dict[str, object]) -> pd.DataFrame:
    """A table from its columns: lists of text become pandas' text arrays, lists of tuples
    object arrays, before the frame is made (inferring them is most of a small frame's cost);
    other lists are left to pandas."""
    typed = {}
    for name, values in columns.items():
        if isinstance(values, list) and values and isinstance(values[0], str):
            values = pd.array(values, dtype=TEXT)
        elif isinstance(values, list) and values and isinstance(values[0], tuple):
            found = np.empty(len(values), object)
            found[:] = values
            values = found
        typed[name] = values
    return pd.DataFrame(typed, copy=False)
