"""`survey compare` against R's survey package (tests/fixtures/r/waves_reference.R on the waves
that tests/fixtures/waves/make_waves.py simulated; R is not needed to run these tests).

Independent samples (each wave's svymean/svyby, the change and its se by hand, Satterthwaite's
df, Holm), with Taylor designs on both waves and with bootstrap replicate weights on the second;
a panel (the change per respondent on the merged data, the second wave's design and segments).
Every option of single, rank and multi questions and the means of a scale and a number, by a
segment and by a question. Relative 1e-6."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import survey
from analysis.waves.compare import compare

HERE = Path(__file__).parent / "fixtures"
WAVES = HERE / "waves"
ROWS = ["ss_worry", "concerns", "services", "satisfaction", "hours"]
QUANTITIES = ["estimate1", "se1", "estimate2", "se2", "change", "se", "df", "statistic", "p",
              "p_adjusted", "ci_low", "ci_high"]


@cache
def reference() -> pd.DataFrame:
    r = pd.read_csv(HERE / "r" / "waves_reference.csv", keep_default_na=False, dtype=str)
    r["value"] = r["value"].astype(float)
    return r


@cache
def wave(name: str):
    q = survey.load_questionnaire(WAVES / "questionnaire.yaml")
    path = HERE / "r" / "waves_2_boot.csv" if name == "boot" else WAVES / f"{name}.csv"
    return survey.read(path, q)


def theirs(comparison: str, row: str, by: str) -> pd.DataFrame:
    r = reference()
    r = r[(r.comparison == comparison) & (r.row == row) & (r.by == by)]
    assert len(r), (comparison, row, by)
    wide = r.pivot_table(index=["option", "col"], columns="quantity", values="value",
                         sort=False)
    return wide.rename(columns={"t": "statistic"})


def check(found, expected: pd.DataFrame) -> None:
    ours = found.changes.assign(option=found.changes.option.fillna("mean"))
    ours = ours.set_index(["option", "col"]).loc[expected.index]
    for quantity in QUANTITIES:
        np.testing.assert_allclose(ours[quantity].to_numpy(float), expected[quantity],
                                   rtol=1e-6, err_msg=quantity)
    if "n1" in expected:
        assert (ours["n1"].to_numpy() == expected["n1"].to_numpy()).all()
        assert (ours["n2"].to_numpy() == expected["n2"].to_numpy()).all()
    else:
        assert (ours["n2"].to_numpy() == expected["n"].to_numpy()).all()


@pytest.mark.parametrize("row", ROWS)
def test_independent_waves_equal_r(row) -> None:
    check(compare(wave("wave_1"), wave("wave_2"), row, "migrant"),
          theirs("independent", row, "migrant"))


def test_independent_waves_by_a_question_equal_r() -> None:
    found = compare(wave("wave_1"), wave("wave_2"), "ss_worry", ["workplace"])
    check(found, theirs("independent", "ss_worry", "workplace"))
    assert list(found.columns.col) == ["_total", "1", "2", "3"]


@pytest.mark.parametrize("row", ["ss_worry", "hours"])
def test_a_replicate_design_on_one_wave_equals_r(row) -> None:
    second = wave("boot")
    design2 = survey.design(second, replicate_weights="repw*", replicate_type="bootstrap")
    found = compare(wave("wave_1"), second, row, "migrant", design2=design2)
    check(found, theirs("replicate", row, "migrant"))
    assert found.designs[1]["df"] == 19 and found.designs[1]["replicate_type"] == "bootstrap"


@pytest.mark.parametrize("row", ROWS)
def test_a_panel_equals_r_on_the_merged_design(row) -> None:
    found = compare(wave("wave_1"), wave("panel_2"), row, "migrant", paired=True)
    check(found, theirs("paired", row, "migrant"))
    assert found.paired and found.df_rule == "design"


def test_the_planted_changes_are_found_and_the_rest_mostly_not() -> None:
    """The comparison can fail: the simulator planted more 'very worried' in wave 2 and a
    doubled wish for social insurance among migrants; unchanged options stay insignificant."""
    worry = compare(wave("wave_1"), wave("wave_2"), "ss_worry", "migrant").changes
    total = worry[(worry.option == "1") & (worry.col == "_total")].iloc[0]
    assert total.significant and total.change > 0.05
    concerns = compare(wave("wave_1"), wave("wave_2"), "concerns", "migrant").changes
    migrants = concerns[(concerns.option == "social_insurance") & (concerns.col == "1")].iloc[0]
    assert migrants.significant and migrants.change > 0
    assert not concerns[concerns.option == "income"].significant.any()


def test_a_stratum_with_one_enterprise_is_adjusted_as_the_banner_adjusts_it(tmp_path) -> None:
    """A wave whose first district was sampled as one enterprise: the banner (tested against R's
    survey.lonely.psu = "adjust" elsewhere) and the comparison give the same se, with a note."""
    q = survey.load_questionnaire(WAVES / "questionnaire.yaml")
    frame = pd.read_csv(WAVES / "wave_2.csv", dtype=str)
    frame.loc[frame["district"] == "1", "enterprise_id"] = "999"
    frame.to_csv(tmp_path / "lonely.csv", index=False)
    lonely = survey.read(tmp_path / "lonely.csv", q)
    assert lonely.frame["hours"].min() >= 20  # missing answers read as missing
    found = compare(wave("wave_1"), lonely, "hours", "migrant")
    assert any("adjust" in note for note in found.notes)
    b = survey.banner(lonely, "hours", ["migrant"], design=survey.design(lonely))
    ours = found.changes.set_index("col")["se2"]
    for m in b.means.itertuples():
        assert ours[m.col] == pytest.approx(m.se, rel=1e-12)
