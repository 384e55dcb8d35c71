"""How strictly a file is guarded: the intensity lattice of the design."""

from __future__ import annotations

from enum import IntEnum


class Intensity(IntEnum):
    NONE = 0
    SYNTAX_ONLY = 1  # syntax errors only
    STANDARD = 2  # syntax + types
    FULL_HARD = 3  # all hard domains
    FULL = 4  # all five domains
    EXHAUSTIVE = 5  # plus verification hooks

    @classmethod
    def parse(cls, text: str) -> Intensity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(m.name.lower() for m in cls)
            raise ValueError(f"unknown intensity {text!r} (expected one of: {names})") from None


# Without history (no salience cache yet) every file gets the full check set.
DEFAULT_INTENSITY = Intensity.FULL
