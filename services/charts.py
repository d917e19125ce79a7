"""A subject's marks over time as a PNG: dots for marks, a line for the weighted average.

Drawn with matplotlib's object-oriented API on an Agg canvas, never through pyplot: pyplot
keeps global figure state (unsafe across threads and overlapping tasks) and may pick a GUI
backend. matplotlib is imported inside the function so importing this module stays cheap.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ChartPoint:
    day: dt.date
    value: int
    weight: int


WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 100  # 800 x 450 px
MARK_COLORS = {5: "#2e7d32", 4: "#7cb342", 3: "#f9a825", 2: "#e53935", 1: "#8e0000"}
OTHER_MARK_COLOR = "#757575"
AVERAGE_COLOR = "#1565c0"


def ordered(points: Iterable[ChartPoint]) -> list[ChartPoint]:
    """Points in date order; marks of one day by value and weight, so that the input order
    never changes the average series or the picture."""
    return sorted(points, key=lambda p: (p.day, p.value, p.weight))


def running_weighted_average(points: Iterable[ChartPoint]) -> list[float]:
    """sum(value * weight) / sum(weight) over the points up to each one, aligned with
    `ordered(points)`. NaN (a gap in the line) while no positive weight has been seen."""
    total = weights = 0
    averages: list[float] = []
    for point in ordered(points):
        if point.weight > 0:
            total += point.value * point.weight
            weights += point.weight
        averages.append(total / weights if weights else math.nan)
    return averages


def render_marks_chart(
    points: Sequence[ChartPoint],
    *,
    title: str,
    average_label: str,
    marks_label: str,
    weight_label: str = "",
    thresholds: Sequence[float] = (2.5, 3.5, 4.5),
) -> bytes:
    """An 800 x 450 PNG; with no points it is an empty plot that still carries the title."""
    fig = marks_figure(points, title=title, average_label=average_label,
                       marks_label=marks_label, weight_label=weight_label,
                       thresholds=thresholds)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def marks_figure(
    points: Sequence[ChartPoint],
    *,
    title: str,
    average_label: str,
    marks_label: str,
    weight_label: str = "",
    thresholds: Sequence[float] = (2.5, 3.5, 4.5),
) -> Any:
    """The chart as a matplotlib Figure, drawn (so its texts have their places): the
    legend names the dots, their size (the weight, with `weight_label`) and the line;
    the date labels never overlap."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, DateFormatter, date2num
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="tight")
    FigureCanvasAgg(fig)  # binds itself to the figure; no GUI backend is ever involved
    ax = fig.add_subplot()
    # Titles and labels are user data: a "$" must not switch on mathtext.
    ax.set_title(title, parse_math=False)
    ax.set_ylim(0.5, 5.5)
    ax.set_yticks(range(1, 6))
    ax.spines[["top", "right"]].set_visible(False)
    for threshold in thresholds:
        ax.axhline(threshold, color="#9e9e9e", alpha=0.5, linewidth=0.8, linestyle="--",
                   zorder=0)

    rows = ordered(points)
    if rows:
        days = [p.day for p in rows]
        # Explicit numbers (days since matplotlib's epoch) rather than relying on the units
        # registry; the DateFormatter below reads them back as dates.
        ax.scatter(
            date2num(days),
            [p.value for p in rows],
            s=[_dot_area(p.weight) for p in rows],
            c=[MARK_COLORS.get(p.value, OTHER_MARK_COLOR) for p in rows],
            edgecolors="white",
            linewidths=0.8,
            zorder=3,
        )
        # One vertex per day (the average after all of that day's marks): per-mark vertices
        # would draw vertical jumps on days with several marks.
        by_day = dict(zip(days, running_weighted_average(rows), strict=True))
        ax.plot(date2num(list(by_day)), list(by_day.values()), color=AVERAGE_COLOR, linewidth=2,
                zorder=2)
        # Room at both ends; at least three days, or the date locator falls back to hourly
        # ticks that all read as the same dd.mm.
        pad = max(dt.timedelta(days=3), (days[-1] - days[0]) / 25)
        ax.set_xlim(float(date2num(days[0] - pad)), float(date2num(days[-1] + pad)))
        ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=9))
        ax.xaxis.set_major_formatter(DateFormatter("%d.%m"))
        # Proxy handles: the dots have one colour per mark, the legend needs a neutral one.
        handles = [
            Line2D([], [], linestyle="", marker="o", markersize=7, color=OTHER_MARK_COLOR,
                   label=marks_label),
            Line2D([], [], color=AVERAGE_COLOR, linewidth=2, label=average_label),
        ]
        if weight_label:
            # A small and a big dot: the bigger the dot, the heavier the work.
            handles.insert(1, Line2D([], [], linestyle="", marker="o", color=OTHER_MARK_COLOR,
                                     markersize=math.sqrt(_dot_area(3)), label=weight_label))
        legend = ax.legend(handles=handles, loc="best", framealpha=0.9)
        for text in legend.get_texts():
            text.set_parse_math(False)
        _spread_date_labels(fig, ax, days[0] - pad, days[-1] + pad)
    else:
        ax.set_xticks([])
        fig.canvas.draw()
    return fig


def date_labels(fig: Any, ax: Any) -> list[Any]:
    """The window extents of the date labels shown on the axis (of a drawn figure)."""
    renderer = fig.canvas.get_renderer()
    low, high = ax.get_xlim()
    return [label.get_window_extent(renderer) for label, tick in
            zip(ax.get_xticklabels(), ax.get_xticks(), strict=True)
            if label.get_text() and low <= tick <= high]


def labels_overlap(extents: list[Any], gap: float = 4.0) -> bool:
    ordered_boxes = sorted(extents, key=lambda box: box.x0)
    return any(b.x0 - a.x1 < gap for a, b in itertools.pairwise(ordered_boxes))


def _spread_date_labels(fig: Any, ax: Any, start: dt.date, end: dt.date) -> None:
    """Fewer date ticks until their labels stand apart; then, if it must be, tilted."""
    from matplotlib.dates import AutoDateLocator, DayLocator

    fig.canvas.draw()
    tries = 0
    while labels_overlap(date_labels(fig, ax)) and tries < 6:
        shown = max(2, len(date_labels(fig, ax)) // 2)
        ax.xaxis.set_major_locator(AutoDateLocator(minticks=2, maxticks=shown))
        if tries >= 3:  # the locator insists on its own steps: take days apart by hand
            step = max(1, (end - start).days // max(1, shown - 1))
            ax.xaxis.set_major_locator(DayLocator(interval=step))
        fig.canvas.draw()
        tries += 1
    if labels_overlap(date_labels(fig, ax)):
        for label in ax.get_xticklabels():
            label.set_rotation(45)
            label.set_horizontalalignment("right")
        fig.canvas.draw()


def _dot_area(weight: int) -> float:
    """Marker area in points squared: grows with the weight, capped so dots stay dots."""
    return 25.0 + 35.0 * max(0, min(weight, 5))


def render_poll_chart(labels: Sequence[str], counts: Sequence[int], *, title: str) -> bytes:
    """A poll's results as horizontal bars, an 800 x 450 PNG; labels are user text."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="tight")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title(title, parse_math=False)
    positions = list(range(len(labels)))[::-1]  # the first option on top
    ax.barh(positions, list(counts), color=AVERAGE_COLOR)
    ax.set_yticks(positions)
    ax.set_yticklabels([label[:40] for label in labels])
    for tick in ax.get_yticklabels():
        tick.set_parse_math(False)
    for y, n in zip(positions, counts, strict=True):
        ax.text(n, y, f" {n}", va="center")
    ax.set_xlim(0, max([*counts, 1]) * 1.15)
    ax.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
