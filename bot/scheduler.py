"""`softpower-bot run`: the daemon. Syncs on an interval, reminds at the send time, freezes
each month's national tab at the end of the province deadline day and the summary and
register at each fiscal quarter's end, and never dies of a job that fails.

`schedule` deliberately lets job errors through, so every job here is wrapped: a failure is
logged and the job runs again on the next tick. Whether reminders are due is decided from
the local clock and the state file, not from `schedule`'s own timing, so a daemon restarted
at 11:00 still sends what was due at 09:00 today and was not yet sent, and nothing twice.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import schedule

from bot import deadlines
from bot.config import Config
from bot.cycle import CycleReport, LastReport, Record, record_tab, sync_cycle
from bot.dispatch import SendReport, reminders_due, send_due
from bot.errors import BotError
from bot.notify import Sender, expand_env, mask, outbox_tag
from bot.quarters import overlaps, quarter_of, snapshot_names
from bot.read_cache import cache_for
from bot.reminders import any_reminder_on, rules_of
from bot.rounds import config_on
from bot.sheets import Backend
from bot.state import State, StateError

log = logging.getLogger(__name__)

# The monthly record is frozen this late on the province deadline day.
RECORD_TIME = time(23, 45)
# A quarter's snapshot missed on its last day (the daemon was down) is made this long after.
QUARTER_CATCH_UP = timedelta(days=7)
TOLD_FAILING = "admins_told_failing"
# Spreadsheets the last cycles skipped: {spreadsheet: {"count": n, "told": bool}}.
SKIPPED = "skipped_spreadsheets"


class Daemon:
    """The jobs of `softpower-bot run`, each safe to call at any time."""

    def __init__(
        self,
        config: Config,
        *,
        open_backend: Callable[[Config], Backend],
        sender: Sender,
        state: State,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.config = config
        self.open_backend = open_backend
        self._backend: Backend | None = None
        self.sender = sender
        self.state = state
        tz = ZoneInfo(config.timezone)
        self.now = now or (lambda: datetime.now(tz))
        # The last cycle's report, for the next one to stand on when nothing changed.
        self.last_report = LastReport()
        self.cache = cache_for(config)
        self.stop = threading.Event()
        self.scheduler = schedule.Scheduler()
        self._told_state_lost = False

    def backend(self) -> Backend:
        """One backend for the daemon's life, so what it caches (Google tab metadata)
        carries over between cycles; each job still enters it (the xlsx folder lock)."""
        if self._backend is None:
            self._backend = self.open_backend(self.config)
        return self._backend

    def today(self) -> date:
        """Today in the config's time zone."""
        return self.now().date()

    def state_ok(self) -> bool:
        """Whether the state file is still the one the daemon opened; if it was deleted,
        replaced or cut short, tell the admins (once) and do nothing: sending on would
        send every reminder of the day again."""
        try:
            self.state.verify()
        except StateError as exc:
            log.error("%s", exc)
            if not self._told_state_lost:
                self._told_state_lost = True
                self._tell_admins(
                    "softpower-bot: ไฟล์สถานะของระบบหายหรือเสียหาย ระบบหยุดส่งการแจ้งเตือน",
                    "ไฟล์สถานะของระบบ (ซึ่งบันทึกว่าได้ส่งการแจ้งเตือนใดไปแล้ว) ถูกลบ ถูกแทนที่ "
                    "หรือถูกตัดให้สั้นลงระหว่างที่ระบบทำงานอยู่ ระบบจึงหยุดส่งการแจ้งเตือนและหยุดตรวจสอบรายงาน "
                    "เพื่อไม่ให้ส่งการแจ้งเตือนซ้ำทั้งหมด กรุณาผู้ดูแลระบบตรวจสอบและเริ่มระบบใหม่\n\n"
                    f"{exc}",
                )
            return False
        return True

    # -- jobs ------------------------------------------------------------------------------

    def sync_job(self, record: Record = None) -> CycleReport | None:
        """One sync cycle; counts failures and tells the admins once, and on recovery."""
        if not self.state_ok():
            return None
        try:
            with self.backend() as backend:
                report = sync_cycle(self.config, backend, self.today(), record, self.cache,
                                    previous=self.last_report)  # fmt: skip
        except Exception as exc:
            # Any failure (Google down, a bad workbook, a bug) is survived and retried.
            log.error("sync failed: %s", exc, exc_info=not isinstance(exc, BotError))
            failures = self.state.record_sync(False, None, str(exc))
            if failures >= self.config.daemon.failures_before_alert and not self.state.get_flag(
                TOLD_FAILING
            ):
                self._tell_admins(
                    "softpower-bot: การตรวจสอบรายงานขัดข้อง",
                    f"ระบบไม่สามารถตรวจสอบรายงานได้ติดต่อกัน {failures} ครั้ง\n"
                    f"สาเหตุล่าสุด: {exc}\n\nระบบจะพยายามต่อไปโดยอัตโนมัติ "
                    "และจะแจ้งอีกครั้งเมื่อกลับมาทำงานได้ตามปกติ",
                )
                self.state.set_flag(TOLD_FAILING, self.now().isoformat())
            return None
        self.state.record_sync(True, report.summary.as_json(), None)
        if self.state.get_flag(TOLD_FAILING):
            self._tell_admins(
                "softpower-bot: การตรวจสอบรายงานกลับมาทำงานตามปกติ",
                "ระบบกลับมาตรวจสอบรายงานได้ตามปกติแล้ว",
            )
            self.state.set_flag(TOLD_FAILING, None)
        self._watch_skipped(report, backend)
        self.last_report.report = report
        return report

    def _watch_skipped(self, report: CycleReport, backend: Backend) -> None:
        """Tell the admins once when a spreadsheet has been skipped for
        `failures_before_alert` cycles in a row, and once when it is written again."""
        before: dict[str, dict[str, object]] = json.loads(self.state.get_flag(SKIPPED) or "{}")
        now: dict[str, dict[str, object]] = {}
        failing, recovered = [], []
        for result in report.skipped:
            entry = before.get(result.spreadsheet, {"count": 0, "told": False})
            count = int(str(entry["count"])) + 1
            told = bool(entry["told"])
            if count >= self.config.daemon.failures_before_alert and not told:
                failing.append(f"- {backend.location(result.spreadsheet)}: {result.skipped_reason}")
                told = True
            now[result.spreadsheet] = {"count": count, "told": told}
        for sheet, entry in before.items():
            if sheet not in now and entry.get("told"):
                recovered.append(f"- {backend.location(sheet)}")
        if failing:
            self._tell_admins(
                "softpower-bot: มีสเปรดชีตที่ระบบอ่านหรือบันทึกไม่ได้",
                "สเปรดชีตต่อไปนี้ระบบอ่านหรือบันทึกไม่ได้ติดต่อกัน "
                f"{self.config.daemon.failures_before_alert} รอบขึ้นไป "
                "ระบบยังคงปรับปรุงสเปรดชีตอื่นและแท็บระดับประเทศตามปกติ "
                "โดยใช้ข้อมูลที่อ่านได้ครั้งล่าสุดของสเปรดชีตดังกล่าว\n"
                + "\n".join(failing)
                + "\n\nขอความกรุณาตรวจสอบและแก้ไขตามสาเหตุข้างต้น "
                "ระบบจะแจ้งอีกครั้งเมื่อกลับมาทำงานได้ตามปกติ",
            )
        if recovered:
            self._tell_admins(
                "softpower-bot: สเปรดชีตกลับมาทำงานตามปกติ",
                "ระบบกลับมาอ่านและบันทึกสเปรดชีตต่อไปนี้ได้ตามปกติแล้ว\n" + "\n".join(recovered),
            )
        self.state.set_flag(SKIPPED, json.dumps(now, ensure_ascii=False) if now else None)

    def remind_job(self) -> SendReport | None:
        """Send today's due reminders once the send time has passed (and retry failures)."""
        rem = self.config.reminders
        if not rem.enabled or not self.state_ok():
            return None
        hour, minute = (int(x) for x in rem.send_time.split(":"))
        now = self.now()
        if now.time() < time(hour, minute):
            return None
        today = now.date()
        # The round in force today: between rounds its calendar has nothing to send.
        if not any_reminder_on(config_on(self.config, today), today):
            return None
        # Read the sheets once a day for reminders, not on every tick: again only after a
        # failed send, and then no more often than the sync interval.
        flag = f"reminders:{today.isoformat()}"
        mark = self.state.get_flag(flag)
        if mark == "done" or (mark and now < datetime.fromisoformat(mark)):
            return None
        with self.backend() as backend:
            # Reminders speak of the sheets as they are now, not as of the last sync.
            messages = reminders_due(self.config, backend, today)
        # send_due logs one line per message and channel (its body only at DEBUG).
        result = send_due(self.config, messages, today, self.sender, self.state)
        if result.failed:
            retry = now + timedelta(minutes=self.config.daemon.sync_every_minutes)
            self.state.set_flag(flag, retry.isoformat())
        else:
            self.state.set_flag(flag, "done")
        return result

    def record_job(self) -> bool:
        """At the end of a province deadline day, freeze that month's national tab."""
        now = self.now()
        if now.time() < RECORD_TIME or not self.state_ok():
            return False
        config = config_on(self.config, now.date())
        deadline = deadlines.deadline_in_force("province", now.date(), rules_of(config))
        if deadline is None or deadline.due != now.date():
            return False
        month = f"{deadline.month[0]:04d}-{deadline.month[1]:02d}"
        if self.state.has_snapshot(month):
            return False
        name = record_tab(self.config, deadline.month)
        if self.sync_job(record=name) is None:
            return False
        self.state.record_snapshot(month, self.config.national.sheet, name)
        return True

    def quarter_job(self) -> bool:
        """At the end of a fiscal quarter's last day, freeze the summary and register tabs
        as that quarter's snapshot (within the week after, if the daemon was down then: the
        copy's own date line says when it was made)."""
        now = self.now()
        if not self.state_ok():
            return False
        today = now.date()
        quarter = quarter_of(today)
        if today != quarter.end or now.time() < RECORD_TIME:
            quarter = quarter_of(date(*quarter.first_month, 1) - timedelta(days=1))
            if today - quarter.end > QUARTER_CATCH_UP:
                return False
        config = config_on(self.config, today)
        if not overlaps(config, quarter) or self.state.has_snapshot(quarter.key):
            return False
        names = snapshot_names(config, quarter)
        report = self.sync_job(record=names)
        national = config.national.sheet
        if (
            report is None
            or national in report.stale
            or national in [a.spreadsheet for a in report.skipped]
        ):
            return False  # not written: tried again on the next tick
        self.state.record_snapshot(quarter.key, config.national.sheet, names[config.tabs.summary])
        return True

    def _tell_admins(self, title: str, text: str) -> None:
        for url in self.config.reminders.admins:
            try:
                tag = outbox_tag(self.now().date(), "admin", "softpower-bot")
                delivery = self.sender.send(expand_env(url), title, text, tag=tag)
            except BotError as exc:
                log.error("could not tell the admins via %s: %s", mask(url), exc)
                continue
            if not delivery.ok:
                log.error("could not tell the admins via %s: %s", mask(url), delivery.error)
            else:
                log.info("told the admins via %s: %s", delivery.url, title)
                log.debug("%s", text)

    # -- loop ------------------------------------------------------------------------------

    def _guard(self, job: Callable[[], object], name: str) -> Callable[[], None]:
        def run() -> None:
            if self.stop.is_set():
                return
            try:
                job()
            except Exception:
                log.exception("%s failed; it runs again on the next tick", name)

        return run

    def run(self, tick_s: float = 20.0) -> None:
        """Run until `stop` is set (SIGTERM/SIGINT); the job in hand always finishes."""
        every = self.config.daemon.sync_every_minutes
        self.scheduler.every(every).minutes.do(self._guard(self.sync_job, "sync"))
        self.scheduler.every(1).minutes.do(self._guard(self.remind_job, "reminders"))
        self.scheduler.every(1).minutes.do(self._guard(self.record_job, "monthly record"))
        self.scheduler.every(1).minutes.do(self._guard(self.quarter_job, "quarter snapshot"))
        log.info("softpower-bot running: sync every %d min, reminders at %s %s",
                 every, self.config.reminders.send_time, self.config.timezone)  # fmt: skip
        # Catch up at once: a restarted daemon syncs, then sends what is due and unsent.
        for name, job in (("sync", self.sync_job), ("reminders", self.remind_job),
                          ("monthly record", self.record_job),
                          ("quarter snapshot", self.quarter_job)):  # fmt: skip
            self._guard(job, name)()
        while not self.stop.is_set():
            self.scheduler.run_pending()
            idle = self.scheduler.idle_seconds
            self.stop.wait(min(tick_s, max(idle if idle is not None else tick_s, 0.5)))
        log.info("softpower-bot stopped")
