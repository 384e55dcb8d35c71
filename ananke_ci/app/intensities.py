"""Each file's intensity: the salience cache (when mined) with the config's pins on top."""

from __future__ import annotations

from pathlib import Path

from ananke_ci.core.config import Config
from ananke_ci.core.globs import first_match
from ananke_ci.core.intensity import DEFAULT_INTENSITY, Intensity


def intensities_for(root: Path, paths: list[str], config: Config) -> dict[str, Intensity]:
    """Intensity per path; reads only the cached salience result (hot path: no graph libs)."""
    mined = _mined(root)
    out = {}
    pins = list(config.intensity_pins)
    for path in paths:
        glob = first_match(path, pins)
        out[path] = (config.intensity_pins[glob] if glob is not None
                     else mined.get(path, DEFAULT_INTENSITY))
    return out


def _mined(root: Path) -> dict[str, Intensity]:
    # The salience issue fills this from the cache under .git/ananke/.
    return {}
