"""`provision` on local workbooks: a missing workbook is made with openpyxl; a workbook that
exists is patched the way the xlsx backend writes (only the parts the bot adds to change,
every other part copied byte for byte, compare-and-swap before the rename).

A new workbook gets one district tab per district, each with the form's header (bold,
frozen, widths), a comment on each header saying what to type, data validation (drop-downs
for the month, province, district, kind, role and budget, a rule that the link starts
with http:// or https://, an input message on every column) and the bot's status column,
marked as the sync marks it and guarded by a validation that only warns (Excel has no
warning-only protection; a real sheet protection would stop staff inserting rows or
sorting).

In a workbook that exists, a missing district tab is added as a new worksheet part (the
same, without comments), and an existing tab gets the data validation its columns lack: a
`<dataValidations>` element is spliced into its XML, and a column that already has a rule
(a person's, or one from an earlier run) is left as it is. Header comments are not added
to existing workbooks: a comment needs a comments part and a VML drawing, which a sheet may
already have (a person's comments, form controls) and which the bot would then have to
rewrite; the input message of each column's validation shows the same help on the cell
being typed, which is where staff look.
"""

from __future__ import annotations

import io
import posixpath
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from bot.backends import xlsx_file
from bot.backends.xlsx import XlsxBackend
from bot.backends.xlsx_book import STATUS_MARK, STYLES_CT, STYLES_TYPE, Book, BookError
from bot.backends.xlsx_sheet import CellError, scan
from bot.backends.xlsx_styles import Styles
from bot.backends.xlsx_xml import (
    MAIN_NS,
    MAX_ROW,
    XmlError,
    attr,
    esc,
    outline,
    range_bounds,
    set_attrs,
    splice,
)
from bot.backends.xlsx_zip import Package, PackageError
from bot.config import Config, SourceTab
from bot.errors import BotError, SheetError
from bot.form import parse_tab
from bot.layout import STATUS, Column, Outcome, Planned, columns
from bot.sheets import column_letter, quote_tab

# Excel keeps a list typed into a rule to 255 characters.
MAX_LIST = 255
WARNING = "ระบบเขียนคอลัมน์นี้ให้อัตโนมัติ กรุณาอย่าแก้ไข (written by softpower-bot)"
# Elements that follow <dataValidations> in a worksheet (CT_Worksheet's sequence).
_AFTER_VALIDATIONS = (
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
)


def _list_text(column: Column) -> str | None:
    """The list of a drop-down as Excel stores it ("a,b,c"), or None if it does not fit."""
    text = ",".join(column.choices)
    return text if len(text) <= MAX_LIST and '"' not in text else None


def _formula(column: Column, col: int, first: int) -> tuple[str, str | None]:
    """(type, formula) of a column's rule: "list", "custom" (link, status), or "none"."""
    if column.kind == "list" and _list_text(column) is not None:
        return "list", f'"{_list_text(column)}"'
    if column.kind == "url":
        cell = f"{column_letter(col)}{first}"
        return "custom", f'OR(LEFT({cell},8)="https://",LEFT({cell},7)="http://")'
    if column.kind == "status":
        return "custom", "FALSE"
    return "none", None


def _error_text(column: Column) -> str:
    if column.kind == "url":
        return "กรุณาวางลิงก์ที่ขึ้นต้นด้วย https:// หรือ http://"
    return "กรุณาเลือกจากรายการ"


def validation_xml(column: Column, col: int, first: int) -> str:
    """One `<dataValidation>` for rows `first`.. of column `col`."""
    kind, formula = _formula(column, col, first)
    attrs = {
        "allowBlank": "1",
        "showInputMessage": "1",
        "promptTitle": column.title,
        "prompt": column.prompt[:255],
    }
    if kind != "none":
        attrs = {"type": kind, **attrs, "showErrorMessage": "1", "errorTitle": column.title}
        if column.kind == "status":
            attrs |= {"errorStyle": "warning", "error": WARNING}
        else:
            attrs |= {"error": _error_text(column)}
    attrs["sqref"] = f"{column_letter(col)}{first}:{column_letter(col)}{MAX_ROW}"
    text = " ".join(f'{k}="{attr(v)}"' for k, v in attrs.items())
    if formula is None:
        return f"<dataValidation {text}/>"
    return f"<dataValidation {text}><formula1>{esc(formula)}</formula1></dataValidation>"


def new_workbook(config: Config, tabs: list[SourceTab]) -> bytes:
    """A new workbook with the district tabs, built with openpyxl."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for source in tabs:
        ws = wb.create_sheet(source.tab)
        cols = columns(config, source)
        for i, c in enumerate(cols, start=1):
            cell = ws.cell(1, i, c.header)
            cell.font = Font(bold=True)
            cell.comment = Comment(c.note, "softpower-bot", width=300, height=120)
            ws.column_dimensions[get_column_letter(i)].width = round(c.width / 7)
            kind, formula = _formula(c, i, 2)
            rule = DataValidation(
                type=None if kind == "none" else kind,
                formula1=formula,
                allow_blank=True,
                showInputMessage=True,
                promptTitle=c.title,
                prompt=c.prompt[:255],
                showErrorMessage=kind != "none",
                errorTitle=c.title,
                error=WARNING if c.kind == "status" else _error_text(c),
                errorStyle="warning" if c.kind == "status" else None,
            )
            rule.add(f"{get_column_letter(i)}2:{get_column_letter(i)}{MAX_ROW}")
            ws.add_data_validation(rule)
            if c.key == STATUS:
                ref = f"{quote_tab(source.tab)}!${get_column_letter(i)}$1"
                ws.defined_names.add(DefinedName(STATUS_MARK, attr_text=ref, hidden=True))
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def new_tab_xml(config: Config, source: SourceTab, styles: Styles) -> bytes:
    """A district tab as a worksheet part, for a workbook that exists."""
    cols = columns(config, source)
    bold = styles.header()
    cells = "".join(
        f'<c r="{column_letter(i)}1" s="{bold}" t="inlineStr"><is><t xml:space="preserve">'
        f"{esc(c.header)}</t></is></c>"
        for i, c in enumerate(cols, start=1)
    )
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{round(c.width / 7)}" customWidth="1"/>'
        for i, c in enumerate(cols, start=1)
    )
    rules = "".join(validation_xml(c, i, 2) for i, c in enumerate(cols, start=1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1:{column_letter(len(cols))}1"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
        'activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{widths}</cols>'
        f'<sheetData><row r="1">{cells}</row></sheetData>'
        f'<dataValidations count="{len(cols)}">{rules}</dataValidations>'
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        "</worksheet>"
    ).encode()


def add_validations(
    data: bytes,
    wanted: list[tuple[int, Column]],
    first: int,
) -> tuple[bytes | None, int]:
    """The worksheet part with a rule for each wanted column that has none from row `first`
    down (None when every one has one already), and how many rules were added."""
    found = scan(data)
    pre = found.prefix
    existing = found.part("dataValidations")
    taken: list[tuple[int, int, int, int]] = []
    if existing is not None:
        node = outline(data[existing.start : existing.end], depth=2)
        for rule in node.kids("dataValidation"):
            for ref in rule.attrs.get("sqref", "").split():
                bounds = range_bounds(ref)
                if bounds:
                    taken.append(bounds)
    new = [
        validation_xml(c, col, first)
        for col, c in wanted
        if not any(r0 <= MAX_ROW and r1 >= first and c0 <= col <= c1 for r0, c0, r1, c1 in taken)
    ]
    if not new:
        return None, 0
    text = "".join(new)
    if pre:
        text = (
            text.replace("<dataValidation ", f"<{pre}dataValidation ")
            .replace("</dataValidation>", f"</{pre}dataValidation>")
            .replace("<formula1>", f"<{pre}formula1>")
            .replace("</formula1>", f"</{pre}formula1>")
        )
    if existing is not None:
        count = int(existing.attrs.get("count", "0") or 0) + len(new)
        start_tag_end = data.index(b">", existing.start) + 1
        tag = set_attrs(data[existing.start : start_tag_end], {"count": str(count)})
        if existing.close is None:  # <dataValidations/>: open it
            opened = tag[:-2].rstrip() + b">"
            block = opened + text.encode() + f"</{pre}dataValidations>".encode()
            return splice(data, [(existing.start, existing.end, block)]), len(new)
        return splice(
            data,
            [(existing.start, start_tag_end, tag), (existing.close, existing.close, text.encode())],
        ), len(new)
    after = next((p for p in found.parts if p.name in _AFTER_VALIDATIONS), None)
    at = after.start if after is not None else data.rindex(f"</{pre}worksheet".encode())
    whole = f'<{pre}dataValidations count="{len(new)}">{text}</{pre}dataValidations>'
    return splice(data, [(at, at, whole.encode())]), len(new)


class XlsxProvisioner:
    """Provision the config's workbooks in the backend's folder."""

    def __init__(self, config: Config, backend: XlsxBackend) -> None:
        self.config = config
        self.backend = backend

    def provision(self, planned: Planned, *, dry_run: bool) -> Outcome:
        """Make or complete one workbook; what was (or would be) done."""
        path = self.backend.path(planned.sheet)
        outcome = Outcome(planned.whose, str(path), planned.sheet)
        try:
            if not path.exists():
                self._new(planned, path, outcome, dry_run)
            elif planned.tabs:
                self._existing(planned, path, outcome, dry_run)
        except BotError as exc:
            outcome.problem = str(exc)
        except (PackageError, BookError, XmlError, CellError) as exc:
            outcome.problem = (
                f"{path}: ไฟล์สเปรดชีตเสียหาย บอทจึงไม่แก้ไข — the workbook is damaged "
                f"({exc}); open it in Excel and save it again"
            )
        if planned.share:
            outcome.actions.append("sharing is for Google spreadsheets: share this file by hand")
        return outcome

    def _new(self, planned: Planned, path: Path, outcome: Outcome, dry_run: bool) -> None:
        if not planned.tabs:
            outcome.actions.append("the first sync makes it (it holds only the bot's tabs)")
            return
        outcome.actions.append(
            f"make the workbook with {len(planned.tabs)} district tabs: header, comments, "
            "drop-downs, link rule, frozen header, widths, status column"
        )
        if dry_run:
            return
        self._write(path, new_workbook(self.config, planned.tabs), None, outcome)
        outcome.created = True

    def _existing(self, planned: Planned, path: Path, outcome: Outcome, dry_run: bool) -> None:
        read = self.backend.read(planned.sheet, [s.tab for s in planned.tabs], [])
        data, version = xlsx_file.snapshot(path)
        if version != read.version:
            raise SheetError(f"{path.name} changed while the bot read it; run provision again")
        pkg = Package(data)
        book = Book(pkg)
        present = book.styles is not None and pkg.find(book.styles) is not None
        styles = Styles(pkg.read(book.styles) if present and book.styles else None)
        changes: dict[str, bytes | None] = {}
        for source in planned.tabs:
            tab_data = read.tabs[source.tab]
            if tab_data.grid is None:
                part = book.add_tab(source.tab)
                changes[part] = new_tab_xml(self.config, source, styles)
                index = book.new_index(source.tab)
                status = len(columns(self.config, source))
                book.set_name(
                    STATUS_MARK, index, f"{quote_tab(source.tab)}!${column_letter(status)}$1"
                )
                outcome.actions.append(
                    f"add tab “{source.tab}”: header, drop-downs, link rule, "
                    "input messages, frozen header, widths, status column"
                )
                continue
            parsed = parse_tab(source, tab_data, self.config.form)
            tab = book.tab(source.tab)
            if parsed.header_row is None or tab is None or tab.part is None:
                outcome.actions.append(
                    f"“{source.tab}” has no header row the bot can read: left "
                    "as it is (softpower-bot doctor says what to change)"
                )
                continue
            cols = columns(self.config, source)
            at = {c.key: parsed.columns[c.key] for c in cols if c.key in parsed.columns}
            if tab_data.bot_column:
                at[STATUS] = tab_data.bot_column
            wanted = [(at[c.key], c) for c in cols if c.key in at]
            patched, added = add_validations(pkg.read(tab.part), wanted, parsed.header_row + 1)
            if patched is not None:
                changes[tab.part] = patched
                outcome.actions.append(
                    f"add drop-downs, the link rule and input messages to {added} columns of "
                    f"“{source.tab}” (no value changes)"
                )
            if tab_data.bot_column is None:
                outcome.actions.append(
                    f"“{source.tab}” has no status column yet: run sync, "
                    "then provision again to guard it"
                )
        if changes:
            outcome.actions.append(
                "header comments are not added to an existing workbook (they need parts the "
                "sheet may already use); each column's input message shows the same help"
            )
        new_styles = styles.changes()
        if new_styles is not None and changes:
            if book.styles is None:
                book.styles = posixpath.join(posixpath.dirname(book.part), "styles.xml")
                book.add_rel(STYLES_TYPE, book.styles, STYLES_CT)
            elif pkg.find(book.styles) is None:
                book.register(book.styles, STYLES_CT)
            changes[book.styles] = new_styles
        changes.update(book.changes())
        if not changes or dry_run:
            return
        self._write(path, pkg.rewrite(changes), version, outcome)

    def _write(
        self, path: Path, data: bytes, version: xlsx_file.Version | None, outcome: Outcome
    ) -> None:
        spreadsheet = outcome.sheet
        why = self.backend.busy(spreadsheet) or self.backend.lock_problem()
        if why:
            raise SheetError(why)
        real = xlsx_file.target(path)
        try:
            reason = xlsx_file.replace(real, data, version, lambda: self.backend.busy(spreadsheet))
        except OSError as exc:
            raise SheetError(f"{path}: cannot write the workbook ({exc.strerror or exc})") from None
        if isinstance(reason, str):
            raise SheetError(f"{path.name}: {reason}; nothing was written, run provision again")
        outcome.writes += 1
