"""What the report shows of a banner (analysis/report/shown.py), recomputed here from the banner's
frames and from `chart_cells`: the charted columns, the people table's bases, shares and means,
and that its marks name only columns the table shows."""

from __future__ import annotations

import pandas as pd
from test_workbook import ROOT, banners

from analysis.banner.render import chart_cells
from analysis.report.shown import chart_columns, people_table
from survey.questionnaire.loader import load_questionnaire

Q = load_questionnaire(ROOT / "questionnaires" / "industrial_workers.yaml")


def rest(b) -> pd.Series:
    """The segments' rest columns (their `0` level)."""
    return b.columns["by"].isin(list(Q.segments)) & (b.columns["value"].astype(str) == "0")


def test_chart_columns_are_chart_cells_columns_without_the_rests():
    for b in banners():
        rests = {f"{c.label} ({c.letter})" for c in b.columns[rest(b)].itertuples()}
        expected = [x for x in dict.fromkeys(chart_cells(b)["column_label"]) if x not in rests]
        assert chart_columns(b, Q) == expected
        assert len(expected) < len(b.columns)


def test_people_table_against_the_banner():
    for b in banners():
        shown = b.columns[~rest(b)].reset_index(drop=True)
        table = people_table(b, Q, "zh").set_index("")
        assert len(table.columns) == len(shown)
        assert table.loc["样本量"].tolist() == [str(int(n)) for n in shown["n"]]
        assert table.loc["加权样本量"].tolist() == [f"{x:,.1f}" for x in shown["weighted_n"]]
        cells = b.cells.assign(col=b.cells["col"].astype(str)).drop_duplicates(
            ["row", "by", "col"]).set_index(["row_label", "by", "col"])
        letters = set(shown["letter"]) - {""}
        for label in dict.fromkeys(b.cells["row_label"]):
            for k, c in enumerate(shown.itertuples()):
                text = table.loc[label].iloc[k]
                if (label, c.by, str(c.value)) not in cells.index:
                    assert text == ""
                    continue
                cell = cells.loc[(label, c.by, str(c.value))]
                if cell["suppressed"] or pd.isna(cell["proportion"]):
                    assert text == ""
                    continue
                share, _, mark = text.partition(" ")
                assert share == f"{100 * cell['proportion']:.1f}%"
                assert set(mark) <= letters | {"+", "−"}
                assert set(mark) - {"+", "−"} <= set(cell["higher_than"])
        if b.means is not None and "mean" in b.means:
            means = b.means[~rest(b).to_numpy()]["mean"]
            assert table.loc["均值"].tolist() == [f"{m:.2f}" for m in means]
