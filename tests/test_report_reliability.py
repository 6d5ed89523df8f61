"""The report's scale reliability and scale claims on the bundled sample: who has a score.

Reads the report built once per test run (the `report` fixture in conftest.py), as
test_report.py does, in the same xdist group.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data_samples" / "industrial_workers.sav"
QUESTIONNAIRE = ROOT / "questionnaires" / "industrial_workers.yaml"
SHARED = pytest.mark.xdist_group("report")  # the tests that only read the one report


@SHARED
def test_reliability_and_scale_claims_count_who_has_a_score(report):
    """The reliability sheet's n of each scale is its complete cases (every item answered,
    counted here from the data), the respondents Cronbach's alpha uses; without `min_answered`
    exactly they have a score, so a scale claim's bases count them and no one else."""
    from survey.questionnaire.loader import load_questionnaire
    from survey.readers import read_responses

    q = load_questionnaire(QUESTIONNAIRE)
    r = read_responses(SAMPLE, q)
    complete = {s.name: r.frame[s.items].notna().all(axis=1).to_numpy() for s in q.scales}
    rows = [[c.value for c in row] for row in load_workbook(report / "banner.xlsx")["量表信度"]
            .iter_rows()]
    counted = ("完整作答人数（α）", "样本量")  # Reliability.row()'s column, or the older "n"
    header = next(i for i, row in enumerate(rows) if "量表" in row
                  and any(c in row for c in counted))
    scale = rows[header].index("量表")
    n = next(rows[header].index(c) for c in counted if c in rows[header])
    shown = {row[scale]: row[n] for row in rows[header + 1:] if row[scale] in complete}
    assert shown == {name: int(inside.sum()) for name, inside in complete.items()}
    assert all(c.sum() < len(r.frame) for c in complete.values())  # some are left out
    table = pd.read_csv(report / "findings.csv", encoding="utf-8-sig").set_index("id")
    young = r.segment("young").to_numpy()
    assert table.loc["F9-identity", "n"] == (complete["identity"] & young).sum()
    assert table.loc["F9-identity", "n_comparison"] == (complete["identity"] & ~young).sum()
