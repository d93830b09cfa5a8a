"""The doctor's checks that need no spreadsheet: the programme period, the bot's own files
(state, outbox, last reads) and the reminder channels.

A channel is checked as far as it can be without sending anything: every `${NAME}` it uses
is set, apprise understands the URL, and for e-mail the mail server answers (connect, EHLO,
and STARTTLS offered where the URL asks for it, then QUIT). A path is checked by what the
bot will do with it: the state file opened for writing, a file made and removed at once in
the folder that holds (or will hold) the outbox and the last reads.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from bot import thai
from bot.config import Config
from bot.config_load import state_path
from bot.finding import Finding
from bot.notify import OUTBOX_URL, env_names, mask, smtp_server, url_problem

SMTP_TIMEOUT_S = 10.0


def local_findings(
    config: Config, today: date, env: Mapping[str, str] | None = None
) -> list[Finding]:
    """The programme period, the bot's files and the channels, as of `today`."""
    return [*period_findings(config, today), *path_findings(config), *channel_findings(config, env)]


# -- the programme period ------------------------------------------------------------------


def _shifted(month: tuple[int, int], years: int = 1) -> str:
    return f"{month[0] + years + thai.BE_OFFSET}-{month[1]:02d}"


def period_findings(config: Config, today: date) -> list[Finding]:
    """Whether `today` is inside the programme's period, and what to change when it is not."""
    prog = config.programme
    start, end = date(*prog.start, 1), thai.month_end(prog.end)
    span = f"{thai.month_label(*prog.start)} – {thai.month_label(*prog.end)}"
    if today > end:
        years = today.year - end.year + (1 if (today.month, today.day) > (end.month, end.day)
                                         else 0)  # fmt: skip
        targets = ", ".join(
            f"{t.districts} by {t.by.year + years + thai.BE_OFFSET}-{t.by:%m-%d}"
            for t in prog.targets
        )
        new = f"start: {_shifted(prog.start, years)}, end: {_shifted(prog.end, years)}"
        return [Finding(
            "blocking", "programme",
            f"โครงการสิ้นสุดแล้วเมื่อวันที่ {thai.date_label(end)} (programme.end) "
            "ทุกแถวจะถูกแจ้งว่าอยู่นอกช่วงโครงการ "
            "ตัวชี้วัดเป็นผลสุดท้ายแล้ว และไม่มีการแจ้งเตือนกำหนดส่งอีก หากดำเนินโครงการต่อในปีงบประมาณใหม่ "
            f"กรุณาแก้ไข programme: ในไฟล์ตั้งค่า ได้แก่ start, end และ targets (เช่น {new})",
            f"the programme ended on {end.isoformat()} (programme.end): every report month is "
            "now out of period, the KPI is final and no deadline reminder goes out; for the "
            f"new round set programme.start, end and targets in the config (e.g. {new}; "
            f"targets {targets})",
        )]  # fmt: skip
    if today < start:
        return [Finding(
            "warning", "programme",
            f"โครงการยังไม่เริ่ม (เริ่มเดือน {thai.month_label(*prog.start)} ตาม programme.start) "
            "ระหว่างนี้ทุกแถวจะถูกแจ้งว่าอยู่นอกช่วงโครงการ หากไม่ถูกต้อง กรุณาตรวจสอบ programme.start ในไฟล์ตั้งค่า",
            f"the programme has not begun (programme.start: {start:%Y-%m}): until then every "
            "report month is out of period; if that is not meant, check programme.start",
        )]  # fmt: skip
    return [Finding("ok", "programme", f"อยู่ในช่วงโครงการ ({span})",
                    f"today is inside the programme period ({span})")]  # fmt: skip


# -- the bot's own files -------------------------------------------------------------------


def _outbox_used(config: Config) -> bool:
    rem = config.reminders
    lists = [rem.admins, config.line.fallback, *rem.provinces.values()]
    lists += [urls for by in rem.districts.values() for urls in by.values()]
    if any(url.strip().lower() == OUTBOX_URL for urls in lists for url in urls):
        return True
    # A recipient with no channel of its own writes to the outbox.
    return rem.enabled and (
        any(not rem.provinces.get(p.province) for p in config.provinces)
        or any(
            not rem.districts.get(p.province, {}).get(d.name)
            for p in config.provinces
            for d in p.registry_districts()
        )
    )


def path_findings(config: Config) -> list[Finding]:
    """Whether the bot may write its state file, outbox and last reads where the config
    puts them (relative paths inside `state_dir`, or beside the config file)."""
    checks: list[tuple[str, Path, bool, bool]] = [
        ("daemon.state", state_path(config, config.daemon.state), False, True),
        ("daemon.read_cache", state_path(config, config.daemon.read_cache), True, False),
    ]
    if _outbox_used(config):
        checks.insert(1, ("reminders.outbox", state_path(config, config.reminders.outbox),
                          True, True))  # fmt: skip
    out = []
    for setting, path, folder, blocks in checks:
        problem = writable_problem(path, folder=folder)
        if problem is None:
            out.append(Finding("ok", setting, f"บอทเขียน {path} ได้", f"the bot may write {path}"))
            continue
        what = {"daemon.state": "บันทึกการส่งแจ้งเตือนและการซิงก์",
                "reminders.outbox": "เขียนข้อความแจ้งเตือนลงโฟลเดอร์ outbox",
                "daemon.read_cache": "เก็บข้อมูลที่อ่านได้ครั้งล่าสุด"}[setting]  # fmt: skip
        out.append(Finding(
            "blocking" if blocks else "warning", setting,
            f"บอทไม่สามารถ{what}ที่ {path} ได้ ({problem}) กรุณาให้สิทธิ์เขียนแก่ผู้ใช้ที่รันบอท "
            "หรือกำหนด state_dir ในไฟล์ตั้งค่าเป็นโฟลเดอร์ที่เขียนได้ เช่น /var/lib/softpower-bot",
            f"the bot cannot write {path} ({problem}): give the user the bot runs as write "
            "access there, or set state_dir in the config to a folder it may write (e.g. "
            "/var/lib/softpower-bot), where relative state, outbox and read_cache paths go",
        ))  # fmt: skip
    return out


def writable_problem(path: Path, *, folder: bool) -> str | None:
    """Why the bot could not write `path` (a file, or with `folder` a folder it may have to
    create), or None when it could. A file is opened for appending and closed; in a folder a
    temporary file is made and removed: nothing else is written."""
    if path.exists():
        if folder and not path.is_dir():
            return f"{path} is a file, not a folder"
        if not folder and path.is_dir():
            return f"{path} is a folder, not a file"
        if not folder:
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
            except OSError as exc:
                return exc.strerror or str(exc)
            return None
    existing = path if path.exists() else path.parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    try:
        handle, name = tempfile.mkstemp(prefix=".softpower-bot-doctor-", dir=existing)
    except OSError as exc:
        return f"{existing}: {exc.strerror or exc}"
    os.close(handle)
    os.unlink(name)
    return None


# -- the reminder channels -----------------------------------------------------------------


def _channels(config: Config) -> dict[str, str]:
    """Every channel URL the reminders may use -> the first setting that names it."""
    rem = config.reminders
    found: dict[str, str] = {}
    for url in rem.admins:
        found.setdefault(url, "reminders.admins")
    for province, urls in rem.provinces.items():
        for url in urls:
            found.setdefault(url, f"reminders.provinces.{province}")
    for province, by in rem.districts.items():
        for district, urls in by.items():
            for url in urls:
                found.setdefault(url, f"reminders.districts.{province}.{district}")
    if any(url.strip().lower().startswith("line://") for url in found):
        for url in config.line.fallback:
            found.setdefault(url, "line.fallback")
    return {u: s for u, s in found.items() if u.strip() and u.strip().lower() != OUTBOX_URL}


def channel_findings(
    config: Config, env: Mapping[str, str] | None = None, *, probe: bool = True
) -> list[Finding]:
    """Each reminder channel: its variables set, its URL understood, and (with `probe`) its
    mail server up."""
    if not config.reminders.enabled:
        return []
    source = os.environ if env is None else env
    out = []
    probed: dict[tuple[str, int, str], str | None] = {}
    for url, setting in _channels(config).items():
        shown = mask(url)
        subject = f"{setting} ({shown})"
        unset = [name for name in env_names(url) if not source.get(name)]
        if unset:
            names = ", ".join(unset)
            out.append(Finding(
                "blocking", subject,
                f"ยังไม่ได้กำหนดตัวแปร {names} ที่ช่องทางนี้ใช้ การแจ้งเตือนทางช่องทางนี้จะส่งไม่ได้ "
                "กรุณากำหนดค่าในไฟล์ตัวแปรของบริการ (/etc/softpower-bot/softpower-bot.env) "
                "หรือ export ก่อนรันคำสั่ง",
                f"the environment variable(s) {names} this channel uses are not set, so every "
                "reminder through it would fail: set them in the service's environment file "
                "(/etc/softpower-bot/softpower-bot.env) or export them before running",
            ))  # fmt: skip
            continue
        problem = url_problem(url, source)
        if problem is not None:
            out.append(Finding("blocking", subject, "บอทไม่เข้าใจ URL ของช่องทางนี้ กรุณาแก้ไขในไฟล์ตั้งค่า",
                               problem))  # fmt: skip
            continue
        server = smtp_server(url, source) if probe else None
        if server is None:
            english = "the channel's URL is understood and its variables are set"
            out.append(Finding("ok", subject, "ช่องทางนี้ใช้ได้", english))
            continue
        if server not in probed:
            probed[server] = smtp_problem(*server)
        host, port, _ = server
        reason = probed[server]
        if reason is None:
            english = f"the mail server {host}:{port} answers (nothing was sent)"
            out.append(Finding("ok", subject, f"เซิร์ฟเวอร์อีเมล {host}:{port} ตอบรับ", english))
        else:
            out.append(Finding(
                "blocking", subject,
                f"เชื่อมต่อเซิร์ฟเวอร์อีเมล {host}:{port} ไม่ได้ ({reason}) การแจ้งเตือนทางอีเมลจะส่งไม่ได้ "
                "กรุณาตรวจสอบชื่อเครื่องและพอร์ตใน URL ไฟร์วอลล์ และเซิร์ฟเวอร์อีเมล",
                f"cannot reach the mail server {host}:{port} ({reason}): e-mail reminders "
                "would fail; check the host and port in the URL, the firewall, and that the "
                "server runs",
            ))  # fmt: skip
    return out


def smtp_problem(host: str, port: int, mode: str, timeout: float = SMTP_TIMEOUT_S) -> str | None:
    """Why the mail server cannot be used (connect, EHLO, STARTTLS offered for "starttls"),
    or None; it is told QUIT, and no message and no password is sent."""
    try:
        if mode == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        try:
            code, _ = client.ehlo()
            if code != 250:
                return f"it answered EHLO with {code}"
            if mode == "starttls" and not client.has_extn("starttls"):
                return "it does not offer STARTTLS, which mailtos:// needs"
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
    except socket.gaierror as exc:
        return f"unknown host: {exc.strerror or exc}"
    except TimeoutError:
        return f"no answer within {timeout:.0f} s"
    except ssl.SSLError as exc:
        return f"TLS failed: {exc.reason or exc}"
    except smtplib.SMTPException as exc:
        return f"SMTP error: {exc}"
    except OSError as exc:
        return exc.strerror or str(exc)
    return None
