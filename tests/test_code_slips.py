"""Printable link-code slips: text (Cyrillic included) survives extraction, one QR image per
slip, pagination, determinism and speed."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from screens.code_slips import SLIPS_PER_PAGE, Slip, SlipLabels, render_slips_pdf, slip_pages

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
NAMES = [
    "Иванова Мария", "Петров Алексей", "Смирнова Анна", "Кузнецов Дмитрий", "Соколова Ксения",
    "Попов Илья", "Лебедева Дарья", "Козлов Артём", "Новикова Полина", "Морозов Егор",
    "Волкова Софья", "Алексеев Глеб", "Ёлкина Юлия", "Щербаков Эдуард", "Жукова Василиса",
    "Фёдоров Михаил", "Яковлева Виктория", "Чернов Тимофей", "Шестакова Злата", "Гусев Лев",
    "Цветкова Ульяна", "Тихонов Роман", "Быкова Ева", "Хохлов Пётр", "Эйхман Фрида",
    "Рябов Савелий", "Константинопольская Александра Викторовна",
]
LABELS = SlipLabels(
    for_guardian="Для родителя (законного представителя)",
    for_student="Для ученика",
    code="Код привязки",
    expires="Действует до",
    instruction="Отсканируйте QR-код или откройте ссылку и нажмите «Старт».",
)
TITLE = "Коды привязки — 5А"


def make_slips(count: int, seed: int = 7) -> list[Slip]:
    rng = random.Random(seed)
    slips = []
    for index in range(count):
        raw = "".join(rng.choice(ALPHABET) for _ in range(10))
        slips.append(Slip(
            student_name=NAMES[index % len(NAMES)],
            class_name="5А",
            kind="guardian" if index % 3 else "student",
            code=f"{raw[:5]}-{raw[5:]}",
            deep_link=f"https://t.me/school_diary_bot?start={raw}",
            expires_at_text="26.11.2026 12:00",
        ))
    return slips


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def slips() -> list[Slip]:
    return make_slips(27)


@pytest.fixture(scope="module")
def pdf(slips: list[Slip]) -> bytes:
    return render_slips_pdf(slips, title=TITLE, labels=LABELS)


def test_every_slip_is_printed_with_readable_cyrillic(slips: list[Slip], pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    texts = page_texts(pdf)
    for number, slip in enumerate(slips):
        page = texts[number // SLIPS_PER_PAGE]
        assert slip.student_name in page
        assert slip.code in page
        assert slip.deep_link in page
    everything = "\n".join(texts)
    assert "Иванова Мария" in everything  # Cyrillic comes back as Cyrillic, not boxes
    assert "Константинопольская Александра Викторовна" in everything  # shrunk, not cut
    assert "\ufffd" not in everything
    assert "Действует до 26.11.2026 12:00" in everything
    assert everything.count(LABELS.for_guardian) == 18
    assert everything.count(LABELS.for_student) == 9
    assert everything.count(LABELS.code) == 27
    assert all(TITLE in text for text in texts)


def test_pages_and_one_qr_image_per_slip(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == slip_pages(27) == 4
    assert [len(page.images) for page in reader.pages] == [8, 8, 8, 3]
    for page in reader.pages:
        for image in page.images:
            assert image.image is not None
            width, height = image.image.size
            assert width == height  # QR codes are square


def test_empty_list_gives_one_page_with_title_and_no_images() -> None:
    reader = PdfReader(io.BytesIO(render_slips_pdf([], title=TITLE, labels=LABELS)))
    assert len(reader.pages) == 1
    assert TITLE in reader.pages[0].extract_text()
    assert len(reader.pages[0].images) == 0


def test_output_is_deterministic(slips: list[Slip], pdf: bytes) -> None:
    assert render_slips_pdf(slips, title=TITLE, labels=LABELS) == pdf


def test_unknown_kind_is_rejected() -> None:
    slip = make_slips(1)[0]
    bad = Slip(slip.student_name, slip.class_name, "teacher", slip.code, slip.deep_link,
               slip.expires_at_text)
    with pytest.raises(ValueError, match="teacher"):
        render_slips_pdf([bad], title=TITLE, labels=LABELS)


def test_import_is_cheap_and_free_of_bot_framework() -> None:
    # A fresh interpreter: this test session has long imported everything.
    probe = ("import sys, screens.code_slips; "
             "print(sorted({'fpdf', 'matplotlib', 'aiogram'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[1], check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
                    reason="needs poppler-utils and zbar-tools")
def test_qr_codes_decode_to_the_deep_links(slips: list[Slip], pdf: bytes,
                                           tmp_path: Path) -> None:
    (tmp_path / "slips.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1",
                    str(tmp_path / "slips.pdf"), str(tmp_path / "page")], check=True)
    [image] = tmp_path.glob("page*.png")
    result = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)],
                            capture_output=True, text=True, check=True)
    decoded = set(result.stdout.split())
    assert decoded == {slip.deep_link for slip in slips[:SLIPS_PER_PAGE]}
