"""Charts of banner tables and findings, with Chinese labels that render (never boxes).

Pure plotting over tidy DataFrames: the statistics are computed elsewhere and passed in. The CJK
font is Noto Sans CJK SC shipped by the `mplfonts` package (a project dependency), registered
with matplotlib by path so that no system font is needed.
"""

from __future__ import annotations

from functools import cache

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis.report.chart_files import DPI  # noqa: E402
from analysis.report.fonts import cjk_font_path  # noqa: E402
from analysis.report.wrapping import lines_of, wrapped  # noqa: E402
from survey.messages.tables import name_of  # noqa: E402

PALETTE = ["#1f5a8a", "#d9822b", "#3a8a4f", "#b33a3a", "#7a5ba6", "#8c6d31", "#d16ba5",
           "#5f6b73"]
HEATMAP_WIDTH = 14.0  # inches: the widest heatmap
VERDICT_COLOURS = {"supported": "#3a8a4f", "contradicted": "#b33a3a",
                   "not_supported": "#8a8f94", "insufficient_data": "#c7c7c7"}


@cache
def use_cjk_font() -> str:
    """Register the bundled CJK font and make it matplotlib's default; return its family name."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False  # the CJK font's minus sign is full width
    plt.rcParams["svg.fonttype"] = "path"  # SVGs render the same without the font installed
    plt.rcParams["svg.hashsalt"] = "worker-survey"  # the same SVG from the same chart, always
    return family


def _figure(height_rows: float, width: float = 8.0) -> tuple[Figure, plt.Axes]:
    use_cjk_font()
    # drawn at the files' resolution, so the layout's text sizes serve the PNG too
    fig, ax = plt.subplots(figsize=(width, min(24.0, max(2.5, 0.45 * height_rows + 1.5))),
                           dpi=DPI)
    # the rows are named by their ticks and the y axis has no label: put where it is, not
    # placed beside the row labels, which matplotlib measures for it at each layout and draw
    ax.yaxis.set_label_coords(0, 0.5)
    return fig, ax


def with_bases(cells: pd.DataFrame) -> dict[str, str]:
    """Each column's label with its base, `n=44*` when too small to test (chart_cells' base)."""
    first = cells.drop_duplicates("column_label")
    if "base" not in cells.columns:
        return dict(zip(first["column_label"], first["column_label"], strict=True))
    small = first["small_base"] if "small_base" in first.columns else [False] * len(first)
    return {column: f"{column}  n={int(base)}{'*' if bool(tiny) else ''}"
            for column, base, tiny in zip(first["column_label"], first["base"], small,
                                          strict=True)}


def grouped_bars(cells: pd.DataFrame, title: str, *, note: str = "") -> Figure:
    """Horizontal bars: one group per row option, one bar per column (segment), with CI whiskers.

    `cells` columns: row_label, column_label, proportion, and optionally ci_low, ci_high,
    mark (e.g. significance letters, drawn at the bar's end) and base (n, shown in the legend).
    """
    rows = list(dict.fromkeys(cells["row_label"]))
    columns = list(dict.fromkeys(cells["column_label"]))
    labels = with_bases(cells)
    fig, ax = _figure(len(rows) * (0.6 + 0.25 * len(columns)))
    height = 0.8 / len(columns)
    positions = np.arange(len(rows))
    for k, column in enumerate(columns):
        part = cells[cells["column_label"] == column].set_index("row_label").reindex(rows)
        y = positions + (k - (len(columns) - 1) / 2) * height
        value = part["proportion"].to_numpy(float) * 100
        _bars(ax, y, value, 0, height * 0.92, _colours(len(columns))[k],
              wrapped([labels[column]], 34)[0])
        if {"ci_low", "ci_high"} <= set(part.columns):
            # an interval's end may meet its share only up to rounding: never let that make an
            # error bar negative, which matplotlib refuses
            low = np.maximum(value - part["ci_low"].to_numpy(float) * 100, 0)
            high = np.maximum(part["ci_high"].to_numpy(float) * 100 - value, 0)
            ax.errorbar(value, y, xerr=[low, high], fmt="none", ecolor="#333333",
                        elinewidth=0.8, capsize=2)
        if "mark" in part.columns:
            ends = (part["ci_high"].to_numpy(float) * 100 if "ci_high" in part.columns
                    else value)
            for yy, xx, mark in zip(y, ends, part["mark"], strict=True):
                if isinstance(mark, str) and mark:
                    ax.text(np.nan_to_num(xx) + 1, yy, mark, va="center", fontsize=7)
    ax.autoscale_view()
    ax.set_yticks(positions, wrapped(rows))
    ax.invert_yaxis()
    ax.set_xlabel("%")
    _title(ax, title)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    _finish(fig, note)
    return fig


def stacked_bars(cells: pd.DataFrame, title: str, *, note: str = "",
                 ordered: bool = False) -> Figure:
    """100% stacked bars: one bar per column (segment), split by the row's options; ordered
    options (pay bands, agreement) in one sequential colour ramp, light to dark."""
    table = cells.pivot_table(index="column_label", columns="row_label", values="proportion",
                              sort=False, aggfunc="first")
    table = table.reindex(index=list(dict.fromkeys(cells["column_label"])),
                          columns=list(dict.fromkeys(cells["row_label"])))
    shares = table.div(table.sum(axis=1), axis=0).fillna(0) * 100
    fig, ax = _figure(len(shares))
    left = np.zeros(len(shares))
    k_all = len(shares.columns)
    colours = plt.get_cmap("YlGnBu")(np.linspace(0.25, 0.95, k_all)) if ordered \
        else _colours(k_all)
    for k, option in enumerate(shares.columns):
        value = shares[option].to_numpy()
        _bars(ax, np.arange(len(shares)), value, left, 0.7, colours[k], wrapped([option], 24)[0])
        ink = _ink_on(colours[k])
        for y, (x0, w) in enumerate(zip(left, value, strict=True)):
            if w >= 6:
                ax.text(x0 + w / 2, y, f"{w:.0f}", ha="center", va="center", fontsize=7,
                        color=ink)
        left += value
    ax.autoscale_view()
    labels = with_bases(cells)
    ax.set_yticks(np.arange(len(shares)), wrapped([labels[c] for c in shares.index]))
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    _title(ax, title)
    _legend_below(fig, ax, min(4, len(shares.columns)))
    ax.spines[["top", "right"]].set_visible(False)
    _finish(fig, note)
    return fig


def difference_dots(findings: pd.DataFrame, title: str, *, note: str = "",
                    lang: str | None = "en") -> Figure:
    """The findings at a glance: each claim's difference with its interval, coloured by verdict.

    `findings` columns: label, difference, ci_low, ci_high, verdict.
    """
    fig, ax = _figure(len(findings))
    y = np.arange(len(findings))
    colours = [VERDICT_COLOURS.get(v, "#333333") for v in findings["verdict"]]
    diff = findings["difference"].to_numpy(float)
    ax.errorbar(diff, y, xerr=[np.maximum(diff - findings["ci_low"].to_numpy(float), 0),
                               np.maximum(findings["ci_high"].to_numpy(float) - diff, 0)],
                fmt="none", ecolor="#777777", elinewidth=1, capsize=2)
    ax.scatter(diff, y, c=colours, zorder=3, s=28)
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(y, wrapped(findings["label"]))
    ax.invert_yaxis()
    _title(ax, title)
    handles = [plt.Line2D([], [], marker="o", linestyle="", color=c, label=name_of(v, lang))
               for v, c in VERDICT_COLOURS.items() if v in set(findings["verdict"])]
    ax.legend(handles=handles, fontsize=8, frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    _finish(fig, note)
    return fig


def residual_heatmap(residuals: pd.DataFrame, title: str, *, note: str = "",
                     significant: pd.DataFrame | None = None, bar: str = "") -> Figure:
    """A heatmap of differences (rows x columns), the cells of `significant` outlined (without
    it, |value| >= 1.96, as for standardised residuals); `bar` labels the colour bar."""
    columns = len(residuals.columns)
    # at most 14 in: fifteen segments made it 21 in, and the page's 800 px copy shrank its
    # figures to a quarter (their text to 4 px)
    fig, ax = _figure(len(residuals), width=min(HEATMAP_WIDTH, max(6.0, 0.7 * columns + 3.5)))
    values = residuals.to_numpy(float)
    limit = max(3.0, float(np.nanmax(np.abs(values))) if values.size else 3.0)
    image = ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            ax.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=7,
                    color="white" if abs(value) > 0.6 * limit else "black")
            marked = bool(significant.iat[i, j]) if significant is not None else abs(value) >= 1.96
            if marked:  # the bundled CJK font has one weight: outline, not bold
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False,
                                           edgecolor="#222222", linewidth=1.2))
    ax.set_xticks(range(columns), wrapped(residuals.columns, 20),
                  rotation=45 if columns > 8 else 30, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(len(residuals.index)), wrapped(residuals.index))
    _title(ax, title)
    fig.colorbar(image, ax=ax, shrink=0.8, label=bar or None)
    _finish(fig, note)
    return fig


def likert_bars(distribution: pd.DataFrame, title: str, *, note: str = "") -> Figure:
    """Diverging stacked bars for rating items, centred on the neutral option.

    `distribution`: one row per item or group (index = label), one column per option in
    scale order (labels), values = proportions; an odd number of options has a neutral middle.
    """
    shares = distribution.div(distribution.sum(axis=1), axis=0).fillna(0) * 100
    k = shares.shape[1]
    middle = k // 2
    colours = plt.get_cmap("RdBu")(np.linspace(0.1, 0.9, k))
    start = -(shares.iloc[:, :middle].sum(axis=1) + (shares.iloc[:, middle] / 2 if k % 2 else 0))
    fig, ax = _figure(len(shares))
    left = start.to_numpy(float)
    for j, option in enumerate(shares.columns):
        value = shares[option].to_numpy(float)
        _bars(ax, np.arange(len(shares)), value, left, 0.7, colours[j], wrapped([option], 18)[0])
        left = left + value
    ax.autoscale_view()
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(np.arange(len(shares)), wrapped(shares.index))
    ax.invert_yaxis()
    ax.set_xlabel("%")
    _title(ax, title)
    _legend_below(fig, ax, k)
    ax.spines[["top", "right"]].set_visible(False)
    _finish(fig, note)
    return fig


def _bars(ax: plt.Axes, y, width, left, height: float, colour, label: str) -> None:
    """Horizontal bars of one series as a single collection: what `barh` draws, without an
    artist per bar (a report has some 1,600 bars; their patches were a fifth of its charts'
    time). The axis is not padded past a bar's base, as for barh; the caller fits the limits
    (`autoscale_view`) after its last series."""
    from matplotlib.collections import PolyCollection

    y, width = np.asarray(y, float), np.asarray(width, float)
    x0 = np.broadcast_to(np.asarray(left, float), y.shape)
    keep = np.isfinite(width) & np.isfinite(x0)
    x0, x1 = x0[keep], (x0 + width)[keep]
    low, high = y[keep] - height / 2, y[keep] + height / 2
    corners = np.stack([np.stack([x0, low], 1), np.stack([x1, low], 1),
                        np.stack([x1, high], 1), np.stack([x0, high], 1)], 1)
    bars = PolyCollection(corners, facecolors=[colour], edgecolors="none", linewidths=0,
                          label=label)
    bars.sticky_edges.x.extend(x0)
    # 3.11's add_collection would refit the limits for every series
    ax.add_collection(bars, autolim=False)
    if len(corners):
        ax.update_datalim(corners.reshape(-1, 2))


def _title(ax: plt.Axes, title: str) -> None:
    """The chart's title, left, just above the axes: placed there rather than above whatever
    is on top of the axes, which matplotlib would measure at each layout and draw (a tenth of
    a chart's time); nothing of our charts is drawn above their axes."""
    ax.set_title(wrapped([title], 70)[0], loc="left", fontsize=11, y=1.0)


def _colours(n: int) -> list:
    """`n` colours for options or columns that have no order: the house palette, or tab20's
    twenty where there are more (a colour never stands for two options of one chart)."""
    if n <= len(PALETTE):
        return PALETTE[:n]
    return [plt.get_cmap("tab20")(k % 20) for k in range(n)]


def _ink_on(colour) -> str:
    """Black text on a light colour, white on a dark one."""
    r, g, b, _ = to_rgba(colour)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.6 else "white"


def _legend_below(fig: Figure, ax: plt.Axes, ncols: int) -> None:
    """The legend under the axis and its label (a fixed 36 points below the axes, whatever
    their height), centred on the figure: long row labels push the axes right, and a legend
    centred on them ran past the figure's edge."""
    from matplotlib.transforms import blended_transform_factory

    ax.legend(fontsize=8, frameon=False, ncols=ncols, loc="upper center", bbox_to_anchor=(0.5, 0),
              bbox_transform=blended_transform_factory(fig.transFigure, ax.transAxes),
              borderaxespad=4.5)


def _finish(fig: Figure, note: str) -> None:
    """Lay the figure out once: the test, alpha and correction under the chart, wrapped to the
    figure's width, and the axes fitted above them."""
    if not note:
        fig.tight_layout()
        return
    text = "\n".join(lines_of(note, int(fig.get_figwidth() * 16)))
    fig.text(0.01, 0.005, text, fontsize=7, color="#555555", ha="left", va="bottom")
    lines = text.count("\n") + 1
    # what tight_layout(rect=...) gives, in one of its two passes: its second pass measures the
    # axes again and keeps the first pass's margins, shifted by the rect's bottom
    fig.tight_layout()
    bottom = fig.subplotpars.bottom + min(0.3, 0.16 * lines / fig.get_figheight())
    if bottom < fig.subplotpars.top:
        fig.subplots_adjust(bottom=bottom)
