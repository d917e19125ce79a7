"""The marks chart's date labels never overlap, and its legend says that a dot's size is
the weight of the work (checked on the figure the bot really draws)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers.marks import MarksCb
from services import charts
from services.charts import ChartPoint, date_labels, labels_overlap, marks_figure
from tests.conftest import BotEnv
from tests.test_mark_details import english, math_mark, misha

START = dt.date(2026, 9, 1)


@pytest.mark.parametrize("span", [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 120, 180, 270])
def test_date_labels_stand_apart_over_any_span(span: int) -> None:
    points = [ChartPoint(START + dt.timedelta(days=d), 3 + d % 3, 1 + d % 3)
              for d in range(0, span + 1, max(1, span // 30))]
    fig = marks_figure(points, title="Математика, 1 четверть", average_label="Средний балл",
                       marks_label="Оценки", weight_label="Размер точки — вес работы")
    extents = date_labels(fig, fig.axes[0])
    assert len(extents) >= 2
    assert not labels_overlap(extents, gap=4.0)


def test_crowded_labels_are_thinned_out() -> None:
    from matplotlib.dates import DayLocator

    fig = marks_figure([ChartPoint(START, 5, 1), ChartPoint(START + dt.timedelta(days=120), 4, 2)],
                       title="t", average_label="a", marks_label="m")
    ax = fig.axes[0]
    ax.xaxis.set_major_locator(DayLocator(interval=1))  # a label every day: crowded
    charts._spread_date_labels(fig, ax, START, START + dt.timedelta(days=120))
    assert not labels_overlap(date_labels(fig, ax))


async def test_the_bots_chart_names_dot_size_as_weight(bot_env: BotEnv,
                                                       monkeypatch: Any) -> None:
    drawn: list[Any] = []
    real = charts.marks_figure

    def spy(*args: Any, **kwargs: Any) -> Any:
        drawn.append(real(*args, **kwargs))
        return drawn[-1]

    monkeypatch.setattr(charts, "marks_figure", spy)
    child = await misha(bot_env)
    mark = await math_mark(bot_env, child.id)
    chart = MarksCb("c", child.id, 0, mark.subject_id).pack()
    replies = await bot_env.client(1001).click(chart)
    assert any(r.method == "sendPhoto" for r in replies)
    client = await english(bot_env)
    await client.click(chart)
    assert len(drawn) == 2
    legends = [[x.get_text() for x in fig.axes[0].get_legend().get_texts()] for fig in drawn]
    assert legends == [["Оценки", "Размер точки — вес работы", "Средний балл"],
                       ["Marks", "Dot size — the work's weight", "Average"]]
    for fig in drawn:
        assert not labels_overlap(date_labels(fig, fig.axes[0]))
