"""A project wired to a fake LINE channel: the example workbooks (Chaiyaphum, 16 districts)
and a config whose `line.api_base` is the fake, plus the webhook service running in this
process. Shared by the LINE test modules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.backends import open_backend
from bot.config import Config
from bot.config_load import load_config
from bot.examples import make_examples
from bot.line_api import LineApi
from bot.line_groups import LineGroup, open_line_groups
from bot.line_webhook import WebhookHandler, WebhookService
from fake_line import FakeLine

BANGKOK = ZoneInfo("Asia/Bangkok")
# 15 Jan 2025 (2568), 5 days before the district deadline: 10 of the 16 example districts
# still owe something for ม.ค. 2568; ภูเขียว has one row with a misspelt district.
DAY = "2025-01-15"
NOW = datetime(2025, 1, 15, 10, 5, tzinfo=BANGKOK)


def write_project(folder: Path, line: FakeLine, extra: str = "") -> Path:
    """Example workbooks and a config for them that talks to the fake LINE API."""
    make_examples(folder / "example")
    path = folder / "config.yaml"
    path.write_text(
        "xlsx: {folder: example}\n"
        "national: {file: national.xlsx}\n"
        "provinces: [{province: ชัยภูมิ, file: chaiyaphum.xlsx}]\n"
        "daemon: {state: state.sqlite}\n"
        f"line: {{api_base: '{line.url}', max_retries: 2}}\n" + extra,
        encoding="utf-8",
    )
    return path


def line_env(monkeypatch: pytest.MonkeyPatch, line: FakeLine) -> None:
    """The secrets the config refers to, as the service's environment file sets them."""
    monkeypatch.setenv("LINE_TOKEN", line.token)
    monkeypatch.setenv("LINE_CHANNEL_SECRET", line.secret)


def groups_of(config: Config) -> dict[str, LineGroup]:
    """The LINE groups recorded in the config's state file, by id."""
    with open_line_groups(config) as groups:
        return {g.chat_id: g for g in groups.all()}


def map_group(config: Config, chat_id: str, province: str, district: str | None) -> None:
    """Map a recorded group, as `softpower-bot line map` does."""
    with open_line_groups(config) as groups:
        assert groups.map(chat_id, province, district)


@contextmanager
def webhook(
    config: Config, line: FakeLine, now: datetime = NOW, secret: str | None = None
) -> Iterator[WebhookService]:
    """The webhook service on a free port of 127.0.0.1, talking to the fake LINE API."""
    api = LineApi(line.url, line.token, max_retries=2, backoff_s=0.01)
    handler = WebhookHandler(config, api, open_backend=open_backend, now=lambda: now)
    service = WebhookService(handler, secret or line.secret, port=0).start()
    try:
        yield service
    finally:
        service.shutdown()


def project_config(folder: Path, line: FakeLine, extra: str = "") -> Config:
    """`write_project`, loaded."""
    return load_config(write_project(folder, line, extra))
