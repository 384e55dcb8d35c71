"""Intensities pinned by path glob in config (`[intensity]` in .ananke.toml) win over salience."""

from __future__ import annotations

from collections.abc import Mapping

from ananke_ci.core.globs import glob_match
from ananke_ci.core.intensity import Intensity


def apply_pins(
    intensities: Mapping[str, Intensity], pins: Mapping[str, str | Intensity]
) -> dict[str, Intensity]:
    """A copy of `intensities` with every path matching a pin's glob set to that intensity.

    Later pins win over earlier ones (config order), so a narrow glob listed after a broad
    one refines it. Raises ValueError for an unknown intensity name.
    """
    parsed = [(g, v if isinstance(v, Intensity) else Intensity.parse(v)) for g, v in pins.items()]
    out = dict(intensities)
    for path in out:
        for glob, level in parsed:
            if glob_match(path, glob):
                out[path] = level
    return out
