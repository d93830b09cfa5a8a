"""The spreadsheet backends, and the factory that picks one from the config.

Each backend implements `bot.sheets.Backend`: `xlsx` (local Excel workbooks, the embedded
default) and `google` (Google Sheets). They are imported only when chosen, so `--help` and a
config error never pay for importing openpyxl or gspread.
"""

from __future__ import annotations

from bot.config import Config
from bot.sheets import Backend


def open_backend(config: Config, *, provision: bool = False) -> Backend:
    """The backend the config asks for; use it as a context manager (`provision`: with the
    rights to make and share spreadsheets)."""
    if config.backend == "google":
        from bot.backends.google import GoogleBackend  # noqa: PLC0415
        from bot.config_load import state_path  # noqa: PLC0415

        # What it knows of each spreadsheet survives a restart, beside the last reads.
        memory = state_path(config, config.daemon.read_cache) / "google"
        return GoogleBackend(config, memory=memory, provision=provision)
    from bot.backends.xlsx import XlsxBackend  # noqa: PLC0415

    return XlsxBackend(config)
