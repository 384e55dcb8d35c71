"""Per-file history totals, folded commit by commit (oldest first) so a cache can resume.

Recency decay with exact sums: each commit's contribution is scaled by exp(t / TAU) and rounded
to an integer, so totals are order-independent and an incremental run (old totals + k new
commits) equals a full one bit for bit. Reading a total at reference time T multiplies by
exp(-T / TAU), which is the usual half-life decay relative to the newest commit.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ananke_ci.analysis.history import Commit
from ananke_ci.core.records import record

HALF_LIFE_DAYS = 180.0
TAU = HALF_LIFE_DAYS * 86400 / math.log(2)
MAX_CHANGESET = 30  # commits touching more files are left out of co-change (as code-maat does)
REWRITE_SHARE = 0.5  # a commit deleting this share of a file's lines rewrites it
_MAX_TIME = 10**10  # exp(t/TAU) must stay a finite float: ignore absurd future dates


def weight(t: int) -> float:
    return math.exp(min(max(t, 0), _MAX_TIME) / TAU)


def decayed(total: int, reference: int) -> float:
    """An exp(t/TAU)-weighted integer total read at time `reference`."""
    return float(total) / weight(reference) if total else 0.0


class FileAcc:
    """Running totals for one file identity (follows renames)."""

    __slots__ = (
        "added",
        "authors",
        "binary",
        "born",
        "churn_w",
        "commits",
        "commits_w",
        "deleted",
        "last",
        "size",
    )

    def __init__(self) -> None:
        self.commits = 0
        self.added = 0
        self.deleted = 0
        self.churn_w = 0  # sum of int((added + deleted) * weight(t))
        self.commits_w = 0  # sum of int(weight(t))
        self.size = 0  # running added - deleted: the current line count for text files
        self.last = 0  # time of the newest change
        self.born = 0  # time the file was created or last largely rewritten
        self.binary = False
        self.authors: dict[int, int] = {}  # author index -> commits

    def to_json(self) -> list[Any]:
        return [
            self.commits,
            self.added,
            self.deleted,
            self.churn_w,
            self.commits_w,
            self.size,
            self.last,
            self.born,
            self.binary,
            [[a, n] for a, n in self.authors.items()],
        ]

    @classmethod
    def from_json(cls, row: list[Any]) -> FileAcc:
        acc = cls()
        (
            acc.commits,
            acc.added,
            acc.deleted,
            acc.churn_w,
            acc.commits_w,
            acc.size,
            acc.last,
            acc.born,
            acc.binary,
            authors,
        ) = row
        acc.authors = {int(a): int(n) for a, n in authors}
        return acc


@record(frozen=True, slots=True)
class CoChange:
    shared: int  # commits both files were in
    weight: float  # recency-decayed shared commits


class HistoryState:
    """Everything mined so far; fold more commits in with `add`."""

    def __init__(self) -> None:
        self.head: str | None = None
        self.commits = 0
        self.merges = 0
        self.newest = 0  # reference time for decay: the newest commit seen
        self.paths: dict[str, int] = {}  # current path -> file id
        self.files: list[FileAcc] = []
        self.authors: list[str] = []
        self._author_ids: dict[str, int] = {}
        # co-change pairs: those loaded stay in a flat [a, b, shared, weighted, ...] list
        # (building 30k dict entries was a third of an incremental run's load), `_pairs`
        # holds what commits added since: increments for loaded pairs, totals for new ones
        self._loaded_pairs: list[int] = []
        self._pairs: dict[tuple[int, int], list[int]] = {}  # (id, id) -> [shared, weighted]

    def add(self, commit: Commit) -> None:
        self.commits += 1
        self.newest = max(self.newest, commit.time)
        if commit.is_merge:  # git log shows merges without a diff; their changes are counted
            self.merges += 1  # on the branch commits that made them
            return
        w = weight(commit.time)
        author = self._author_id(commit.author)
        ids: list[int] = []
        for change in commit.changes:
            fid = self._file_id(change.path, change.old_path)
            ids.append(fid)
            self._fold(self.files[fid], change.added, change.deleted, commit.time, w, author)
        if 2 <= len(ids) <= MAX_CHANGESET:
            ids = sorted(set(ids))
            wi = int(w)
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    pair = self._pairs.get((a, b))
                    if pair is None:
                        self._pairs[(a, b)] = [1, wi]
                    else:
                        pair[0] += 1
                        pair[1] += wi

    def _author_id(self, author: str) -> int:
        aid = self._author_ids.get(author)
        if aid is None:
            aid = self._author_ids[author] = len(self.authors)
            self.authors.append(author)
        return aid

    def _file_id(self, path: str, old_path: str | None) -> int:
        fid = self.paths.pop(old_path, None) if old_path is not None else None
        if fid is None:
            fid = self.paths.get(path)
        if fid is None:
            fid = len(self.files)
            self.files.append(FileAcc())
        self.paths[path] = fid
        return fid

    @staticmethod
    def _fold(
        acc: FileAcc, added: int | None, deleted: int | None, t: int, w: float, author: int
    ) -> None:
        acc.commits += 1
        acc.commits_w += int(w)
        acc.last = max(acc.last, t)
        acc.authors[author] = acc.authors.get(author, 0) + 1
        if added is None or deleted is None:
            acc.binary = True
            acc.born = acc.born or t
            return
        before = acc.size
        acc.added += added
        acc.deleted += deleted
        acc.churn_w += int((added + deleted) * w)
        acc.size = max(0, before + added - deleted)
        if before == 0 or deleted >= REWRITE_SHARE * before:
            acc.born = t

    def file(self, path: str) -> FileAcc | None:
        fid = self.paths.get(path)
        return None if fid is None else self.files[fid]

    def co_changes(self, paths: set[str], min_shared: int = 1) -> dict[tuple[str, str], CoChange]:
        """Co-change pairs among `paths` (the files that exist now) of at least `min_shared`
        commits, decayed to `newest`."""
        names = {fid: p for p, fid in self.paths.items() if p in paths}
        scale = weight(self.newest)
        out: dict[tuple[str, str], CoChange] = {}
        get = names.get
        for a, b, shared, wsum in self.pairs():
            if shared < min_shared:
                continue
            pa, pb = get(a), get(b)
            if pa is not None and pb is not None:
                key = (pa, pb) if pa < pb else (pb, pa)
                out[key] = CoChange(shared, wsum / scale)
        return out

    def pairs(self) -> Iterator[tuple[int, int, int, int]]:
        """(id, id, shared commits, weighted sum) of every co-change pair, in the order they
        first occurred (as a full run would hold them)."""
        flat, added = self._loaded_pairs, self._pairs
        it = iter(flat)
        quads = zip(it, it, it, it, strict=True)
        if not added:
            yield from quads
            return
        seen: set[tuple[int, int]] = set()
        for a, b, shared, wsum in quads:
            more = added.get((a, b))
            if more is not None:
                seen.add((a, b))
                shared, wsum = shared + more[0], wsum + more[1]
            yield a, b, shared, wsum
        for (a, b), (shared, wsum) in added.items():
            if (a, b) not in seen:
                yield a, b, shared, wsum

    def to_json(self) -> dict[str, Any]:
        return {
            "head": self.head,
            "commits": self.commits,
            "merges": self.merges,
            "newest": self.newest,
            "paths": self.paths,
            "authors": self.authors,
            "files": [f.to_json() for f in self.files],
            # flat [a, b, shared, weighted, a, b, ...]: a list per pair made JSON 40% slower
            "pairs": [x for pair in self.pairs() for x in pair],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HistoryState:
        state = cls()
        state.head = data["head"]
        state.commits = int(data["commits"])
        state.merges = int(data["merges"])
        state.newest = int(data["newest"])
        state.paths = {str(p): int(i) for p, i in data["paths"].items()}
        state.authors = [str(a) for a in data["authors"]]
        state._author_ids = {a: i for i, a in enumerate(state.authors)}
        state.files = [FileAcc.from_json(row) for row in data["files"]]
        flat = data["pairs"]
        if len(flat) % 4 or not all(type(x) is int for x in flat[:4]):
            raise ValueError("history state pairs in another layout")
        state._loaded_pairs = flat  # as is, no int() per number: the checksum vouches for it
        if any(i >= len(state.files) for i in state.paths.values()):
            raise ValueError("history state refers to unknown files")
        return state
