"""FileFacts cached by blob under `.git/ananke/facts/`, in packs written atomically.

A pack is one file, `pack-<digest>.bin`: a header line (JSON: format, version, the extractor
fingerprint, length and sha256 of the body) and a marshal body {key: (core, rest)} (see
facts_codec). One pack per run that extracted something, not one file per blob: a file per
blob costs an fsync each (5 ms here, seconds for a whole repository). A pack that is
truncated, edited, foreign, of another version or of another extractor (queries or code
changed) fails the checks, is ignored and deleted on the next write. When there are more
than MAX_PACKS packs, the next write merges them into one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
from pathlib import Path

from ananke_ci.adapters.atomic import write_atomic

FORMAT = "ananke-ci/facts"
VERSION = 1
MAX_PACKS = 8
MAX_BYTES = 256 << 20  # a merge keeps at most this much, this run's entries first

Entry = tuple[bytes, bytes]  # (core, rest)


class FactsCache:
    """The packs of one git directory, read once; new entries are written by `flush`."""

    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.directory = directory
        self.fingerprint = fingerprint
        self.entries: dict[str, Entry] = {}
        self.packs: list[Path] = []  # valid packs read
        self.stale: list[Path] = []  # packs that failed a check
        self._new: dict[str, Entry] = {}
        self._used: set[str] = set()

    @classmethod
    def open(cls, git_dir: Path, fingerprint: str) -> FactsCache:
        cache = cls(git_dir / "ananke" / "facts", fingerprint)
        for path in sorted(cache.directory.glob("pack-*.bin")):
            try:
                data = path.read_bytes()
            except OSError:  # merged away by another run meanwhile
                continue
            entries = cache.decode(data)
            if entries is None:
                cache.stale.append(path)
            else:
                cache.packs.append(path)
                cache.entries.update(entries)
        return cache

    def get(self, key: str) -> Entry | None:
        entry = self.entries.get(key)
        if entry is not None:
            self._used.add(key)
        return entry

    def put(self, key: str, entry: Entry) -> None:
        self.entries[key] = self._new[key] = entry
        self._used.add(key)

    def encode(self, entries: dict[str, Entry]) -> bytes:
        body = marshal.dumps(entries)
        header = {"format": FORMAT, "version": VERSION, "fingerprint": self.fingerprint,
                  "bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}
        return json.dumps(header, sort_keys=True).encode() + b"\n" + body

    def decode(self, data: bytes) -> dict[str, Entry] | None:
        """The entries of a pack, or None when any check fails (nothing is unmarshalled
        before the checksum matched)."""
        head, sep, body = data.partition(b"\n")
        try:
            header = json.loads(head)
        except ValueError:
            return None
        if not sep or not isinstance(header, dict):
            return None
        expected = {"format": FORMAT, "version": VERSION, "fingerprint": self.fingerprint,
                    "bytes": len(body)}
        if any(header.get(k) != v for k, v in expected.items()):
            return None
        if header.get("sha256") != hashlib.sha256(body).hexdigest():
            return None
        try:
            entries = marshal.loads(body)
        except (ValueError, EOFError, TypeError):
            return None
        if not isinstance(entries, dict) or not all(
            isinstance(k, str) and isinstance(v, tuple) and len(v) == 2
            and isinstance(v[0], bytes) and isinstance(v[1], bytes)
            for k, v in entries.items()
        ):
            return None
        return entries

    def flush(self) -> None:
        """Write this run's new entries as one pack (merging all packs when there are too
        many) and delete the packs that failed their checks."""
        for path in self.stale:
            with contextlib.suppress(OSError):
                path.unlink()
        self.stale = []
        if not self._new:
            return
        merge = len(self.packs) + 1 > MAX_PACKS
        entries = self._merged() if merge else self._new
        data = self.encode(entries)
        name = f"pack-{hashlib.sha256(data).hexdigest()[:24]}.bin"
        written = write_atomic(self.directory / name, data)
        if merge:
            for path in self.packs:
                if path != written:
                    with contextlib.suppress(OSError):
                        path.unlink()
            self.packs = [written]
        else:
            self.packs.append(written)
        self._new = {}

    def _merged(self) -> dict[str, Entry]:
        """Every entry, this run's first, up to MAX_BYTES."""
        order = [k for k in self.entries if k in self._used]
        order += [k for k in self.entries if k not in self._used]
        out: dict[str, Entry] = {}
        total = 0
        for key in order:
            core, rest = self.entries[key]
            total += len(key) + len(core) + len(rest)
            if total > MAX_BYTES and key not in self._used:
                break
            out[key] = (core, rest)
        return out
