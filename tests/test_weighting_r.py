"""Raked, post-stratified, bounded and trimmed weights against R's survey package.

The reference CSVs come from tests/fixtures/r/rake_reference.R (R is not needed to run these).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.weighting.poststrat import poststratify
from analysis.weighting.raking import rake

R = Path(__file__).parent / "fixtures" / "r"
RELATIVE = 1e-6  # the agreement the project promises with R


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return pd.read_csv(R / "rake_sim.csv")


@pytest.fixture(scope="module")
def sim_targets() -> dict[str, dict[int, float]]:
    margins = pd.read_csv(R / "rake_sim_margins.csv")
    return {v: dict(zip(g.category, g.share, strict=True)) for v, g in margins.groupby("variable")}


@pytest.fixture(scope="module")
def api() -> pd.DataFrame:
    return pd.read_csv(R / "rake_api.csv", dtype={"cds": str})


@pytest.fixture(scope="module")
def api_totals() -> dict[str, dict[str, float]]:
    margins = pd.read_csv(R / "rake_api_margins.csv")
    return {v: dict(zip(g.category, g.total, strict=True)) for v, g in margins.groupby("variable")}


def close(ours: np.ndarray, theirs: pd.Series) -> float:
    return float(np.max(np.abs(ours / theirs.to_numpy() - 1)))


def test_rake_matches_r_on_simulated_workers(sim, sim_targets):
    result = rake(sim, sim_targets, weights="dweight", tolerance=1e-12)
    assert result.report.converged
    assert close(result.weights, sim.w_rake) < RELATIVE


def test_rake_matches_r_with_string_and_categorical_codes(sim, sim_targets):
    recoded = sim.assign(sex=sim.sex.astype(str), workplace=pd.Categorical(sim.workplace),
                         agegrp=sim.agegrp.astype(float))
    result = rake(recoded, sim_targets, weights=sim.dweight.to_numpy(), tolerance=1e-12)
    assert close(result.weights, sim.w_rake) < RELATIVE


def test_rake_matches_r_on_apiclus1(api, api_totals):
    # example(rake) in R survey: apiclus1 raked to stype and sch.wide population counts
    result = rake(api, api_totals, weights="pw", kind="totals", tolerance=1e-12)
    assert close(result.weights, api.w_rake) < RELATIVE
    assert result.report.total == pytest.approx(6194)


def test_poststratify_matches_r_on_joint_cells(sim):
    cells = pd.read_csv(R / "rake_sim_cells.csv")
    result = poststratify(sim, cells, weights="dweight")
    assert close(result.weights, sim.w_post) < RELATIVE
    assert result.report.margins[0].max_abs_deviation < 1e-12


def test_poststratify_matches_r_on_apiclus1(api, api_totals):
    result = poststratify(api, {"stype": api_totals["stype"]}, weights="pw", kind="totals")
    assert close(result.weights, api.w_post) < RELATIVE


def test_bounded_raking_matches_r_calibrate(sim, sim_targets):
    bounds = pd.read_csv(R / "rake_sim_bounds.csv").iloc[0]
    result = rake(sim, sim_targets, weights="dweight", bounds=(bounds.lower, bounds.upper),
                  tolerance=1e-12, max_iterations=1000)
    assert close(result.weights, sim.w_bounded) < RELATIVE
    low, high = result.report.factor_range
    assert bounds.lower - 1e-9 <= low and high <= bounds.upper + 1e-9


def test_trimming_matches_r_trimweights(sim, sim_targets):
    result = rake(sim, sim_targets, weights="dweight", trim=3, tolerance=1e-12)
    assert close(result.weights, sim.w_trim) < RELATIVE
    assert result.report.trimmed > 0
    assert result.weights.max() <= result.report.trim_cap * (1 + 1e-12)
