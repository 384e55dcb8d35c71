"""Each file's intensity: the salience cache (when mined) with the config's pins on top.

This is on the pre-commit hot path: it reads one small cached file and imports nothing of the
salience computation (networkx, tree-sitter, history records).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ananke_ci.adapters.cache.cache_paths import no_caches
from ananke_ci.analysis.salience.pins import apply_pins
from ananke_ci.core.config import Config
from ananke_ci.core.intensity import DEFAULT_INTENSITY, Intensity
from ananke_ci.core.records import field, record


@record(frozen=True, slots=True)
class Salience:
    """What the validator takes from the last `ananke-ci salience` run."""

    intensities: Mapping[str, Intensity] = field(default_factory=dict)
    foundational: frozenset[str] = frozenset()  # FoundationalStable files


def load_salience(root: Path) -> Salience:
    """Per-file intensity and the FoundationalStable files from the last `ananke-ci salience`
    run; empty when there is none.

    It may describe an older commit: salience moves slowly, and refreshing it is not the
    hook's job.
    """
    if no_caches(root):
        return Salience()
    # the hook's path: the reader loads only when a cache exists
    from ananke_ci.adapters.cache import salience_cache as cache

    git_dir = cache.find_git_dir(root)
    if git_dir is None:
        return Salience()
    try:
        body = cache.read(git_dir, cache.INTENSITIES, "intensities")
        files = {str(p): Intensity.parse(str(v)) for p, v in body["files"].items()}
        foundational = frozenset(str(p) for p in body.get("foundational", ()))
    except (cache.CacheInvalid, KeyError, TypeError, AttributeError, ValueError):
        return Salience()
    return Salience(files, foundational)


def load_intensities(root: Path) -> dict[str, Intensity]:
    """Per-file intensity from the last `ananke-ci salience` run; {} when there is none."""
    return dict(load_salience(root).intensities)


def intensities_for(
    root: Path, paths: list[str], config: Config, mined: Mapping[str, Intensity] | None = None
) -> dict[str, Intensity]:
    """Intensity per path: files the last `ananke-ci salience` run did not see (or every file,
    before the first run) get DEFAULT_INTENSITY; `[intensity]` pins in the config win."""
    known = load_intensities(root) if mined is None else mined
    base = {path: known.get(path, DEFAULT_INTENSITY) for path in paths}
    return apply_pins(base, config.intensity_pins)
