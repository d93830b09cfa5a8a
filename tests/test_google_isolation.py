"""One broken province never stops the others (Google backend, against the fake).

Two provinces and the national spreadsheet. One province is shared only as Viewer, has its
status column protected, has a tab renamed while the bot works, has the API switched off
for its read, or keeps failing until the retries run out. Every time: that province is
skipped with the exact reason in Thai and English, the other province and the national
tabs are written, and the broken province's rows are still in the national tab.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.backends.google import GoogleBackend
from bot.config import Config
from bot.config_load import parse_config
from bot.cycle import CycleReport, sync_cycle
from bot.read_cache import ReadCache
from fake_sheets import FakeSheets
from tests.factories import HEADERS, TODAY, row
from tests.workbooks import default_tabs

STATUS = len(HEADERS) + 1
IDENTITY = HEADERS.index("ชื่ออัตลักษณ์ท้องถิ่น") + 1
WHO = "softpower-bot@thai-dla.iam.gserviceaccount.com"


class Country:
    """Chaiyaphum and Khon Kaen (two districts each) and the national spreadsheet."""

    def __init__(self, fake: FakeSheets, folder: Path) -> None:
        self.fake = fake
        khon_kaen = {
            "อำเภอพล": [HEADERS, row(province="ขอนแก่น", district="พล", identity="ผ้าไหมพล",
                                    hashtags="#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัดขอนแก่น #อำเภอพล")],
            "อำเภอชุมแพ": [HEADERS],
        }  # fmt: skip
        self.chaiyaphum = fake.add_spreadsheet("ชัยภูมิ", tabs=default_tabs(), value_input="RAW")
        self.khon_kaen = fake.add_spreadsheet("ขอนแก่น", tabs=khon_kaen, value_input="RAW")
        self.national = fake.add_spreadsheet("national", tabs={"คำอธิบาย": [["ประเทศ"]]})
        fake.set_quota(10_000, 10_000, project_per_minute=10_000)
        self.config: Config = parse_config(
            "backend: google\ngoogle: {max_retries: 2, timeout_s: 5}\n"
            f"national: {{key: {self.national}}}\nprovinces:\n"
            f"  - {{province: ชัยภูมิ, key: {self.chaiyaphum}, "
            "districts: [ภูเขียว, บ้านเขว้า, คอนสาร]}\n"
            f"  - {{province: ขอนแก่น, key: {self.khon_kaen}, districts: [พล, ชุมแพ]}}\n"
        )
        self.cache = ReadCache(folder / "reads")
        account = type("Account", (), {"service_account_email": WHO})()
        self.backend = GoogleBackend(
            self.config, credentials=account, session=fake.session(), sleep=lambda s: None
        )

    def sync(self) -> CycleReport:
        with self.backend:
            return sync_cycle(self.config, self.backend, TODAY, cache=self.cache)

    def national_tab(self) -> list[list[Any]]:
        return self.fake.tab_values(self.national, "รวมทั้งประเทศ")

    def issues(self) -> list[list[Any]]:
        return self.fake.tab_values(self.national, "รายการที่ต้องแก้ไข")


def _at_request(
    fake: FakeSheets, kind: str, nth: int, action: Callable[[FakeSheets], None]
) -> None:
    """Run ``action`` just before the ``nth`` request of ``kind`` from now."""
    seen = [0]

    def hook(f: FakeSheets) -> None:
        seen[0] += 1
        if seen[0] == nth:
            action(f)
        else:
            f.before_next(hook, kind=kind)

    fake.before_next(hook, kind=kind)


def viewer(c: Country) -> None:
    c.fake.set_role(c.chaiyaphum, "reader")


def protected(c: Country) -> None:
    column = chr(64 + STATUS)
    c.fake.protect(c.chaiyaphum, "อำเภอภูเขียว", f"{column}1:{column}20")


def renamed(c: Country) -> None:
    # Between the province's read and its write (the first batchUpdate of the cycle).
    rename = lambda f: f.rename_tab(c.chaiyaphum, "อำเภอภูเขียว", "ภูเขียว (เก่า)")  # noqa: E731
    _at_request(c.fake, "spreadsheets.batchUpdate", 1, rename)


def disabled(c: Country) -> None:
    # Someone switches the API off in the Cloud project just as the province is read, and
    # on again for the next request.
    def off(f: FakeSheets) -> None:
        f.disable_api()
        f.before_next(lambda g: g.enable_api())

    c.fake.before_next(off, kind="spreadsheets.get")


def retries_spent(c: Country) -> None:
    # The province's batchUpdate (the first write) fails on every try (max_retries: 2).
    c.fake.fail_next(503, count=3, kind="spreadsheets.batchUpdate")


CASES = {
    "viewer": (viewer, False, f"change {WHO} to Editor", "มีสิทธิ์เพียงผู้ดู (Viewer)"),
    "protected status range": (protected, False, f"add {WHO} to that protection's editors",
                               "ช่วงเซลล์ที่ถูกป้องกัน"),
    "renamed tab": (renamed, False, "the tab อำเภอภูเขียว of spreadsheet",
                    "ถูกเปลี่ยนชื่อหรือลบระหว่างที่บอทกำลังทำงาน"),
    "disabled API": (disabled, True, "Google Sheets API is not enabled in the bot's Google Cloud",
                     "ยังไม่ได้เปิดใช้งานในโปรเจกต์ Google Cloud"),
    "exhausted retries": (retries_spent, False, "did not answer a write request after 3 tries",
                          "Google ไม่ตอบสนองหลังจากลองใหม่หลายครั้ง"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_one_broken_province_never_stops_the_others(
    fake: FakeSheets, tmp_path: Path, case: str
) -> None:
    breaks, unread, english, thai = CASES[case]
    country = Country(fake, tmp_path)
    country.sync()  # a good cycle first: the rows are cached, the status columns exist
    # Both provinces change, so both need writing this cycle.
    fake.set_values(country.chaiyaphum, "อำเภอภูเขียว", f"{chr(64 + IDENTITY)}3", [["ข้าวหลาม"]])
    fake.set_values(country.khon_kaen, "อำเภอชุมแพ", "A2",
                    [row(province="ขอนแก่น", district="ชุมแพ", identity="ไก่ย่างชุมแพ",
                         hashtags="#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัดขอนแก่น #อำเภอชุมแพ")])  # fmt: skip
    before = [r for r in country.national_tab() if "ชัยภูมิ" in r]
    breaks(country)
    report = country.sync()

    [skipped] = report.skipped
    assert skipped.spreadsheet == country.chaiyaphum
    reason = skipped.skipped_reason or ""
    assert english in reason and thai in reason
    assert fake.pending == {"faults": 0, "hooks": 0}
    # Khon Kaen was written: its new row has its status, and is in the national tab.
    assert fake.tab_values(country.khon_kaen, "อำเภอชุมแพ")[1][STATUS - 1] == "ครบถ้วน"
    national = country.national_tab()
    assert any("ไก่ย่างชุมแพ" in r for r in national)
    # Chaiyaphum's rows are still there: as read this cycle when only its write failed,
    # else from the last good read, marked with its time.
    rows = [r for r in national if "ชัยภูมิ" in r]
    assert len(rows) == len(before) == 4
    if unread:
        assert all(any("ข้อมูล ณ" in str(v) for v in r) for r in rows)
    else:
        assert any("ข้าวหลาม" in r for r in rows)
    # The issues tab says which province is stale and why.
    stale = [r for r in country.issues() if "STALE_SPREADSHEET" in r]
    assert len(stale) == 1 and "จังหวัดชัยภูมิ" in str(stale[0]) and thai in str(stale[0])
    assert report.stale[country.chaiyaphum].unread is unread
