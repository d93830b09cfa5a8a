"""One thing `doctor` checked: how much it matters, about what, and the fix in Thai and
English. Plain data, shared by the doctor's checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# How much a finding matters: fine, worth knowing, or stopping a sync or the reminders.
Verdict = Literal["ok", "warning", "blocking"]


@dataclass(frozen=True)
class Finding:
    """One thing the doctor checked."""

    level: Verdict
    subject: str
    thai: str
    english: str

    def as_json(self) -> dict[str, str]:
        """The shape of `doctor --json`."""
        return {"level": self.level, "subject": self.subject, "thai": self.thai,
                "english": self.english}  # fmt: skip
