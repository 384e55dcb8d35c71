"""The change under review, as parsed from a unified diff (pure: no git here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FileStatus = Literal["added", "deleted", "modified", "renamed", "copied"]


@dataclass(frozen=True, slots=True)
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int


@dataclass(frozen=True, slots=True)
class FileDiff:
    old_path: str | None  # None for an added file
    new_path: str | None  # None for a deleted file
    status: FileStatus
    binary: bool
    added_lines: frozenset[int]  # new-side line numbers of "+" lines
    context_lines: frozenset[int]  # new-side line numbers shown in hunks ("+" and " " lines)
    hunks: tuple[Hunk, ...] = ()

    @property
    def path(self) -> str:
        """The path the change leaves behind (the old one for a deletion)."""
        p = self.new_path if self.new_path is not None else self.old_path
        assert p is not None
        return p
