"""Test controls: an injectable clock, per-minute quotas, fault injection, edit hooks.

All of these are plain objects the server consults (under its lock) before answering a
request; none of them knows about HTTP.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import ApiError, quota_exceeded

Clock = Callable[[], float]

QUOTA_WINDOW_SECONDS = 60.0


class FakeClock:
    """A clock tests move by hand, so a quota minute passes without waiting a minute."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        """The current time in seconds."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


class Quota:
    """Sheets' per-minute quotas for read and write requests: per user (default 60 each)
    and per project, all users together (default 300 each).

    Modelled as a sliding 60-second window over accepted requests (Google refills its
    buckets per minute; a sliding window is at least as strict, and deterministic).
    A request refused with 429 does not use up quota; Drive calls are not counted. Other
    clients of the same project (an admin's script, a second tool) are modelled by the
    requests they make through another session, or by `spend`.
    """

    def __init__(
        self,
        clock: Clock,
        read_per_minute: int = 60,
        write_per_minute: int = 60,
        project_read_per_minute: int = 300,
        project_write_per_minute: int = 300,
    ) -> None:
        self.clock = clock
        self.limits = {"read": read_per_minute, "write": write_per_minute}
        self.project_limits = {"read": project_read_per_minute, "write": project_write_per_minute}
        self._seen: dict[tuple[str, str], collections.deque[float]] = {}
        self._project: dict[str, collections.deque[float]] = {
            "read": collections.deque(),
            "write": collections.deque(),
        }

    def set_limits(
        self,
        read_per_minute: int | None = None,
        write_per_minute: int | None = None,
        *,
        project_read_per_minute: int | None = None,
        project_write_per_minute: int | None = None,
    ) -> None:
        """Change the limits (None keeps a limit as it is)."""
        for limits, key, value in (
            (self.limits, "read", read_per_minute),
            (self.limits, "write", write_per_minute),
            (self.project_limits, "read", project_read_per_minute),
            (self.project_limits, "write", project_write_per_minute),
        ):
            if value is not None:
                limits[key] = value

    def reset(self) -> None:
        """Forget past requests (a fresh minute)."""
        self._seen.clear()
        for seen in self._project.values():
            seen.clear()

    def _window(self, seen: collections.deque[float]) -> collections.deque[float]:
        horizon = self.clock() - QUOTA_WINDOW_SECONDS
        while seen and seen[0] <= horizon:
            seen.popleft()
        return seen

    def used(self, bucket: str, user: str | None = None) -> int:
        """Requests accepted in the current window: one user's, or the whole project's."""
        if user is None:
            return len(self._window(self._project[bucket]))
        return len(self._window(self._seen.setdefault((bucket, user), collections.deque())))

    def take(self, bucket: str, user: str = "") -> None:
        """Use one request of quota or raise the 429 Google would send."""
        mine = self._window(self._seen.setdefault((bucket, user), collections.deque()))
        project = self._window(self._project[bucket])
        write = bucket == "write"
        if len(mine) >= self.limits[bucket]:
            raise quota_exceeded(write, self.limits[bucket])
        if len(project) >= self.project_limits[bucket]:
            raise quota_exceeded(write, self.project_limits[bucket], per_project=True)
        now = self.clock()
        mine.append(now)
        project.append(now)

    def spend(self, bucket: str, count: int, user: str) -> int:
        """Another client's requests, as far as its quotas allow; returns how many fit."""
        spent = 0
        for _ in range(count):
            try:
                self.take(bucket, user)
            except ApiError:
                break
            spent += 1
        return spent


@dataclass
class Fault:
    """One armed fault: answer ``status`` / wait ``delay`` then handle ("slow") / handle
    at once and answer after ``delay`` ("late": applied, answered too late) / drop the
    connection.

        ``kind`` limits it to requests of that kind (e.g. ``"values.batchGet"``); ``remaining``
        counts how many more requests it hits.
    """

    action: str  # "status" | "slow" | "late" | "drop"
    remaining: int = 1
    kind: str | None = None
    status: int = 500
    retry_after: float | None = None
    delay: float = 0.0

    def error(self, write: bool = False) -> ApiError:
        """The error answer of a "status" fault, in Google's shape (a 429 is the quota
        answer for the request's read/write bucket)."""
        if self.status == 429:
            return quota_exceeded(write, 60, self.retry_after)
        headers = {"Retry-After": f"{self.retry_after:g}"} if self.retry_after is not None else None
        return ApiError(self.status, headers=headers)


class Faults:
    """Faults armed by tests, consumed first-armed-first by matching requests."""

    def __init__(self) -> None:
        self._armed: list[Fault] = []

    def arm(self, fault: Fault) -> None:
        """Arm a fault."""
        if fault.remaining < 1:
            raise ValueError("a fault must hit at least one request")
        self._armed.append(fault)

    def clear(self) -> None:
        """Disarm everything."""
        self._armed.clear()

    def pending(self) -> int:
        """How many requests armed faults will still hit."""
        return sum(f.remaining for f in self._armed)

    def take(self, kind: str) -> Fault | None:
        """The fault this request hits, if any (and count it down)."""
        for fault in self._armed:
            if fault.kind is None or fault.kind == kind:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._armed.remove(fault)
                return fault
        return None


@dataclass
class Hook:
    """A callable to run once before the next request (of ``kind``, if given)."""

    action: Callable[[Any], None]
    kind: str | None = None


class Hooks:
    """ "A person's edit" between two requests: run before the request it is armed for."""

    def __init__(self) -> None:
        self._armed: list[Hook] = []

    def arm(self, hook: Hook) -> None:
        """Arm a hook."""
        self._armed.append(hook)

    def clear(self) -> None:
        """Disarm everything."""
        self._armed.clear()

    def pending(self) -> int:
        """Hooks still waiting for their request."""
        return len(self._armed)

    def due(self, kind: str) -> list[Hook]:
        """The hooks to run before this request (removed from the armed list)."""
        now = [h for h in self._armed if h.kind is None or h.kind == kind]
        self._armed = [h for h in self._armed if all(h is not n for n in now)]
        return now


def monotonic() -> float:
    """The default clock."""
    return time.monotonic()
