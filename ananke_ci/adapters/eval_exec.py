"""I/O of `ananke-ci eval`: the projects' checkouts, their test runs, the journal.

- `checkout`: a project's git clone in the cache directory (once), from a local mirror;
- `npm_install`: the few npm packages a JavaScript project's tests need, into a directory of
  their own beside the clone (the project's whole manifest is not installed: it may name
  packages that cannot be fetched offline);
- `run_with`: the project's test command on one version of one file, in the clone, with a
  time limit (the file is put back afterwards, whatever happens);
- `Journal`: one JSON object a line, appended and flushed per finished task, so that a run
  that is interrupted goes on where it stopped.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ananke_ci.adapters.sandbox import run_sandboxed
from ananke_ci.core.errors import UserError


def checkout(mirror: str, dest: Path) -> Path:
    """A clone of `mirror` at `dest` (made once; an existing clone is reused)."""
    if (dest / ".git").is_dir():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["git", "clone", "-q", mirror, str(dest)], capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise UserError(f"cannot clone {mirror}: {done.stderr.strip()[-300:]}")
    return dest


def restore(root: Path) -> None:
    """The clone's tracked files as committed (a run killed while a file was swapped in
    leaves it changed)."""
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=root, capture_output=True, timeout=120)


def npm_install(where: Path, packages: tuple[str, ...]) -> Path:
    """`npm install` of `packages` into `where` (once); its node_modules directory."""
    modules = where / "node_modules"
    if all((modules / p).is_dir() for p in packages):
        return modules
    where.mkdir(parents=True, exist_ok=True)
    manifest = where / "package.json"
    if not manifest.exists():
        manifest.write_text('{"name": "ananke-eval-deps", "version": "1.0.0", "private": true}\n')
    done = subprocess.run(
        ["npm", "install", "--silent", "--no-audit", "--no-fund", *packages],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0:
        raise UserError(f"npm install failed: {done.stderr.strip()[-300:]}")
    return modules


def link(target: Path, name: Path) -> None:
    """`name` -> `target`, a symbolic link (replaced when it points elsewhere)."""
    if name.is_symlink() and name.resolve() == target.resolve():
        return
    if name.is_symlink():
        name.unlink()
    name.symlink_to(target)


def run_with(
    root: Path,
    path: str,
    content: bytes,
    command: str,
    timeout: float,
) -> tuple[bool, str]:
    """(passed, last output) of `command` in `root` with `path` holding `content`."""
    target = root / path
    before = target.read_bytes()
    try:
        target.write_bytes(content)
        res = run_sandboxed(command, root, timeout=timeout)
    finally:
        target.write_bytes(before)
    return res.returncode == 0 and not res.timed_out, res.output[-600:]


def put(root: Path, path: str, content: bytes) -> None:
    (root / path).write_bytes(content)


class Journal:
    """Append-only JSON lines; each line is {"kind": ..., "key": ..., "data": ...}."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def entries(self) -> Iterator[dict[str, Any]]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        for line in lines:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:  # a line cut short by an interruption
                continue
            if isinstance(entry, dict) and "kind" in entry and "key" in entry:
                yield entry

    def append(self, kind: str, key: str, data: Any) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"kind": kind, "key": key, "data": data}) + "\n")
            out.flush()


def make_repo(root: Path, files: dict[str, str]) -> Path:
    """A fresh git repository at `root` with `files` committed (one commit)."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    env_args = [
        "-c",
        "user.name=ananke eval",
        "-c",
        "user.email=eval@localhost",
        "-c",
        "commit.gpgsign=false",
    ]
    for args in (["init", "-q"], ["add", "-A"], [*env_args, "commit", "-q", "-m", "task"]):
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise UserError(f"git {args[-1]} failed in {root}: {done.stderr.strip()[-300:]}")
    return root


def sdist_checkout(requirement: str, dest: Path) -> Path:
    """A PyPI source distribution (tests included) unpacked at `dest` as a git repository
    (once): `pip download --no-binary :all: --no-deps`."""
    if (dest / ".git").is_dir():
        return dest
    import sys
    import tarfile
    import tempfile

    with tempfile.TemporaryDirectory(prefix="ananke-sdist-") as tmp:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-binary",
                ":all:",
                "--no-deps",
                requirement,
                "-d",
                tmp,
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        archives = sorted(Path(tmp).glob("*.tar.gz"))
        if done.returncode != 0 or not archives:
            raise UserError(
                f"cannot download the sdist of {requirement}: {done.stderr.strip()[-300:]}"
            )
        with tarfile.open(archives[0]) as tar:
            tar.extractall(tmp, filter="data")
        top = next(p for p in Path(tmp).iterdir() if p.is_dir())
        files = {
            p.relative_to(top).as_posix(): p.read_text(encoding="utf-8", errors="replace")
            for p in sorted(top.rglob("*"))
            if p.is_file()
        }
    return make_repo(dest, files)
