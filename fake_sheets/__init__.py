"""A local fake of the Google Sheets API v4 (plus the Drive v3 calls gspread and the bot
make: files, and the changes feed).

`FakeSheets` serves it over real HTTP on 127.0.0.1 so the real gspread client can be
tested against it (`python -m fake_sheets` serves it from a process of its own, see
`service`); see `server` for the controls (data access, request counts, quotas,
fault injection, edit hooks) and `tests/test_fake_sheets_fidelity.py` for how closely it
matches Google's recorded answers.
"""

from .controls import FakeClock
from .errors import ApiError
from .routes import READ_KINDS, WRITE_KINDS
from .server import FakeSheets, RequestRecord, session_to
from .service import FileClock

__all__ = [
    "READ_KINDS", "WRITE_KINDS", "ApiError", "FakeClock", "FakeSheets", "FileClock",
    "RequestRecord", "session_to",
]  # fmt: skip
