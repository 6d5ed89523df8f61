"""What the two waves are to each other: independent samples, or a panel of the same respondents.

A panel is recognised by its respondent ids: waves that share ids are refused as independent
samples (their changes would be tested as if nothing linked them) unless they are compared paired,
or declared independent (ids that only number each wave's respondents, 1, 2, 3...). Paired, both
waves must hold exactly the same respondents, each once, so that each change is one person's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from survey.errors import SurveyError

ID = "respondent_id"


class PanelError(SurveyError):
    """Waves whose respondent ids say something else than the comparison asked for: shared ids
    compared as independent samples, or a paired comparison whose ids do not match."""

    code = "waves-panel"


def _ids(frame: pd.DataFrame) -> pd.Series | None:
    return frame[ID].astype(str) if ID in frame.columns else None


def _examples(ids: Sequence[str] | set[str], k: int = 3) -> str:
    return ", ".join(sorted(ids)[:k]) + (" ..." if len(ids) > k else "")


def check_independent(first: pd.DataFrame, second: pd.DataFrame, names: Sequence[str]) -> None:
    """Refuse waves that share respondent ids (a panel) as two independent samples."""
    a, b = _ids(first), _ids(second)
    if a is None or b is None:
        return
    shared = set(a) & set(b)
    if shared:
        raise PanelError(
            f"{names[0]} and {names[1]} share {len(shared)} respondent ids ({_examples(shared)}): "
            "the same respondents in both waves are a panel, not two independent samples: "
            "compare the waves paired, or, if the ids only number each wave's respondents, "
            "say that the samples are independent")


def pair(first: pd.DataFrame, second: pd.DataFrame, names: Sequence[str]) -> np.ndarray:
    """For each respondent of the second wave, the row of the same respondent in the first."""
    a, b = _ids(first), _ids(second)
    for ids, name in ((a, names[0]), (b, names[1])):
        if ids is None:
            raise PanelError(f"{name} has no {ID} column: a paired comparison matches the "
                             "respondents of the two waves by their ids")
        twice = ids[ids.duplicated()]
        if len(twice):
            raise PanelError(f"{name} has respondent ids that occur more than once "
                             f"({_examples(set(twice))}): a paired comparison needs each "
                             "respondent once in each wave")
    assert a is not None and b is not None
    only_first, only_second = set(a) - set(b), set(b) - set(a)
    if only_first or only_second:
        raise PanelError(
            f"the respondent ids of the two waves do not match: {len(only_first)} only in "
            f"{names[0]}" + (f" ({_examples(only_first)})" if only_first else "")
            + f", {len(only_second)} only in {names[1]}"
            + (f" ({_examples(only_second)})" if only_second else "")
            + "; a paired comparison needs the same respondents in both (keep only those "
            "who answered both waves, or compare the waves as independent samples)")
    position = pd.Index(a).get_indexer(b)
    return position.astype(np.int64)
