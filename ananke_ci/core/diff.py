"""The change under review, as parsed from a unified diff (pure: no git here)."""

from __future__ import annotations

import re
from typing import Literal

from ananke_ci.core.records import field, record

FileStatus = Literal["added", "deleted", "modified", "renamed", "copied"]


@record(frozen=True, slots=True)
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int


@record(frozen=True, slots=True)
class FileDiff:
    old_path: str | None  # None for an added file
    new_path: str | None  # None for a deleted file
    status: FileStatus
    binary: bool
    added_lines: frozenset[int]  # new-side line numbers of "+" lines
    context_lines: frozenset[int]  # new-side line numbers shown in hunks ("+" and " " lines)
    hunks: tuple[Hunk, ...] = ()
    old_mode: str | None = None  # e.g. "100644"; set only when the diff states it
    new_mode: str | None = None
    similarity: int | None = None  # percent, for renames and copies

    @property
    def path(self) -> str:
        """The path the change leaves behind (the old one for a deletion)."""
        p = self.new_path if self.new_path is not None else self.old_path
        assert p is not None
        return p


def line_in_scope(fd: FileDiff, line: int, end_line: int | None, mode: str) -> bool:
    """Whether lines [line, end_line] of fd's new side fall in the scope of a filter mode.

    Modes as reviewdog's -filter-mode: "added", "diff_context", "file", "nofilter"
    (FilterMode members compare equal to these). A line < 1 means the finding is
    about the whole file: it is in scope when the file has any added/hunk line.
    """
    if mode in ("file", "nofilter"):
        return True  # being handed fd means the file is in the diff
    if mode == "added":
        lines = fd.added_lines
    elif mode == "diff_context":
        lines = fd.context_lines
    else:
        raise ValueError(f"unknown filter mode {mode!r}")
    if line < 1:
        return bool(lines)
    end = line if end_line is None or end_line < line else end_line
    if end - line < len(lines):  # probe the shorter of the two
        return any(n in lines for n in range(line, end + 1))
    return any(line <= n <= end for n in lines)


# at most 10 digits a number: no file has more lines, and int() refuses 4300+ digits
_HUNK = re.compile(rb"@@ -(\d{1,10})(?:,(\d{1,10}))? \+(\d{1,10})(?:,(\d{1,10}))? @@")
_ESCAPES = {ord(k): v for k, v in zip('abtnvfr"\\', b'\a\b\t\n\v\f\r"\\', strict=True)}


def _unquote(s: bytes) -> tuple[bytes, bytes]:
    """Undo git's C-quoting of s (which starts with '"'); return (name, rest after it)."""
    out = bytearray()
    i = 1
    while i < len(s):
        c = s[i]
        if c == 0x22:  # closing quote
            return bytes(out), s[i + 1 :]
        if c == 0x5C and i + 1 < len(s):
            n = s[i + 1]
            if 0x30 <= n <= 0x37:  # \ooo: one raw byte of a (usually UTF-8) name
                digits = re.match(rb"[0-7]{1,3}", s[i + 1 : i + 4])
                assert digits is not None  # s[i + 1] is one
                out.append(int(digits.group(), 8) & 0xFF)
                i += 1 + len(digits.group())
                continue
            out.append(_ESCAPES.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out), b""


def _mode(raw: bytes) -> str:
    return raw.decode("ascii", "replace")  # git writes octal digits; anything else is kept


def _decode(name: bytes) -> str:
    # surrogateescape: a non-UTF-8 name survives the round trip back to git and the disk
    return name.decode("utf-8", "surrogateescape")


def _strip_prefix(name: bytes, prefix: bytes) -> bytes:
    return name[len(prefix) :] if name.startswith(prefix) else name


def _header_path(raw: bytes, prefix: bytes) -> bytes | None:
    """A '---'/'+++' name: quoted, or unquoted with an optional tab-separated tail."""
    # git appends a tab to names holding a space (and plain diff a date); a name
    # with a real tab in it would have been quoted, so a tab always ends it
    name = _unquote(raw)[0] if raw.startswith(b'"') else raw.split(b"\t", 1)[0]
    return None if name == b"/dev/null" else _strip_prefix(name, prefix)


def _git_header_paths(rest: bytes) -> tuple[bytes, bytes]:
    """Split 'a/X b/Y' from a 'diff --git' line; exact only when not a rename/copy."""
    if rest.startswith(b'"'):
        a, tail = _unquote(rest)
        tail = tail.lstrip(b" ")
        b = _unquote(tail)[0] if tail.startswith(b'"') else tail
    elif rest.endswith(b'"') and b' "' in rest:
        cut = rest.index(b' "')  # an unquoted name never holds '"'
        a, b = rest[:cut], _unquote(rest[cut + 1 :])[0]
    else:
        # names may hold spaces: 'a/P b/P' splits exactly in the middle; the
        # asymmetric case only arises with rename/copy lines, which win anyway
        half = (len(rest) - 1) // 2
        if len(rest) % 2 and rest[half : half + 1] == b" " and rest[2:half] == rest[half + 3 :]:
            a, b = rest[:half], rest[half + 1 :]
        else:
            a, _, b = rest.partition(b" b/")
            b = b"b/" + b
    return _strip_prefix(a, b"a/"), _strip_prefix(b, b"b/")


@record
class _Builder:
    """One file's diff while its lines are read (mutable; frozen into a FileDiff)."""

    header_old: bytes | None = None
    header_new: bytes | None = None
    minus: bytes | None = None
    plus: bytes | None = None
    status: FileStatus = "modified"
    from_: bytes | None = None
    to: bytes | None = None
    binary: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    similarity: int | None = None
    hunks: list[Hunk] = field(default_factory=list)
    added: set[int] = field(default_factory=set)
    context: set[int] = field(default_factory=set)

    def header(self, line: bytes) -> None:
        def after(prefix: bytes) -> bytes:
            return line[len(prefix) :]

        def name(prefix: bytes) -> bytes:
            raw = after(prefix)
            return _unquote(raw)[0] if raw.startswith(b'"') else raw

        if line.startswith(b"--- "):
            self.minus = _header_path(after(b"--- "), b"a/")
            if self.minus is None and self.status == "modified":
                self.status = "added"  # plain unified diff, no git extended header
        elif line.startswith(b"+++ "):
            self.plus = _header_path(after(b"+++ "), b"b/")
            if self.plus is None and self.status == "modified":
                self.status = "deleted"
        elif line.startswith(b"new file mode "):
            self.status, self.new_mode = "added", _mode(after(b"new file mode "))
        elif line.startswith(b"deleted file mode "):
            self.status, self.old_mode = "deleted", _mode(after(b"deleted file mode "))
        elif line.startswith(b"old mode "):
            self.old_mode = _mode(after(b"old mode "))
        elif line.startswith(b"new mode "):
            self.new_mode = _mode(after(b"new mode "))
        elif line.startswith((b"rename from ", b"copy from ")):
            self.status = "renamed" if line.startswith(b"rename") else "copied"
            self.from_ = name(line.split(b" ", 2)[0] + b" from ")
        elif line.startswith((b"rename to ", b"copy to ")):
            self.to = name(line.split(b" ", 2)[0] + b" to ")
        elif line.startswith(b"similarity index "):
            digits = after(b"similarity index ").rstrip(b"%")
            self.similarity = int(digits) if digits.isdigit() and len(digits) <= 3 else None
        elif line.startswith((b"Binary files ", b"GIT binary patch")):
            self.binary = True

    def read_hunk(self, m: re.Match[bytes], lines: list[bytes], i: int) -> int:
        """Consume a hunk's body from lines[i]; return the index after it.

        The header's counts, not the line prefixes, say where the hunk ends: a
        removed line "-- x" looks exactly like a "--- x" file header.
        """
        old_count = 1 if m[2] is None else int(m[2])  # an omitted count means 1
        new_count = 1 if m[4] is None else int(m[4])
        new_start = int(m[3])
        self.hunks.append(Hunk(int(m[1]), old_count, new_start, new_count))
        old_left, new_left, n = old_count, new_count, new_start
        while (old_left > 0 or new_left > 0) and i < len(lines):
            tag = lines[i][:1]
            if tag == b"+":
                self.added.add(n)
                self.context.add(n)
                n, new_left = n + 1, new_left - 1
            elif tag == b"-":
                old_left -= 1
            elif tag in (b" ", b""):  # b"": a context line whose blank was trimmed
                self.context.add(n)
                n, old_left, new_left = n + 1, old_left - 1, new_left - 1
            elif tag != b"\\":  # anything else: a truncated hunk; let the caller read it
                return i
            i += 1
        while i < len(lines) and lines[i].startswith(b"\\"):  # "\ No newline at end of file"
            i += 1
        return i

    def build(self) -> FileDiff:
        old = self.from_ or self.minus or self.header_old
        new = self.to or self.plus or self.header_new
        if self.status == "added":
            old = None
        elif self.status == "deleted":
            new = None
        return FileDiff(
            old_path=None if old is None else _decode(old),
            new_path=None if new is None else _decode(new),
            status=self.status,
            binary=self.binary,
            added_lines=frozenset(self.added),
            context_lines=frozenset(self.context),
            hunks=tuple(self.hunks),
            old_mode=self.old_mode,
            new_mode=self.new_mode,
            similarity=self.similarity,
        )


def _add(files: list[FileDiff], cur: _Builder) -> None:
    built = cur.build()
    if built.old_path is not None or built.new_path is not None:  # not /dev/null twice
        files.append(built)


def parse_unified_diff(data: bytes) -> tuple[FileDiff, ...]:
    """Parse `git diff` output (or a plain unified diff) into one FileDiff per file.

    Works on bytes throughout: content lines may be in any encoding and a CRLF
    line keeps its '\\r'. Names are decoded as UTF-8 with surrogateescape.
    """
    lines = data.split(b"\n")  # only "\n": a "\r" belongs to its line
    files: list[FileDiff] = []
    cur: _Builder | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith(b"diff --git "):
            if cur is not None:
                _add(files, cur)
            cur = _Builder(*_git_header_paths(line[len(b"diff --git ") :]))
        elif (
            line.startswith(b"--- ")
            and i < len(lines)
            and lines[i].startswith(b"+++ ")
            and (cur is None or cur.hunks or cur.minus is not None)
        ):  # a plain unified diff's next file (no "diff --git" line)
            if cur is not None:
                _add(files, cur)
            cur = _Builder()
            cur.header(line)
        elif cur is None:
            continue  # preamble, e.g. a commit message
        elif (m := _HUNK.match(line)) and not cur.binary:
            i = cur.read_hunk(m, lines, i)
        elif not cur.hunks:  # extended header lines come before the first hunk only
            cur.header(line)
    if cur is not None:
        _add(files, cur)
    return tuple(files)
