"""Data validation: setDataValidation, and the rule each cell keeps.

A rule (a DataValidationRule) is stored on the cell, so it moves with the cell when rows
or columns are inserted, deleted, moved or sorted, and a copy is listed in the cell's
`dataValidation` when grid data is read. `setDataValidation` without a rule clears it.
As in Sheets, a rule never changes a value: it only decides what a person may type next.
Rules are checked as Google checks them: a condition type that data validation supports,
a list with 1-500 items, a formula that starts with "=", a URL or e-mail condition without
values.
"""

from __future__ import annotations

import copy
from typing import Any

from . import guards
from .context import Context, grid_box
from .errors import ApiError, bad_request
from .model import Spreadsheet

# The BooleanCondition types Sheets accepts in a data validation rule (the others are for
# conditional formats and filters only).
VALIDATION_TYPES = frozenset({
    "NUMBER_GREATER", "NUMBER_GREATER_THAN_EQ", "NUMBER_LESS", "NUMBER_LESS_THAN_EQ",
    "NUMBER_EQ", "NUMBER_NOT_EQ", "NUMBER_BETWEEN", "NUMBER_NOT_BETWEEN", "TEXT_CONTAINS",
    "TEXT_NOT_CONTAINS", "TEXT_EQ", "TEXT_IS_EMAIL", "TEXT_IS_URL", "DATE_EQ", "DATE_BEFORE",
    "DATE_AFTER", "DATE_ON_OR_BEFORE", "DATE_ON_OR_AFTER", "DATE_BETWEEN", "DATE_NOT_BETWEEN",
    "DATE_IS_VALID", "ONE_OF_RANGE", "ONE_OF_LIST", "CUSTOM_FORMULA", "BOOLEAN",
})  # fmt: skip
_NO_VALUES = frozenset({"TEXT_IS_EMAIL", "TEXT_IS_URL", "DATE_IS_VALID"})
MAX_LIST_ITEMS = 500


def checked_rule(rule: Any) -> dict[str, Any] | None:
    """A rule as stored (None clears), or Google's 400 for one it refuses."""
    if not rule:
        return None
    condition = rule.get("condition") if isinstance(rule, dict) else None
    if not isinstance(condition, dict) or not condition.get("type"):
        raise bad_request("Invalid DataValidationRule: a condition with a type is required.")
    kind = str(condition["type"])
    values = condition.get("values") or []
    if kind not in VALIDATION_TYPES:
        raise bad_request(
            f"Invalid DataValidationRule: condition type {kind} is not supported in data "
            "validation."
        )
    if kind in _NO_VALUES and values:
        raise bad_request(f"Invalid DataValidationRule: {kind} takes no values.")
    if kind == "ONE_OF_LIST" and not 1 <= len(values) <= MAX_LIST_ITEMS:
        raise bad_request(
            f"Invalid DataValidationRule: ONE_OF_LIST needs 1 to {MAX_LIST_ITEMS} values."
        )
    if kind == "CUSTOM_FORMULA" and (
        len(values) != 1 or not str(values[0].get("userEnteredValue", "")).startswith("=")
    ):
        raise bad_request("Invalid DataValidationRule: CUSTOM_FORMULA needs one formula.")
    stored: dict[str, Any] = copy.deepcopy(rule)
    return stored


def set_data_validation(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """setDataValidation: every cell of the range gets the rule (or loses its rule)."""
    sheet, (r0, r1, c0, c1) = grid_box(ss, req.get("range") or {}, ctx)
    try:
        rule = checked_rule(req.get("rule"))
    except ApiError as exc:
        raise ctx.fail(exc.message) from None
    guards.check_cells(sheet, (r0, r1, c0, c1), ctx.caller)
    for r in range(r0, r1):
        for c in range(c0, c1):
            if rule is None and (r, c) not in sheet.cells:
                continue
            sheet.cell(r, c).validation = rule  # shared: rules are replaced, never edited
            sheet.prune(r, c)
    return {}


def rule_at(ss: Spreadsheet, tab: str, row: int, col: int) -> dict[str, Any] | None:
    """The rule of one cell (1-based row and column), for tests."""
    sheet = ss.sheet_by_title(tab)
    if sheet is None:
        raise KeyError(tab)
    found = sheet.cells.get((row - 1, col - 1))
    return copy.deepcopy(found.validation) if found and found.validation else None
