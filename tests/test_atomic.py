"""The one atomic-write helper: replace in one rename, discard on failure, set the mode."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ananke_ci.adapters.atomic import atomic_output, write_atomic


def test_write_replaces_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.txt"
    assert write_atomic(target, b"one") == target
    write_atomic(target, "twö", fsync=False)
    assert target.read_bytes() == "twö".encode()
    assert [p.name for p in target.parent.iterdir()] == ["a.txt"]


def test_mode_is_set_on_the_new_file(tmp_path: Path) -> None:
    target = write_atomic(tmp_path / "hook", b"#!/bin/sh\n", mode=0o755)
    assert stat.S_IMODE(target.stat().st_mode) == 0o755


def test_an_exception_in_the_block_keeps_the_old_file(tmp_path: Path) -> None:
    target = write_atomic(tmp_path / "a.bin", b"old")
    with pytest.raises(ValueError), atomic_output(target) as out:
        out.write(b"half")
        raise ValueError("does not verify")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]
