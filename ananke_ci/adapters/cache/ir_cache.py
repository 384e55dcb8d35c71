"""Compiled constraints under `.git/ananke/`, one file per input hash: the mined constraints
of each base commit (`ir/`) and the parsed Ariadne declarations (`ariadne/`). Stdlib only:
the pre-commit hook reads them.

Several bases are kept (KEEP per kind, the least recently used pruned), so switching
branches or checking a pull request against its merge base does not mine again.
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from ananke_ci import __version__
from ananke_ci.adapters.cache.cache_paths import cache_dir, find_git_dir, write_cache
from ananke_ci.core.config import Config
from ananke_ci.core.constraints import ConstraintIR

Kind = Literal["ir", "ariadne"]
KEEP = 20
IR_FORMAT = 2  # of the mined IR files and their key (1: one `constraint-ir.json`)
_MINER = Path(__file__).resolve().parents[1] / "analysis" / "constraints"
_code: str | None = None


def _dir(root: Path, kind: Kind) -> Path | None:
    git_dir = find_git_dir(root)
    return cache_dir(git_dir) / kind if git_dir is not None else None


def code_fingerprint() -> str:
    """The miner's own source: a changed rule must not be served a stale IR."""
    global _code
    if _code is None:
        _code = _checksum(
            b"".join(
                path.name.encode() + b"\0" + path.read_bytes()
                for path in sorted(_MINER.glob("*.*"))
            )
        )
    return _code


def mined_key(tree: str, config: Config, foundational: Iterable[str]) -> str:
    """The key of a commit's mined constraints: its tree, what in the config changes what
    mining finds, the FoundationalStable files (API stability is mined for them) and the
    miner's code."""
    c = config.constraints
    settings = {
        "mine": c.mine,
        "min_confidence": c.min_confidence,
        "min_evidence": c.min_evidence,
        "exclude": list(config.exclude),
        "max_file_bytes": config.max_file_bytes,
    }
    body = {
        "format": IR_FORMAT,
        "tool": __version__,
        "code": code_fingerprint(),
        "tree": tree,
        "settings": settings,
        "foundational": sorted(foundational),
    }
    return _digest(body)


def read_mined(root: Path, key: str) -> ConstraintIR | None:
    """The mined IR cached under `key`, if it is there and whole (the hook's fast path)."""
    text = read(root, "ir", key)
    if text is None:
        return None
    try:
        ir = ConstraintIR.from_json(json.loads(text))
    except (KeyError, TypeError, ValueError, RecursionError):
        return None
    return ir if ir.inputs == key else None


def text_key(items: Iterable[tuple[str, str]]) -> str:
    """The key of texts such as (path, Ariadne source) pairs."""
    return _digest(
        {
            "format": IR_FORMAT,
            "tool": __version__,
            "code": code_fingerprint(),
            "texts": [list(item) for item in items],
        }
    )


def _digest(body: object) -> str:
    return _checksum(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())


def _checksum(data: bytes) -> str:
    """64 bits of two checksums: the keys tell honest inputs apart (a tree id, itself a
    SHA-1, is among them), and zlib keeps hashlib's OpenSSL start-up (~10 ms) off the
    pre-commit hook's path."""
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def read(root: Path, kind: Kind, key: str) -> str | None:
    """The cached text, or None (never written, unreadable); a hit counts as a use."""
    base = _dir(root, kind)
    if base is None:
        return None
    path = base / f"{key}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # least recently used goes first when pruning
    return text


def write(root: Path, kind: Kind, key: str, text: str) -> None:
    """Store a text under its key (atomically) and prune the least recently used."""
    base = _dir(root, kind)
    if base is None or not write_cache(base / f"{key}.json", text.encode("utf-8")):
        return
    with contextlib.suppress(OSError):  # another run may be pruning too
        kept = sorted(base.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in kept[:-KEEP]:
            old.unlink(missing_ok=True)
