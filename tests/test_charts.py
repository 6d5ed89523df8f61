"""Charts render Chinese with the bundled font (no missing glyphs) and are written whole."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from analysis.report import chart_files, charts
from analysis.report.drawing import FORMATS
from analysis.report.fonts import CJK_FONT_FILE
from analysis.report.wrapping import lines_of

OUTPUT = Path(__file__).parent / "output" / "charts"


@pytest.fixture
def cells():
    rows = ["工资收入", "医疗", "子女教育", "职业成长"]
    columns = ["总体", "国有企业职工", "小微企业职工"]
    rng = np.random.default_rng(3)
    records = []
    for column in columns:
        for row in rows:
            p = float(rng.uniform(0.1, 0.6))
            records.append({"row_label": row, "column_label": column, "proportion": p,
                            "ci_low": p - 0.03, "ci_high": p + 0.03,
                            "mark": "B" if row == "职业成长" and column == "国有企业职工" else ""})
    return pd.DataFrame(records)


def _render(fig, name: str) -> list[Path]:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a UserWarning
        return chart_files.save(fig, OUTPUT / name, FORMATS)


def test_font_is_the_bundled_cjk_font():
    family = charts.use_cjk_font()
    assert "CJK" in family
    found = charts.font_manager.findfont(charts.font_manager.FontProperties(family=family))
    assert found.endswith(CJK_FONT_FILE)


def test_the_page_carries_the_cjk_glyphs_it_shows():
    """A fresh Debian has no CJK system font: the report's @font-face holds a subset of the
    bundled font with exactly the page's Chinese characters (read back with fontTools)."""
    import base64
    import io
    import re

    from fontTools.ttLib import TTFont

    from analysis.report.fonts import font_face

    css = font_face("工会会员 union 不清楚 2026")
    woff = base64.b64decode(re.search(r"base64,([^)]+)\)", css)[1])
    font = TTFont(io.BytesIO(woff))
    mapped = {chr(c) for c in font.getBestCmap()}
    assert set("工会员不清楚") <= mapped and len(woff) < 20_000
    assert font_face("only ascii") == ""


def test_missing_glyphs_would_be_caught(tmp_path):
    """The guard works: DejaVu alone cannot draw Chinese, and the test harness notices."""
    import matplotlib.pyplot as plt

    charts.use_cjk_font()
    with plt.rc_context({"font.sans-serif": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()
        ax.set_title("农民工")
        with pytest.warns(UserWarning, match="missing from font"):
            fig.savefig(tmp_path / "boxes.png")
        plt.close(fig)


def test_grouped_bars_render_chinese(cells):
    fig = charts.grouped_bars(cells, "您最关心的问题（可选3项）", note="Rao-Scott F; α=0.05; Holm")
    png, svg = _render(fig, "grouped")
    assert png.stat().st_size > 10_000
    assert "<svg" in svg.read_text(encoding="utf-8")[:500]
    with Image.open(png) as image:
        pixels = np.asarray(image.convert("L"))
    assert (pixels < 128).mean() > 0.01  # something was drawn


def _every_kind(cells) -> dict:
    """One figure of each kind of chart, with Chinese labels and a note under it."""
    likert = pd.DataFrame([[0.1, 0.2, 0.3, 0.25, 0.15], [0.05, 0.1, 0.2, 0.4, 0.25]],
                          index=["我为我的职业自豪", "我愿意一直做这一行"],
                          columns=["非常不同意", "不同意", "一般", "同意", "非常同意"])
    residuals = cells.pivot_table(index="row_label", columns="column_label",
                                  values="proportion", sort=False) * 10 - 3
    findings = pd.DataFrame({"label": ["F2 国企·职业成长", "F3 小微·安全卫生"],
                             "difference": [0.12, -0.01], "ci_low": [0.07, -0.05],
                             "ci_high": [0.17, 0.03], "verdict": ["supported", "not_supported"]})
    note = "检验：Rao-Scott F; α=0.05; Holm"
    return {"grouped": charts.grouped_bars(cells, "您最关心的问题（可选3项）", note=note),
            "stacked": charts.stacked_bars(cells, "单位性质", note=note),
            "likert": charts.likert_bars(likert, "职业认同感", note=note),
            "heatmap": charts.residual_heatmap(residuals, "调整残差", note=note, bar="残差"),
            "findings": charts.difference_dots(findings, "结论一览", note=note, lang="zh")}


def test_stacked_likert_heatmap_and_dots(cells):
    for name, fig in _every_kind(cells).items():
        if name != "grouped":
            assert all(f.exists() for f in _render(fig, name))


def test_nothing_is_drawn_above_a_charts_axes_nor_beside_its_y_axis(cells):
    """Titles are placed just above the axes and the y axis's label is not placed at all
    (neither is measured, charts._title and charts._figure): so no chart of any kind may
    draw anything above its axes, nor label its y axis."""
    import matplotlib.pyplot as plt

    for name, fig in _every_kind(cells).items():
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        title = ax.title.get_window_extent(renderer)
        others = [ax.xaxis, ax.yaxis, *ax.texts, *filter(None, [ax.get_legend()]),
                  *fig.axes[1:]]
        assert ax.get_ylabel() == "", name
        assert title.y0 >= ax.bbox.y1 - 1, name
        for artist in others:
            assert artist.get_window_extent(renderer).y1 <= title.y0 + 1, (name, artist)
        plt.close(fig)


def test_save_leaves_no_partial_files(cells, tmp_path):
    chart_files.save(charts.grouped_bars(cells, "t"), tmp_path / "chart")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.png"]
    chart_files.save(charts.grouped_bars(cells, "t"), tmp_path / "both", FORMATS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["both.png", "both.svg", "chart.png"]


def _bar_colours(ax) -> list[tuple[float, ...]]:
    """The colour of each series of bars, in the order drawn."""
    from matplotlib.collections import PolyCollection

    return [tuple(c.get_facecolor()[0]) for c in ax.collections if isinstance(c, PolyCollection)]


def test_bars_draw_what_barh_draws():
    """A series of bars is one collection (an artist per bar was a fifth of the charts' time):
    drawn beside matplotlib's own barh, with bases below zero, a missing value and the axis
    fitted to the data, the pixels are the same but for the bars' last column at the axis's
    edge."""
    import matplotlib.pyplot as plt

    y, left = np.arange(4), np.array([-30.0, -12.5, 0.0, -5.0])
    widths = np.array([[20.0, 35.5, np.nan, 10.0], [45.0, 10.0, 60.0, 25.0]])
    images = []
    for ours in (False, True):
        fig, ax = plt.subplots(figsize=(4, 2), dpi=chart_files.DPI)
        base = left.copy()
        for k, width in enumerate(widths):
            if ours:
                charts._bars(ax, y, width, base, 0.7, charts.PALETTE[k], f"s{k}")
            else:
                ax.barh(y, width, left=base, height=0.7, color=charts.PALETTE[k], label=f"s{k}")
            base = base + np.nan_to_num(width)
        if ours:  # fitted once, after the last series
            ax.autoscale_view()
        assert ax.get_legend_handles_labels()[1] == ["s0", "s1"]
        fig.canvas.draw()
        images.append((np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int), ax.get_xlim()))
        plt.close(fig)
    (theirs, their_limits), (ours, our_limits) = images
    assert our_limits == pytest.approx(their_limits)
    differ = np.flatnonzero((theirs != ours).any(axis=2).any(axis=0))
    assert len(differ) <= 1, differ


def _ink(path: Path) -> tuple[tuple[int, int], np.ndarray, np.ndarray]:
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("L"))
    ink = pixels < 255
    return pixels.shape, np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))


def test_a_chart_is_cut_to_its_ink_as_matplotlib_cuts_it_to_its_artists(cells, tmp_path):
    """One draw, cut where the ink ends plus the margin, gives the picture savefig's "tight"
    gives (which lays the figure out again): the same size to a few pixels, the same ink."""
    fig = charts.grouped_bars(cells, "您最关心的问题", note="列比较：基于设计的t检验，Holm法校正。")
    fig.savefig(tmp_path / "tight.png", dpi=chart_files.DPI, bbox_inches="tight",
                pad_inches=chart_files.MARGIN)
    chart_files.save(fig, tmp_path / "ours")
    (height, width), rows, columns = _ink(tmp_path / "ours.png")
    pad = round(chart_files.MARGIN * chart_files.DPI)
    assert (rows[0], columns[0]) == (pad, pad)
    assert (height - 1 - rows[-1], width - 1 - columns[-1]) == (pad, pad)
    (tight_h, tight_w), tight_rows, tight_columns = _ink(tmp_path / "tight.png")
    assert abs(tight_w - width) <= 8 and abs(tight_h - height) <= 8
    assert abs((rows[-1] - rows[0]) - (tight_rows[-1] - tight_rows[0])) <= 2
    assert abs((columns[-1] - columns[0]) - (tight_columns[-1] - tight_columns[0])) <= 2


def test_a_chart_that_spills_over_its_canvas_keeps_what_spills(tmp_path):
    """Ink that reaches the canvas's edge was cut by it: the chart is measured from its
    artists instead, and the PNG holds the text beyond the figure's width."""
    import matplotlib.pyplot as plt

    charts.use_cjk_font()
    fig, ax = plt.subplots(figsize=(4, 3), dpi=chart_files.DPI)
    ax.plot([0, 1], [0, 1])
    fig.text(0.9, 0.5, "一段比图宽得多的说明文字一段比图宽得多的说明文字", fontsize=12)
    chart_files.save(fig, tmp_path / "spill")
    (height, width), rows, columns = _ink(tmp_path / "spill.png")
    assert width > 4 * chart_files.DPI * 1.3
    assert width - 1 - columns[-1] >= round(chart_files.MARGIN * chart_files.DPI) - 1


def test_what_is_drawn_beyond_the_canvas_or_not_white_is_cut_from_its_artists(tmp_path):
    """A legend wholly below the canvas leaves no ink at its edge, a transparent figure has no
    white to cut at, a figure at another dpi would be cut at the wrong size: each is measured
    from its artists and keeps all it draws."""
    import matplotlib.pyplot as plt

    charts.use_cjk_font()
    fig, ax = plt.subplots(figsize=(4, 3), dpi=chart_files.DPI)
    ax.plot([0, 1], [0, 1], label="一条线")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.6))
    chart_files.save(fig, tmp_path / "below")
    (height, _), _, _ = _ink(tmp_path / "below.png")
    assert height > 3 * chart_files.DPI * 1.1  # the legend below the canvas is in the picture

    fig, ax = plt.subplots(figsize=(4, 3), dpi=chart_files.DPI)
    fig.patch.set_alpha(0)
    ax.plot([0, 1], [0, 1])
    chart_files.save(fig, tmp_path / "clear")
    with Image.open(tmp_path / "clear.png") as image:
        assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0

    fig, ax = plt.subplots(figsize=(4, 3), dpi=100)
    ax.plot([0, 1], [0, 1])
    chart_files.save(fig, tmp_path / "dpi")
    with Image.open(tmp_path / "dpi.png") as image:
        assert 4 * chart_files.DPI * 0.85 < image.width <= 4 * chart_files.DPI * 1.05
        assert round(image.info["dpi"][0]) == chart_files.DPI


@pytest.mark.parametrize(("text", "width", "lines"), [
    ("您最关心的问题（可选3项）", 10, ["您最关心的", "问题（可选", "3项）"]),
    ("Monthly income of migrant workers", 16, ["Monthly income", "of migrant", "workers"]),
    ("基于设计的t检验 Holm校正", 12, ["基于设计的t", "检验 Holm校", "正"]),
    ("supercalifragilistic word", 8, ["supercal", "ifragili", "stic", "word"]),
    ("", 8, [""]),
    ("青年职工（80后、90后、00后）", 20, ["青年职工（80后、90后、", "00后）"]),
    ("  a  b ", 8, ["a b"]),
    ("两行\n文字", 20, ["两行", "文字"]),
])
def test_lines_count_a_chinese_character_as_two_cells(text, width, lines):
    """Labels and footnotes are wrapped by the width they are drawn at: a footnote of 128
    Chinese characters was twice the chart's width, and widened every PNG by a fifth."""
    assert lines_of(text, width) == lines


def test_chart_marks_name_only_drawn_columns_and_say_plus_minus_against_the_rest():
    """The report draws segments without their 'rest' columns: a letter pointing at an undrawn
    column becomes + or − (above or below the rest), as the banner's letters say."""
    from pathlib import Path

    import survey as api
    from analysis.banner.build import banner
    from analysis.banner.render import chart_cells
    from analysis.design.choice import choose_design
    from analysis.report.shown import drawn_marks

    root = Path(__file__).resolve().parents[1]
    r = api.read(root / "data_samples" / "industrial_workers.sav",
                 root / "questionnaires" / "industrial_workers.yaml")
    b = banner(r, "concerns", ["state_owned", "migrant"], design=choose_design(r).design)
    cells = chart_cells(b)
    drawn = [label for label in dict.fromkeys(cells["column_label"])
             if not label.startswith("其他")]
    shown = drawn_marks(b, r.questionnaire, cells[cells["column_label"].isin(drawn)])
    letters = {label.rsplit("(", 1)[-1].rstrip(")") for label in drawn if "(" in label}
    for mark in shown["mark"]:
        assert set(mark) <= letters | {"+", "−"}, mark
    soe = b.cells[(b.cells["by"] == "state_owned") & (b.cells["col"].astype(str) == "1")]
    rest_letter = b.columns[(b.columns["by"] == "state_owned")
                            & (b.columns["value"].astype(str) == "0")]["letter"].iloc[0]
    above = set(soe[soe["higher_than"].map(lambda h: rest_letter in h)]["row_label"])
    label = next(x for x in drawn if x.startswith(b.columns.iloc[1]["label"]))
    marked = set(shown[(shown["column_label"] == label) & shown["mark"].str.contains(r"\+")]
                 ["row_label"])
    assert marked == above


def test_bases_are_on_the_chart_and_ordered_options_get_one_colour_ramp():
    """pay_band by state_owned: each bar's label carries its column's n (a * when too small to
    test), and the nine pay bands run light to dark, never two bands in one colour."""
    from pathlib import Path

    import survey as api
    from analysis.banner.build import banner
    from analysis.banner.render import chart_cells

    root = Path(__file__).resolve().parents[1]
    r = api.read(root / "data_samples" / "industrial_workers.sav",
                 root / "questionnaires" / "industrial_workers.yaml")
    b = banner(r, "pay_band", ["state_owned"], min_base=400)
    fig = charts.stacked_bars(chart_cells(b), b.row_label, ordered=True)
    ticks = [t.get_text().replace("\n", "") for t in fig.axes[0].get_yticklabels()]
    for c in b.columns.itertuples():
        assert any(f"n={int(c.n)}{'*' if c.small_base else ''}" in t for t in ticks), ticks
    assert any("*" in t for t in ticks)  # the SOE column, n < 400 here
    colours = _bar_colours(fig.axes[0])
    luminance = [0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] for c in colours]
    assert len(set(colours)) == 9
    assert all(a > b for a, b in zip(luminance[:-1], luminance[1:], strict=True))
    charts.plt.close(fig)


def test_the_rank_heatmap_is_design_based_corrected_and_one_column_per_segment():
    """The heatmap shows each segment's difference from its rest, as the profiles estimate it
    (design-based, BH-adjusted significance), not plain residuals of both complements."""
    from pathlib import Path

    import survey as api
    from analysis.design.choice import choose_design
    from analysis.findings.profiles import segment_profiles
    from analysis.report.shown import segment_differences

    root = Path(__file__).resolve().parents[1]
    r = api.read(root / "data_samples" / "industrial_workers.sav",
                 root / "questionnaires" / "industrial_workers.yaml")
    profiles = segment_profiles(r, choose_design(r).design)
    values, significant = segment_differences(profiles, "concerns")
    q = r.questionnaire
    assert list(values.columns) == [q.label(s.label, None) for s in q.segments.values()
                                    if q.label(s.label, None) in set(values.columns)]
    row = profiles[(profiles["question"] == "concerns") & (profiles["segment"] == "migrant")]
    first = row.iloc[0]
    assert values.loc[first["option_label"], first["segment_label"]] == \
        pytest.approx(100 * first["difference"])
    assert significant.to_numpy().sum() == int(
        profiles.loc[profiles["question"] == "concerns", "significant"].sum())
    fig = charts.residual_heatmap(values, "concerns", significant=significant, bar="points")
    assert fig.axes[-1].get_ylabel() == "points"  # the colour bar says what it measures
    charts.plt.close(fig)


def test_an_interval_that_meets_its_share_at_zero_draws():
    """At 0% a Wilson interval's lower end equals the share only up to rounding (found on a
    sample where nobody chose "other"): the chart draws, not a matplotlib error."""
    import pandas as pd

    from analysis.report import charts

    cells = pd.DataFrame({"row_label": ["其他", "工资"], "column_label": ["合计", "合计"],
                          "proportion": [0.0, 0.5], "ci_low": [1e-17, 0.45],
                          "ci_high": [0.002, 0.55], "base": [2000, 2000],
                          "small_base": [False, False], "mark": ["", ""]})
    assert charts.grouped_bars(cells, "t") is not None


def test_ten_unordered_options_have_ten_colours_and_their_legend_fits(tmp_path):
    """Eight house colours would give two of ten industries one colour; the legend below is
    centred on the figure, so long segment labels no longer push it past the figure's edge."""
    options = ["制造业", "建筑业", "采矿业", "电力、热力、燃气及水生产和供应业",
               "交通运输、仓储和邮政业", "批发和零售业", "住宿和餐饮业",
               "信息传输、软件和信息技术服务业", "居民服务业", "其他行业"]
    columns = ["合计", "大中型企业职工 (D)", "非农民工 (F)"]
    cells = pd.DataFrame([{"row_label": o, "column_label": c, "proportion": (k + 1) / 55,
                           "base": 600} for c in columns for k, o in enumerate(options)])
    fig = charts.stacked_bars(cells, "您所在单位属于哪个行业？",
                              note="列百分比：占回答该题的受访者。")
    ax = fig.axes[0]
    colours = set(_bar_colours(ax))
    assert len(colours) == len(options)
    fig.canvas.draw()
    assert not chart_files._beyond(fig)
    chart_files.save(fig, tmp_path / "industry")
    with Image.open(tmp_path / "industry.png") as image:
        assert image.width <= 8 * chart_files.DPI
