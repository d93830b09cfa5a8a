"""Constant parts of a new spreadsheet that the fake serves but does not let anyone change.

Google gives every new spreadsheet the same ``defaultFormat`` and ``spreadsheetTheme``
(the recordings agree, whatever the locale); the fake serves them statically so that a
spreadsheets.get answer has Google's shape. Updating them (updateSpreadsheetProperties
with ``defaultFormat``/``spreadsheetTheme``) is accepted but not applied.
"""

from __future__ import annotations

import copy
from typing import Any

from .cells import normalise_color

# Google's default theme, by hex colour (Google Docs palette); Google prints the
# channels as float32 fractions, which normalise_color reproduces.
_THEME_HEX = (
    ("TEXT", "000000"),
    ("BACKGROUND", "FFFFFF"),
    ("ACCENT1", "4285F4"),
    ("ACCENT2", "EA4335"),
    ("ACCENT3", "FBBC04"),
    ("ACCENT4", "34A853"),
    ("ACCENT5", "FF6D01"),
    ("ACCENT6", "46BDC6"),
    ("LINK", "1155CC"),
)


def _rgb(hex_colour: str) -> dict[str, Any]:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    return normalise_color(dict(zip(("red", "green", "blue"), channels, strict=True)))


_WHITE = _rgb("FFFFFF")

DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": _WHITE,
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": _WHITE},
}

SPREADSHEET_THEME: dict[str, Any] = {
    "primaryFontFamily": "Arial",
    "themeColors": [
        {"colorType": name, "color": {"rgbColor": _rgb(hex_colour)}}
        for name, hex_colour in _THEME_HEX
    ],
}


def default_format() -> dict[str, Any]:
    """A fresh copy of the default cell format."""
    return copy.deepcopy(DEFAULT_FORMAT)


def spreadsheet_theme() -> dict[str, Any]:
    """A fresh copy of the default theme."""
    return copy.deepcopy(SPREADSHEET_THEME)
