"""The pull-request review as a plan: which comments to post, edit, resolve or leave (pure).

Every comment the bot writes ends in a hidden marker holding its key: the finding's
line-independent fingerprint and its occurrence among equal fingerprints in the file
(`<fp>.<k>`), so a rebase that moves lines matches the same comments again. Each push posts at
most one new review holding only the comments not there yet (capped per review and in
total; the rest are listed in the review's body), edits those whose text changed, and
resolves those whose finding is gone, unless a person replied in their thread. Ranges are
checked against the diff's hunks first: one bad range makes GitHub refuse the whole review.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from ananke_ci.core.diff import FileDiff, Hunk
from ananke_ci.core.findings import Finding
from ananke_ci.core.records import record

MARKER_RE = re.compile(r"<!-- ananke-ci:finding key=([0-9a-f]{16}\.\d+) -->")
REVIEW_MARKER = "<!-- ananke-ci:review -->"
OVERFLOW_RE = re.compile(r"<!-- ananke-ci:listed keys=([0-9a-f.,]*) -->")
MAX_PER_REVIEW = 30  # more in quick succession: "was submitted too quickly" (reviewdog#355)
MAX_TOTAL = 100  # a PR page with ~200 bot comments stopped loading
MAX_BODY = 60_000  # GitHub refuses comment bodies over 65,536 characters
_SEVERITY_ICON = {"error": "\u274c", "warning": "\u26a0\ufe0f", "note": "\u2139\ufe0f"}


@record(frozen=True, slots=True)
class Proposal:
    """A verified fill for a hole: replaces lines start_line..end_line of the new file."""

    start_line: int
    end_line: int
    text: str  # the replacement lines, without the final newline


@record(frozen=True, slots=True)
class DesiredComment:
    key: str  # fingerprint.occurrence
    path: str
    line: int  # last line of the range (RIGHT side)
    start_line: int | None  # first line, for multi-line ranges; None for one line
    body: str  # with its marker


@record(frozen=True, slots=True)
class ExistingComment:
    """One of the bot's review comments as GitHub lists it, with its thread."""

    id: int
    key: str
    body: str
    line: int | None  # None: outdated (GitHub no longer maps it onto the head)
    start_line: int | None
    thread_id: str | None  # GraphQL node id of its thread, when known
    resolved: bool
    human_reply: bool  # someone other than the bot wrote in its thread


@record(frozen=True, slots=True)
class Edit:
    comment_id: int
    key: str
    body: str


@record(frozen=True, slots=True)
class Retire:
    comment_id: int
    key: str
    thread_id: str | None  # resolve it when there is a thread, else delete the comment


@record(frozen=True, slots=True)
class ReviewPlan:
    new: tuple[DesiredComment, ...]  # posted in one review
    review_body: str  # the new review's body ("" when there is no review to post)
    edits: tuple[Edit, ...]
    retire: tuple[Retire, ...]
    kept: tuple[str, ...]  # keys left alone: still current, or a person replied
    overflow: tuple[DesiredComment, ...]  # not posted inline (caps): listed in the body
    rejected: tuple[tuple[DesiredComment, str], ...]  # ranges outside the diff, and why

    @property
    def empty(self) -> bool:
        return not (self.new or self.edits or self.retire)


def marker(key: str) -> str:
    return f"<!-- ananke-ci:finding key={key} -->"


def key_of(body: str) -> str | None:
    """The key in a comment's hidden marker, or None when it is not the bot's."""
    m = MARKER_RE.search(body)
    return m.group(1) if m else None


def listed_keys(review_bodies: Iterable[str]) -> frozenset[str]:
    """Keys an earlier review already listed in its body (overflow): not listed again."""
    keys: set[str] = set()
    for body in review_bodies:
        for m in OVERFLOW_RE.finditer(body):
            keys.update(k for k in m.group(1).split(",") if k)
    return frozenset(keys)


def finding_keys(findings: Sequence[Finding]) -> dict[int, str]:
    """A key per finding (by index): its fingerprint and its rank among findings with the
    same fingerprint in line order, so two identical TODOs in a file get two comments."""
    seen: dict[str, int] = {}
    out: dict[int, str] = {}
    order = sorted(
        range(len(findings)), key=lambda i: (findings[i].path, findings[i].line, findings[i].col)
    )
    for i in order:
        fp = findings[i].fingerprint
        out[i] = f"{fp}.{seen.get(fp, 0)}"
        seen[fp] = seen.get(fp, 0) + 1
    return out


def fence_for(code: str) -> str:
    """A backtick fence longer than any backtick run in `code` (at least three)."""
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    return "`" * max(3, longest + 1)


def suggestion_block(text: str) -> str:
    fence = fence_for(text)
    return f"{fence}suggestion\n{text}\n{fence}" if text else f"{fence}suggestion\n{fence}"


def hunk_of(diff: FileDiff, line: int) -> Hunk | None:
    """The hunk whose new side holds `line`."""
    for hunk in diff.hunks:
        if hunk.new_start <= line < hunk.new_start + max(hunk.new_count, 0):
            return hunk
    return None


def range_problem(diff: FileDiff | None, line: int, start_line: int | None) -> str | None:
    """Why GitHub would refuse a RIGHT-side comment on these lines, or None."""
    if diff is None:
        return "the file is not part of the diff"
    hunk = hunk_of(diff, line)
    if hunk is None:
        return f"line {line} is not part of the diff"
    if start_line is not None:
        if start_line >= line:
            return "start line must precede the end line"
        if hunk_of(diff, start_line) != hunk:
            return f"start line {start_line} is not in the same hunk as line {line}"
    return None


def comment_body(
    finding: Finding, key: str, proposal: Proposal | None = None, proposal_note: str | None = None
) -> str:
    """The comment for a finding: what, why, the suggestion if any, the marker last."""
    icon = _SEVERITY_ICON.get(finding.severity, "")
    parts = [f"{icon} **{finding.rule}** {_escape(finding.message)}".strip()]
    if finding.fix_hint:
        parts.append(_escape(finding.fix_hint))
    if proposal is not None:
        parts.append("ananke-ci proposes this verified fill:")
        parts.append(suggestion_block(proposal.text))
    elif proposal_note:
        parts.append(_escape(proposal_note))
    body = "\n\n".join(parts)
    if len(body) > MAX_BODY:
        body = body[:MAX_BODY] + "\n\n(cut: too long for a comment)"
    return body + "\n\n" + marker(key)


def _escape(text: str) -> str:
    """Text from the repository stays text: no HTML comments (a forged marker) or mentions."""
    return text.replace("<!--", "&lt;!--").replace("@", "@\u200b")


def desired_comments(
    findings: Sequence[Finding],
    diffs: Mapping[str, FileDiff],
    proposals: Mapping[int, Proposal] | None = None,
    notes: Mapping[int, str] | None = None,
) -> tuple[list[DesiredComment], list[tuple[DesiredComment, str]]]:
    """A comment per finding on an added line, its range checked against the hunks;
    (valid comments, refused ones with the reason). `proposals` and `notes` go by index."""
    proposals = proposals or {}
    notes = notes or {}
    keys = finding_keys(findings)
    good: list[DesiredComment] = []
    bad: list[tuple[DesiredComment, str]] = []
    for i, f in enumerate(findings):
        diff = diffs.get(f.path)
        if not f.in_diff or diff is None or f.line not in diff.added_lines:
            continue
        proposal = proposals.get(i)
        note = notes.get(i)
        if proposal is not None:
            start = proposal.start_line if proposal.start_line < proposal.end_line else None
            problem = range_problem(diff, proposal.end_line, start)
            if problem is None:
                good.append(
                    DesiredComment(
                        keys[i],
                        f.path,
                        proposal.end_line,
                        start,
                        comment_body(f, keys[i], proposal),
                    )
                )
                continue
            note = (
                f"A verified fill exists but cannot be offered as a suggestion here "
                f"({problem}); see the job summary."
            )
        line, start = f.line, None
        if (
            f.end_line is not None
            and f.end_line > f.line
            and f.end_line in diff.added_lines
            and range_problem(diff, f.end_line, f.line) is None
        ):
            line, start = f.end_line, f.line
        comment = DesiredComment(keys[i], f.path, line, start, comment_body(f, keys[i], None, note))
        problem = range_problem(diff, line, start)
        if problem is None:
            good.append(comment)
        else:
            bad.append((comment, problem))
    return good, bad


def plan_review(
    desired: Sequence[DesiredComment],
    existing: Sequence[ExistingComment],
    *,
    already_listed: frozenset[str] = frozenset(),
    head_sha: str = "",
    per_review: int = MAX_PER_REVIEW,
    total: int = MAX_TOTAL,
    rejected: Sequence[tuple[DesiredComment, str]] = (),
) -> ReviewPlan:
    """Reconcile what should be on the PR with what is there, keyed by marker."""
    by_key: dict[str, ExistingComment] = {}
    duplicates: list[ExistingComment] = []
    for c in sorted(existing, key=lambda c: c.id):  # the oldest of equal keys stays
        if c.key in by_key:
            duplicates.append(c)
        else:
            by_key[c.key] = c
    wanted = {d.key: d for d in desired}
    edits: list[Edit] = []
    kept: list[str] = []
    fresh: list[DesiredComment] = []
    for d in desired:
        have = by_key.get(d.key)
        if have is None:
            fresh.append(d)
        elif (
            _span(have.line, have.start_line) != _span(d.line, d.start_line)
            and not have.human_reply
        ):
            fresh.append(d)  # a suggestion now covers other lines: an edit cannot move it
        elif have.body != d.body and not have.human_reply:
            edits.append(Edit(have.id, d.key, d.body))
        else:
            kept.append(d.key)
    retire: list[Retire] = []
    replaced = {d.key for d in fresh if d.key in by_key}
    for c in [*by_key.values(), *duplicates]:
        if c.key in wanted and by_key.get(c.key) is c and c.key not in replaced:
            continue
        if c.human_reply:
            kept.append(c.key)  # a person answered: the thread is theirs to close
        elif not c.resolved:
            retire.append(Retire(c.id, c.key, c.thread_id))
    # those an earlier review listed in its body stay there: no drip of old findings
    fresh = [d for d in fresh if d.key not in already_listed]
    live = sum(1 for c in by_key.values() if c.key in wanted and c.key not in replaced)
    room = max(0, min(per_review, total - live))
    new = tuple(fresh[:room])
    overflow = tuple(fresh[room:])
    body = review_body(new, overflow, rejected, head_sha) if new or overflow else ""
    return ReviewPlan(
        new, body, tuple(edits), tuple(retire), tuple(kept), overflow, tuple(rejected)
    )


def _span(line: int | None, start_line: int | None) -> int:
    return 0 if line is None or start_line is None else line - start_line


def review_body(
    new: Sequence[DesiredComment],
    overflow: Sequence[DesiredComment],
    rejected: Sequence[tuple[DesiredComment, str]],
    head_sha: str,
) -> str:
    lines = [
        f"**ananke-ci** found {len(new) + len(overflow)} new finding(s) on lines this "
        f"pull request adds" + (f" (at {head_sha[:12]})." if head_sha else ".")
    ]
    if overflow:
        lines += [
            "",
            f"<details><summary>{len(overflow)} more, not posted inline (at most "
            f"{len(new)} comments per review)</summary>",
            "",
        ]
        budget = MAX_BODY - 2_000
        shown = 0
        for d in overflow:
            first = d.body.split("\n", 1)[0]
            entry = f"- `{d.path}:{d.line}` {first}"
            if budget - len(entry) < 0:
                break
            budget -= len(entry) + 1
            lines.append(entry)
            shown += 1
        if shown < len(overflow):
            lines.append(f"- ... and {len(overflow) - shown} more: see the job summary")
        lines += ["", "</details>"]
    if rejected:
        lines += [
            "",
            f"{len(rejected)} finding(s) could not be placed on the diff and are "
            "in the job summary.",
        ]
    keys = ",".join(d.key for d in overflow)
    lines += ["", REVIEW_MARKER, f"<!-- ananke-ci:listed keys={keys} -->"]
    return "\n".join(lines)


def review_comment_payload(d: DesiredComment) -> dict[str, object]:
    """The REST shape of one comment of `POST .../reviews` (no start_line for one line)."""
    out: dict[str, object] = {"path": d.path, "body": d.body, "line": d.line, "side": "RIGHT"}
    if d.start_line is not None:
        out["start_line"] = d.start_line
        out["start_side"] = "RIGHT"
    return out
