"""Banners: quantiles of number and scale rows, design-based residuals and the adjusted Wald test,
against R's survey package (tests/fixtures/r/quantile_reference.R) and against the library
functions a notebook calls; the JSON fields, the command line and suppression."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import invoke
from test_quantiles_against_r import reference as all_reference

from analysis.banner.build import BannerError, BannerOptions, banner
from analysis.banner.render import terminal_report, to_json
from analysis.design.sample_design import Design
from survey.questionnaire.loader import parse_questionnaire
from survey.responses.dataset import Responses

R = Path(__file__).parent / "fixtures" / "r"
QS = (0.1, 0.25, 0.5, 0.75, 0.9)
WORKER_Q = """
survey: {id: worker_quantiles, version: '1', title: {zh: 模拟, en: Simulated}, languages: [zh, en]}
questions:
  - name: segment
    type: single
    label: {zh: 群体, en: Segment}
    options: {migrant: 农民工, platform: 平台, private: 私营, soe: 国企}
  - {name: cat5, type: single, label: Five, options: {1: 一, 2: 二, 3: 三, 4: 四, 5: 五}}
  - {name: q, type: multi, label: Multi, options: {1: 甲, 2: 乙, 3: 丙, 4: 丁, 5: 戊, 6: 己}}
  - {name: score, type: scale, label: Score, options: {1: 很低, 2: 低, 3: 中, 4: 高, 5: 很高}}
  - {name: pay, type: number, label: {zh: 月收入, en: Monthly pay}}
segments:
  soe: {label: {zh: 国企职工, en: SOE workers}, where: "segment == 'soe'"}
design: {weight: weight, strata: stratum, cluster: cluster, fpc: fpc}
"""


@cache
def worker() -> tuple[Responses, Design]:
    q = parse_questionnaire(WORKER_Q)
    raw = pd.read_csv(R / "worker.csv")
    raw["pay"] = 1000 * raw["score"] + 10 * raw["cluster"].str[1:].astype(int)  # as the R script
    r = Responses.from_raw(q, raw)
    d = Design.build(r.frame, weight="weight", strata="stratum", cluster="cluster", fpc="fpc")
    return r, d


def reference() -> pd.DataFrame:
    r = all_reference()
    return r[r.dataset == "worker"]


def theirs(analysis: str, variable: str, quantity: str) -> pd.DataFrame:
    r = reference()
    r = r[(r.analysis == analysis) & (r.variable == variable) & (r.quantity == quantity)]
    assert len(r), (analysis, variable, quantity)
    return r


@pytest.mark.parametrize("row", ["pay", "score"])
def test_quantiles_by_segment_equal_r_svyby_svyquantile(row: str) -> None:
    r, d = worker()
    b = banner(r, row, ["segment"], design=d, quantiles=QS)
    assert b.quantiles is not None
    found = b.quantiles.set_index(["by", "col", "q"])
    for quantity, column, rtol in (("value", "value", 1e-6), ("se", "se", 1e-4),
                                   ("ci_lower", "ci_low", 1e-4), ("ci_upper", "ci_high", 1e-4)):
        by = theirs("svyquantile_by", row, quantity)
        ours = [found.loc[("segment", s, float(q)), column] for s, q in
                zip(by.domain, by.level, strict=True)]
        np.testing.assert_allclose(ours, by.value, rtol=rtol, err_msg=quantity)
        total = theirs("svyquantile", row, quantity)
        ours = [found.loc[("_total", "_total", float(q)), column] for q in total.level]
        np.testing.assert_allclose(ours, total.value, rtol=rtol, err_msg=quantity)


def test_adjusted_wald_and_design_residuals_of_a_single_row_equal_r() -> None:
    r, d = worker()
    b = banner(r, "cat5", ["segment"], design=d)
    test = next(t for t in b.tests if t.by == "segment")
    expected = reference().query("analysis == 'svychisq_adjWald' and variable == "
                                 "'cat5+segment'").set_index("quantity")["value"]
    assert test.wald is not None and test.wald.name == "adjusted-wald-F"
    np.testing.assert_allclose([test.wald.statistic, test.wald.df, test.wald.ddf, test.wald.p],
                               [expected[k] for k in ("statistic", "ndf", "ddf", "p")],
                               rtol=1e-6)
    res = theirs("design_residual", "cat5+segment", "residual")
    cells = b.cells.set_index(["row", "col"])
    ours = [cells.loc[(level, seg), "design_residual"] for level, seg in
            zip(res.level, res.domain, strict=True)]
    np.testing.assert_allclose(ours, res.value, rtol=1e-6)
    assert cells.loc[("1", "_total"), "design_residual"] != cells.loc[("1", "_total"),
                                                                      "design_residual"]  # NaN


def test_multi_row_tests_each_option_selected_against_not() -> None:
    r, d = worker()
    b = banner(r, "q", ["segment"], design=d)
    test = next(t for t in b.tests if t.row == "1")
    expected = reference().query("analysis == 'svychisq_adjWald' and variable == "
                                 "'q__1+segment'").set_index("quantity")["value"]
    assert test.wald is not None
    np.testing.assert_allclose([test.wald.statistic, test.wald.ddf, test.wald.p],
                               [expected[k] for k in ("statistic", "ddf", "p")], rtol=1e-6)
    res = theirs("design_residual", "q__1+segment", "residual")
    selected = res[res.level == "1"]
    cells = b.cells[b.cells.row == "1"].set_index("col")
    np.testing.assert_allclose(cells.loc[list(selected.domain), "design_residual"],
                               selected.value, rtol=1e-6)


def test_json_carries_the_new_fields_and_equals_the_library() -> None:
    import survey

    r, d = worker()
    b = banner(r, "pay", ["soe"], design=d, quantiles=(0.5,))
    doc = to_json(b)
    assert doc["quantiles"] is not None
    lib = survey.quantile(d.with_variables(r.series), "pay", 0.5, by="soe")
    for entry in doc["quantiles"]:
        assert set(entry) >= {"by", "col", "q", "value", "se", "ci"}
        if entry["by"] == "soe":
            i = lib.domains.index("True" if entry["col"] == "1" else "False")
            assert entry["value"] == lib.value[i, 0]
            assert entry["ci"] == [lib.lower[i, 0], lib.upper[i, 0]]
            assert entry["se"] == pytest.approx(lib.se[i, 0], rel=1e-12)
    single = to_json(banner(r, "cat5", ["segment"], design=d))
    assert single["quantiles"] is None
    assert all("design_residual" in c for c in single["cells"])
    wald = single["tests"][0]["adjusted_wald"]
    assert wald["statistic"] == "adjusted-wald-F" and wald["ddf"] == 179.0


def test_unweighted_banner_has_no_design_residual_or_wald() -> None:
    r, _ = worker()
    b = banner(r, "cat5", ["segment"])
    doc = to_json(b)
    assert all(c["design_residual"] is None for c in doc["cells"])
    assert all(t["adjusted_wald"] is None for t in doc["tests"])


def test_suppression_hides_quantiles_of_small_columns() -> None:
    r, _ = worker()
    raw = r.frame.astype({"segment": object})
    keep = raw["segment"].ne("soe") | (raw.index % 100 == 0)  # a handful of SOE workers
    small = Responses.from_raw(r.questionnaire, raw[keep].reset_index(drop=True))
    design = Design.build(small.frame, weight="weight", strata="stratum", cluster="cluster",
                          fpc="fpc")
    b = banner(small, "pay", ["soe"], design=design, quantiles=(0.5,), suppress=50)
    hidden = b.quantiles[b.quantiles.col == "1"].iloc[0]
    assert 0 < keep[raw["segment"].eq("soe")].sum() < 50
    assert hidden.suppressed and np.isnan(hidden.value) and np.isnan(hidden.n)
    shown = b.quantiles[b.quantiles.col == "0"].iloc[0]
    assert not shown.suppressed and np.isfinite(shown.value)


def test_quantiles_of_a_choice_row_or_bad_probabilities_are_refused() -> None:
    r, d = worker()
    with pytest.raises(BannerError, match="number and scale rows"):
        banner(r, "cat5", ["segment"], design=d, quantiles=(0.5,))
    with pytest.raises(BannerError, match="between 0 and 1"):
        BannerOptions(quantiles=(50,))
    assert BannerOptions(quantiles="0.25, 0.5,0.5").quantiles == (0.25, 0.5)  # type: ignore


def test_terminal_shows_quantiles_in_each_language() -> None:
    r, d = worker()
    b = banner(r, "pay", ["soe"], design=d, quantiles=(0.25, 0.5))
    from rich.console import Console

    for lang, word in (("zh", "中位数"), ("en", "median")):
        console = Console(record=True, width=160)
        for part in terminal_report(b, lang=lang):
            console.print(part)
        shown = console.export_text()
        assert word in shown and "adjusted-wald-F" not in shown  # a number row has no table test
        assert f"{b.quantiles.value.iloc[1]:.2f}" in shown


@pytest.fixture(scope="module")
def worker_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from survey.writers import write_responses

    folder = tmp_path_factory.mktemp("quantiles")
    (folder / "q.yaml").write_text(WORKER_Q, encoding="utf-8")
    write_responses(worker()[0], folder / "worker.parquet")
    return folder / "worker.parquet", folder / "q.yaml"


def test_cli_quantiles_json_equals_the_banner(worker_files: tuple[Path, Path]) -> None:
    data, q = worker_files
    done = invoke("crosstab", str(data), "-q", str(q), "--row", "pay", "--by", "segment",
                  "--quantiles", "0.25,0.5,0.75", "--json")
    assert done.exit_code == 0, done.stderr
    doc = json.loads(done.stdout)
    r, d = worker()
    expected = to_json(banner(r, "pay", ["segment"], design=d, quantiles=(0.25, 0.5, 0.75)))
    assert doc["quantiles"] == expected["quantiles"]
    assert len(doc["quantiles"]) == 3 * 5  # Total and four segments


def test_cli_refuses_quantiles_on_a_choice_row(worker_files: tuple[Path, Path]) -> None:
    data, q = worker_files
    done = invoke("crosstab", str(data), "-q", str(q), "--row", "cat5", "--quantiles", "0.5")
    assert done.exit_code == 2
    assert "number and scale rows" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_workbook_shows_quartiles_of_number_rows_and_the_wald_tests(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from analysis.report.workbook import write_workbook

    r, d = worker()
    pay = banner(r, "pay", ["segment"], design=d, quantiles=(0.25, 0.5, 0.75), lang="en")
    cat5 = banner(r, "cat5", ["segment"], design=d, lang="en")
    path = write_workbook(tmp_path / "b.xlsx", [pay, cat5], title="t", lang="en")
    book = load_workbook(path)
    rows = {row[0].value: row for row in book["pay"].iter_rows()}
    median = rows["median"]
    expected = pay.quantiles[pay.quantiles.q == 0.5].set_index("col")["value"]
    shown = [median[1 + 2 * j].value for j, c in enumerate(pay.columns.itertuples())]
    assert shown == [expected[str(c.value)] for c in pay.columns.itertuples()]
    assert "percentile 25" in rows and "percentile 75" in rows
    tests = [[cell.value for cell in row] for row in book["cat5"].iter_rows()
             if row[1].value == "design-based adjusted Wald F test"]
    assert len(tests) == 1 and tests[0][2] == pytest.approx(cat5.tests[0].wald.statistic)


def test_a_number_row_nobody_answered_has_empty_quantiles() -> None:
    r, _ = worker()
    raw = r.frame.astype({"segment": object}).assign(pay=np.nan)
    empty = Responses.from_raw(r.questionnaire, raw)
    b = banner(empty, "pay", ["soe"], quantiles=(0.5,))
    assert len(b.quantiles) == 3 and b.quantiles["value"].isna().all()
    assert (b.quantiles["n"] == 0).all() and to_json(b)["quantiles"][0]["ci"] is None
