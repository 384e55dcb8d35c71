"""Install the plain git hooks of `hooks/`, never clobbering a user's own hook silently."""

from __future__ import annotations

import os
from pathlib import Path

from ananke_ci.adapters.atomic import write_atomic
from ananke_ci.adapters.git import read as git
from ananke_ci.core.errors import UserError
from ananke_ci.core.records import record

HOOK_NAMES: tuple[str, ...] = ("pre-commit", "pre-push")


@record(frozen=True, slots=True)
class Outcome:
    hook: str
    ok: bool
    message: str


def hook_source(name: str) -> bytes:
    """The shipped hook script: packaged in the wheel, or `hooks/` of a source checkout."""
    from importlib import resources  # not on the validate hot path

    packaged = resources.files("ananke_ci") / "hooks" / name
    if packaged.is_file():
        return packaged.read_bytes()
    checkout = Path(__file__).resolve().parents[2] / "hooks" / name
    if checkout.is_file():
        return checkout.read_bytes()
    raise UserError(f"hook script {name!r} is missing from this installation; reinstall ananke-ci")


def install_hooks(root: Path, names: tuple[str, ...], *, force: bool) -> list[Outcome]:
    hooks_dir = git.hooks_dir(root)
    hooks_dir.mkdir(parents=True, exist_ok=True)
    return [_install(hooks_dir / name, hook_source(name), force=force) for name in names]


def _install(dest: Path, script: bytes, *, force: bool) -> Outcome:
    name = dest.name
    if dest.exists():
        if dest.read_bytes() == script:
            return Outcome(name, True, f"{name}: already installed ({dest})")
        if not force:
            return Outcome(
                name,
                False,
                f"{name}: {dest} exists and is not ananke-ci's; kept it "
                "(use --force to replace it; the old one is saved as a backup)",
            )
        backup = dest.with_name(name + ".ananke-backup")
        os.replace(dest, backup)
        _write_executable(dest, script)
        return Outcome(name, True, f"{name}: replaced (old hook saved as {backup})")
    _write_executable(dest, script)
    return Outcome(name, True, f"{name}: installed ({dest})")


def _write_executable(dest: Path, data: bytes) -> None:
    """Temp file + rename: a failed write never leaves a half-written hook."""
    write_atomic(dest, data, mode=0o755, fsync=False)
