"""Atomic file writes: a temp file renamed over the target, so a reader sees the old file or
the new one, never half of one; a failed write leaves no temp file.

A run killed with SIGKILL cannot remove its temp file: temp names carry the writer's pid
(`.NAME.PID.RANDOM.tmp`), and the next write of the same target removes the ones dead
writers left. A work-tree file can have its temp file made in a scratch folder instead
(`scratch=`, the git dir's), so a kill leaves nothing a `git add -A` would pick up.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ananke_ci.core.errors import UserError


@contextmanager
def atomic_output(
    path: Path, *, mode: int | None = None, fsync: bool = True, scratch: Path | None = None
) -> Iterator[BinaryIO]:
    """A binary handle whose content replaces `path` when the block ends without an exception.

    An exception inside the block (a failed check of what was written, say) discards the temp
    file and leaves `path` as it was. `mode` sets the permission bits (the temp file is 0o600
    otherwise); `fsync=False` skips the flush to disk where a torn file is detected or rebuilt
    anyway and the write should stay cheap. `scratch`: where the temp file is made (it must
    be on the same file system to be renamed; when it is not, the target's folder is used).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path)
    fd, tmp = _mkstemp(path, scratch)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        try:
            os.replace(tmp, path)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            # another file system: copy next to the target, then rename there
            local_fd, local = _mkstemp(path, None)
            os.close(local_fd)
            try:
                shutil.copyfile(tmp, local)
                if mode is not None:
                    os.chmod(local, mode)
                os.replace(local, path)
            except BaseException:
                Path(local).unlink(missing_ok=True)
                raise
            Path(tmp).unlink(missing_ok=True)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mkstemp(path: Path, scratch: Path | None) -> tuple[int, str]:
    where = path.parent if scratch is None else scratch
    if scratch is not None:
        scratch.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=where)


def write_atomic(
    path: Path,
    data: bytes | str,
    *,
    mode: int | None = None,
    fsync: bool = True,
    scratch: Path | None = None,
) -> Path:
    """Replace `path` with `data` (str is written as UTF-8) in one rename; returns `path`."""
    with atomic_output(path, mode=mode, fsync=fsync, scratch=scratch) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def remove_stale_temps(path: Path) -> None:
    """Remove the temp files of `path` that writers now dead left next to it."""
    prefix = f".{path.name}."
    try:
        names = [n for n in os.listdir(path.parent) if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        pid = temp_owner(name)
        if pid is not None and not _alive(pid):
            (path.parent / name).unlink(missing_ok=True)


def temp_owner(name: str) -> int | None:
    """The writer's pid in a temp file name `.NAME.PID.RANDOM.tmp`, or None."""
    if not (name.startswith(".") and name.endswith(".tmp")):
        return None
    parts = name[:-4].rsplit(".", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process (EPERM), or pid out of range
        return pid > 0
    return pid > 0


def inside(root: Path, target: Path) -> Path:
    """Where writing `target` lands once every symlink on the way is followed, if that is
    inside the work tree at `root`; a UserError naming the link otherwise. A file is never
    written through a link that leaves the repository."""
    real_root = root.resolve()
    real = target.resolve()
    if real != real_root and real_root not in real.parents:
        shown = target.relative_to(root) if target.is_relative_to(root) else target
        raise UserError(
            f"not written: a symbolic link on the way leads outside the repository (to {real})",
            path=str(shown),
        )
    return real
