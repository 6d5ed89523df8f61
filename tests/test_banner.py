"""Banner tables: against R's survey package end to end, against scipy unweighted, hand cases for
letters, rank scores, missing answers and suppression, the JSON contract, and the CLI."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import invoke
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis.banner.build import BannerError, BannerOptions, banner
from analysis.banner.render import chart_cells, to_json
from analysis.design.corrections import adjust_p
from analysis.design.sample_design import Design
from survey.questionnaire.loader import load_questionnaire, parse_questionnaire
from survey.responses.dataset import Responses

HERE = Path(__file__).parent
R = HERE / "fixtures" / "r"
WORKER_Q = HERE / "fixtures" / "questionnaires" / "worker_banner.yaml"
RTOL = 1e-6


@cache
def worker() -> tuple[Responses, Design]:
    q = load_questionnaire(WORKER_Q)
    r = Responses.from_raw(q, pd.read_csv(R / "worker.csv"))
    d = Design.build(r.frame, weight="weight", strata="stratum", cluster="cluster", fpc="fpc")
    return r, d


@cache
def reference() -> pd.DataFrame:
    ref = pd.read_csv(R / "reference.csv", keep_default_na=False, dtype=str)
    ref["value"] = ref["value"].astype(float)
    return ref[ref.dataset == "worker"]


def ref(analysis: str, quantity: str, variable: str | None = None, level: str | None = None,
        domain: str | None = None) -> pd.Series:
    r = reference()
    r = r[(r.analysis == analysis) & (r.quantity == quantity)]
    if variable is not None:
        r = r[r.variable == variable]
    if level is not None:
        r = r[r.level == level]
    if domain is not None:
        r = r[r.domain == domain]
    assert len(r), (analysis, quantity, variable, level, domain)
    return r.set_index("domain")["value"]


def cell(b, row: str, col: str, by: str = "segment") -> pd.Series:
    c = b.cells[(b.cells.row == row) & (b.cells.col == col) & (b.cells.by == by)]
    assert len(c) == 1
    return c.iloc[0]


# ------------------------------------------------------------------ against R, end to end

SEGMENTS = ("migrant", "platform", "private", "soe")


def test_single_row_matches_r_svyciprop_and_svychisq() -> None:
    r, d = worker()
    b = banner(r, "cat5", ["segment"], design=d)
    for level in "12345":
        for seg in SEGMENTS:
            c = cell(b, level, seg)
            np.testing.assert_allclose(c.proportion, ref("ciprop_logit", "estimate", "cat5",
                                                         level, seg).iloc[0], rtol=RTOL)
            np.testing.assert_allclose([c.ci_low, c.ci_high],
                                       [ref("ciprop_logit", "lower", "cat5", level, seg).iloc[0],
                                        ref("ciprop_logit", "upper", "cat5", level, seg).iloc[0]],
                                       rtol=RTOL)
        total = cell(b, level, "_total", "_total")
        np.testing.assert_allclose(total.ci_low, ref("ciprop_logit", "lower", "cat5", level,
                                                     "_all").iloc[0], rtol=RTOL)
    test = next(t for t in b.tests if t.by == "segment")
    np.testing.assert_allclose([test.value, test.ndf, test.ddf, test.p],
                               ref("svychisq_F", "statistic", "cat5+segment").tolist()
                               + ref("svychisq_F", "ndf", "cat5+segment").tolist()
                               + ref("svychisq_F", "ddf", "cat5+segment").tolist()
                               + ref("svychisq_F", "p", "cat5+segment").tolist(), rtol=RTOL)


def test_beta_intervals_match_r_korn_graubard() -> None:
    r, d = worker()
    b = banner(r, "cat5", ["segment"], design=d, options=BannerOptions(interval="beta"))
    for seg in SEGMENTS:
        c = cell(b, "3", seg)
        np.testing.assert_allclose([c.ci_low, c.ci_high],
                                   [ref("ciprop_beta", "lower", "cat5", "3", seg).iloc[0],
                                    ref("ciprop_beta", "upper", "cat5", "3", seg).iloc[0]],
                                   rtol=RTOL)


def test_multi_row_matches_r_svyby_flags_and_per_option_rao_scott() -> None:
    r, d = worker()
    b = banner(r, "q", ["segment"], design=d)
    for j in range(1, 7):
        est = ref("by_flags", "estimate", f"q__{j}")
        se = ref("by_flags", "se", f"q__{j}")
        for seg in SEGMENTS:
            c = cell(b, str(j), seg)
            np.testing.assert_allclose([c.proportion, c.se], [est[seg], se[seg]], rtol=RTOL)
    total = cell(b, "1", "_total", "_total")
    np.testing.assert_allclose([total.proportion, total.se],
                               [ref("flags", "estimate", "q__1").iloc[0],
                                ref("flags", "se", "q__1").iloc[0]], rtol=RTOL)
    test = next(t for t in b.tests if t.row == "1")
    np.testing.assert_allclose([test.value, test.ndf, test.ddf, test.p],
                               [ref("svychisq_F", q, "q__1+segment").iloc[0]
                                for q in ("statistic", "ndf", "ddf", "p")], rtol=RTOL)
    assert len([t for t in b.tests if t.by == "segment"]) == 6  # one per option


def test_scale_means_match_r_svyby_and_wald_f() -> None:
    r, d = worker()
    b = banner(r, "score", ["segment"], design=d)
    assert b.means is not None
    est, se = ref("by_mean", "estimate", "score"), ref("by_mean", "se", "score")
    for seg in SEGMENTS:
        m = b.means[b.means.col == seg].iloc[0]
        np.testing.assert_allclose([m["mean"], m["se"]], [est[seg], se[seg]], rtol=RTOL)
    wald = next(t for t in b.tests if t.row == "mean")
    # R: regTermTest(svyglm(score ~ segment, des), ~segment): F = 133.0924 on 3 and 187 df
    assert wald.statistic == "design-wald-F"
    assert (wald.ndf, wald.ddf) == (3.0, 187.0)
    assert abs(wald.value - 133.0924) < 1e-4


def test_banner_equals_estimation_functions() -> None:
    from analysis.design import estimation

    r, d = worker()
    b = banner(r, "q", ["segment"], design=d)
    flags = r.frame[[f"q__{j}" for j in range(1, 7)]]
    m = estimation.mean(d, flags, by=r.frame["segment"])
    ours = np.array([[cell(b, str(j), seg).proportion for j in range(1, 7)] for seg in SEGMENTS])
    np.testing.assert_allclose(ours, m.estimate, rtol=1e-10)


# ------------------------------------------------------------------ unweighted: scipy

SMALL = """
survey: {id: t, version: '1', title: T, languages: [en]}
questions:
  - {name: g, type: single, label: G, options: {1: a, 2: b, 3: c}}
  - {name: x, type: single, label: X, options: {1: one, 2: two}}
  - {name: m, type: multi, label: M, options: {p: P, q: Q}}
  - {name: r, type: rank, label: R, max_choices: 2, options: {u: U, v: V, w: W}}
  - {name: s, type: scale, label: S, options: {1: lo, 2: mid, 3: hi, 9: dk}, dont_know: 9}
segments:
  first: {label: First, where: "g == 1"}
"""


def small(raw: dict[str, list], missing: pd.DataFrame | None = None) -> Responses:
    return Responses.from_raw(parse_questionnaire(SMALL), pd.DataFrame(raw), missing=missing)


def random_small(n: int = 600, seed: int = 3) -> Responses:
    rng = np.random.default_rng(seed)
    g = rng.integers(1, 4, n)
    x = np.where(rng.random(n) < 0.3 + 0.15 * g, 1, 2)
    m_p = (rng.random(n) < 0.2 * g).astype(float)
    m_q = (rng.random(n) < 0.5).astype(float)
    gone = rng.random(n) < 0.1
    m_p[gone] = np.nan
    m_q[gone] = np.nan
    s = rng.integers(1, 4, n) + (g == 3)
    s = np.minimum(s, 3)
    return small({"g": g, "x": x, "m__p": m_p, "m__q": m_q, "r__u": np.zeros(n),
                  "r__v": np.zeros(n), "r__w": np.zeros(n), "s": s})


def test_unweighted_chisq_and_residuals_equal_scipy() -> None:
    data = random_small()
    b = banner(data, "x", ["g"])
    assert b.design.srs
    table = pd.crosstab(data.frame["x"], data.frame["g"]).to_numpy()
    chi2, p, dof, expected = stats.chi2_contingency(table, correction=False)
    t = b.tests[0]
    assert t.statistic == "pearson-chisq"
    np.testing.assert_allclose([t.value, t.p, t.ndf], [chi2, p, dof], rtol=1e-10)
    n = table.sum()
    rows, cols = table.sum(1, keepdims=True), table.sum(0, keepdims=True)
    adjusted = (table - expected) / np.sqrt(expected * (1 - rows / n) * (1 - cols / n))
    ours = np.array([[cell(b, x, g, "g").adjusted_residual for g in "123"] for x in "12"])
    np.testing.assert_allclose(ours, adjusted, rtol=1e-10)
    # Wilson intervals for SRS
    c = cell(b, "1", "2", "g")
    from statsmodels.stats.proportion import proportion_confint
    low, high = proportion_confint(c.n, table[:, 1].sum(), method="wilson")
    np.testing.assert_allclose([c.ci_low, c.ci_high], [low, high], rtol=1e-10)


def test_srs_mean_test_is_one_way_anova() -> None:
    data = random_small()
    b = banner(data, "s", ["g"])
    t = next(t for t in b.tests if t.row == "mean")
    groups = [data.frame["s"][data.frame["g"] == k].astype(float) for k in (1, 2, 3)]
    f, p = stats.f_oneway(*groups)
    assert t.statistic == "anova-F"
    np.testing.assert_allclose([t.value, t.p], [f, p], rtol=1e-10)


# ------------------------------------------------------------------ hand cases

def test_letters_on_a_hand_case() -> None:
    # column a: 40 of 50 say 1, column b: 10 of 50, column c: 24 of 50 (z tests, pooled)
    g = [1] * 50 + [2] * 50 + [3] * 50
    x = [1] * 40 + [2] * 10 + [1] * 10 + [2] * 40 + [1] * 24 + [2] * 26
    data = small({"g": g, "x": x})
    b = banner(data, "x", ["g"], options=BannerOptions(correction="bonferroni"))
    # a-b: z = 6.0, a-c: z = 3.33, b-c: z = -2.96; 6 comparisons -> bonferroni * 6
    assert cell(b, "1", "1", "g").higher_than == ("B", "C")
    assert cell(b, "1", "3", "g").higher_than == ("B",)
    assert cell(b, "2", "2", "g").higher_than == ("A", "C")
    assert cell(b, "2", "3", "g").higher_than == ("A",)
    # b-c in row 2 has p = 0.0031 -> 0.018 after x6: still significant; with alpha 0.01 not
    strict = banner(data, "x", ["g"], options=BannerOptions(correction="bonferroni",
                                                               alpha=0.01))
    assert cell(strict, "2", "2", "g").higher_than == ("A",)


def test_multi_missing_is_not_counted_as_not_selected() -> None:
    data = small({"g": [1, 1, 1, 1, 2, 2], "m__p": [1, 0, None, None, 1, 1],
                  "m__q": [0, 1, None, None, 0, 1]})
    b = banner(data, "m", ["g"], options=BannerOptions(min_base=1))
    c = cell(b, "p", "1", "g")
    assert c.n == 1 and c.proportion == pytest.approx(0.5)  # 1 of the 2 who answered
    col = b.columns[b.columns.value == "1"].iloc[0]
    assert col.n == 2
    missing = b.missing[b.missing.col == "1"].iloc[0]
    assert missing["unanswered"] == 2 and missing["empty"] == 2


def test_rank_first_and_score_on_a_hand_case() -> None:
    # ranks of (u, v, w); max_choices 2: rank 1 = 2 points, rank 2 = 1 point
    data = small({"g": [1, 1, 1, 2], "r__u": [1, 2, 0, 1], "r__v": [2, 1, 1, 0],
                  "r__w": [0, 0, 2, 2]})
    b = banner(data, "r", ["g"], options=BannerOptions(min_base=1))
    u = cell(b, "u", "1", "g")
    assert u.proportion == pytest.approx(2 / 3)
    assert u.ranked_first == pytest.approx(1 / 3)
    assert u.score == pytest.approx((2 + 1 + 0) / 3)
    v = cell(b, "v", "1", "g")
    assert v.ranked_first == pytest.approx(2 / 3) and v.score == pytest.approx(5 / 3)
    total_w = cell(b, "w", "_total", "_total")
    assert total_w.score == pytest.approx(2 / 4) and total_w.ranked_first == 0
    responses = banner(data, "r", ["g"], options=BannerOptions(min_base=1,
                                                                percent="responses"))
    assert cell(responses, "u", "1", "g").proportion == pytest.approx(2 / 6)


def test_nets_from_options_and_questionnaire() -> None:
    data = random_small()
    b = banner(data, "s", ["g"], options=BannerOptions(nets=(("top", (2, 3)),)))
    top = cell(b, "top", "1", "g")
    parts = cell(b, "2", "1", "g").proportion + cell(b, "3", "1", "g").proportion
    assert top.net and top.proportion == pytest.approx(parts)
    with pytest.raises(BannerError, match="not an option"):
        banner(data, "s", ["g"], options=BannerOptions(nets=(("bad", (7,)),)))


def test_small_bases_are_flagged_and_not_tested() -> None:
    data = small({"g": [1] * 40 + [2] * 40 + [3] * 5, "x": ([1, 2] * 43)[:85]})
    b = banner(data, "x", ["g"])
    flags = dict(zip(b.columns.value, b.columns.small_base, strict=True))
    assert flags == {"_total": False, "1": False, "2": False, "3": True}
    assert b.tests[0].ndf == 1  # a 2 x 2 table: column 3 left out
    assert any("base under 30" in n for n in b.notes)
    assert cell(b, "1", "3", "g").higher_than == ()


def test_empty_column_and_segment_by() -> None:
    data = small({"g": [1] * 40 + [2] * 40, "x": [1, 2] * 40})
    b = banner(data, "x", ["g", "first"])
    empty = cell(b, "1", "3", "g")
    assert empty.n == 0 and np.isnan(empty.proportion)
    # named as people read them: the by variable's, the column's and the question's labels
    assert "column “c” of “G”: no respondent answered “X”; its figures are empty" in b.notes
    doc = to_json(b)
    assert all(c["proportion"] is None for c in doc["cells"] if c["col"] == "3")
    seg = b.columns[b.columns.by == "first"]
    assert list(seg.value) == ["1", "0"] and list(seg.n) == [40, 40]


def test_a_note_names_the_option_and_the_segment_by_their_labels() -> None:
    """A multi-select option nobody chose is not tested, and the note says which by labels
    (“P” by “First”), not by codes (p, first)."""
    data = small({"g": [1, 2] * 40, "m__p": [0.0] * 80, "m__q": [1.0, 0.0] * 40})
    b = banner(data, "m", ["first"])
    assert [n for n in b.notes if n.startswith("“P” by “First”: no test, ")], b.notes


def test_the_terminal_names_a_test_by_the_columns_it_compares_and_the_row_it_tests() -> None:
    """Column c's base (10) is too small to test: the test compares a and b only, and says so
    in the labels (not the codes g, x, pearson-chisq), wrapped rather than cut at 80 columns."""
    from rich.console import Console

    from analysis.banner.render import tests_table

    data = small({"g": [1] * 40 + [2] * 40 + [3] * 10, "x": [1, 2] * 45})
    b = banner(data, "x", ["g"])
    assert [t.by for t in b.tests] == ["g"] and b.tests[0].ndf == 1
    console = Console(record=True, width=80)
    console.print(tests_table(b))
    shown = console.export_text()
    header, row = shown.splitlines()[2], shown.splitlines()[4]
    assert [h.strip() for h in header.split("┃")[1:4]] == ["columns compared", "row", "test"]
    assert [c.strip() for c in row.split("│")[1:3]] == ["a / b", "X"]
    assert "pearson-chisq" not in shown and "…" not in shown


def test_suppression_hides_cells_everywhere() -> None:
    data = small({"g": [1] * 40 + [2] * 40, "x": [1] * 3 + [2] * 37 + [1, 2] * 20})
    b = banner(data, "x", ["g"], options=BannerOptions(suppress=5))
    hidden = cell(b, "1", "1", "g")
    assert hidden.suppressed and np.isnan(hidden.proportion) and np.isnan(hidden.n)
    doc = to_json(b)
    c = next(c for c in doc["cells"] if c["row"] == "1" and c["col"] == "1")
    assert c["suppressed"] and all(c[k] is None for k in ("n", "weighted_n", "proportion",
                                                          "se", "ci", "adjusted_residual"))
    assert "3" not in json.dumps(c)
    chart = chart_cells(b)
    shown = ~b.cells.suppressed & b.cells.proportion.notna()
    assert len(chart) == shown.sum() and b.cells.suppressed.sum() == 1
    assert not ((chart.row_label == "one") & chart.column_label.str.startswith("a")).any()


def test_adjust_p_equals_statsmodels() -> None:
    p = np.random.default_rng(1).random(40) ** 3
    for ours, theirs in (("bonferroni", "bonferroni"), ("holm", "holm"), ("fdr_bh", "fdr_bh")):
        np.testing.assert_allclose(adjust_p(p, ours), multipletests(p, method=theirs)[1])


# ------------------------------------------------------------------ JSON contract

CONTRACT = {
    "top": {"row": str, "by": list, "design": dict, "columns": list, "cells": list,
            "tests": list},
    "design": {"weight": (str, type(None)), "strata": (str, type(None)),
               "cluster": (str, type(None)), "df": int},
    "column": {"by": str, "value": str, "label": str, "letter": str, "n": (int, type(None)),
               "weighted_n": (float, type(None)), "effective_n": (float, type(None))},
    "cell": {"row": str, "by": str, "col": str, "n": (int, type(None)),
             "weighted_n": (float, type(None)), "proportion": (float, type(None)),
             "se": (float, type(None)), "ci": (list, type(None)),
             "adjusted_residual": (float, type(None)), "higher_than": list},
    "test": {"by": str, "row": str, "statistic": str, "value": float, "ndf": float,
             "ddf": (float, type(None)), "p": float},
}


def check_contract(doc: dict) -> None:
    def keys(obj: dict, spec: dict) -> None:
        for key, kind in spec.items():
            assert key in obj, key
            assert isinstance(obj[key], kind), (key, obj[key])

    keys(doc, CONTRACT["top"])
    keys(doc["design"], CONTRACT["design"])
    for c in doc["columns"]:
        keys(c, CONTRACT["column"])
    for c in doc["cells"]:
        keys(c, CONTRACT["cell"])
        assert all(isinstance(x, str) for x in c["higher_than"])
        if c["ci"] is not None:
            assert len(c["ci"]) == 2
    for t in doc["tests"]:
        keys(t, CONTRACT["test"])
    assert doc["columns"][0]["value"] == "_total"
    assert {"name", "alpha", "correction"} <= set(doc["test"])
    json.dumps(doc, allow_nan=False)  # no NaN anywhere


@pytest.mark.parametrize("row", ["cat5", "q", "score"])
def test_json_shape_matches_the_contract(row: str) -> None:
    r, d = worker()
    doc = banner(r, row, ["segment", "soe"], design=d).to_json()
    check_contract(doc)
    assert doc["design"] == {"weight": "weight", "strata": "stratum", "cluster": "cluster",
                             "df": 190, "fpc": "fpc", "srs": False}
    assert all(0 <= c["proportion"] <= 1 for c in doc["cells"])
    assert doc["test"]["correction"] == "holm"


def test_json_rank_extensions() -> None:
    data = small({"g": [1, 1, 1, 2], "r__u": [1, 2, 0, 1], "r__v": [2, 1, 1, 0],
                  "r__w": [0, 0, 2, 2]})
    doc = banner(data, "r", ["g"], options=BannerOptions(min_base=1, extra=("row",))).to_json()
    check_contract(doc)
    c = doc["cells"][0]
    assert set(c["ranked_first"]) == {"proportion", "se", "n"} and "row_proportion" in c


# ------------------------------------------------------------------ CLI

def run_cli(*args: str):
    return invoke(*args)


@pytest.fixture(scope="module")
def worker_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from survey.writers import write_responses

    path = tmp_path_factory.mktemp("banner") / "worker.parquet"
    write_responses(worker()[0], path)
    return path


def test_cli_crosstab_json(worker_file: Path) -> None:
    done = run_cli("crosstab", str(worker_file), "-q", str(WORKER_Q), "--row", "q", "--by",
                   "segment", "--json")
    assert done.exit_code == 0, done.stderr
    doc = json.loads(done.stdout)
    check_contract(doc)
    assert doc["design"]["cluster"] == "cluster"


@pytest.mark.parametrize("args, message", [
    (["--row", "cat55", "--by", "segment"], "did you mean 'cat5'"),
    (["--row", "cat5", "--by", "segmnt"], "did you mean 'segment'"),
    (["--row", "cat5", "--by", "segment", "--correction", "sidak"], "--correction"),
    (["--row", "cat5", "--by", "segment", "--weight", "wieght"], "did you mean 'weight'"),
    (["--row", "cat5", "--net", "top2"], "NAME=CODES"),
    (["--row", "cat5", "--percent", "responses"], "multi and rank rows"),
])
def test_cli_errors_are_one_line_exit_2(worker_file: Path, args: list[str], message: str
                                        ) -> None:
    done = run_cli("crosstab", str(worker_file), "-q", str(WORKER_Q), *args)
    assert done.exit_code == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_cli_weight_writes_a_weight_column(worker_file: Path, tmp_path: Path) -> None:
    targets = tmp_path / "targets.yaml"
    targets.write_text("targets:\n  segment: {migrant: 0.3, platform: 0.2, private: 0.3, "
                       "soe: 0.2}\n")
    out = tmp_path / "weighted.parquet"
    done = run_cli("weight", str(worker_file), "-q", str(WORKER_Q), "--targets", str(targets),
                   "-o", str(out))
    assert done.exit_code == 0, done.stderr
    assert "iteration" in done.stdout and "efficiency" in done.stdout
    weighted = pd.read_parquet(out)
    shares = weighted.groupby("segment", observed=True)["weight"].sum() / weighted.weight.sum()
    np.testing.assert_allclose(shares.sort_index().to_numpy(), [0.3, 0.2, 0.3, 0.2], atol=1e-7)
    bad = run_cli("weight", str(worker_file), "-q", str(WORKER_Q), "--targets", str(targets),
                  "-o", str(tmp_path / "w.txt"))
    assert bad.exit_code == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_dont_know_is_counted_beside_the_table_never_a_zero_percent_row():
    """union_member's 不清楚 (its dont_know option) is no row of shares; its 13 answers, and the
    44 left empty, are counted per column beside the table, checked against the raw answers."""
    import survey as api
    from analysis.banner.build import banner as make_banner

    root = Path(__file__).resolve().parents[1]
    r = api.read(root / "data_samples" / "industrial_workers.sav",
                 root / "questionnaires" / "industrial_workers.yaml")
    b = make_banner(r, "union_member", "state_owned", options=BannerOptions(lang="zh"))
    assert set(b.cells["row"]) == {"1", "2"}
    rows = dict(b.missing_rows("zh"))
    kinds = r.missing["union_member"]
    dk, empty = int((kinds == 4).sum()), int((kinds == 3).sum())
    assert dk > 0 and empty > 0
    assert rows["不清楚"][0] == f"{dk} ({dk / len(kinds):.1%})"
    assert rows["未作答"][0] == f"{empty} ({empty / len(kinds):.1%})"
    soe = r.segment("state_owned").to_numpy(bool)
    assert rows["不清楚"][1].startswith(f"{int(((kinds == 4) & soe).sum())} (")
