"""Out of core: the figures an engine (DuckDB) finishes from its sums equal the in-memory ones.

The in-memory engine is itself checked against R's survey package (test_design_against_r.py,
test_banner.py); here the same files, R's api and worker fixtures and the bundled sample, go
through both, in every kind of design (clusters and fpc, two stages, strata only, none), and
the expression language compiled to SQL gives the pandas back-end's answers, respondent by
respondent.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from cli_helpers import invoke

from analysis.banner.build import banner
from analysis.design import estimation
from analysis.design.choice import choose_design
from analysis.design.sample_design import Design, DesignError
from analysis.engines import estimators
from analysis.engines.banner import file_banner
from analysis.engines.connect import DuckDB, choose_engine
from analysis.engines.design import DesignSpec
from analysis.engines.errors import EngineError
from survey.expressions import parse
from survey.expressions.pandas_eval import evaluate
from survey.expressions.sql import condition
from survey.questionnaire.loader import load_questionnaire
from survey.readers import read_responses
from survey.responses.dataset import Responses

pytest.importorskip("duckdb")

HERE = Path(__file__).parent
R = HERE / "fixtures" / "r"
ROOT = HERE.parent
SAMPLE = ROOT / "data_samples" / "industrial_workers.parquet"
QUESTIONNAIRE = ROOT / "questionnaires" / "industrial_workers.yaml"
WORKER_Q = HERE / "fixtures" / "questionnaires" / "worker_banner.yaml"
TOL = 1e-9

DESIGNS = {
    "apisrs": {},
    "apistrat": {"strata": "stype", "weight": "pw", "fpc": "fpc"},
    "apiclus1": {"cluster": "dnum", "weight": "pw", "fpc": "fpc"},
    "apiclus2": {"cluster": ("dnum", "snum"), "weight": "pw", "fpc": ("fpc1", "fpc2")},
    "worker": {"strata": "stratum", "cluster": "cluster", "weight": "weight", "fpc": "fpc"},
    "worker_lonely": {"strata": "stratum", "cluster": "cluster", "weight": "weight",
                      "fpc": "fpc", "lonely_psu": "adjust"},
}


def close(ours, theirs) -> None:
    np.testing.assert_allclose(np.asarray(ours, float), np.asarray(theirs, float), rtol=TOL,
                               atol=1e-12)


def same_estimates(a: estimation.Estimates, b: estimation.Estimates) -> None:
    close(a.estimate, b.estimate)
    close(a.se, b.se)
    close(a.vcov, b.vcov)
    close(a.weighted_n, b.weighted_n)
    assert list(a.n) == list(b.n) and list(a.domain_df) == list(b.domain_df) and a.df == b.df
    assert len(a.domains) == len(b.domains) and len(a.variables) == len(b.variables)


@cache
def memory_design(name: str) -> Design:
    spec = dict(DESIGNS[name])
    data = pd.read_csv(R / f"{name}.csv", dtype={"cat5": "Int64"})
    return Design.build(data, **{k: list(v) if isinstance(v, tuple) else v
                                 for k, v in spec.items()})


@pytest.mark.parametrize("name", DESIGNS)
@pytest.mark.parametrize("statistic", ["mean", "total"])
def test_means_and_totals_by_domain_equal_the_in_memory_engine(name: str, statistic: str) -> None:
    d = memory_design(name)
    conts = ["score"] if name.startswith("worker") else ["api00", "enroll"]
    seg = "segment" if name.startswith("worker") else "stype"
    for by in (None, seg):
        ours = getattr(estimators, statistic)(R / f"{name}.csv", conts, by=by,
                                              design=DesignSpec(**DESIGNS[name]),
                                              covariance=True)
        same_estimates(getattr(estimation, statistic)(d, conts, by=by, covariance=True), ours)


@pytest.mark.parametrize("name", DESIGNS)
def test_proportions_by_domain_equal_the_in_memory_engine(name: str) -> None:
    d = memory_design(name)
    seg = "segment" if name.startswith("worker") else "stype"
    var = "cat5" if name.startswith("worker") else "awards"
    for counts in (False, True):
        ours = estimators.proportions(R / f"{name}.csv", var, by=seg, counts=counts,
                                      design=DesignSpec(**DESIGNS[name]), covariance=True)
        same_estimates(estimation.proportions(d, var, by=seg, counts=counts, covariance=True),
                       ours)


def test_design_errors_are_those_of_the_in_memory_design(tmp_path: Path) -> None:
    data = pd.read_csv(R / "worker.csv")
    data.loc[3, "weight"] = -1.0
    data.loc[5, "fpc"] = np.nan
    bad = tmp_path / "bad.csv"
    data.to_csv(bad, index=False)
    with pytest.raises(DesignError, match="fpc has missing values"):
        estimators.mean(bad, "score", design=DesignSpec(**DESIGNS["worker"]))
    with pytest.raises(DesignError, match=r"weight has 1 value\(s\) <= 0"):
        estimators.mean(bad, "score", design=DesignSpec(weight="weight"))
    with pytest.raises(DesignError, match="only one PSU"):
        estimators.mean(R / "worker_lonely.csv", "score",
                        design=DesignSpec(**DESIGNS["worker"]))


def test_segments_and_derived_variables_compile_to_the_same_answers() -> None:
    """Every segment, derived variable and `relevant` of the reference questionnaire, in SQL
    over the Parquet file, equals the pandas back-end over the same respondents."""
    from analysis.engines.variables import Variables

    responses = read_responses(SAMPLE, load_questionnaire(QUESTIONNAIRE))
    engine = DuckDB(SAMPLE)
    v = Variables(engine, responses.questionnaire)
    q = responses.questionnaire
    exprs = {f"segment {n}": (v.segment(n), responses.segment(n)) for n in q.segments}
    derived = responses.derive()
    for d in q.derived:
        exprs[f"derived {d.name}"] = (v.columns.values[d.name].text, derived[d.name])
    env = responses.environment(with_derived=False)
    for item in q.items.values():
        if item.relevant:
            exprs[f"relevant {item.name}"] = (condition(parse(item.relevant), v.plain),
                                              evaluate(parse(item.relevant).as_condition(), env))
    select = ", ".join(f"{sql} AS e{i}" for i, (sql, _) in enumerate(exprs.values()))
    got = engine.sql(f"SELECT {select} FROM {{data}}")
    assert len(exprs) > 30
    for i, (name, (_, expected)) in enumerate(exprs.items()):
        ours = pd.to_numeric(got[f"e{i}"].astype(object), errors="coerce").astype(float)
        theirs = pd.to_numeric(expected.astype(object), errors="coerce").astype(float)
        assert np.array_equal(ours.to_numpy(), theirs.to_numpy(), equal_nan=True), name


def figures(document: dict) -> tuple[list, list]:
    """Every number of a crosstab JSON document, and everything else, in order."""
    numbers, rest = [], []

    def walk(x) -> None:
        if isinstance(x, dict):
            for key in sorted(x):
                rest.append(key)
                walk(x[key])
        elif isinstance(x, list):
            for item in x:
                walk(item)
        elif isinstance(x, float):
            numbers.append(x)
        else:
            rest.append(x)

    walk(document)
    return numbers, rest


def same_document(a: dict, b: dict) -> None:
    na, ra = figures(a)
    nb, rb = figures(b)
    assert ra == rb  # labels, letters, counts, test names, notes
    close(nb, na)


@cache
def sample() -> Responses:
    return read_responses(SAMPLE, load_questionnaire(QUESTIONNAIRE))


@pytest.mark.parametrize(("row", "by"), [
    ("concerns", ["state_owned", "migrant", "cohort"]),  # rank: shares, first, scores
    ("insurance", ["workplace", "new_employment"]),  # multi with "don't know"
    ("sat_income", ["young"]),  # scale: shares, nets, means
    ("job_changes_3y", ["workplace"]),  # number: means and the Wald F
    ("pay_band", []),  # Total only
])
def test_banner_json_equals_the_in_memory_banner(row: str, by: list[str]) -> None:
    choice = choose_design(sample())
    ours = file_banner(SAMPLE, QUESTIONNAIRE, row, by, extra=("row", "total"))
    theirs = banner(sample(), row, by, design=choice.design, extra=("row", "total"))
    same_document(theirs.to_json(), ours.to_json())


@pytest.mark.parametrize("drop", [["enterprise_id"], ["enterprise_id", "district", "weight"]])
def test_banner_without_clusters_from_second_moments(tmp_path: Path, drop: list[str]) -> None:
    """Each respondent its own PSU (strata only, or a simple random sample): the engine sums
    w^2 y y' per stratum instead of one row per respondent."""
    path = tmp_path / "no_clusters.parquet"
    pq.write_table(pq.read_table(SAMPLE).drop(drop), path)
    responses = read_responses(path, load_questionnaire(QUESTIONNAIRE))
    choice = choose_design(responses)
    for row, by in [("concerns", ["state_owned"]), ("sat_income", ["cohort"])]:
        theirs = banner(responses, row, by, design=choice.design).to_json()
        theirs["notes"] = list(choice.notes) + theirs["notes"]
        same_document(theirs, file_banner(path, QUESTIONNAIRE, row, by).to_json())


def test_banner_of_a_csv_with_a_lonely_psu_equals_the_in_memory_one() -> None:
    """R's worker fixture as CSV (missing kinds inferred, nets, a stratum with one PSU: the
    banner notes it and uses lonely_psu='adjust', as in memory)."""
    q = load_questionnaire(WORKER_Q)
    for name in ("worker", "worker_lonely"):
        responses = Responses.from_raw(q, pd.read_csv(R / f"{name}.csv"))
        design = Design.build(responses.frame, weight="weight", strata="stratum",
                              cluster="cluster", fpc="fpc")
        for row, by in [("cat5", ["segment", "soe"]), ("q", ["migrant"]), ("score", [])]:
            theirs = banner(responses, row, by, design=design).to_json()
            same_document(theirs, file_banner(R / f"{name}.csv", q, row, by).to_json())


def test_command_line_engine_gives_the_same_document() -> None:
    args = ["crosstab", SAMPLE, "-q", QUESTIONNAIRE, "--row", "concerns", "--by",
            "state_owned,migrant", "--json"]
    memory = invoke(*args, "--engine", "memory")
    duck = invoke(*args, "--engine", "duckdb")
    assert memory.exit_code == 0 and duck.exit_code == 0
    same_document(json.loads(memory.stdout), json.loads(duck.stdout))


def test_engine_choice_and_what_it_refuses(tmp_path: Path) -> None:
    assert choose_engine(SAMPLE, "auto") == "memory"  # 1/8 of memory is far above it
    with pytest.raises(EngineError, match="reads .parquet and .csv"):
        choose_engine(ROOT / "data_samples" / "industrial_workers.sav", "duckdb")
    with pytest.raises(EngineError, match="not one of"):
        choose_engine(SAMPLE, "polars")
    result = invoke("crosstab", ROOT / "data_samples" / "industrial_workers.sav", "-q",
                    QUESTIONNAIRE, "--row", "concerns", "--engine", "duckdb")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "import it first" in result.stderr
