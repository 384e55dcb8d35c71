"""A point in time work must end by: one per request (all its attempts) and one per `fix`
run, passed down so every wait is bounded by the sooner of the two."""

from __future__ import annotations

import time
from collections.abc import Callable

from ananke_ci.core.records import record

Clock = Callable[[], float]


@record(frozen=True, slots=True)
class Deadline:
    at: float  # on the `clock`'s scale (time.monotonic by default)
    label: str  # what set it, for messages: "the request timeout (300 s)"
    clock: Clock = time.monotonic

    @classmethod
    def after(cls, seconds: float, label: str, clock: Clock = time.monotonic) -> Deadline:
        return cls(clock() + seconds, label, clock)

    def remaining(self) -> float:
        """Seconds left, never below 0."""
        return max(0.0, self.at - self.clock())

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def sooner(self, other: Deadline | None) -> Deadline:
        """This deadline or `other`, whichever comes first."""
        return self if other is None or self.at <= other.at else other
