"""One cell: what was entered, how it renders, its format and note.

What Google does that the recordings show, and the fake reproduces:

* RAW input keeps strings as strings and JSON numbers/booleans as numbers/booleans;
* USER_ENTERED input parses text the way typing into the cell would (en_US rules):
  ``"0042"`` -> 42, ``"1,234"`` -> 1234, ``"50%"`` -> 0.5, ``"TRUE"`` -> true,
  ``"2020-01-01"`` -> the date serial 43831, ``"'007"`` -> the text ``007``,
  ``"=4/2"`` -> a formula;
* FORMATTED_VALUE prints numbers in the "automatic" format (``2``, ``1.5``, ``0.12``),
  dates and percentages the way they were typed, booleans as ``TRUE``/``FALSE``;
* UNFORMATTED_VALUE gives numbers as numbers (dates as serials unless
  dateTimeRenderOption=FORMATTED_STRING); FORMULA gives the formula text where there is one.

Approximations (documented, not Google-exact): other locales' input rules (decimal comma,
day-first dates) are not modelled; number formats applied with repeatCell/numberFormat
do not change FORMATTED_VALUE; formulas are evaluated by the small evaluator in
`formulas` (arithmetic, comparisons, ``&``, cell/range references, a few functions).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import struct
from dataclasses import dataclass, field
from typing import Any

Scalar = str | float | bool

# Day zero of Google's (and Lotus') date serials.
EPOCH = dt.datetime(1899, 12, 30)

_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$")
_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$",
)
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#ERROR!")


@dataclass(frozen=True)
class FormulaError:
    """A formula's error result (``#DIV/0!`` and friends)."""

    code: str


@dataclass(slots=True)
class Cell:
    """A stored cell. ``value`` is the entered constant; ``formula`` wins over it."""

    value: Scalar | None = None
    formula: str | None = None
    # The text Google keeps showing for typed dates, percentages, "1,234"...
    display: str | None = None
    is_date: bool = False
    fmt: dict[str, Any] | None = field(default=None)
    note: str | None = None
    # Its data validation rule (a DataValidationRule), kept with the cell as it moves.
    validation: dict[str, Any] | None = None
    # Rich text (textFormatRuns): links and formats of parts of the text. Writing a new
    # value drops them, as they described the old text.
    runs: list[dict[str, Any]] | None = None

    def copy(self) -> Cell:
        """A copy sharing ``fmt``, ``validation`` and ``runs`` (all replaced, never changed
        in place)."""
        return Cell(self.value, self.formula, self.display, self.is_date, self.fmt, self.note,
                    self.validation, self.runs)  # fmt: skip

    def has_value(self) -> bool:
        """Whether the cell holds a value or formula (formats and notes don't count)."""
        return self.value is not None or self.formula is not None

    def is_blank(self) -> bool:
        """Nothing at all is stored: the cell can be dropped from the grid."""
        return (not self.has_value() and self.fmt is None and self.note is None
                and self.validation is None)  # fmt: skip

    def clear_value(self) -> None:
        """Forget the value (what values.clear does); format and note stay."""
        self.value = None
        self.formula = None
        self.display = None
        self.is_date = False
        self.runs = None

    def user_entered_value(self) -> dict[str, Any] | None:
        """The cell's ``userEnteredValue`` as the API spells it."""
        if self.formula is not None:
            return {"formulaValue": self.formula}
        if self.value is None:
            return None
        if isinstance(self.value, bool):
            return {"boolValue": self.value}
        if isinstance(self.value, float):
            return {"numberValue": json_number(self.value)}
        return {"stringValue": self.value}

    def set_user_entered_value(self, uev: dict[str, Any] | None) -> None:
        """Set from an API ``userEnteredValue`` (updateCells): taken literally, no parsing."""
        self.clear_value()
        if not uev:
            return
        if "formulaValue" in uev:
            self.formula = str(uev["formulaValue"])
        elif "numberValue" in uev:
            self.value = float(uev["numberValue"])
        elif "boolValue" in uev:
            self.value = bool(uev["boolValue"])
        elif "stringValue" in uev:
            self.value = str(uev["stringValue"])


def json_number(x: float) -> int | float:
    """A float the way Google's JSON prints it: integral values without ``.0``."""
    if math.isfinite(x) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


def general_format(x: float) -> str:
    """The "automatic" number format: up to 10 decimals, no trailing zeros."""
    if not math.isfinite(x):
        return "#NUM!"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    if abs(x) >= 1e15 or abs(x) < 1e-10:
        return f"{x:.15g}".upper()
    return f"{round(x, 10):.10f}".rstrip("0").rstrip(".")


def to_serial(moment: dt.datetime) -> float:
    """A datetime as a spreadsheet date serial (days since 1899-12-30)."""
    delta = moment - EPOCH
    return delta.days + delta.seconds / 86400


def _parse_date(text: str) -> float | None:
    try:
        if m := _ISO_DATE.match(text):
            y, mo, d, hh, mm, ss = m.groups()
            moment = dt.datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
            return to_serial(moment)
        if m := _US_DATE.match(text):
            mo, d, y = m.groups()
            return to_serial(dt.datetime(int(y), int(mo), int(d)))
    except ValueError:  # 2021-02-30 and the like stay text, as in Sheets
        return None
    return None


def parse_number(text: str) -> float | None:
    """A typed number (en_US): ``0042``, ``-1.5``, ``1,234``, ``1e3``; else ``None``."""
    if not any(ch.isdigit() for ch in text) or not _NUMBER.match(text):
        return None
    return float(text.replace(",", ""))


def user_entered(raw: Any) -> Cell:
    """A cell from a USER_ENTERED value: parsed as if a person typed it."""
    if isinstance(raw, bool):
        return Cell(value=raw)
    if isinstance(raw, int | float):
        return Cell(value=float(raw))
    text = str(raw)
    if text == "":
        return Cell()
    if text.startswith("=") and len(text) > 1:
        return Cell(formula=text)
    if text.startswith("'"):
        return Cell(value=text[1:])
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return Cell(value=stripped.upper() == "TRUE")
    if (number := parse_number(stripped)) is not None:
        return Cell(value=number, display=stripped if "," in stripped else None)
    if stripped.endswith("%") and (number := parse_number(stripped[:-1].strip())) is not None:
        return Cell(value=number / 100, display=stripped)
    if stripped.startswith("$") and (number := parse_number(stripped[1:])) is not None:
        return Cell(value=number, display=stripped)
    if (serial := _parse_date(stripped)) is not None:
        return Cell(value=serial, display=stripped, is_date=True)
    return Cell(value=text)


def raw_entered(raw: Any) -> Cell:
    """A cell from a RAW value: strings stay strings (even ``=1+1``), numbers stay numbers."""
    if isinstance(raw, bool):
        return Cell(value=raw)
    if isinstance(raw, int | float):
        return Cell(value=float(raw))
    text = str(raw)
    return Cell() if text == "" else Cell(value=text)


def format_scalar(value: Scalar | FormulaError | None) -> str:
    """FORMATTED_VALUE of a plain value (no typed display)."""
    if value is None:
        return ""
    if isinstance(value, FormulaError):
        return value.code
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return general_format(value)
    return value


def unformatted_scalar(value: Scalar | FormulaError | None) -> Any:
    """UNFORMATTED_VALUE of a plain value."""
    if value is None:
        return ""
    if isinstance(value, FormulaError):
        return value.code
    if isinstance(value, float):
        return json_number(value)
    return value


# --- colours -------------------------------------------------------------------------
def float32(x: float) -> int | float:
    """Round like Google: colours are stored as float32 and printed shortest-first."""
    target = float(struct.unpack("f", struct.pack("f", x))[0])
    for digits in range(1, 10):
        candidate = float(f"{target:.{digits}g}")
        if struct.unpack("f", struct.pack("f", candidate))[0] == target:
            return json_number(candidate)
    return target


def normalise_color(color: dict[str, Any]) -> dict[str, Any]:
    """A Color as Google echoes it: float32 components, zero components left out."""
    out: dict[str, Any] = {}
    for key in ("red", "green", "blue", "alpha"):
        if color.get(key):
            out[key] = float32(float(color[key]))
    return out


def normalise_color_style(style: dict[str, Any]) -> dict[str, Any]:
    """A ColorStyle (``rgbColor`` or ``themeColor``) as Google echoes it."""
    if "rgbColor" in style:
        return {"rgbColor": normalise_color(style["rgbColor"] or {})}
    return dict(style)


def normalise_format(fmt: dict[str, Any]) -> dict[str, Any]:
    """A CellFormat as Google stores it: colours normalised and mirrored into *Style."""
    out = dict(fmt)
    for plain, styled in (("backgroundColor", "backgroundColorStyle"),):
        _mirror(out, plain, styled)
    if isinstance(out.get("textFormat"), dict):
        text_format = dict(out["textFormat"])
        _mirror(text_format, "foregroundColor", "foregroundColorStyle")
        out["textFormat"] = text_format
    return out


def _mirror(obj: dict[str, Any], plain: str, styled: str) -> None:
    # Google keeps the legacy colour and its *Style twin in step, whichever was sent.
    if isinstance(obj.get(plain), dict):
        obj[plain] = normalise_color(obj[plain])
        obj[styled] = {"rgbColor": dict(obj[plain])}
    elif isinstance(obj.get(styled), dict):
        obj[styled] = normalise_color_style(obj[styled])
        if "rgbColor" in obj[styled]:
            obj[plain] = dict(obj[styled]["rgbColor"])
