"""Commits as git log prints them, parsed purely into records (no git here).

The adapter runs `git log` with LOG_ARGS and hands over one record per commit, split on
RECORD_SEP; `parse_commit` turns it into a Commit. With `-z`, numstat paths are raw (never
C-quoted) and a rename is `added\\tdeleted\\t\\0old\\0new\\0` instead of `{a => b}` syntax.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ananke_ci.core.records import record

RECORD_SEP = b"\x1e"
_FIELD_SEP = b"\x1f"
# %aE/%aN apply .mailmap, so identities are normalised by git itself
LOG_ARGS: tuple[str, ...] = (
    "log",
    "-M",
    "--numstat",
    "-z",
    "--no-color",
    "--no-ext-diff",
    "--use-mailmap",
    "--format=%x1e%H%x1f%P%x1f%at%x1f%aE%x1f%aN",
)


@record(frozen=True, slots=True)
class FileChange:
    path: str  # the path after the commit
    added: int | None  # None for a binary file
    deleted: int | None
    old_path: str | None = None  # set for a rename

    @property
    def binary(self) -> bool:
        return self.added is None


@record(frozen=True, slots=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    time: int  # author time, seconds since the epoch
    author: str  # mailmapped e-mail, lower-cased (the identity key)
    author_name: str
    changes: tuple[FileChange, ...]

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


def _count(text: bytes) -> int | None:
    return None if text == b"-" else int(text)


def _path(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def parse_commit(record: bytes) -> Commit | None:
    """One RECORD_SEP-delimited record; None for the empty text before the first one."""
    header, _, body = record.partition(b"\0")
    fields = header.strip(b"\n").split(_FIELD_SEP)
    if len(fields) != 5:
        return None
    sha, parents, time, email, name = fields
    changes: list[FileChange] = []
    tokens = body.split(b"\0")
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i].lstrip(b"\n")
        i += 1
        if not token:
            continue
        added, deleted, path = token.split(b"\t", 2)
        if path:
            changes.append(FileChange(_path(path), _count(added), _count(deleted)))
        else:  # rename: old and new path follow as their own tokens
            old, new = tokens[i], tokens[i + 1]
            i += 2
            changes.append(FileChange(_path(new), _count(added), _count(deleted), _path(old)))
    return Commit(
        sha=sha.decode("ascii"),
        parents=tuple(p.decode("ascii") for p in parents.split()),
        time=int(time or 0),
        author=email.decode("utf-8", "replace").strip().lower(),
        author_name=name.decode("utf-8", "replace").strip(),
        changes=tuple(changes),
    )


def parse_log(records: Iterable[bytes]) -> Iterator[Commit]:
    """Commits from the RECORD_SEP-split output of `git LOG_ARGS`."""
    for entry in records:
        commit = parse_commit(entry)
        if commit is not None:
            yield commit
