"""`softpower-bot doctor`: what stands between this config and a working sync, and the fix.

Each finding is one line, Thai then English, with what to do, about a spreadsheet named by
whose it is (its province, or the national one). A finding is `blocking` when a sync or the
reminders cannot work because of it (no credentials, a spreadsheet that cannot be opened or
written, another bot holding the lock, a channel's secret unset or its mail server out of
reach, a state file or outbox the bot may not write, a programme period that is over);
missing tabs or columns are reported but do not block: `sync` still runs and flags them,
and the doctor says which tab was probably meant (`bot.doctor_tabs`) and which
`form.headers` mapping would read a changed header row. The checks that need no
spreadsheet are in `bot.doctor_local`. The doctor writes no spreadsheet: a backend that can
tell whether the bot may edit one without writing (Google: Drive's `capabilities.canEdit`)
is asked. When Google cannot be reached at all (`ServiceError`), that one line is the
answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.config import Config, holders, source_tabs
from bot.config_load import local_today
from bot.cycle import bot_tabs_by_spreadsheet, evaluate
from bot.doctor_local import local_findings
from bot.doctor_tabs import header_findings, tab_findings
from bot.errors import BotError, ServiceError
from bot.finding import Finding, Verdict
from bot.rounds import between_rounds, config_on
from bot.sheets import Backend, BotTabState, SheetRead

__all__ = ["Finding", "Verdict", "blocks_sync", "diagnose", "whose"]


def diagnose(
    config: Config, open_backend: Callable[[Config], Backend], today: date | None = None
) -> list[Finding]:
    """Check the backend, every spreadsheet, tab, header row and bot tab of the config, and
    rehearse the sync's writes where the backend can (`today`: as of that day)."""
    findings: list[Finding] = []
    day = local_today(config, today)
    config = config_on(config, day)  # the round in force: its district tabs
    between = between_rounds(config, day)
    if between is not None:
        findings.append(Finding("warning", "rounds", between.thai(), between.english()))
    try:
        backend = open_backend(config)
        backend.__enter__()
    except BotError as exc:
        return [Finding("blocking", config.backend, "เชื่อมต่อแหล่งข้อมูลไม่ได้", str(exc)),
                *local_findings(config, local_today(config, today))]  # fmt: skip
    try:
        account = getattr(backend, "account", None)
        if account:
            findings.append(Finding("ok", "google", f"บัญชีของบอท: {account}",
                                    f"the bot signs in as {account}; share every "
                                    "spreadsheet with it as Editor"))  # fmt: skip
        wanted: dict[str, list[str]] = {}
        for src in source_tabs(config):
            wanted.setdefault(src.spreadsheet, []).append(src.tab)
        bot_tabs = bot_tabs_by_spreadsheet(config)
        by_tab = {(s.spreadsheet, s.tab): s for s in source_tabs(config)}
        reads: dict[str, SheetRead] = {}
        for sheet in dict.fromkeys([*wanted, *bot_tabs]):
            where = whose(config, sheet)
            try:
                read = backend.read(sheet, wanted.get(sheet, []), bot_tabs.get(sheet, []))
            except ServiceError:
                raise
            except BotError as exc:
                findings.append(Finding("blocking", where, "เปิดสเปรดชีตไม่ได้", str(exc)))
                continue
            reads[sheet] = read
            findings.append(Finding("ok", where, "เปิดสเปรดชีตได้", "opens"))
            findings += _edit_rights(backend, sheet, where)
            busy = backend.busy(sheet)
            if busy:
                findings.append(Finding("blocking", where, "ไฟล์เปิดใช้งานอยู่ บอทจะไม่เขียนทับ", busy))
            findings += tab_findings(config, backend, where, read, by_tab)
            for tab, state in read.bot_tabs.items():
                if state is BotTabState.FOREIGN:
                    findings.append(Finding(
                        "blocking", f"{where} › {tab}",
                        f"มีแท็บ “{tab}” ที่ผู้ใช้สร้างและมีข้อมูลอยู่แล้ว",
                        "a person's tab has the bot's tab name; rename it or change the "
                        "tab names under tabs: in the config",
                    ))  # fmt: skip
        findings += header_findings(config, reads, by_tab)
        findings += _rehearse(config, backend, reads, today)
    finally:
        backend.__exit__(None, None, None)
    return findings + local_findings(config, local_today(config, today))


def _rehearse(
    config: Config, backend: Backend, reads: dict[str, SheetRead], today: date | None
) -> list[Finding]:
    """What `sync` would do with what was read, short of writing: the same parsing, checks
    and plan, then the backend's dry run of each write (xlsx: the whole new workbook is
    built in memory), so whatever would stop a sync shows here."""
    rehearse = getattr(backend, "rehearse", None)
    if rehearse is None:
        return []
    sources = [s for s in source_tabs(config) if s.spreadsheet in reads]
    report = evaluate(config, sources, reads, local_today(config, today))
    out = []
    for plan in report.plans:
        reason = rehearse(plan, reads.get(plan.spreadsheet))
        if reason:
            out.append(Finding("blocking", backend.location(plan.spreadsheet),
                               "ซิงก์แล้วจะบันทึกสเปรดชีตนี้ไม่ได้", reason))  # fmt: skip
    return out


def whose(config: Config, sheet: str) -> str:
    """A spreadsheet as the admin knows it: its provinces or districts, or the national one."""
    names = holders(config, sheet)
    if sheet == config.national.sheet:
        names.append("ระดับประเทศ (national)")
    return " / ".join(names) or sheet


def _edit_rights(backend: Backend, sheet: str, where: str) -> list[Finding]:
    can_edit = getattr(backend, "can_edit", None)
    if can_edit is None:
        return []
    try:
        allowed = can_edit(sheet)
    except ServiceError:
        raise
    except BotError as exc:
        return [Finding("warning", where, "ตรวจสอบสิทธิ์การแก้ไขไม่ได้", str(exc))]
    account = getattr(backend, "account", None) or "the bot's account"
    if allowed is None:
        return [Finding(
            "warning", where,
            "ตรวจสอบสิทธิ์การแก้ไขไม่ได้ เนื่องจาก Google Drive API ยังไม่ได้เปิดใช้งาน "
            "บอทจึงต้องอ่านทุกสเปรดชีตในทุกรอบแทนที่จะอ่านเฉพาะสเปรดชีตที่มีการแก้ไข "
            "กรุณาเปิดใช้งาน Google Drive API ในโปรเจกต์ของบอท",
            "could not check edit rights: the Google Drive API is not enabled in the bot's "
            "Cloud project, so sync reads every spreadsheet every cycle instead of only those "
            "that changed; enable it (it also lets doctor check sharing)",
        )]  # fmt: skip
    if not allowed:
        return [Finding(
            "blocking", where,
            f"บอทมีสิทธิ์เพียงผู้ดู (Viewer) กรุณาเปลี่ยนสิทธิ์ของ {account} เป็นผู้แก้ไข (Editor)",
            f"shared with the bot only as Viewer: change {account} to Editor in Share",
        )]  # fmt: skip
    return [Finding("ok", where, "บอทมีสิทธิ์แก้ไข", "the bot may edit it")]


def blocks_sync(findings: list[Finding]) -> bool:
    """Whether any finding stops a sync."""
    return any(f.level == "blocking" for f in findings)
