"""Conditional formatting: rules kept per sheet in order, their ranges moving with inserted
and deleted rows and columns (a sort moves cells, not rules), and the colour a cell shows.

Modelled: addConditionalFormatRule, updateConditionalFormatRule (replace a rule, or move
it with ``newIndex``), deleteConditionalFormatRule; boolean rules whose condition is
CUSTOM_FORMULA (evaluated without cell references) or NOT_BLANK/BLANK, with a background
colour. Gradient rules and other conditions are stored and listed but never shown.
"""

from __future__ import annotations

import copy
from typing import Any

from .cells import normalise_format
from .context import Context, grid_box, sheet_of
from .formulas import evaluate
from .model import Sheet, Spreadsheet


def _rule(ss: Spreadsheet, given: Any, ctx: Context) -> tuple[Sheet, dict[str, Any]]:
    if not isinstance(given, dict) or not given.get("ranges"):
        raise ctx.fail("A conditional format rule must have at least one range.")
    if ("booleanRule" in given) == ("gradientRule" in given):
        raise ctx.fail("A conditional format rule must be a boolean rule or a gradient rule.")
    sheets = {grid_box(ss, r, ctx)[0].sheet_id for r in given["ranges"]}
    if len(sheets) != 1:
        raise ctx.fail("All ranges of a conditional format rule must be on the same sheet.")
    rule = copy.deepcopy(given)
    rule["ranges"] = [{k: v for k, v in r.items() if v or k.startswith("end")}
                      for r in rule["ranges"]]  # fmt: skip
    fmt = rule.get("booleanRule", {}).get("format")
    if isinstance(fmt, dict):
        rule["booleanRule"]["format"] = normalise_format(fmt)
    found = ss.sheet_by_id(sheets.pop())
    assert found is not None
    return found, rule


def _index(sheet: Sheet, index: Any, ctx: Context, *, insert: bool = False) -> int:
    at = int(index or 0)
    if at < 0 or at > len(sheet.conditional) - (0 if insert else 1):
        raise ctx.fail(f"Invalid conditional format rule index: {at}")
    return at


def add_rule(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """addConditionalFormatRule (``index`` 0 puts it first, where it wins)."""
    sheet, rule = _rule(ss, req.get("rule"), ctx)
    sheet.conditional.insert(_index(sheet, req.get("index"), ctx, insert=True), rule)
    return {}


def update_rule(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """updateConditionalFormatRule: replace the rule at ``index``, or move it."""
    sheet = sheet_of(ss, req.get("sheetId"), ctx)
    at = _index(sheet, req.get("index"), ctx)
    old = sheet.conditional[at]
    if "rule" in req:
        target, rule = _rule(ss, req["rule"], ctx)
        if target is not sheet:
            raise ctx.fail("The rule's ranges must be on the rule's sheet.")
        sheet.conditional[at] = rule
        moved = {"newRule": copy.deepcopy(rule), "oldRule": old, "newIndex": at, "oldIndex": at}
        return {"updateConditionalFormatRule": moved}
    new = _index(sheet, req.get("newIndex"), ctx)
    sheet.conditional.insert(new, sheet.conditional.pop(at))
    return {"updateConditionalFormatRule": {"newRule": copy.deepcopy(old), "oldRule": old,
                                            "newIndex": new, "oldIndex": at}}  # fmt: skip


def delete_rule(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """deleteConditionalFormatRule."""
    sheet = sheet_of(ss, req.get("sheetId"), ctx)
    rule = sheet.conditional.pop(_index(sheet, req.get("index"), ctx))
    return {"deleteConditionalFormatRule": {"rule": rule}}


def _covers(rng: dict[str, Any], row: int, col: int) -> bool:
    return (int(rng.get("startRowIndex", 0)) <= row < int(rng.get("endRowIndex", row + 1))
            and int(rng.get("startColumnIndex", 0)) <= col
            < int(rng.get("endColumnIndex", col + 1)))  # fmt: skip


def _holds(ss: Spreadsheet, sheet: Sheet, row: int, col: int, condition: dict[str, Any]) -> bool:
    kind = condition.get("type")
    if kind == "NOT_BLANK":
        return ss.effective(sheet, row, col) not in (None, "")
    if kind == "BLANK":
        return ss.effective(sheet, row, col) in (None, "")
    if kind == "CUSTOM_FORMULA":
        formula = str((condition.get("values") or [{}])[0].get("userEnteredValue", ""))
        return evaluate(formula, lambda *_: [[None]]) is True
    return False


def shown_background(ss: Spreadsheet, sheet: Sheet, row: int, col: int) -> dict[str, Any] | None:
    # Google shows the first rule that holds; without one, the cell's own colour.
    """The background a cell shows: the first conditional rule that applies, else its own."""
    for rule in sheet.conditional:
        boolean = rule.get("booleanRule")
        if not boolean or not any(_covers(r, row, col) for r in rule.get("ranges", [])):
            continue
        if _holds(ss, sheet, row, col, boolean.get("condition") or {}):
            colour = (boolean.get("format") or {}).get("backgroundColor")
            if isinstance(colour, dict):
                return dict(colour)
    cell = sheet.cells.get((row, col))
    own = (cell.fmt or {}).get("backgroundColor") if cell is not None else None
    return dict(own) if isinstance(own, dict) else None
