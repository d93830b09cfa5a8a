"""The doctor's findings about district tabs: each tab-level problem `sync` would flag, a
"did you mean" for a tab that is missing (the backend lists the spreadsheet's tabs), and one
`form.headers` snippet for the header rows that changed (`bot.suggest` does the guessing).
"""

from __future__ import annotations

from bot.config import Config, SourceTab
from bot.errors import BotError, ServiceError
from bot.finding import Finding
from bot.form import parse_tab
from bot.sheets import Backend, SheetRead
from bot.suggest import header_guesses, headers_yaml, match_tabs, tab_pattern

# How many tabs a suggestion names as examples.
_EXAMPLES = 5


def tab_findings(
    config: Config,
    backend: Backend,
    where: str,
    read: SheetRead,
    by_tab: dict[tuple[str, str], SourceTab],
) -> list[Finding]:
    """What `sync` would flag in this spreadsheet's district tabs, with the likely tab for
    each one that is missing."""
    sheet = read.spreadsheet
    parsed = {tab: parse_tab(by_tab[(sheet, tab)], data, config.form)
              for tab, data in read.tabs.items()}  # fmt: skip
    missing = [by_tab[(sheet, tab)] for tab, p in parsed.items() if not p.present]
    hints: dict[str, str] = {}
    pattern = None
    if missing:
        taken = set(read.tabs) | set(read.bot_tabs)
        hints = match_tabs(missing, [t for t in _tab_names(backend, sheet) if t not in taken])
        pattern = tab_pattern([(s, hints[s.tab]) for s in missing if s.tab in hints])
    out = []
    for tab, result in parsed.items():
        subject = f"{where} › {tab}"
        for problem in result.problems:
            if problem.code == "MISSING_TAB" and tab in hints:
                out.append(_renamed(subject, tab, hints[tab], pattern, len(hints)))
                continue
            english = f"{problem.code}: sync will flag this tab"
            if problem.code in ("MISSING_COLUMN", "NO_HEADER"):
                english += "; see form.headers below for a mapping of the header row it has"
            out.append(Finding("warning", subject, problem.message, english))
    return out


def _renamed(subject: str, tab: str, found: str, pattern: str | None, count: int) -> Finding:
    thai = (f"ไม่พบแท็บ “{tab}” แต่พบแท็บ “{found}” ซึ่งน่าจะเป็นแท็บเดียวกัน "
            f"กรุณาเปลี่ยนชื่อแท็บ “{found}” เป็น “{tab}”")  # fmt: skip
    english = f"MISSING_TAB: no tab {tab!r}; did you mean {found!r}? Rename it to {tab!r}"
    if pattern:
        thai += f' หรือแก้ไขไฟล์ตั้งค่าเป็น tabs.district: "{pattern}" หากทุกแท็บตั้งชื่อแบบนี้'
        english += (f", or, as all {count} such tabs in this spreadsheet are named like it, set "
                    f'tabs.district: "{pattern}" in the config')  # fmt: skip
    return Finding("warning", subject, thai, english)


def _tab_names(backend: Backend, sheet: str) -> list[str]:
    """The spreadsheet's tabs, or none when the backend cannot list them."""
    lister = getattr(backend, "tab_names", None)
    if lister is None:
        return []
    try:
        names: list[str] = lister(sheet)
    except ServiceError:
        raise
    except BotError:
        return []
    return names


def header_findings(
    config: Config,
    reads: dict[str, SheetRead],
    by_tab: dict[tuple[str, str], SourceTab],
) -> list[Finding]:
    """One finding with the `form.headers` snippet that would read every changed header
    row, naming a few tabs as examples; none when every header row reads as configured."""
    new: dict[str, list[str]] = {}
    examples: list[str] = []
    tabs = 0
    for sheet, read in reads.items():
        for tab, data in read.tabs.items():
            if data.grid is None or (sheet, tab) not in by_tab:
                continue
            guesses = header_guesses(data.grid, config.form)
            if not guesses:
                continue
            tabs += 1
            for guess in guesses:
                names = new.setdefault(guess.field, [])
                if guess.text not in names:
                    names.append(guess.text)
                if len(examples) < _EXAMPLES:
                    examples.append(f"{tab} {guess.text!r} → {guess.field}")
    if not new:
        return []
    snippet = headers_yaml(config.form, new)
    more = f" (and {tabs - _EXAMPLES} more tabs)" if tabs > _EXAMPLES else ""
    return [Finding(
        "warning", "form.headers",
        f"หัวคอลัมน์ใน {tabs} แท็บต่างจากที่กำหนดไว้ในแบบรายงาน บอทจึงอ่านคอลัมน์เหล่านั้นไม่ได้ "
        "กรุณาคัดลอกข้อความด้านล่างไปรวมไว้ใต้ form: ในไฟล์ตั้งค่า (ชื่อหัวคอลัมน์เดิมยังใช้ได้)",
        f"the header row of {tabs} tabs uses other texts than the form's ({'; '.join(examples)}"
        f"{more}); to read them, merge this under form: in the config (the names already "
        f"configured still match):\n{snippet}",
    )]  # fmt: skip
