"""Thin git adapter: each function gets text from `git` through proc.run, then parses purely.

No GitPython here: this is the pre-commit hot path, and a plain `git` is all it needs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from ananke_ci.adapters.proc import run
from ananke_ci.core.diff import FileDiff, parse_unified_diff
from ananke_ci.core.errors import UserError
from ananke_ci.core.records import record

NOT_COMMITTED = "0" * 40  # blame's commit for a line not committed yet
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # what a first commit is diffed against

# quotepath=off keeps UTF-8 names readable; literal pathspecs so "[a].py" is a name, not a glob
_GIT = ("git", "--literal-pathspecs", "-c", "core.quotepath=off")
# pinned options, so user config (color, external/textconv drivers, noprefix,
# mnemonicPrefix, diff.algorithm) cannot change what the parser sees
_DIFF = (
    "diff",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--diff-algorithm=myers",
    "-M",
    "--unified=3",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)
_RANGE_HINT = "(check the range; e.g. origin/main..HEAD; a shallow CI clone may need a fetch)"
_BATCH_HEADER = re.compile(rb"[0-9a-f]{40,64} (\w+) (\d+)")


def _git(root: str | Path, *args: str, input: bytes | None = None) -> bytes:
    return run([*_GIT, *args], cwd=root, input=input).stdout


def _decode_path(raw: bytes) -> str:
    return os.fsdecode(raw)  # UTF-8 + surrogateescape on POSIX: names round-trip to git


def repo_root(cwd: str | Path) -> Path:
    """The top of the work tree containing cwd; UserError when there is none."""
    res = run([*_GIT, "rev-parse", "--show-toplevel"], cwd=cwd, check=False)
    if res.returncode != 0:
        why = res.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UserError(f"not a git repository: {cwd}" + (f" ({why[0]})" if why else ""))
    return Path(_decode_path(res.stdout.rstrip(b"\n")))


def git_dir(root: str | Path) -> Path:
    """The repository's git directory (absolute; a worktree's own one for linked worktrees)."""
    return Path(_decode_path(_git(root, "rev-parse", "--absolute-git-dir").rstrip(b"\n")))


def head_commit(root: str | Path) -> str | None:
    """The commit HEAD points at (detached or not), or None in a repository without commits."""
    res = run([*_GIT, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"], cwd=root, check=False)
    return res.stdout.decode().strip() if res.returncode == 0 else None


def ls_files(root: str | Path) -> list[str]:
    """Tracked paths (as in the index), relative to root, each once."""
    names = _git(root, "ls-files", "-z").split(b"\0")
    return list(dict.fromkeys(_decode_path(n) for n in names if n))  # unmerged: once per stage


def _resolve(root: str | Path, rev: str) -> str:
    """The commit id rev names, or a UserError that says how to fix the range.

    The empty tree is accepted too, so a root commit can be checked as EMPTY_TREE..ROOT."""
    if rev == EMPTY_TREE:
        return rev
    res = run(
        [*_GIT, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
        cwd=root,
        check=False,
    )
    if res.returncode != 0:
        raise UserError(f"unknown revision {rev}: not a commit in {root} {_RANGE_HINT}")
    return res.stdout.decode().strip()


def _diff(root: str | Path, revs: Sequence[str], paths: Iterable[str]) -> tuple[FileDiff, ...]:
    return parse_unified_diff(_git(root, *_DIFF, *revs, "--", *paths))


def staged_diff(root: str | Path, paths: Iterable[str] = ()) -> tuple[FileDiff, ...]:
    """What the next commit would change: the index against HEAD (the empty tree before
    the first commit). Honours GIT_INDEX_FILE, as git sets it for `commit -a` hooks."""
    # `--cached` without a commit is HEAD, or every staged file on an unborn branch (as
    # git-diff(1) documents): no `rev-parse HEAD` process first
    return _diff(root, ["--cached"], paths)


def range_diff(root: str | Path, spec: str, paths: Iterable[str] = ()) -> tuple[FileDiff, ...]:
    """The change a range of commits makes, always between commits (never the work tree).

    "A..B"  : B against A, as `git diff A B`.
    "A...B" : B against merge-base(A, B): only what B's side did, as a pull request shows.
    "REV"   : same as "REV...HEAD": the branch's own change since it forked from REV, so
              `--range origin/main` is stable in CI and locally whatever main did since.
    An empty side means HEAD ("origin/main.." is "origin/main..HEAD").
    """
    base, head = range_ends(root, spec)
    return _diff(root, [base, head], paths)


def range_ends(root: str | Path, spec: str) -> tuple[str, str]:
    """(base, head) commits of a range as range_diff reads it: the base is A for "A..B" and
    the merge base for "A...B" and "REV"; what judges the change is taken from the base."""
    if "..." in spec:
        left, _, right = spec.partition("...")
        merge_base = True
    elif ".." in spec:
        left, _, right = spec.partition("..")
        merge_base = False
    else:
        left, right, merge_base = spec, "HEAD", True
    base, head = _resolve(root, left or "HEAD"), _resolve(root, right or "HEAD")
    if merge_base:
        res = run([*_GIT, "merge-base", base, head], cwd=root, check=False)
        if res.returncode != 0:
            raise UserError(f"no merge base for {spec}: the histories are unrelated {_RANGE_HINT}")
        base = res.stdout.decode().strip()
    return base, head


def tree_of(root: str | Path, commit: str) -> str:
    """The tree id of a commit."""
    return _git(root, "rev-parse", f"{commit}^{{tree}}").decode().strip()


def head_and_tree(root: str | Path) -> tuple[str, str] | None:
    """(commit, tree) of HEAD in one git call, or None in a repository without commits."""
    res = run([*_GIT, "rev-parse", "HEAD^{commit}", "HEAD^{tree}"], cwd=root, check=False)
    found = res.stdout.decode().split()
    return (found[0], found[1]) if res.returncode == 0 and len(found) == 2 else None


def tracked_with_suffix(
    root: str | Path,
    suffix: str,
    commit: str | None = None,
) -> list[str]:
    """Tracked paths ending in `suffix` (".ariadne"), in the index or in `commit`'s tree. For
    the index git filters (a `:(glob)` pathspec), so a large repository costs no more than
    a small one; `ls-tree` knows no pathspec magic, so a tree's listing is filtered here."""
    if commit is None:
        out = run(
            ["git", "-c", "core.quotepath=off", "ls-files", "-z", "--", f":(glob)**/*{suffix}"],
            cwd=root,
        ).stdout
    else:
        out = _git(root, "ls-tree", "-r", "-z", "--name-only", "--full-tree", commit)
    names = (_decode_path(n) for n in out.split(b"\0") if n)
    return list(dict.fromkeys(n for n in names if n.endswith(suffix)))


def _cat_file(root: str | Path, objects: dict[str, str]) -> dict[str, bytes]:
    """Blob contents for {path: object name} in one `git cat-file --batch`; misses omitted."""
    out: dict[str, bytes] = {}
    batch = {p: o for p, o in objects.items() if "\n" not in o}
    for path, obj in objects.items():  # the batch protocol is line-based: one call each
        if path not in batch:
            res = run([*_GIT, "cat-file", "blob", obj], cwd=root, check=False)
            if res.returncode == 0:
                out[path] = res.stdout
    if not batch:
        return out
    data = _git(
        root, "cat-file", "--batch", input=b"".join(os.fsencode(o) + b"\n" for o in batch.values())
    )
    pos = 0
    for path in batch:  # one answer per request, in order
        eol = data.index(b"\n", pos)
        m = _BATCH_HEADER.fullmatch(data, pos, eol)
        pos = eol + 1
        if m is None:  # "<name> missing" (or ambiguous)
            continue
        size = int(m[2])
        if m[1] == b"blob":  # a submodule or directory is not file content
            out[path] = data[pos : pos + size]
        pos += size + 1  # the contents, then a newline
    return out


def read_staged(root: str | Path, paths: Iterable[str]) -> dict[str, bytes]:
    """Index contents of paths (what will be committed, not the work tree); absent omitted."""
    return _cat_file(root, {p: f":{p}" for p in paths})


def read_at(root: str | Path, rev: str, paths: Iterable[str]) -> dict[str, bytes]:
    """Contents of paths at commit rev; paths missing there are omitted."""
    commit = _resolve(root, rev)
    return _cat_file(root, {p: f"{commit}:{p}" for p in paths})


def hooks_dir(root: str | Path) -> Path:
    """Where git runs hooks from: core.hooksPath when set, else the git dir's hooks/."""
    raw = _git(root, "rev-parse", "--git-path", "hooks").rstrip(b"\n")
    path = Path(_decode_path(raw))
    return path if path.is_absolute() else Path(root) / path


@record(frozen=True, slots=True)
class BlameLine:
    commit: str  # NOT_COMMITTED for a line only in the index / working tree
    subject: str


def blame_line(root: str | Path, path: str, line: int, rev: str | None = None) -> BlameLine:
    """The commit that last changed `line` of `path` at `rev` (default: the working tree)."""
    revs = [rev] if rev else []
    out = _git(root, "blame", "--porcelain", "-L", f"{line},{line}", *revs, "--", path).decode()
    commit, subject = NOT_COMMITTED, ""
    for i, raw in enumerate(out.splitlines()):
        if i == 0:
            commit = raw.split(" ", 1)[0]
        elif raw.startswith("summary "):
            subject = raw[len("summary ") :]
    return BlameLine(commit, subject)


def blob_at(root: str | Path, rev: str, path: str) -> tuple[str, bytes] | None:
    """(mode, contents) of path at rev, or None when it is not a file there."""
    listed = _git(root, "ls-tree", rev, "--", path).decode().strip()
    if not listed:
        return None
    mode, kind, obj = listed.split("\t", 1)[0].split(" ")
    if kind != "blob":
        return None
    return mode, _git(root, "cat-file", "blob", obj)
