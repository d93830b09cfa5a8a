"""What Google's refusals mean for the admin, in Thai and English, with the fix.

Google answers 403 both for a spreadsheet not shared with the bot and for one shared only
as Viewer (and for an API switched off in the Cloud project, with reason
SERVICE_DISABLED); it answers 400 with its own sentence for a protected range. These are
told apart here so the admin reads exactly what to do. Every message is "Thai (English)";
the cycle puts it into the spreadsheet's STALE_SPREADSHEET problem and the sync output.
"""

from __future__ import annotations

import re
from typing import Any

from gspread.exceptions import APIError

from bot.errors import SheetChanged, SheetError

PROTECTED = "protected cell or object"


def _error(exc: APIError) -> dict[str, Any]:
    try:
        body = exc.response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def reason_of(exc: APIError) -> str:
    """Google's machine-readable reason (SERVICE_DISABLED, RATE_LIMIT_EXCEEDED...), if any."""
    for detail in _error(exc).get("details", []) or []:
        if isinstance(detail, dict) and detail.get("reason"):
            return str(detail["reason"])
    return ""


def message_of(exc: APIError) -> str:
    """Google's message, one line."""
    return " ".join(str(_error(exc).get("message") or exc).split())


def disabled_api(exc: APIError) -> SheetError:
    """The API is not enabled in the bot's Cloud project."""
    service = "Google Sheets API"
    for detail in _error(exc).get("details", []) or []:
        if isinstance(detail, dict) and detail.get("reason") == "SERVICE_DISABLED":
            service = detail.get("metadata", {}).get("serviceTitle") or service
    url = re.search(r"https://console\.developers\.google\.com/\S+?(?= then|\s|$)",
                    message_of(exc))  # fmt: skip
    where = url.group(0) if url else "https://console.cloud.google.com/apis/library"
    return SheetError(
        f"{service} ยังไม่ได้เปิดใช้งานในโปรเจกต์ Google Cloud ของบอท กรุณาเปิดใช้งานที่ {where} "
        f"แล้วรอสักครู่ ({service} is not enabled in the bot's Google Cloud project; enable it "
        f"at {where} and wait a few minutes)"
    )


def explain(spreadsheet: str, exc: APIError, who: str, *, writing: bool) -> SheetError:
    """Turn Google's refusal of a request about one spreadsheet into the admin's fix.

    ``writing``: the request was a write, so a 403 means the bot may read but not edit.
    """
    code = exc.response.status_code
    message = message_of(exc)
    if code == 403 and reason_of(exc) == "SERVICE_DISABLED":
        return disabled_api(exc)
    if code == 404:
        return SheetError(
            f"ไม่พบสเปรดชีต {spreadsheet} กรุณาตรวจสอบ key หรือ url ในไฟล์ตั้งค่า "
            f"(spreadsheet {spreadsheet} not found; check its key or url in the config)"
        )
    if code == 403 and writing:
        return SheetError(
            f"บอทเปิดอ่านสเปรดชีตนี้ได้ แต่มีสิทธิ์เพียงผู้ดู (Viewer) จึงบันทึกไม่ได้ กรุณาเปลี่ยนสิทธิ์ของ {who} "
            f"เป็นผู้แก้ไข (Editor) (spreadsheet {spreadsheet} is shared with the bot only as "
            f"Viewer; change {who} to Editor in Share)"
        )
    if code == 403:
        return SheetError(
            f"สเปรดชีตนี้ยังไม่ได้แชร์ให้บัญชีของบอท กรุณาแชร์ให้ {who} ในสิทธิ์ผู้แก้ไข (Editor) "
            f"(spreadsheet {spreadsheet} is not shared with the bot; share it with {who} as "
            "Editor)"
        )
    if PROTECTED in message:
        return protected(spreadsheet, who)
    if code == 400 and "parse range" in message:
        tab = message.split("parse range:", 1)[-1].strip().split("!")[0].strip("'")
        return renamed(spreadsheet, tab)
    return SheetError(
        f"Google ปฏิเสธคำขอ ({code}) (spreadsheet {spreadsheet}: Google answered {code}: {message})"
    )


def protected(spreadsheet: str, who: str, tab: str | None = None) -> SheetError:
    """A range protected against the bot covers cells it writes."""
    where = f" ในแท็บ “{tab}”" if tab else ""
    in_tab = f" in tab {tab}" if tab else ""
    return SheetError(
        f"มีช่วงเซลล์ที่ถูกป้องกัน (Protected range){where} ครอบคลุมเซลล์ที่บอทต้องเขียน "
        "(คอลัมน์ผลตรวจสอบหรือสีไฮไลต์) "
        f"กรุณาเพิ่ม {who} เป็นผู้แก้ไขของช่วงที่ป้องกันนั้น หรือยกเลิกการป้องกัน (a protected range"
        f"{in_tab} of spreadsheet {spreadsheet} covers cells the bot writes (its status column "
        f"or highlights); add {who} to that protection's editors or remove it)"
    )


def renamed(spreadsheet: str, tab: str) -> SheetError:
    """A tab the bot was about to write was renamed or deleted while it worked."""
    return SheetError(
        f"แท็บ “{tab}” ถูกเปลี่ยนชื่อหรือลบระหว่างที่บอทกำลังทำงาน ระบบจะอ่านใหม่ในรอบถัดไป "
        f"หากตั้งใจเปลี่ยนชื่อ กรุณาแก้ชื่อแท็บในไฟล์ตั้งค่าด้วย (the tab {tab} of spreadsheet "
        f"{spreadsheet} was renamed or deleted while the bot was working; it is read again "
        "next cycle; if the new name is meant to stay, change it in the config too)"
    )


def changed(spreadsheet: str, why: str) -> SheetChanged:
    """People moved rows or columns under the plan: re-read and retry."""
    return SheetChanged(
        "มีการแทรก ลบ ย้าย หรือเรียงแถวหรือคอลัมน์ระหว่างที่บอทกำลังทำงาน บอทจึงไม่เขียนส่วนที่อาจผิดตำแหน่ง "
        f"และจะอ่านใหม่ (rows or columns of spreadsheet {spreadsheet} moved while the bot was "
        f"working ({why}); nothing was written where it could land on the wrong cell)"
    )


class StaleRanges(Exception):
    """A range named a tab that no longer exists (Google's 400 "Unable to parse range")."""

    @property
    def tab(self) -> str:
        """The tab Google could not find (from its message)."""
        text = str(self).split("parse range:", 1)[-1].strip()
        return text.rsplit("!", 1)[0].strip("'").replace("''", "'") if "!" in text else (
            text.strip("'").replace("''", "'"))  # fmt: skip
