"""The programme and its rounds: the period, targets and deadlines of one fiscal year each.

A config gives either one `programme:` (one round, as before rounds existed) or a list of
`rounds:` (fiscal 2568, 2569, ...), each with its own period, targets, deadline days and,
optionally, its own district tab names and provinces' own days. Which round is in force on
a day, and what becomes of the rows of an earlier one, is `bot.rounds`. Pure.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from bot import thai
from bot.config_types import FlexDate, Month, SettingError, Strict, check_pattern, registry_province


class Target(Strict):
    """At least `districts` districts must have an identity by the date `by`."""

    districts: int = Field(gt=0)
    by: FlexDate


PROGRAMME_FIELDS = (
    "name",
    "start",
    "end",
    "targets",
    "district_deadline_day",
    "province_deadline_day",
    "deadline_covers",
)


class Programme(Strict):
    """The programme's period, targets and monthly deadlines."""

    name: str = "1 อำเภอ 1 อัตลักษณ์ท้องถิ่น (Soft Power)"
    start: Month = (2024, 11)
    end: Month = (2025, 9)
    targets: list[Target] = Field(
        default_factory=lambda: [
            Target(districts=439, by=date(2025, 3, 31)),
            Target(districts=878, by=date(2025, 9, 30)),
        ],
        min_length=1,
    )
    district_deadline_day: int = Field(default=20, ge=1, le=28)
    province_deadline_day: int = Field(default=25, ge=1, le=28)
    # Which month the report due on a deadline covers: "current" (due 20 Jan: January's
    # report, progress to date, as the letters' "every 20th until September 2568" reads)
    # or "previous" (due 20 Jan: December's, the month just ended). See the README.
    deadline_covers: Literal["current", "previous"] = "current"

    @model_validator(mode="after")
    def _ordered(self) -> Programme:
        if self.end < self.start:
            raise SettingError(("end",), "the programme ends before it starts: check start and end")
        if self.district_deadline_day > self.province_deadline_day:
            raise SettingError(
                ("district_deadline_day",),
                "must not be after province_deadline_day: districts "
                "report to their province before the province reports to DLA",
            )
        for i in range(1, len(self.targets)):
            if self.targets[i].by < self.targets[i - 1].by:
                raise SettingError(
                    ("targets", i, "by"), "targets must be listed in date order, earliest first"
                )
        return self

    def target_on(self, today: date) -> Target:
        """The target in force on `today`: the next one due, or the last once all are past."""
        for target in self.targets:
            if today <= target.by:
                return target
        return self.targets[-1]

    def in_period(self, month: tuple[int, int]) -> bool:
        """Whether a (year, month) falls inside the programme period."""
        return self.start <= month <= self.end

    def last_due_month(self) -> tuple[int, int]:
        """The month in which the last report of the period falls due: its last month, or
        the month after it when a deadline covers the month before (`previous`)."""
        year, month = self.end
        if self.deadline_covers == "previous":
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return (year, month)


class ProvinceDays(Strict):
    """A province's own deadline days in one round (None: as the province or round says)."""

    district_deadline_day: int | None = Field(default=None, ge=1, le=28)
    province_deadline_day: int | None = Field(default=None, ge=1, le=28)


# A fiscal year below this is taken as C.E. (2025) and turned into B.E. (2568).
_BE_FLOOR = 2400


class Round(Programme):
    """One round of the programme: a fiscal year's period, targets and deadline days.

    `fiscal_year` (B.E.) names the round (its archive tab, the register's history); by
    default it is the fiscal year of the round's last month. `district_tab` is this round's
    own pattern for the district tabs (default: `tabs.district`); `provinces` holds the
    provinces' own deadline days in this round when they differ.
    """

    fiscal_year: int | None = None
    district_tab: str | None = None
    provinces: dict[str, ProvinceDays] = Field(default_factory=dict)

    @field_validator("fiscal_year")
    @classmethod
    def _buddhist_year(cls, value: int | None) -> int | None:
        if value is None:
            return None
        year = value + thai.BE_OFFSET if value < _BE_FLOOR else value
        if not 2500 <= year <= 2700:
            raise ValueError(f"expected a fiscal year such as 2569 (B.E.), got {value!r}")
        return year

    @field_validator("district_tab")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is None:
            return None
        check_pattern(f"district_tab={value!r}", value, {"district", "province"})
        if "{district}" not in value:
            raise ValueError("the district tab name must contain {district}")
        return value

    @field_validator("provinces", mode="before")
    @classmethod
    def _registry_names(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {registry_province(str(name)).name: days for name, days in value.items()}

    @model_validator(mode="after")
    def _targets_inside(self) -> Round:
        first, last = date(*self.start, 1), thai.month_end(self.end)
        for i, target in enumerate(self.targets):
            if not first <= target.by <= last:
                raise SettingError(
                    ("targets", i, "by"),
                    f"{target.by.isoformat()} is outside the round "
                    f"({thai.date_label(first)} – {thai.date_label(last)}); a round's "
                    "targets fall due within its own period",
                )
        return self

    @property
    def label(self) -> str:
        """The round's name in tabs and messages: its B.E. fiscal year, e.g. "2569"."""
        return str(self.fiscal_year or thai.fiscal_year(thai.month_end(self.end)))

    def as_programme(self) -> Programme:
        """This round's programme settings alone (what the checks and calendars read)."""
        return Programme(**{k: getattr(self, k) for k in PROGRAMME_FIELDS})


def round_problems(rounds: list[Round], provinces: set[str]) -> None:
    """Refuse rounds out of order, overlapping, sharing a fiscal year, or naming a province
    that is not configured: a SettingError naming the round's setting."""
    for i, rnd in enumerate(rounds):
        if i and rnd.start <= rounds[i - 1].last_due_month():
            prev = rounds[i - 1]
            raise SettingError(
                ("rounds", i, "start"),
                f"round {rnd.label} starts in {thai.month_label(*rnd.start)}, but round "
                f"{prev.label} has reports due until {thai.month_label(*prev.last_due_month())}: "
                "list the rounds in order, each starting after the month of the previous "
                "round's last deadline",
            )
        if any(r.label == rnd.label for r in rounds[:i]):
            raise SettingError(
                ("rounds", i, "fiscal_year"),
                f"two rounds are both fiscal year {rnd.label}; give each round its own fiscal_year",
            )
        for name in rnd.provinces:
            if name not in provinces:
                raise SettingError(
                    ("rounds", i, "provinces", name),
                    f"{name} is not configured under provinces:; list it there first",
                )
