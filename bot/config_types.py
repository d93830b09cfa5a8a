"""Building blocks of the config models: strict models, B.E.-aware dates and months, and
errors that know which setting they are about."""

from __future__ import annotations

import string
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from bot import geo, thai


class SettingError(ValueError):
    """A check across settings that knows which setting (path below its model) is wrong."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


def _to_date(value: Any) -> Any:
    if isinstance(value, str | date | int):
        parsed = thai.parse_date(value)
        if parsed is None:
            raise ValueError(
                f"expected a date such as 2568-03-31 (B.E.) or 2025-03-31 (C.E.), got {value!r}"
            )
        return parsed
    return value


def _to_month(value: Any) -> Any:
    if isinstance(value, str | date):
        parsed = thai.parse_month(value)
        if parsed is None:
            raise ValueError(f"expected a month such as 2567-11 or พ.ย. 2567, got {value!r}")
        return parsed
    return value


FlexDate = Annotated[date, BeforeValidator(_to_date)]
Month = Annotated[tuple[int, int], BeforeValidator(_to_month)]


class Strict(BaseModel):
    """A settings model that refuses unknown keys and cannot be changed once loaded."""

    # Unknown keys are almost always typos ("deadine"): refuse them instead of ignoring.
    model_config = ConfigDict(extra="forbid", frozen=True)


def registry_province(name: str) -> geo.Province:
    """The registry province a configured name means; a ValueError with a hint if none."""
    found = geo.find_province(name)
    if found is None:
        hint = geo.suggest_province(name)
        raise ValueError(
            f"{name!r} is not a province in the registry"
            + (f"; did you mean {hint!r}?" if hint else "")
        )
    return found


# Excel refuses these in a tab name, and a name longer than 31 characters; Google Sheets
# workbooks are often downloaded as .xlsx, so the bot holds every backend to Excel's rule.
TAB_FORBIDDEN = "/\\?*[]:"
TAB_MAX = 31


def tab_name_problem(name: str, *, length: bool = True) -> str | None:
    """Why Excel would refuse `name` as a tab name, or None."""
    bad = sorted({ch for ch in name if ch in TAB_FORBIDDEN})
    if bad:
        return (
            f"contains {' '.join(bad)}, which Excel does not allow in a tab name "
            f"(none of {' '.join(TAB_FORBIDDEN)})"
        )
    if name.startswith("'") or name.endswith("'"):
        return "begins or ends with an apostrophe ('), which Excel does not allow"
    size = len(name.encode("utf-16-le")) // 2
    if length and size > TAB_MAX:
        return f"is {size} characters long; Excel allows at most {TAB_MAX} in a tab name"
    return None


def check_pattern(what: str, pattern: str, allowed: set[str]) -> str:
    """`pattern` without its placeholders, after checking that it uses only `allowed` ones
    (each plain, as `{name}`); a ValueError naming `what` otherwise."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise ValueError(
            f"{what}: {exc}; write a placeholder as {{name}}, and a brace itself as {{{{ or }}}}"
        ) from None
    fixed = []
    for literal, field, spec, conversion in parts:
        fixed.append(literal)
        if field is None:
            continue
        if field not in allowed or spec or conversion:
            shown = "{" + field + (f"!{conversion}" if conversion else "") + (
                f":{spec}" if spec else "") + "}"  # fmt: skip
            raise ValueError(
                f"{what} uses {shown}; allowed here: "
                + (", ".join(f"{{{p}}}" for p in sorted(allowed)) or "none")
            )
    return "".join(fixed)
