"""What `fix` does with verified fills: a unified diff, a working-tree edit, or fixup! commits.

Only fills that passed verification are used; a file is written only when it still holds
exactly what was analysed, and fixup commits are built off-index (adapters/git/write.py) so
other staged and unstaged changes stay as they were.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from pathlib import Path

from ananke_ci.adapters import atomic
from ananke_ci.adapters.git import read as git_read
from ananke_ci.adapters.git import txn as git_txn
from ananke_ci.adapters.git import write as git_write
from ananke_ci.app.fix import HoleFix, patched_content
from ananke_ci.core.errors import UserError
from ananke_ci.core.records import record


@record(frozen=True, slots=True)
class Written:
    path: str
    holes: int
    commit: str | None = None  # the fixup commit, for --fixup
    target: str | None = None  # the commit it fixes up
    note: str | None = None  # why something was not done


def by_file(fixes: list[HoleFix]) -> dict[str, list[HoleFix]]:
    out: dict[str, list[HoleFix]] = defaultdict(list)
    for fix in fixes:
        if fix.ok:
            out[fix.report.path].append(fix)
    return dict(out)


def unified_diff(fixes: list[HoleFix]) -> str:
    """The verified fills as one `git apply`-able diff (a/ and b/ prefixes)."""
    chunks: list[str] = []
    for path, group in sorted(by_file(fixes).items()):
        before = group[0].original.decode("utf-8", "surrogateescape")
        after = patched_content(group[0].original, group).decode("utf-8", "surrogateescape")
        chunks.extend(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                _diff_name("a/", path),
                _diff_name("b/", path),
            )
        )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
        for line in chunks
    )


def _diff_name(prefix: str, path: str) -> str:
    """A file name in a diff header as git writes it: C-quoted (octal bytes) when it holds a
    quote, a backslash or a control character, so `git apply` reads it back and a terminal
    shows no escape sequence from it."""
    name = prefix + path
    if name.isprintable() and '"' not in name and "\\" not in name:
        return name
    out = []
    for char in name:
        if char == '"' or char == "\\":
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        else:
            out.extend(f"\\{byte:03o}" for byte in char.encode("utf-8", "surrogateescape"))
    return '"' + "".join(out) + '"'


def apply_fixes(root: Path, fixes: list[HoleFix]) -> list[Written]:
    """Write the fills into the working tree; a file that changed since it was analysed
    (unstaged edits that differ from it), or that a link would lead out of the repository,
    is left alone and reported."""
    out = []
    for path, group in sorted(by_file(fixes).items()):
        target = root / path
        original = group[0].original
        try:
            atomic.inside(root, target.parent)
        except UserError as exc:
            out.append(Written(path, 0, note=exc.message))
            continue
        current = target.read_bytes() if target.is_file() and not target.is_symlink() else None
        if current != original:
            out.append(
                Written(
                    path,
                    0,
                    note="not written: the file in the working tree differs "
                    "from what was analysed (unstaged changes?); stage or stash "
                    "them and run again",
                )
            )
            continue
        git_write.write_atomic(
            target, patched_content(original, group), scratch=git_write.scratch_dir(root)
        )
        out.append(Written(path, len(group)))
    return out


def fixup_commits(root: Path, fixes: list[HoleFix]) -> list[Written]:
    """One `fixup!` commit per filled hole on top of HEAD, each aimed (by blame) at the
    commit that introduced the hole's line; ready for `git rebase -i --autosquash`.

    HEAD, the index and the work tree move together (adapters/git/txn.py): a kill or an
    error leaves all three as they were or all three moved."""
    git_txn.recover(root)
    old_head = git_read.head_commit(root)
    if old_head is None:
        return [
            Written(p, 0, note="not committed: the repository has no commit yet")
            for p in by_file(fixes)
        ]
    tip = old_head
    out: list[Written] = []
    moves: list[git_txn.FileMove] = []
    for path, group in sorted(by_file(fixes).items()):
        found = git_read.blob_at(root, old_head, path)
        if found is None or found[1] != group[0].original:
            out.append(
                Written(
                    path,
                    0,
                    note="no fixup: the holes are not in HEAD as analysed "
                    "(commit the change first, or use --apply)",
                )
            )
            continue
        mode, at_head = found
        current = at_head
        # last hole first: the byte spans of earlier holes stay valid
        for fix in sorted(group, key=lambda f: f.report.hole.span.start_byte, reverse=True):
            hole = fix.report.hole
            blame = git_read.blame_line(root, path, hole.span.start_line, old_head)
            current = patched_content(current, [fix])
            tip = git_write.commit_file(root, tip, path, current, mode, _message(fix, blame))
            out.append(Written(path, 1, commit=tip, target=blame.commit))
        moves.append(git_txn.FileMove(path, at_head, current, mode))
    if tip != old_head:
        notes = git_txn.advance_head(root, old_head, tip, moves, "ananke-ci fix --fixup")
        for path, note in sorted(notes.items()):
            out.append(Written(path, 0, note=f"committed; {note}"))
    return out


def _message(fix: HoleFix, blame: git_read.BlameLine) -> str:
    hole = fix.report.hole
    where = f" in {hole.function.name}()" if hole.function else ""
    return (
        f"fixup! {blame.subject}\n\n"
        f"ananke-ci: fill the `{hole.marker}` hole{where} at "
        f"{fix.report.path}:{hole.span.start_line} (verified).\n"
    )


def write_report(root: Path, written: list[Written]) -> list[str]:
    """Human lines for what was written."""
    lines = []
    for w in written:
        if w.note:
            lines.append(f"{w.path}: {w.note}")
        elif w.commit:
            lines.append(f"{w.path}: fixup commit {w.commit[:12]} for {(w.target or '')[:12]}")
        else:
            lines.append(f"{w.path}: {w.holes} hole{'s' if w.holes != 1 else ''} filled")
    return lines
