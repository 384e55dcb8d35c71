"""What one bot run works on: the pull-request event, the bot's settings, the base's config.

The event file is GitHub's webhook payload (`GITHUB_EVENT_PATH`). Everything the pull request
itself controls is untrusted: the configuration (and so the `[verify] command`) is read from
the change's BASE commit, never from the checkout.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from ananke_ci.adapters.proc import run
from ananke_ci.core.errors import UserError
from ananke_ci.core.findings import FilterMode, Severity
from ananke_ci.core.records import record

FixMode = Literal["off", "suggest", "commit"]
FIX_MODES: tuple[FixMode, ...] = ("off", "suggest", "commit")


@record(frozen=True, slots=True)
class PullEvent:
    repository: str  # owner/name of the base repository
    number: int
    base_sha: str  # the base branch's tip as the event saw it
    head_sha: str
    base_ref: str
    head_ref: str
    head_repository: str | None  # None: the fork was deleted
    action: str = ""

    @property
    def fork(self) -> bool:
        """A pull request from another repository: its token is read-only."""
        return self.head_repository != self.repository


@record(frozen=True, slots=True)
class CiSettings:
    fix: FixMode = "off"
    dry_run: bool = False
    endpoint: str | None = None
    backend: str | None = None  # None: [generate] backend when an endpoint is set
    model: str | None = None
    run_tests: bool = False  # the maintainers' opt-in for the base's [verify] command
    fail_level: Severity | None = None
    filter_mode: FilterMode | None = None
    sarif: Path = Path("ananke-ci.sarif")
    summary: Path | None = None  # $GITHUB_STEP_SUMMARY
    outputs: Path | None = None  # $GITHUB_OUTPUT
    plot: Path | None = None  # the hotspot PNG
    remote: str = "origin"  # where `fix: commit` pushes its branch
    fix_timeout: float = 600.0  # seconds for the whole fix step
    salience: bool = True
    annotations: Literal["auto", "check-run", "commands"] = "auto"
    secrets: tuple[str, ...] = ()  # values never to print anywhere


def read_event(path: Path) -> PullEvent:
    """The pull request of a `pull_request` (or `pull_request_target`) event file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(
            "event file not found (set GITHUB_EVENT_PATH or --event FILE)", path=str(path)
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"cannot read the event: {exc}", path=str(path)) from None
    return parse_event(data, str(path))


def parse_event(data: Any, source: str = "event") -> PullEvent:
    pr = data.get("pull_request") if isinstance(data, dict) else None
    if not isinstance(pr, dict):
        raise UserError(
            "not a pull_request event (no `pull_request` object); the bot runs `on: pull_request`",
            path=source,
        )
    try:
        base, head = pr["base"], pr["head"]
        repository = str((data.get("repository") or base["repo"])["full_name"])
        head_repo = head.get("repo")
        return PullEvent(
            repository=repository,
            number=int(pr["number"]),
            base_sha=_sha(base["sha"], source),
            head_sha=_sha(head["sha"], source),
            base_ref=str(base["ref"]),
            head_ref=str(head["ref"]),
            head_repository=str(head_repo["full_name"]) if isinstance(head_repo, dict) else None,
            action=str(data.get("action") or ""),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UserError(f"pull_request event lacks {exc}", path=source) from None


def _sha(value: Any, source: str) -> str:
    text = str(value)
    if not (7 <= len(text) <= 64 and all(c in "0123456789abcdef" for c in text)):
        raise UserError(f"not a commit id in the event: {text[:80]!r}", path=source)
    return text


def ensure_commits(root: Path, event: PullEvent) -> None:
    """The base and head commits must be in the clone (actions/checkout with fetch-depth: 0)."""
    for what, sha in (("base", event.base_sha), ("head", event.head_sha)):
        res = run(["git", "cat-file", "-e", f"{sha}^{{commit}}"], cwd=root, check=False)
        if res.returncode != 0:
            raise UserError(
                f"the pull request's {what} commit {sha[:12]} is not in this clone; "
                "check out with `fetch-depth: 0` (actions/checkout)"
            )


def merge_base(root: Path, event: PullEvent) -> str:
    res = run(["git", "merge-base", event.base_sha, event.head_sha], cwd=root, check=False)
    if res.returncode != 0:
        raise UserError(
            f"no merge base between {event.base_sha[:12]} and "
            f"{event.head_sha[:12]}: fetch the full history (fetch-depth: 0)"
        )
    return res.stdout.decode().strip()


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def secret_values(environ: Mapping[str, str], names: tuple[str, ...]) -> tuple[str, ...]:
    """The values of secret variables (long enough to be worth masking)."""
    return tuple(v for n in names if len(v := environ.get(n, "")) >= 4)


def redact(text: str, secrets: tuple[str, ...]) -> str:
    for value in secrets:
        text = text.replace(value, "***")
    return text
