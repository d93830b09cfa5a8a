"""Building blocks of the config models: strict models, B.E.-aware dates and months, and
errors that know which setting they are about."""

from __future__ import annotations

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
