"""Raking a replicate-weight design rakes every replicate weight too, as R's rake() on a
svyrep.design (tests/fixtures/r/replicate_reference.R: the JK1 design of apiclus1 raked to
school type and sch.wide); and the replicate design is chosen from the questionnaire or the
command line, with located errors."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import invoke
from test_replicate_against_r import close, ref

import survey as api
from analysis.design import estimation
from analysis.design.choice import choose_design
from analysis.design.replicate_design import ReplicateDesign
from analysis.weighting.apply import weight
from survey.errors import SurveyError
from survey.questionnaire.loader import parse_questionnaire
from survey.responses.dataset import Responses

R = Path(__file__).parent / "fixtures" / "r"
QUESTIONNAIRE = """
survey: {{id: api, version: "1", title: API schools, languages: [en]}}
questions:
  - {{name: stype, type: single, label: School type, options: {{E: E, H: H, M: M}}}}
  - {{name: sch_wide, type: single, label: Met the target, options: {{"No": "No", "Yes": "Yes"}}}}
  - {{name: api00, type: number, label: API 2000}}
  - {{name: enroll, type: number, label: Enrolment}}
design:
{design}
"""
REPLICATED = "  weight: w\n  replicate_weights: 'repw*'\n  replicate_type: JK1"
TARGETS = {"stype": {"E": 4421 / 6194, "H": 755 / 6194, "M": 1018 / 6194},
           "sch_wide": {"No": 1072 / 6194, "Yes": 5122 / 6194}}


@cache
def responses(design: str = REPLICATED, file: str = "replicate_clus1_jk1") -> Responses:
    raw = pd.read_csv(R / f"{file}.csv").rename(columns={"sch.wide": "sch_wide"})
    return Responses.from_raw(parse_questionnaire(QUESTIONNAIRE.format(design=design)), raw)


def test_raking_rakes_every_replicate_weight_as_r() -> None:
    raked, result = weight(responses(), TARGETS)
    theirs = pd.read_csv(R / "replicate_clus1_jk1_raked.csv")
    close(raked.frame["weight"], theirs["w"])
    reps = [f"repw{j}" for j in range(1, 16)]
    assert result.replicate_columns == tuple(reps)
    close(raked.frame[reps], theirs[reps])
    # the raked design's estimates, as svymean and svytotal on R's raked design
    d = ReplicateDesign.build(raked.frame, weight="weight", replicates=reps, type="JK1",
                              scale=ref("clus1_jk1", "design", "scale").iloc[0])
    for statistic, fn in (("mean", estimation.mean), ("total", estimation.total)):
        e = fn(d, ["api00", "enroll"], deff=True)
        close(e.estimate, ref("clus1_jk1_raked", statistic, "estimate")[["api00", "enroll"]])
        close(e.se, ref("clus1_jk1_raked", statistic, "se")[["api00", "enroll"]])
    by = estimation.mean(d, "api00", by="stype")
    close(by.se[:, 0], ref("clus1_jk1_raked", "by_mean", "se", "api00", None)[list(by.domains)])
    assert d.degf == ref("clus1_jk1_raked", "design", "degf").iloc[0]


def test_a_replicate_that_cannot_meet_the_targets_is_named() -> None:
    frame = responses().frame.copy()
    frame.loc[frame["stype"] == "H", "repw3"] = 0.0  # replicate 3 leaves out every high school
    r = Responses(frame, responses().missing, responses().questionnaire)
    with pytest.raises(SurveyError, match="replicate weight 'repw3'.*'stype' category 'H'"):
        weight(r, TARGETS)


def test_the_questionnaires_replicate_design_and_its_overrides() -> None:
    r = responses()
    d = api.design(r)
    assert isinstance(d, ReplicateDesign) and d.type == "JK1" and d.n_replicates == 15
    assert d.rule.scale == pytest.approx(14 / 15)
    assert choose_design(r).describe("en") == "weight=w, replicate weights=repw* (JK1, 15 " \
                                              "replicates)"
    scaled = api.design(r, replicate_scale=0.5, mse=True)
    assert scaled.rule.scale == 0.5 and scaled.rule.mse
    taylor = choose_design(r, cluster="dnum")  # a Taylor design asked for: replicates set aside
    assert not isinstance(taylor.design, ReplicateDesign)
    assert "replicate weights are set aside" in taylor.notes[0]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"replicate_weights": "REPW*"}, "'REPW\\*' match no column of the data"),
    ({"replicate_weights": "repw*", "strata": "stype"}, "not both"),
    ({"replicate_type": "JK2"}, "unknown replicate type 'JK2'"),
    ({"replicate_type": "BRR", "replicate_scale": 0.5}, "scale is fixed by the method"),
    ({"replicate_type": "Fay"}, "a Fay design needs rho"),
    ({"replicate_rscales": [1.0, 2.0]}, "2 rscales for 15 replicate weight columns"),
])
def test_replicate_choices_that_cannot_be_used(overrides: dict, message: str) -> None:
    with pytest.raises(SurveyError, match=message) as caught:
        choose_design(responses(), **overrides)
    assert caught.value.code == "replicate-option"


def test_options_without_replicate_weights_are_refused() -> None:
    plain = responses("  weight: w", "replicate_clus1_jk1")
    with pytest.raises(SurveyError, match="'replicate_type' is for a replicate-weight design"):
        choose_design(plain, replicate_type="JK1")
    assert isinstance(choose_design(plain, replicate_weights="repw*",
                                    replicate_type="jk1").design, ReplicateDesign)


@pytest.mark.parametrize(("design", "line", "message"), [
    ("  weight: w\n  strata: stype\n  replicate_weights: 'repw*'\n  replicate_type: JK1", 10,
     "replicate weights or strata, not both"),
    ("  weight: w\n  replicate_weights: 'repw*'\n  replicate_type: jackknife", 11,
     "unknown replicate type 'jackknife'"),
    ("  weight: w\n  replicate_weights: 'repw*'\n  replicate_type: JKn", 11,
     "a JKn design needs replicate_rscales"),
    ("  replicate_weights: 'repw*'\n  replicate_type: JK1", 9, "needs the full-sample weight"),
    ("  weight: w\n  mse: true", 10, "'mse' is for a replicate-weight design"),
])
def test_the_design_block_is_checked_with_located_errors(design: str, line: int,
                                                         message: str) -> None:
    with pytest.raises(SurveyError) as caught:
        parse_questionnaire(QUESTIONNAIRE.format(design=design), "q.yaml")
    lines = caught.value.lines()
    assert any(text.startswith(f"q.yaml:{line}:") and message in text for text in lines), lines


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("replicate")
    data = folder / "api.csv"
    pd.read_csv(R / "replicate_clus1_jk1.csv").rename(columns={"sch.wide": "sch_wide"}).to_csv(
        data, index=False)
    plain = folder / "plain.yaml"
    plain.write_text(QUESTIONNAIRE.format(design="  weight: w"), encoding="utf-8")
    replicated = folder / "replicated.yaml"
    replicated.write_text(QUESTIONNAIRE.format(design=REPLICATED), encoding="utf-8")
    return data, plain, replicated


def test_cli_options_make_the_same_design_as_the_questionnaire(files) -> None:
    data, plain, replicated = files
    args = ["crosstab", str(data), "--row", "sch_wide", "--by", "stype", "--json"]
    by_options = invoke(*args, "-q", str(plain), "--replicate-weights", "repw*",
                        "--replicate-type", "JK1", "--replicate-scale", "0.9148392778511668")
    by_file = invoke(*args, "-q", str(replicated), "--replicate-scale", "0.9148392778511668")
    assert by_options.exit_code == 0 and by_file.exit_code == 0, by_options.stderr
    one, two = json.loads(by_options.stdout), json.loads(by_file.stdout)
    assert one["cells"] == two["cells"]
    assert one["design"]["replicate_type"] == "JK1" and one["design"]["replicates"] == 15
    yes = next(c for c in one["cells"] if c["row"] == "Yes" and c["col"] == "E")
    close(yes["se"], ref("clus1_jk1", "by_prop:sch.wide", "se", "sch.wideYes", None)["E"])


def test_cli_findings_and_weight_take_replicate_weights(files, tmp_path: Path) -> None:
    data, plain, _ = files
    claims = tmp_path / "claims.yaml"
    claims.write_text("claims:\n  - {id: e, statement: s, segment: e, question: api00, "
                      "direction: higher}\n", encoding="utf-8")
    targets = tmp_path / "targets.yaml"
    targets.write_text("targets:\n  stype: {E: 0.7137552, H: 0.1218921, M: 0.1643527}\n",
                       encoding="utf-8")
    out = tmp_path / "raked.csv"
    done = invoke("weight", str(data), "-q", str(plain), "--targets", str(targets), "-o",
                  str(out), "--replicate-weights", "repw*")
    assert done.exit_code == 0, done.stderr
    assert "the 15 replicate weights (repw1 ... repw15) were weighted" in done.stdout
    raked = pd.read_csv(out)
    shares = raked.groupby("stype")["repw2"].sum() / raked["repw2"].sum()
    np.testing.assert_allclose(shares.to_numpy(), [0.7137552, 0.1218921, 0.1643527], rtol=1e-6)
    bad = invoke("crosstab", str(data), "-q", str(plain), "--row", "sch_wide",
                 "--replicate-weights", "repw*", "--cluster", "dnum")
    assert bad.exit_code == 2 and "not both" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
