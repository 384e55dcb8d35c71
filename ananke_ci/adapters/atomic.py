"""Atomic file writes: a temp file in the same directory, renamed over the target, so a reader
sees the old file or the new one, never half of one; a failed write leaves no temp file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_output(path: Path, *, mode: int | None = None, fsync: bool = True) -> Iterator[BinaryIO]:
    """A binary handle whose content replaces `path` when the block ends without an exception.

    An exception inside the block (a failed check of what was written, say) discards the temp
    file and leaves `path` as it was. `mode` sets the permission bits (the temp file is 0o600
    otherwise); `fsync=False` skips the flush to disk where a torn file is detected or rebuilt
    anyway and the write should stay cheap.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes | str, *, mode: int | None = None,
                 fsync: bool = True) -> Path:
    """Replace `path` with `data` (str is written as UTF-8) in one rename; returns `path`."""
    with atomic_output(path, mode=mode, fsync=fsync) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    return path
