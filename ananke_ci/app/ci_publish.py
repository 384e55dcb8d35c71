"""Putting the plan on the pull request: one review of new comments, edits, resolutions,
and a check run with the annotations.

A write whose outcome is unknown (5xx, time-out) is never repeated blindly: the comments
are read again, and only those whose markers are still missing are posted, once more.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, Protocol, TextIO

from ananke_ci.adapters.github_api import (
    GitHubError,
    GitHubUnknown,
    PullRef,
    RawComment,
    RawThread,
)
from ananke_ci.core.findings import Finding
from ananke_ci.core.records import record
from ananke_ci.report.annotations import batches, cut_text
from ananke_ci.report.review_plan import (
    DesiredComment,
    ExistingComment,
    ReviewPlan,
    key_of,
    listed_keys,
    plan_review,
    review_comment_payload,
)

CHECK_NAME = "ananke-ci"


class ReviewApi(Protocol):
    def review_comments(self, number: int) -> list[RawComment]: ...
    def review_bodies(self, number: int) -> list[str]: ...
    def review_threads(self, number: int) -> list[RawThread]: ...
    def create_review(
        self, number: int, commit_sha: str, body: str, comments: Sequence[dict[str, object]]
    ) -> int: ...
    def edit_comment(self, comment_id: int, body: str) -> None: ...
    def delete_comment(self, comment_id: int) -> None: ...
    def resolve_thread(self, thread_id: str) -> None: ...
    def create_check_run(
        self,
        name: str,
        head_sha: str,
        conclusion: str,
        title: str,
        summary: str,
        annotations: list[dict[str, Any]],
    ) -> int: ...
    def add_annotations(
        self, check_run_id: int, title: str, summary: str, annotations: list[dict[str, Any]]
    ) -> None: ...
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
class Published:
    lines: tuple[str, ...]  # what was done, for the summary
    plan: ReviewPlan | None


def existing_comments(api: ReviewApi, number: int) -> list[ExistingComment]:
    """The bot's comments (those with a marker), each with its thread and whether someone
    else wrote in it."""
    raw = api.review_comments(number)
    threads = api.review_threads(number)
    thread_of = {cid: t for t in threads for cid in t.comment_ids}
    replies: dict[int, bool] = {}
    for c in raw:
        if c.in_reply_to is not None and key_of(c.body) is None:
            replies[c.in_reply_to] = True
    ours = {c.id for c in raw if key_of(c.body) is not None}
    out = []
    for c in raw:
        key = key_of(c.body)
        if key is None or c.in_reply_to is not None:
            continue
        thread = thread_of.get(c.id)
        human = replies.get(c.id, False)
        if thread is not None:  # a reply GitHub did not tie by in_reply_to (a later thread)
            human = human or any(cid not in ours for cid in thread.comment_ids)
        out.append(
            ExistingComment(
                c.id,
                key,
                c.body,
                c.line,
                c.start_line,
                thread.id if thread else None,
                thread.resolved if thread else False,
                human,
            )
        )
    return out


def publish_review(
    api: ReviewApi,
    number: int,
    head_sha: str,
    desired: Sequence[DesiredComment],
    rejected: Sequence[tuple[DesiredComment, str]],
) -> Published:
    existing = existing_comments(api, number)
    listed = listed_keys(api.review_bodies(number))
    plan = plan_review(
        desired, existing, already_listed=listed, head_sha=head_sha, rejected=rejected
    )
    lines: list[str] = []
    if plan.new or plan.review_body:
        posted = _post_review(api, number, head_sha, plan)
        lines.append(
            f"posted a review with {posted} new comment(s)"
            + (f"; {len(plan.overflow)} more listed in its body" if plan.overflow else "")
        )
    for edit in plan.edits:
        _idempotent(lambda e=edit: api.edit_comment(e.comment_id, e.body))
    if plan.edits:
        lines.append(f"updated {len(plan.edits)} comment(s) whose text changed")
    resolved = deleted = 0
    for item in plan.retire:
        if item.thread_id:
            _idempotent(lambda t=item.thread_id: api.resolve_thread(t))
            resolved += 1
        else:
            _idempotent(lambda c=item.comment_id: api.delete_comment(c))
            deleted += 1
    if resolved or deleted:
        lines.append(f"resolved {resolved} and deleted {deleted} comment(s) whose finding is gone")
    if not lines:
        lines.append(f"review comments are current ({len(plan.kept)} kept)")
    return Published(tuple(lines), plan)


def _post_review(api: ReviewApi, number: int, head_sha: str, plan: ReviewPlan) -> int:
    comments = list(plan.new)
    try:
        api.create_review(
            number, head_sha, plan.review_body, [review_comment_payload(d) for d in comments]
        )
        return len(comments)
    except GitHubUnknown:
        pass
    # the review may exist: post again only what is not there
    there = {key_of(c.body) for c in api.review_comments(number)}
    missing = [d for d in comments if d.key not in there]
    if comments and not missing:
        return len(comments)
    if not comments and plan.review_body.split("\n")[-1] in "\n".join(api.review_bodies(number)):
        return 0
    try:
        api.create_review(
            number, head_sha, plan.review_body, [review_comment_payload(d) for d in missing]
        )
    except GitHubUnknown as exc:
        raise GitHubError(f"{exc} (twice; read back, nothing was posted twice)") from None
    return len(comments)


def _idempotent(write: Any) -> None:
    """Edits, deletions and resolutions may be repeated: once more after an unknown end."""
    try:
        write()
    except GitHubUnknown:
        write()
    except GitHubError as exc:
        if exc.status != 404:  # already gone: the goal is reached
            raise


def publish_check_run(
    api: ReviewApi,
    head_sha: str,
    findings: Sequence[Finding],
    conclusion: str,
    title: str,
    summary: str,
) -> str:
    groups = batches(findings)
    run_id = api.create_check_run(
        CHECK_NAME, head_sha, conclusion, title[:255], cut_text(summary), groups[0]
    )
    for group in groups[1:]:
        api.add_annotations(run_id, title[:255], cut_text(summary), group)
    return f"check run `{CHECK_NAME}` with {len(findings)} annotation(s)"


class DryRun:
    """A ReviewApi that reads through `inner` (when there is one) and prints every write."""

    def __init__(self, inner: ReviewApi | None, out: TextIO | None = None) -> None:
        self.inner = inner
        self.out = out or sys.stdout

    def _say(self, what: str, payload: object) -> None:
        self.out.write(f"would {what}: {json.dumps(payload, indent=2, ensure_ascii=False)}\n")

    def review_comments(self, number: int) -> list[RawComment]:
        return self.inner.review_comments(number) if self.inner else []

    def review_bodies(self, number: int) -> list[str]:
        return self.inner.review_bodies(number) if self.inner else []

    def review_threads(self, number: int) -> list[RawThread]:
        return self.inner.review_threads(number) if self.inner else []

    def create_review(
        self, number: int, commit_sha: str, body: str, comments: Sequence[dict[str, object]]
    ) -> int:
        self._say(
            f"post a review on #{number}",
            {"commit_id": commit_sha, "body": body, "event": "COMMENT", "comments": comments},
        )
        return 0

    def edit_comment(self, comment_id: int, body: str) -> None:
        self._say(f"edit comment {comment_id}", {"body": body})

    def delete_comment(self, comment_id: int) -> None:
        self._say(f"delete comment {comment_id}", {})

    def resolve_thread(self, thread_id: str) -> None:
        self._say("resolve thread", {"threadId": thread_id})

    def create_check_run(
        self,
        name: str,
        head_sha: str,
        conclusion: str,
        title: str,
        summary: str,
        annotations: list[dict[str, Any]],
    ) -> int:
        self._say(
            "create a check run",
            {
                "name": name,
                "head_sha": head_sha,
                "conclusion": conclusion,
                "title": title,
                "annotations": len(annotations),
            },
        )
        return 0

    def add_annotations(
        self, check_run_id: int, title: str, summary: str, annotations: list[dict[str, Any]]
    ) -> None:
        self._say("add annotations", {"annotations": len(annotations)})

    def find_open_pull(self, head_branch: str, base: str) -> PullRef | None:
        return self.inner.find_open_pull(head_branch, base) if self.inner else None

    def create_pull(self, head: str, base: str, title: str, body: str) -> PullRef:
        self._say("open a pull request", {"head": head, "base": base, "title": title})
        return PullRef(0, "", "open")

    def update_pull(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: str | None = None,
    ) -> None:
        self._say(f"update pull request #{number}", {"title": title, "state": state})
