"""The charts as PNG (bot.chart_png): Thai that renders (the font has every glyph the labels
use), real pictures, attached to e-mail digests and kept beside outbox messages."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import matplotlib
import pytest
from PIL import Image

from bot.backends import open_backend
from bot.chart_png import charts_available, font_path, labels, missing_glyphs, render_png
from bot.config_load import load_config
from bot.cycle import check_cycle
from bot.examples import make_examples
from bot.notify import Sender
from bot.presentation import ChartSpec
from tests.smtp_server import SMTP_PASSWORD, SMTP_USER, LocalSMTP

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def charts(tmp_path_factory: pytest.TempPathFactory) -> list[ChartSpec]:
    folder = tmp_path_factory.mktemp("demo")
    shutil.copy(ROOT / "config.example.yaml", folder / "config.yaml")
    make_examples(folder / "example")
    config = load_config(folder / "config.yaml")
    with open_backend(config) as backend:
        report = check_cycle(config, backend, date(2025, 1, 17))
    return [c for p in report.plans for t in p.tabs for c in t.charts]


def test_the_font_has_a_glyph_for_every_character_of_every_label(charts: list[ChartSpec]) -> None:
    assert charts_available() is None
    path = font_path()
    assert path is not None and path.name == "Sarabun-Regular.ttf"
    texts = [text for chart in charts for text in labels(chart)]
    thai = {ch for text in texts for ch in text if "\u0e00" <= ch <= "\u0e7f"}
    assert len(thai) > 30  # the labels really are Thai: consonants, vowels, tone marks
    assert missing_glyphs(texts, path) == set()


def test_the_glyph_check_catches_a_font_without_thai(charts: list[ChartSpec]) -> None:
    # matplotlib's own DejaVu Sans has no Thai: a chart in it would show boxes.
    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    missing = missing_glyphs(labels(charts[0]), dejavu)
    assert "อ" in missing and "ำ" in missing
    assert not any(ch.isascii() for ch in missing)


def test_each_chart_is_a_real_picture_of_its_size(charts: list[ChartSpec]) -> None:
    for chart in charts:
        data = render_png(chart)
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(io.BytesIO(data)) as picture:
            width, height = picture.size
            colours = picture.convert("RGB").getcolors(maxcolors=1 << 16)
        assert (width, height) == (int(chart.width_px * 1.6), int(chart.height_px * 1.6))
        assert colours is None or len(colours) > 50  # drawn, not a blank page


def test_an_e_mail_digest_carries_its_charts(
    charts: list[ChartSpec], smtp: LocalSMTP, tmp_path: Path
) -> None:
    url = (
        f"mailto://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{smtp.port}"
        "?from=bot@example.org&to=dla@example.org&mode=insecure"
    )
    files = [(f"{c.key}.png", render_png(c)) for c in charts[:2]]
    delivery = Sender(tmp_path / "outbox", env={}).send(url, "สรุปสถานะ", "เรียน ...", files)
    assert delivery.ok, delivery.error
    (received,) = smtp.messages
    parts = [p for p in received.message.walk() if p.get_content_type() == "image/png"]
    assert [p.get_filename() for p in parts] == [name for name, _ in files]
    assert [p.get_content() for p in parts] == [data for _, data in files]


def test_the_outbox_keeps_the_charts_beside_the_text(
    charts: list[ChartSpec], tmp_path: Path
) -> None:
    sender = Sender(tmp_path / "outbox", env={})
    data = render_png(charts[0])
    assert sender.send("outbox://", "สรุปสถานะ", "เรียน ...", [("coverage.png", data)]).ok
    (text,) = (tmp_path / "outbox").glob("*.txt")
    (png,) = (tmp_path / "outbox").glob("*.png")
    assert png.name == text.stem + "-coverage.png"
    assert png.read_bytes() == data
