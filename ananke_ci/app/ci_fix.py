"""The bot's fix step: fills for the holes a pull request adds, as suggestions or commits.

Never fails the run: an endpoint that is down, slow or refuses turns into "skipped" and its
reason in the summary. `fix: commit` makes `fixup!` commits in a throwaway worktree of the
pull request's head, pushes them to `ananke/fix/<number>` (force: the branch is the bot's and
is rebuilt on each push) and opens one pull request into the head branch, updated after.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from ananke_ci.adapters.backends import registry
from ananke_ci.adapters.backends.registry import BackendSettings
from ananke_ci.adapters.git import read as git_read
from ananke_ci.adapters.github_api import PullRef
from ananke_ci.adapters.proc import run
from ananke_ci.app.ci_context import CiSettings, PullEvent, redact
from ananke_ci.app.fix import FixOptions, HoleFix, fix_holes
from ananke_ci.app.fix_write import fixup_commits
from ananke_ci.app.judge import Judge
from ananke_ci.app.targets import Target
from ananke_ci.app.verify import splice
from ananke_ci.core.config import Config
from ananke_ci.core.findings import Finding
from ananke_ci.core.protocol import Backend
from ananke_ci.core.records import record
from ananke_ci.report.review_plan import Proposal
from ananke_ci.report.summary import HoleLine

BOT_NAME = "ananke-ci[bot]"
BOT_EMAIL = "ananke-ci[bot]@users.noreply.github.com"
HOLE_RULES = frozenset({"ANK101", "ANK102"})


class FixPulls(Protocol):
    """The part of the GitHub client the commit mode needs."""

    def find_open_pull(self, head_branch: str, base: str) -> PullRef | None: ...
    def create_pull(self, head: str, base: str, title: str, body: str) -> PullRef: ...
    def update_pull(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: str | None = None,
    ) -> None: ...


@record(frozen=True, slots=True)
class FixOutcome:
    fixes: tuple[HoleFix, ...] = ()
    skipped: str | None = None  # why the step did not run or did not finish
    notes: tuple[str, ...] = ()
    branch: str | None = None  # the fix branch pushed (commit mode)


def branch_name(number: int) -> str:
    return f"ananke/fix/{number}"


def make_backend(settings: CiSettings, config: Config, environ: Mapping[str, str]) -> Backend:
    """The endpoint when one is set (kind from the input, else [generate], else the
    generation protocol), else the local CPU model."""
    model = settings.model or config.generate.model
    if not settings.endpoint:
        return registry.make_backend("local", BackendSettings(model=model), environ)
    configured = config.generate.backend if config.generate.backend != "local" else None
    kind = settings.backend or configured or "protocol"
    return registry.make_backend(
        kind, BackendSettings(model=model, endpoint=settings.endpoint), environ
    )


def propose_fills(
    root: Path,
    target: Target,
    judge: Judge,
    settings: CiSettings,
    *,
    fork: bool,
    environ: Mapping[str, str],
    backend_factory: Callable[[], Backend] | None = None,
) -> FixOutcome:
    """Run fix_holes with a deadline; any failure becomes `skipped` with its reason."""
    if settings.fix == "off":
        return FixOutcome(skipped="fix is off")
    config = judge.config
    # the base's command (the judge's config is the merge base's), sandboxed by the
    # verifier: no secrets, no network, a time limit (app/verify.py run_tests)
    tests = settings.run_tests and not fork and bool(config.verify.command)
    notes = []
    if config.verify.command and not tests:
        notes.append(
            "the [verify] command was not run: "
            + (
                "never for a fork's pull request"
                if fork and settings.run_tests
                else "the bot runs it only with `run-tests: true`"
            )
        )
    gen = config.generate
    options = FixOptions(attempts=gen.attempts, n=gen.n, max_tokens=gen.max_tokens, run_tests=tests)
    box: dict[str, object] = {}

    def work() -> None:
        try:
            backend = (
                backend_factory() if backend_factory else make_backend(settings, config, environ)
            )
            box["fixes"] = fix_holes(root, target, judge, backend, options)
        except BaseException as exc:  # reported, never raised: validation stands
            box["error"] = exc

    thread = threading.Thread(target=work, daemon=True, name="ananke-ci-fix")
    thread.start()
    thread.join(settings.fix_timeout)
    if thread.is_alive():
        return FixOutcome(
            skipped=f"the fix step took longer than {settings.fix_timeout:g}s "
            "(endpoint slow or unreachable?)",
            notes=tuple(notes),
        )
    if "error" in box:
        exc = box["error"]
        why = redact(f"{type(exc).__name__}: {exc}", settings.secrets).splitlines()[0][:300]
        return FixOutcome(skipped=f"the fix step failed ({why})", notes=tuple(notes))
    fixes = box.get("fixes")
    assert isinstance(fixes, list)
    return FixOutcome(fixes=tuple(fixes), notes=tuple(notes))


def proposal_for(fix: HoleFix) -> Proposal | None:
    """The lines the verified fill replaces (as app/verify.py splices it) and their text."""
    if fix.fill is None:
        return None
    patch = splice(fix.original, fix.report.hole, fix.fill, fix.report.language)
    start_line = fix.report.hole.span.start_line
    end_line = start_line + fix.original.count(b"\n", patch.start, patch.replaced_end)
    text = patch.patched[patch.start : patch.end].decode("utf-8", "replace")
    return Proposal(start_line, end_line, text)


def match_findings(findings: Sequence[Finding], fixes: Sequence[HoleFix]) -> dict[int, HoleFix]:
    """Each hole's finding (ANK101/ANK102 on the hole's first line), by finding index."""
    by_place = {(f.report.path, f.report.hole.span.start_line): f for f in fixes}
    out = {}
    for i, finding in enumerate(findings):
        if finding.rule in HOLE_RULES:
            fix = by_place.get((finding.path, finding.line))
            if fix is not None:
                out[i] = fix
    return out


def hole_lines(fixes: Sequence[HoleFix], status_ok: str) -> list[HoleLine]:
    out = []
    for fix in fixes:
        hole = fix.report.hole
        out.append(
            HoleLine(
                fix.report.path,
                hole.span.start_line,
                hole.marker,
                status_ok if fix.ok else "no verified fill",
                fix.fill,
                () if fix.ok else fix.reasons[:3],
            )
        )
    return out


@contextmanager
def bot_identity(environ: Mapping[str, str]) -> Iterator[None]:
    """Commits need a name; a CI runner has none configured."""
    keys = {
        "GIT_AUTHOR_NAME": BOT_NAME,
        "GIT_AUTHOR_EMAIL": BOT_EMAIL,
        "GIT_COMMITTER_NAME": BOT_NAME,
        "GIT_COMMITTER_EMAIL": BOT_EMAIL,
    }
    saved = {k: os.environ.get(k) for k in keys}
    for k, v in keys.items():
        os.environ[k] = environ.get(k) or v
    try:
        yield
    finally:
        for k, old in saved.items():
            if old is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = old


def commit_fills(
    root: Path,
    event: PullEvent,
    fixes: Sequence[HoleFix],
    settings: CiSettings,
    pulls: FixPulls | None,
    environ: Mapping[str, str],
) -> list[str]:
    """`fixup!` commits on the fix branch and its pull request; lines for the summary."""
    filled = [f for f in fixes if f.ok]
    branch = branch_name(event.number)
    open_pr = pulls.find_open_pull(branch, event.head_ref) if pulls else None
    if not filled:
        if open_pr is not None and pulls is not None:
            pulls.update_pull(
                open_pr.number,
                state="closed",
                body="ananke-ci: the pull request has no holes left to fill.",
            )
            return [f"closed the fix pull request #{open_pr.number}: no holes left"]
        return []
    with tempfile.TemporaryDirectory(prefix="ananke-fix-") as tmp:
        work = Path(tmp) / "head"
        run(["git", "worktree", "add", "--detach", "--quiet", str(work), event.head_sha], cwd=root)
        try:
            with bot_identity(environ):
                written = fixup_commits(work, list(filled))
            tip = git_read.head_commit(work)
            lines = [f"{w.path}: {w.note}" for w in written if w.note]
            if tip is None or tip == event.head_sha:
                return [*lines, "no fixup commit was made"]
            if settings.dry_run:
                return [*lines, f"would push {len(filled)} fixup commit(s) to `{branch}`"]
            run(
                [
                    "git",
                    "push",
                    "--force",
                    "--quiet",
                    settings.remote,
                    f"{tip}:refs/heads/{branch}",
                ],
                cwd=work,
            )
        finally:
            run(["git", "worktree", "remove", "--force", str(work)], cwd=root, check=False)
    body = _pull_body(event, filled)
    title = f"ananke-ci: fill {len(filled)} hole(s) of #{event.number}"
    if pulls is None:
        return [*lines, f"pushed {len(filled)} fixup commit(s) to `{branch}`"]
    if open_pr is not None:
        pulls.update_pull(open_pr.number, title=title, body=body)
        return [
            *lines,
            f"updated the fix pull request #{open_pr.number} ({len(filled)} fixup commit(s))",
        ]
    made = pulls.create_pull(branch, event.head_ref, title, body)
    return [*lines, f"opened the fix pull request #{made.number} ({len(filled)} fixup commit(s))"]


def _number(pr: object) -> int:
    return int(getattr(pr, "number"))  # noqa: B009 - PullRef or any record with a number


def _pull_body(event: PullEvent, filled: Sequence[HoleFix]) -> str:
    lines = [
        f"Verified fills for the holes #{event.number} adds, as `fixup!` commits on "
        f"{event.head_sha[:12]}. Merge this into `{event.head_ref}`, then fold them with "
        "`git rebase -i --autosquash`.",
        "",
    ]
    for fix in filled:
        lines.append(
            f"- `{fix.report.path}:{fix.report.hole.span.start_line}` `{fix.report.hole.marker}`"
        )
    return "\n".join(lines) + "\n\n<!-- ananke-ci:fix-pull -->\n"
