"""A codebook with frequencies: per variable, each value's count and share of those answered,
and each kind of missing answer counted separately (never folded into "not selected")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.responses.dataset import Responses
from survey.responses.missing import ANSWERED, KIND_NAMES

COLUMNS = ["variable", "label", "value", "value_label", "count", "percent"]


def codebook(responses: Responses, lang: str | None = None) -> pd.DataFrame:
    """One row per (variable, value) and per (variable, missing kind); percent of answered."""
    rows: list[tuple] = []
    frame, missing = responses.frame, responses.missing
    for name, q in responses.questionnaire.items.items():
        label = responses.variable_label(name, lang)
        answered = missing[name].to_numpy() == ANSWERED
        base = int(answered.sum())
        labels = responses.labels(name, lang)
        if q.is_set:
            for code, column in zip(q.codes, responses.columns_of(name), strict=True):
                chosen = int((frame[column].fillna(0).to_numpy() > 0)[answered].sum())
                rows.append((name, label, code, labels.get(code, ""), chosen, _pct(chosen, base)))
        elif isinstance(frame[name].dtype, pd.CategoricalDtype):
            counts = frame[name][answered].value_counts(sort=False)
            for code, count in counts.items():
                rows.append((name, label, code, labels.get(code, "(not in questionnaire)"),
                             int(count), _pct(int(count), base)))
        elif q.type == "number":
            values = frame[name].to_numpy(dtype="float64", na_value=np.nan)[answered]
            if len(values):
                for stat, value in (("mean", values.mean()), ("min", values.min()),
                                    ("max", values.max())):
                    rows.append((name, label, stat, "", round(float(value), 2), None))
        rows.append((name, label, "(answered)", "", base, None))
        kinds = missing[name].value_counts()
        for kind, count in kinds.items():
            if kind != ANSWERED:
                rows.append((name, label, f"({KIND_NAMES[int(kind)]})", "", int(count), None))
    return pd.DataFrame(rows, columns=COLUMNS)


def _pct(count: int, base: int) -> float | None:
    return round(100 * count / base, 1) if base else None


def codebook_lines(table: pd.DataFrame) -> list[str]:
    """The codebook as text: a variable's name and label, then one indented line per value."""
    lines = []
    for name, rows in table.groupby("variable", sort=False):
        lines.append(f"{name}  {rows['label'].iloc[0]}")
        for row in rows.itertuples():
            percent = "" if row.percent is None or row.percent != row.percent \
                else f"{row.percent:5.1f}%"
            lines.append(f"    {str(row.value):<22} {row.value_label:<30} {row.count:>10g} "
                         f"{percent}")
    return lines
