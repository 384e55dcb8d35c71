"""FileFacts cached by blob under `.git/ananke/facts/`, in packs written atomically.

A pack is one file, `pack-<digest>.bin`: a header line (JSON: format, version, the extractor
fingerprint, the index's length and sha256, the data's length), an index (marshal: key ->
offset, core and rest lengths, crc32) and the entries' bytes (see facts_codec). Opening a
pack checks the header and the index; an entry is checked (crc32) when it is read, so a
run that needs a handful of entries does not unpack them all. One pack per run that parsed
something, not one file per blob: a file per blob costs an fsync each (5 ms here, seconds
for a whole repository). A pack that is truncated, edited, foreign, of another version or
of another extractor fails a check, is ignored and deleted on the next write; a damaged
entry reads as absent, and the next write merges the packs without it. Beyond MAX_PACKS
packs, the next write merges them into one too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import zlib
from pathlib import Path

from ananke_ci.adapters.cache.cache_paths import cache_dir, write_cache

FORMAT = "ananke-ci/facts"
VERSION = 3  # 3: Import bindings, Python aliases
MAX_PACKS = 8
MAX_BYTES = 256 << 20  # a merge keeps at most this much, this run's entries first

Entry = tuple[bytes, bytes]  # (core, rest)
_Where = tuple[bytes, int, int, int, int]  # (pack data, offset, core length, rest length, crc)


class FactsCache:
    """The packs of one git directory; new entries are written by `flush`."""

    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.directory = directory
        self.fingerprint = fingerprint
        self.index: dict[str, _Where] = {}
        self.packs: list[Path] = []  # valid packs read
        self.stale: list[Path] = []  # packs that failed a check
        self._new: dict[str, Entry] = {}
        self._used: set[str] = set()
        self._damaged = False

    @classmethod
    def open(cls, git_dir: Path, fingerprint: str, name: str = "facts") -> FactsCache:
        """The packs under `.git/ananke/<name>/` (facts; mining summaries use the same
        packs under another name)."""
        cache = cls(cache_dir(git_dir) / name, fingerprint)
        for path in sorted(cache.directory.glob("pack-*.bin")):
            try:
                data = path.read_bytes()
            except OSError:  # merged away by another run meanwhile
                continue
            if cache._read_pack(data):
                cache.packs.append(path)
            else:
                cache.stale.append(path)
        return cache

    def get(self, key: str) -> Entry | None:
        new = self._new.get(key)
        if new is not None:
            return new
        where = self.index.get(key)
        if where is None:
            return None
        data, offset, core_len, rest_len, crc = where
        raw = data[offset : offset + core_len + rest_len]
        if zlib.crc32(raw) != crc:  # the next write merges the packs, leaving it out
            del self.index[key]
            self._damaged = True
            return None
        self._used.add(key)
        return raw[:core_len], raw[core_len:]

    def put(self, key: str, entry: Entry) -> None:
        self._new[key] = entry
        self._used.add(key)

    def encode(self, entries: dict[str, Entry]) -> bytes:
        index: dict[str, tuple[int, int, int, int]] = {}
        chunks: list[bytes] = []
        offset = 0
        for key, (core, rest) in entries.items():
            index[key] = (offset, len(core), len(rest), zlib.crc32(core + rest))
            chunks += (core, rest)
            offset += len(core) + len(rest)
        packed = marshal.dumps(index)
        header = {
            "format": FORMAT,
            "version": VERSION,
            "fingerprint": self.fingerprint,
            "index": len(packed),
            "data": offset,
            "sha256": hashlib.sha256(packed).hexdigest(),
        }
        return json.dumps(header, sort_keys=True).encode() + b"\n" + packed + b"".join(chunks)

    def _read_pack(self, data: bytes) -> bool:
        """Add a pack's index; False when a check fails (nothing is unmarshalled before
        the index's checksum matched)."""
        head, sep, body = data.partition(b"\n")
        try:
            header = json.loads(head)
        except ValueError:
            return False
        if not sep or not isinstance(header, dict):
            return False
        expected = {"format": FORMAT, "version": VERSION, "fingerprint": self.fingerprint}
        size = header.get("index")
        if any(header.get(k) != v for k, v in expected.items()) or not isinstance(size, int):
            return False
        packed, entries = body[:size], body[size:]
        if header.get("data") != len(entries) or len(packed) != size:
            return False
        if header.get("sha256") != hashlib.sha256(packed).hexdigest():
            return False
        try:
            index = marshal.loads(packed)
        except (ValueError, EOFError, TypeError):
            return False
        if not isinstance(index, dict):
            return False
        for key, where in index.items():
            if not (
                isinstance(key, str)
                and isinstance(where, tuple)
                and len(where) == 4
                and all(isinstance(n, int) for n in where)
                and where[0] + where[1] + where[2] <= len(entries)
            ):
                return False
            self.index[key] = (entries, *where)
        return True

    def flush(self) -> None:
        """Write this run's new entries as one pack (merging all packs when there are too
        many) and delete the packs that failed their checks."""
        for path in self.stale:
            with contextlib.suppress(OSError):
                path.unlink()
        self.stale = []
        if not self._new:
            return
        merge = len(self.packs) + 1 > MAX_PACKS or self._damaged
        entries = self._merged() if merge else self._new
        data = self.encode(entries)
        name = f"pack-{hashlib.sha256(data).hexdigest()[:24]}.bin"
        written = self.directory / name
        if not write_cache(written, data, fsync=True):
            self._new = {}
            return
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
        """Every readable entry, this run's first, up to MAX_BYTES."""
        keys = [*self._new, *(k for k in self.index if k in self._used and k not in self._new)]
        keys += [k for k in self.index if k not in self._used and k not in self._new]
        out: dict[str, Entry] = {}
        total = 0
        for key in keys:
            entry = self.get(key)
            if entry is None:
                continue
            total += len(key) + len(entry[0]) + len(entry[1])
            if total > MAX_BYTES and key not in self._used:
                break
            out[key] = entry
        return out
