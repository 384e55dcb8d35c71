"""`ananke-ci ci`: one pull-request push, start to finish.

1. the change is merge-base..head; the config (and so any test command) is the base's;
2. salience of the base, refreshed incrementally in `.git/ananke` (the Action caches it);
3. validate the range; SARIF written for code scanning;
4. fills for the holes it adds (never fatal: skipped with a reason);
5. review comments reconciled by marker, a check run with the annotations (or workflow
   commands), `fixup!` commits on the bot's branch: only with a token that may write, so a
   fork's pull request gets annotations, SARIF and the summary only;
6. one job summary, the outputs, and the exit status of the findings.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol, TextIO

from ananke_ci import __version__
from ananke_ci.adapters.github_api import GitHubError
from ananke_ci.analysis.salience.model import FileSalience
from ananke_ci.app.ci_context import (
    CiSettings,
    PullEvent,
    ensure_commits,
    merge_base,
    redact,
)
from ananke_ci.app.ci_fix import (
    FixOutcome,
    commit_fills,
    hole_lines,
    match_findings,
    proposal_for,
    propose_fills,
)
from ananke_ci.app.ci_publish import DryRun, ReviewApi, publish_check_run, publish_review
from ananke_ci.app.ci_salience import base_salience
from ananke_ci.app.judge import open_judge, tty_progress
from ananke_ci.app.targets import Target
from ananke_ci.app.validate import validate
from ananke_ci.core.errors import UserError
from ananke_ci.core.findings import Finding, should_fail
from ananke_ci.core.protocol import Backend
from ananke_ci.core.records import record
from ananke_ci.report.annotations import conclusion, workflow_commands
from ananke_ci.report.base import ReportInput, count, summary_line
from ananke_ci.report.review_plan import DesiredComment, Proposal, desired_comments
from ananke_ci.report.sarif import SarifReporter
from ananke_ci.report.summary import SummaryInput, map_points, render

FORK_NOTE = (
    "This pull request comes from a fork, whose token is read-only: the bot posted "
    "no review, check run or fix; the annotations, the SARIF file and this summary "
    "are what it leaves. (Publish from a `workflow_run` job: see docs/bot.md.)"
)


class Api(ReviewApi, Protocol):
    """Everything the bot asks of GitHub (adapters/github_api.GitHubClient)."""


@record(frozen=True, slots=True)
class CiResult:
    exit_code: int
    findings: int  # in the change
    holes: int
    sarif: Path
    summary: str


def run_ci(
    root: Path,
    event: PullEvent,
    settings: CiSettings,
    environ: Mapping[str, str],
    api: Api | None,
    *,
    out: TextIO | None = None,
    backend_factory: Callable[[], Backend] | None = None,
) -> CiResult:
    """Run the bot on one push; `api` None means no token (nothing is posted)."""
    out = out or sys.stdout
    ensure_commits(root, event)
    base = merge_base(root, event)
    target = Target("range", f"{base}...{event.head_sha}")
    # what judges the pull request is its merge base's: config, constraints, baseline
    judge = open_judge(root, target, progress=tty_progress)
    config = judge.config
    notes: list[str] = [FORK_NOTE] if event.fork else []
    if settings.dry_run:
        notes.append("dry run: nothing was posted; the lines below say what would have been")
    if api is None and not event.fork and not settings.dry_run:
        notes.append("no GitHub token: nothing was posted to the pull request")
    report_files = _salience(root, base, settings, notes)
    mode = settings.filter_mode or config.filter_mode
    notes.extend(judge.notices)
    result = validate(root, target, judge, mode)
    findings = list(result.findings)
    diffs = {c.source.path: c.source.diff for c in result.files if c.source.diff is not None}
    points = map_points(report_files, diffs)
    _write_sarif(
        settings.sarif, ReportInput(findings, __version__, root, result.notices, len(result.files))
    )
    if event.fork and settings.fix != "off":  # neither suggestions nor commits can land
        outcome = FixOutcome(
            skipped="a fork's pull request can receive neither suggestions "
            "nor commits from this token"
        )
    else:
        outcome = propose_fills(
            root,
            target,
            judge,
            settings,
            fork=event.fork,
            environ=environ,
            backend_factory=backend_factory,
        )
    if outcome.skipped and settings.fix != "off":
        notes.append(f"fix step skipped: {outcome.skipped}")
    notes.extend(outcome.notes)
    shown = [f for f in findings if f.in_diff]
    failed = should_fail(findings, settings.fail_level or config.fail_level)
    writer: Api | None = DryRun(api, out) if settings.dry_run else api
    can_write = writer is not None and not event.fork
    proposals = _proposals(findings, outcome) if settings.fix == "suggest" and can_write else {}
    posted: list[str] = []
    annotated = False
    if can_write and writer is not None:
        desired, rejected = desired_comments(findings, diffs, proposals)
        annotated = _publish(
            writer, event, desired, rejected, shown, failed, posted, notes, settings
        )
        if settings.fix == "commit" and not outcome.skipped:
            try:
                posted.extend(commit_fills(root, event, outcome.fixes, settings, writer, environ))
            except Exception as exc:  # the fill is extra: never fatal
                notes.append(f"fix commits not pushed: {str(exc).splitlines()[0][:300]}")
    overflow: list[Finding] = []
    if not annotated:
        plan = workflow_commands(shown)
        out.write("".join(line + "\n" for line in plan.lines))
        overflow = list(plan.overflow)
    status = (
        "suggested"
        if proposals
        else "committed"
        if (settings.fix == "commit" and can_write)
        else "proposed (summary only)"
    )
    holes = hole_lines(outcome.fixes, status)
    summary = render(
        SummaryInput(
            findings=findings,
            holes=holes,
            points=points,
            notes=notes,
            posted=posted,
            not_annotated=overflow,
            base=base,
            head=event.head_sha,
            plot_artifact=settings.plot.name if settings.plot and report_files else None,
            changed=tuple(diffs),
        )
    )
    summary = redact(summary, settings.secrets)
    _append(settings.summary, summary, out if settings.dry_run else None)
    n_holes = len(holes) if holes else sum(1 for f in shown if f.rule in ("ANK101", "ANK102"))
    code = 1 if failed else 0
    _outputs(
        settings.outputs,
        {
            "findings": str(len(shown)),
            "holes": str(n_holes),
            "sarif": str(settings.sarif),
            "exit-code": str(code),
            "fork": "true" if event.fork else "false",
        },
    )
    return CiResult(code, len(shown), n_holes, settings.sarif, summary)


def _salience(root: Path, base: str, settings: CiSettings, notes: list[str]) -> list[FileSalience]:
    """The base's salience rows (and the hotspot PNG); [] with a note when it fails."""
    if not settings.salience:
        return []
    try:
        files = list(base_salience(root, base).files)
    except Exception as exc:  # the picture is extra: say why it is missing
        notes.append(f"salience not computed: {str(exc).splitlines()[0][:200]}")
        return []
    if settings.plot is not None and files:
        try:
            from ananke_ci.adapters.plot import hotspot_map  # matplotlib: the history extra

            hotspot_map(files, settings.plot, title="Salience at the base of the change")
        except Exception as exc:
            notes.append(f"hotspot map not drawn: {str(exc).splitlines()[0][:200]}")
    return files


def _proposals(findings: list[Finding], outcome: FixOutcome) -> dict[int, Proposal]:
    out = {}
    for i, fix in match_findings(findings, outcome.fixes).items():
        proposal = proposal_for(fix)
        if proposal is not None:
            out[i] = proposal
    return out


def _publish(
    api: Api,
    event: PullEvent,
    desired: list[DesiredComment],
    rejected: list[tuple[DesiredComment, str]],
    shown: list[Finding],
    failed: bool,
    posted: list[str],
    notes: list[str],
    settings: CiSettings,
) -> bool:
    """Review and check run; True when the findings became check-run annotations."""
    try:
        posted.extend(publish_review(api, event.number, event.head_sha, desired, rejected).lines)
    except GitHubError as exc:
        notes.append(f"review not posted: {exc}")
    if settings.annotations == "commands":
        return False
    try:
        title = summary_line(count(shown))
        posted.append(
            publish_check_run(api, event.head_sha, shown, conclusion(shown, failed), title, title)
        )
        return True
    except GitHubError as exc:
        notes.append(f"no check run ({exc}); the findings are workflow annotations")
        return False


def _write_sarif(path: Path, report: ReportInput) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SarifReporter().render(report), encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write the SARIF file: {exc.strerror}", path=str(path)) from None


def _append(path: Path | None, text: str, fallback: TextIO | None) -> None:
    if path is None:
        if fallback is not None:
            fallback.write(text)
        return
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)


def _outputs(path: Path | None, values: dict[str, str]) -> None:
    if path is None:
        return
    with path.open("a", encoding="utf-8") as fh:
        for key, value in values.items():
            fh.write(f"{key}={value}\n")
