"""Salience cache files under `.git/ananke/`: checksummed, written atomically.

Each file is one header line (format, version, kind, length and sha256 of the body) and a
JSON body. A file that is truncated, edited, from another tool or another version fails
the checks and reads as absent, so the caller rebuilds instead of trusting it. Writes go to
a temp file in the same directory and are renamed over the old one: an interrupted run
leaves the old cache or the new one, never half of one.

Only stdlib (and the stdlib-only `atomic`) here: the pre-commit hot path reads intensities
through this module.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

# re-exported: the salience callers find the cache through this module
from ananke_ci.adapters.cache.cache_paths import cache_dir as cache_dir
from ananke_ci.adapters.cache.cache_paths import find_git_dir as find_git_dir
from ananke_ci.adapters.cache.cache_paths import write_cache

FORMAT = "ananke-ci/salience"
VERSION = 2  # 2: import edges resolve the names an alias stands for
STATE = "salience-state.json"
REPORT = "salience.json"
INTENSITIES = "intensities.json"


class CacheInvalid(Exception):
    """The file is missing, damaged, foreign or from another version."""


def encode(kind: str, body: Any) -> bytes:
    import hashlib  # here and in decode: a hook run of a repository never mined skips it

    payload = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    header = {
        "format": FORMAT,
        "version": VERSION,
        "kind": kind,
        "bytes": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }
    return json.dumps(header, sort_keys=True).encode() + b"\n" + payload


def decode(kind: str, data: bytes) -> Any:
    import hashlib

    head, sep, payload = data.partition(b"\n")
    try:
        header = json.loads(head)
    except (ValueError, RecursionError):
        raise CacheInvalid("unreadable header") from None
    if not sep or not isinstance(header, dict):
        raise CacheInvalid("no header")
    if (header.get("format"), header.get("kind")) != (FORMAT, kind):
        raise CacheInvalid(f"not an ananke-ci {kind} cache")
    if header.get("version") != VERSION:
        raise CacheInvalid(f"cache version {header.get('version')!r}, expected {VERSION}")
    if header.get("bytes") != len(payload):
        raise CacheInvalid("truncated")
    if header.get("sha256") != hashlib.sha256(payload).hexdigest():
        raise CacheInvalid("checksum mismatch")
    try:
        return json.loads(payload)
    except (ValueError, RecursionError):
        raise CacheInvalid("unreadable body") from None


def read(git_dir: Path, name: str, kind: str) -> Any:
    try:
        data = (cache_dir(git_dir) / name).read_bytes()
    except OSError:
        raise CacheInvalid("missing") from None
    return decode(kind, data)


def write(git_dir: Path, name: str, kind: str, body: Any) -> bool:
    """Replace cache file `name` atomically (temp file in the same directory + rename);
    False when it cannot be written (a notice, not an error: see cache_paths)."""
    # no fsync: a file torn by a crash fails its checksum and is rebuilt anyway
    return write_cache(cache_dir(git_dir) / name, encode(kind, body), fsync=False)


def clear(git_dir: Path) -> None:
    for name in (STATE, REPORT, INTENSITIES):
        with contextlib.suppress(OSError):
            (cache_dir(git_dir) / name).unlink(missing_ok=True)
