"""Each file's intensity: the salience cache (when mined) with the config's pins on top."""

from __future__ import annotations

from pathlib import Path

from ananke_ci.analysis.salience.pins import apply_pins
from ananke_ci.app.salience import load_intensities
from ananke_ci.core.config import Config
from ananke_ci.core.intensity import DEFAULT_INTENSITY, Intensity


def intensities_for(root: Path, paths: list[str], config: Config) -> dict[str, Intensity]:
    """Intensity per path; reads only the cached salience result (hot path: no graph libs).

    Files the last `ananke-ci salience` run did not see (or every file, before the first run)
    get DEFAULT_INTENSITY; `[intensity]` pins in the config win over both.
    """
    mined = load_intensities(root)
    base = {path: mined.get(path, DEFAULT_INTENSITY) for path in paths}
    return apply_pins(base, config.intensity_pins)
