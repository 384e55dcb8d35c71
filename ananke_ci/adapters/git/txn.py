"""Move HEAD with the index and the work tree, as one transaction a kill cannot split.

Two files (a ref and the index) cannot be renamed at once, so the move is ordered and
journalled, and every state a kill can leave is safe and repaired by the next run:

1. take `index.lock` (git's own lock: no git can write the index meanwhile) and write a
   journal (`<git dir>/ananke/fixup-transaction.json`) naming the old and new HEAD, the
   lock and each file's before/after blobs;
2. `git update-ref --stdin` locks HEAD's ref against the old value (`prepare`): a HEAD that
   moved since makes the whole move fail here, before anything changed;
3. the work tree files that held the old content get the new one (each one rename);
4. the new index is written into `index.lock` and renamed over the index (git's protocol);
5. the ref transaction commits; the journal is removed.

A kill before 4 leaves the lock (git refuses to commit) and at most some work tree files with
the fills: the next run puts those back and drops the lock (all before). A kill between 4 and
5 leaves the fills staged with HEAD unmoved (update-ref aborts on EOF): the next run moves HEAD
(all after). Ctrl-C and SIGTERM wait until the move is done or undone. A file whose index or
work tree held other changes gets the fill merged in (`git merge-file`), or is left alone
and reported.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import IO, Any, cast

from ananke_ci.adapters.atomic import inside, remove_stale_temps, write_atomic
from ananke_ci.adapters.git import read as git_read
from ananke_ci.adapters.git import write as git_write
from ananke_ci.adapters.git.read import git_dir
from ananke_ci.adapters.proc import run
from ananke_ci.core.errors import UserError
from ananke_ci.core.records import record

_GIT = ("git", "--literal-pathspecs", "-c", "core.quotepath=off")
JOURNAL = ("ananke", "fixup-transaction.json")
_LOCK_WAIT = 2.0  # seconds to wait for another git's index.lock (an IDE's `git status`)


@record(frozen=True, slots=True)
class FileMove:
    path: str
    before: bytes  # the content at the old HEAD
    after: bytes  # at the new HEAD
    mode: str


@record(frozen=True, slots=True)
class _Plan:
    path: str
    before_blob: str
    after_blob: str
    mode: str
    index_blob: str | None  # the entry the new index gets; None: left as it was
    tree: bytes | None  # what the work tree file becomes; None: left as it was
    tree_was: bytes | None  # what it held (to put back)
    tree_blob: str | None  # their blob ids, for the journal (both are in the object store)
    was_blob: str | None
    note: str | None


def _git(root: Path, *args: str, input: bytes | None = None) -> str:
    return run([*_GIT, *args], cwd=root, input=input).stdout.decode().strip()


def _index_path(root: Path) -> Path:
    path = Path(_git(root, "rev-parse", "--git-path", "index"))
    return path if path.is_absolute() else root / path


def advance_head(
    root: Path, old: str, new: str, moves: list[FileMove], reason: str
) -> dict[str, str]:
    """Point HEAD (its branch) at `new` if it still is at `old`, with index and work tree
    following for each moved file; {path: note} for what could not follow."""
    recover(root)
    index = _index_path(root)
    journal = git_dir(root).joinpath(*JOURNAL)
    lock_path = index.with_name(index.name + ".lock")
    with deferred_signals():
        # the lock is made as a scratch file and linked into place, so the journal can
        # name it before it is the lock: a kill at any point leaves a lock known to be ours
        scratch = git_write.scratch_dir(root)
        fd, lock_id, made = _new_lock_file(scratch)
        written: list[_Plan] = []
        committed = False
        old_index: bytes | None = None
        try:
            _write_journal(journal, old, new, reason, lock_id, [])
            _link_lock(made, lock_path)
            old_index = index.read_bytes() if index.exists() else None
            plans = _plans(root, moves, scratch)
            _write_journal(journal, old, new, reason, lock_id, plans)
            with _RefUpdate(root, old, new, reason) as ref:
                for p in plans:
                    if p.tree is not None:
                        _place(root, p.path, p.tree, scratch)
                        written.append(p)
                data = _new_index(root, index, plans, scratch)
                os.write(fd, data)
                os.fsync(fd)
                os.close(fd)
                fd = -1
                os.replace(lock_path, index)
                committed = True
                ref.commit()
        except BaseException:
            if committed and git_read.head_commit(root) == new:  # it did move: keep it
                journal.unlink(missing_ok=True)
                raise
            if committed:
                _restore_index(index, old_index)
            for p in written:
                if p.tree_was is not None:
                    _place(root, p.path, p.tree_was, scratch)
            if fd >= 0:
                os.close(fd)
                if _is_lock(lock_path, lock_id):
                    lock_path.unlink()
            made.unlink(missing_ok=True)
            journal.unlink(missing_ok=True)
            raise
        journal.unlink(missing_ok=True)
    return {p.path: p.note for p in plans if p.note}


def recover(root: Path) -> list[str]:
    """Finish or undo a move a killed run left half done (see the module doc); what it did."""
    gd = git_dir(root)
    scratch = gd.joinpath(*git_write.SCRATCH)
    if scratch.is_dir():
        git_write.prune_scratch(root, scratch)  # what killed runs left there goes
    journal = gd.joinpath(*JOURNAL)
    remove_stale_temps(journal)
    try:
        state = json.loads(journal.read_text(encoding="utf-8"))
        _check_state(state)
    except FileNotFoundError:
        return []
    except (OSError, ValueError, TypeError, KeyError):  # not ours, or torn: nothing to act on
        journal.unlink(missing_ok=True)
        return []
    pid = state.get("pid")
    if isinstance(pid, int) and pid != os.getpid() and git_write.pid_alive(pid):
        raise UserError(
            f"another `ananke-ci fix --fixup` (pid {pid}) is moving HEAD; wait for it to finish"
        )
    index = _index_path(root)
    lock = index.with_name(index.name + ".lock")
    ours = _is_lock(lock, state["lock"])
    files = state["files"]
    staged = _staged(root, [f["path"] for f in files])
    head = git_read.head_commit(root)
    done: list[str] = []
    if (
        head == state["old"]
        and not ours
        and state["planned"]
        and all(staged.get(f["path"], ("",))[0] == f["index"] for f in files if f["index"])
    ):
        # the index was committed, the ref not: finish
        _git(root, "update-ref", "-m", state["reason"], "HEAD", state["new"], state["old"])
        done.append(f"finished an interrupted `fix --fixup`: HEAD moved to {state['new'][:12]}")
    elif head == state["old"]:
        for f in files:  # the new content back to what it was, where it is still the new one
            if f["tree"] and f["tree_was"]:
                target = root / f["path"]
                new = _cat(root, f["tree"])
                if target.is_file() and not target.is_symlink() and target.read_bytes() == new:
                    _place(root, f["path"], _cat(root, f["tree_was"]), scratch)
        done.append(
            "undid an interrupted `fix --fixup`: HEAD, index and work tree are as "
            "they were before it"
        )
    if ours:
        lock.unlink(missing_ok=True)
    journal.unlink(missing_ok=True)
    return done


def _check_state(state: Any) -> None:
    """TypeError/KeyError unless `state` has the journal's shape."""
    if state["version"] != 1 or not isinstance(state["planned"], bool):
        raise TypeError("journal")
    for key in ("old", "new", "reason"):
        if not isinstance(state[key], str):
            raise TypeError(key)
    if not (isinstance(state["lock"], list) and isinstance(state["files"], list)):
        raise TypeError("journal")
    for f in state["files"]:
        if not all(
            isinstance(f[k], str | None) for k in ("index", "tree", "tree_was")
        ) or not isinstance(f["path"], str):
            raise TypeError("journal")


class _Objects:
    """Blob ids computed here (git's object format, read once), written only when new."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.kind = _git(root, "rev-parse", "--show-object-format") or "sha1"

    def id(self, data: bytes) -> str:
        return hashlib.new(self.kind, b"blob %d\0" % len(data) + data).hexdigest()

    def write(self, data: bytes) -> str:
        return _git(self.root, "hash-object", "-w", "--stdin", input=data)


def _plans(root: Path, moves: list[FileMove], scratch: Path) -> list[_Plan]:
    """Per file, where its index entry and work tree file go: the new content where they
    held the old one, the fill merged into other changes, or nothing (with a note)."""
    objects = _Objects(root)
    staged = _staged(root, [m.path for m in moves])
    return [_plan(root, m, staged.get(m.path), objects, scratch) for m in moves]


def _plan(
    root: Path, move: FileMove, staged: tuple[str, str] | None, objects: _Objects, scratch: Path
) -> _Plan:
    before, after = objects.id(move.before), objects.write(move.after)
    notes = []
    index_blob: str | None = None
    if staged is None:
        notes.append("not in the index")
    elif staged[1] != "0":
        notes.append("unmerged in the index")
    elif staged[0] == before:
        index_blob = after
    else:
        merged = _merge(root, _cat(root, staged[0]), move.before, move.after, scratch)
        if merged is None:
            notes.append("the staged version conflicts with the fill")
        else:
            index_blob = objects.write(merged)
    tree: bytes | None = None
    current: bytes | None = None
    target = root / move.path
    if target.is_symlink() or not target.is_file() or not _inside(root, target):
        notes.append(
            "the work tree file is missing, a link, or behind a link out of the repository"
        )
    else:
        current = target.read_bytes()
        if current == move.before:
            tree = move.after
        elif current != move.after:
            tree = _merge(root, current, move.before, move.after, scratch)
            if tree is None:
                notes.append("the unstaged changes conflict with the fill")
    note = None
    if notes:
        note = (
            "; ".join(notes) + ": left as it was (it differs from the new HEAD; "
            "`git diff HEAD` shows how)"
        )
    if tree is None:
        return _Plan(move.path, before, after, move.mode, index_blob, None, None, None, None, note)
    assert current is not None
    tree_blob = after if tree == move.after else objects.write(tree)
    was_blob = before if current == move.before else objects.write(current)
    return _Plan(
        move.path, before, after, move.mode, index_blob, tree, current, tree_blob, was_blob, note
    )


def _inside(root: Path, target: Path) -> bool:
    try:
        inside(root, target)
    except UserError:
        return False
    return True


def _new_index(root: Path, index: Path, plans: list[_Plan], scratch: Path) -> bytes:
    """The index with the planned entries, refreshed so the rewritten files are clean."""
    with git_write.temp_index(
        root, copy_of=index if index.exists() else None, scratch=scratch
    ) as tmp:
        env = {**os.environ, "GIT_INDEX_FILE": str(tmp)}
        info = [f"{p.mode},{p.index_blob},{p.path}" for p in plans if p.index_blob]
        if info:
            args = [a for i in info for a in ("--cacheinfo", i)]
            run([*_GIT, "update-index", *args], cwd=root, env=env)
        # stat data for the files just written; exit 1 only says other files have changes
        run(
            [*_GIT, "update-index", "-q", "--refresh", "--unmerged", "--ignore-missing"],
            cwd=root,
            env=env,
            check=False,
        )
        return tmp.read_bytes()


def _new_lock_file(scratch: Path) -> tuple[int, tuple[int, int], Path]:
    made = scratch / git_write.new_name("lock")
    fd = os.open(made, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    stat = os.fstat(fd)
    return fd, (stat.st_dev, stat.st_ino), made


def _link_lock(made: Path, lock: Path) -> None:
    """`made` becomes `lock` (a hard link fails when the lock exists: git's own check)."""
    deadline = time.monotonic() + _LOCK_WAIT
    while True:
        try:
            os.link(made, lock)
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise UserError(
                    f"{lock} exists: another git process is using the index "
                    "(if none is running, a crashed one left it: remove it)"
                ) from None
            time.sleep(0.05)
    made.unlink()


def _is_lock(lock: Path, lock_id: tuple[int, int] | list[int]) -> bool:
    try:
        st = lock.stat()
    except FileNotFoundError:
        return False
    return (st.st_dev, st.st_ino) == tuple(lock_id)


def _take_lock(lock: Path) -> int:
    deadline = time.monotonic() + _LOCK_WAIT
    while True:
        try:
            return os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            if time.monotonic() > deadline:
                raise UserError(
                    f"{lock} exists: another git process is using the index "
                    "(if none is running, a crashed one left it: remove it)"
                ) from None
            time.sleep(0.05)


def _restore_index(index: Path, data: bytes | None) -> None:
    lock = index.with_name(index.name + ".lock")
    fd = _take_lock(lock)
    try:
        if data is not None:
            os.write(fd, data)
    finally:
        os.close(fd)
    if data is None:
        lock.unlink()
        index.unlink(missing_ok=True)
    else:
        os.replace(lock, index)


def _write_journal(
    path: Path, old: str, new: str, reason: str, lock: tuple[int, int], plans: list[_Plan]
) -> None:
    files = [
        {"path": p.path, "index": p.index_blob, "tree": p.tree_blob, "tree_was": p.was_blob}
        for p in plans
    ]
    state = {
        "version": 1,
        "pid": os.getpid(),
        "old": old,
        "new": new,
        "reason": reason,
        "lock": list(lock),
        "planned": bool(plans),
        "files": files,
    }
    write_atomic(path, json.dumps(state), fsync=True)


def _place(root: Path, path: str, data: bytes, scratch: Path) -> None:
    """One file of the work tree replaced in a rename (its temp file in the scratch folder,
    so a kill leaves nothing in the work tree)."""
    git_write.write_atomic(root / path, data, scratch=scratch)


def _cat(root: Path, blob: str) -> bytes:
    return run([*_GIT, "cat-file", "blob", blob], cwd=root).stdout


def _staged(root: Path, paths: list[str]) -> dict[str, tuple[str, str]]:
    """{path: (blob, stage)} of the paths' first index entries."""
    out: dict[str, tuple[str, str]] = {}
    if not paths:
        return out
    listed = run([*_GIT, "ls-files", "--stage", "-z", "--", *paths], cwd=root).stdout
    for entry in listed.split(b"\0"):
        if entry:
            meta, _, name = entry.partition(b"\t")
            _mode, blob, stage = meta.decode().split(" ")
            out.setdefault(os.fsdecode(name), (blob, stage))
    return out


def _merge(root: Path, ours: bytes, base: bytes, theirs: bytes, scratch: Path) -> bytes | None:
    """`ours` with the change base -> theirs merged in, or None on a conflict."""
    names = [scratch / git_write.new_name("merge") for _ in range(3)]
    try:
        for path, data in zip(names, (ours, base, theirs), strict=True):
            path.write_bytes(data)
        res = run([*_GIT, "merge-file", "-p", "-q", *map(str, names)], cwd=root, check=False)
    finally:
        for path in names:
            path.unlink(missing_ok=True)
    return res.stdout if res.returncode == 0 else None


class _RefUpdate:
    """`git update-ref --stdin` holding HEAD's ref locked at the old value until commit();
    closing its stdin without `commit` aborts (git removes the lock), which is what a killed
    parent leaves. Its own session: a Ctrl-C at the terminal does not reach it."""

    def __init__(self, root: Path, old: str, new: str, reason: str) -> None:
        self.proc = subprocess.Popen(
            [*_GIT, "update-ref", "--stdin", "-m", reason],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._send(f"start\nupdate HEAD {new} {old}\nprepare\n")
        if self._reply() != "start: ok" or self._reply() != "prepare: ok":
            self.abort()
            raise UserError(
                "HEAD moved while `fix --fixup` ran (it is no longer at "
                f"{old[:12]}); nothing was changed: run it again"
            )

    def _send(self, text: str) -> None:
        stdin = cast(IO[bytes], self.proc.stdin)
        if self.proc.returncode is not None or stdin.closed:
            return
        try:
            stdin.write(text.encode())
            stdin.flush()
        except BrokenPipeError:
            pass

    def _reply(self) -> str:
        return cast(IO[bytes], self.proc.stdout).readline().decode().strip()

    def commit(self) -> None:
        self._send("commit\n")
        ok = self._reply() == "commit: ok"
        self.abort()
        if not ok:
            raise UserError("git update-ref could not move HEAD")

    def abort(self) -> None:
        """End the process; without a `commit` before, git drops the ref lock."""
        if self.proc.returncode is None:
            try:
                self.proc.communicate()  # closes stdin: EOF
            except (BrokenPipeError, ValueError):
                self.proc.wait()

    def __enter__(self) -> _RefUpdate:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.returncode is None:
            self.abort()


@contextmanager
def deferred_signals() -> Iterator[None]:
    """SIGINT and SIGTERM that arrive inside the block take effect when it ends (the main
    thread only; elsewhere the block runs as it is)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        pending.append(signum)

    saved: dict[signal.Signals, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        saved[sig] = signal.signal(sig, hold)
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        for signum in dict.fromkeys(pending):
            signal.raise_signal(signum)
