"""The findings at a glance, one row per finding of the report (F1-F11): how many of its claims
are supported, its strongest and weakest difference (relative to its own confidence interval,
since claims are in different units), and which claims are the toolkit's own
operationalisation of the finding rather than the report's sentence. A claim's finding is its
id up to the first '-' (`F5-income-mean` belongs to F5)."""

from __future__ import annotations

import pandas as pd

from analysis.findings.claims import is_share

VERDICTS = ("supported", "contradicted", "not_supported", "insufficient_data")


def finding_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per finding, in the order the claims come: counts of each verdict, the claims
    with the largest and smallest difference (in their own units), the operationalisations."""
    rows = []
    for finding, part in table.groupby("finding", sort=False):
        tested = part[part["difference"].notna() & part["ci_high"].notna()]
        # claims in other units (points, scale points, yuan) compared by the difference over its
        # interval's half-width: how many standard errors, roughly, each is from no difference
        size = tested["difference"].abs() / ((tested["ci_high"] - tested["ci_low"]) / 2)
        row = {"finding": finding, "claims": len(part)}
        row |= {verdict: int((part["verdict"] == verdict).sum()) for verdict in VERDICTS}
        row["strongest"] = _claim(tested, size.idxmax()) if len(tested) else ""
        row["weakest"] = _claim(tested, size.idxmin()) if len(tested) > 1 else ""
        row["operationalised"] = ", ".join(part.loc[part["operationalisation"], "id"])
        rows.append(row)
    return pd.DataFrame(rows)


def _claim(part: pd.DataFrame, at) -> str:
    row = part.loc[at]
    share = is_share(row["measure"])
    size = f"{100 * row['difference']:+.1f}" if share else f"{row['difference']:+.3g}"
    return f"{row['id']} ({size})"
