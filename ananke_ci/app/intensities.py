"""Each file's intensity: the salience cache (when mined) with the config's pins on top.

This is on the pre-commit hot path: it reads one small cached file and imports nothing of the
salience computation (networkx, tree-sitter, history records).
"""

from __future__ import annotations

from pathlib import Path

from ananke_ci.adapters.cache_paths import no_caches
from ananke_ci.analysis.salience.pins import apply_pins
from ananke_ci.core.config import Config
from ananke_ci.core.intensity import DEFAULT_INTENSITY, Intensity


def load_intensities(root: Path) -> dict[str, Intensity]:
    """Per-file intensity from the last `ananke-ci salience` run; {} when there is none.

    The map may describe an older commit: salience moves slowly, and refreshing it is not the
    hook's job.
    """
    if no_caches(root):
        return {}
    from ananke_ci.adapters import salience_cache as cache

    git_dir = cache.find_git_dir(root)
    if git_dir is None:
        return {}
    try:
        body = cache.read(git_dir, cache.INTENSITIES, "intensities")
        return {str(p): Intensity.parse(str(v)) for p, v in body["files"].items()}
    except (cache.CacheInvalid, KeyError, TypeError, AttributeError, ValueError):
        return {}


def intensities_for(root: Path, paths: list[str], config: Config) -> dict[str, Intensity]:
    """Intensity per path: files the last `ananke-ci salience` run did not see (or every file,
    before the first run) get DEFAULT_INTENSITY; `[intensity]` pins in the config win."""
    mined = load_intensities(root)
    base = {path: mined.get(path, DEFAULT_INTENSITY) for path in paths}
    return apply_pins(base, config.intensity_pins)
