"""The marks chart: the running weighted average and a well-formed 800 x 450 PNG."""

from __future__ import annotations

import datetime as dt
import io
import math
import struct
import subprocess
import sys
from pathlib import Path

from PIL import Image

from services.charts import ChartPoint, render_marks_chart, running_weighted_average

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
POINTS = [
    ChartPoint(dt.date(2026, 9, 3), 5, 1),
    ChartPoint(dt.date(2026, 9, 10), 3, 2),
    ChartPoint(dt.date(2026, 9, 10), 4, 1),
    ChartPoint(dt.date(2026, 9, 17), 2, 3),
    ChartPoint(dt.date(2026, 10, 1), 5, 2),
    ChartPoint(dt.date(2026, 10, 8), 4, 1),
]


def chart(points: list[ChartPoint], title: str) -> bytes:
    return render_marks_chart(points, title=title, average_label="Средний балл",
                              marks_label="Оценки")


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE)
    assert png[12:16] == b"IHDR"  # the first chunk, right after its 4-byte length
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_running_weighted_average_worked_example() -> None:
    points = [
        ChartPoint(dt.date(2026, 9, 1), 5, 1),
        ChartPoint(dt.date(2026, 9, 2), 3, 2),
        ChartPoint(dt.date(2026, 9, 3), 4, 1),
    ]
    # 5/1; (5 + 3*2)/3; (5 + 6 + 4)/4
    assert [round(v, 3) for v in running_weighted_average(points)] == [5.0, 3.667, 3.75]
    assert [round(v, 3) for v in running_weighted_average(points[::-1])] == [5.0, 3.667, 3.75]


def test_running_average_is_undefined_until_a_positive_weight() -> None:
    points = [ChartPoint(dt.date(2026, 9, 1), 2, 0), ChartPoint(dt.date(2026, 9, 2), 4, 2)]
    first, second = running_weighted_average(points)
    assert math.isnan(first)
    assert second == 4.0
    assert running_weighted_average([]) == []


def test_chart_is_an_800_by_450_png() -> None:
    png = chart(POINTS, "Алгебра — 1 четверть")
    assert png_size(png) == (800, 450)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (800, 450)


def test_empty_chart_is_still_a_valid_png() -> None:
    png = chart([], "Физика")
    assert png_size(png) == (800, 450)
    with Image.open(io.BytesIO(png)) as image:
        image.verify()
    assert png != chart(POINTS, "Физика")


def test_input_order_does_not_matter() -> None:
    shuffled = [POINTS[i] for i in (4, 2, 0, 5, 1, 3)]
    assert running_weighted_average(shuffled) == running_weighted_average(POINTS)
    assert chart(shuffled, "Алгебра") == chart(POINTS, "Алгебра")


def test_single_point_and_dollar_signs_in_texts() -> None:
    # One day only (a degenerate x range) and "$" that must not be read as mathtext.
    png = render_marks_chart([ChartPoint(dt.date(2026, 11, 20), 5, 2)],
                             title="Химия $x$", average_label="$ средний",
                             marks_label="оценки $")
    assert png_size(png) == (800, 450)


def test_matplotlib_is_imported_lazily_and_pyplot_never() -> None:
    # A fresh interpreter: this test session has long imported matplotlib.
    probe = (
        "import sys, datetime as dt\n"
        "from services import charts\n"
        "assert 'matplotlib' not in sys.modules\n"
        "charts.render_marks_chart([charts.ChartPoint(dt.date(2026, 9, 1), 5, 1)],\n"
        "                          title='t', average_label='a', marks_label='m')\n"
        "print(sorted({'matplotlib.pyplot', 'aiogram'} & set(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[1], check=True)
    assert result.stdout.strip() == "[]"
