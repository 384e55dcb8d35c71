"""GitHub I/O for the pull-request bot: PyGithub for REST, its requester for GraphQL.

Writes are never retried here: the transport retries only GETs (PyGithub's default
GithubRetry retries POSTs on 5xx, which duplicated reviews for others); a write that ends in
a 5xx or a time-out raises `GitHubUnknown`, and the caller re-reads before it tries again.
Errors become `GitHubError` with words that say which permission is missing. The token is
never part of a message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ananke_ci.core.errors import UserError
from ananke_ci.core.records import record

T = TypeVar("T")

THREADS_QUERY = """
query($owner: String!, $name: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          isResolved
          comments(first: 100) { nodes { fullDatabaseId author { login } } }
        }
      }
    }
  }
}
"""
RESOLVE_MUTATION = """
mutation($threadId: ID!) {
  resolveReviewThread(input: {threadId: $threadId}) { thread { id isResolved } }
}
"""


class GitHubError(UserError):
    """A GitHub call that failed for a reason the user can act on."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class GitHubUnknown(GitHubError):
    """A write whose outcome is unknown (5xx, time-out): read back before trying again."""


@record(frozen=True, slots=True)
class RawComment:
    id: int
    body: str
    path: str
    line: int | None
    start_line: int | None
    in_reply_to: int | None
    author: str


@record(frozen=True, slots=True)
class RawThread:
    id: str
    resolved: bool
    comment_ids: tuple[int, ...]
    authors: tuple[str, ...]


@record(frozen=True, slots=True)
class PullRef:
    number: int
    url: str
    state: str


def _retry() -> Any:
    """PyGithub's retry for reads only: 5xx and rate-limit waits on GET/HEAD, never writes."""
    from github.GithubRetry import GithubRetry

    return GithubRetry(total=3, backoff_factor=0.5, allowed_methods=frozenset({"GET", "HEAD"}))


class GitHubClient:
    """One repository's pull requests, reviews, check runs, through one token."""

    def __init__(
        self,
        api_url: str,
        graphql_url: str | None,
        token: str,
        repository: str,
        *,
        timeout: int = 30,
        write_interval: float = 1.0,
    ) -> None:
        """`write_interval`: seconds between writes (GitHub asks for one between
        content-creating requests; a burst gets "was submitted too quickly")."""
        from github import Auth, Github

        self.repository = repository
        self._gh = Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            retry=_retry(),
            timeout=timeout,
            per_page=100,
            lazy=True,
            seconds_between_requests=min(0.25, write_interval),
            seconds_between_writes=write_interval,
        )
        self._graphql_url = graphql_url
        self._repo = self._gh.get_repo(repository)  # lazy: no request until one is needed
        self._owner, _, self._name = repository.partition("/")

    # --- reading -------------------------------------------------------------------------

    def review_comments(self, number: int) -> list[RawComment]:
        """Every review comment of the pull request (all pages)."""

        def read() -> list[RawComment]:
            return [
                RawComment(
                    int(c["id"]),
                    c.get("body") or "",
                    str(c.get("path")),
                    c.get("line"),
                    c.get("start_line"),
                    c.get("in_reply_to_id"),
                    (c.get("user") or {}).get("login") or "",
                )
                for c in self._pages(f"{self._repo.url}/pulls/{number}/comments")
            ]

        return self._call("read the pull request's review comments", "pull-requests: read", read)

    def review_bodies(self, number: int) -> list[str]:
        def read() -> list[str]:
            return [
                r.get("body") or "" for r in self._pages(f"{self._repo.url}/pulls/{number}/reviews")
            ]

        return self._call("read the pull request's reviews", "pull-requests: read", read)

    def review_threads(self, number: int) -> list[RawThread]:
        """The review threads (GraphQL: REST has none), with their comments' database ids."""
        out: list[RawThread] = []
        cursor: str | None = None
        while True:
            variables = {
                "owner": self._owner,
                "name": self._name,
                "number": number,
                "cursor": cursor,
            }
            data = self._graphql(
                "read the review threads", "pull-requests: read", THREADS_QUERY, variables
            )
            pr = (data.get("repository") or {}).get("pullRequest") or {}
            threads = pr.get("reviewThreads") or {}
            for node in threads.get("nodes") or []:
                comments = (node.get("comments") or {}).get("nodes") or []
                out.append(
                    RawThread(
                        str(node["id"]),
                        bool(node.get("isResolved")),
                        tuple(
                            int(c["fullDatabaseId"])
                            for c in comments
                            if c.get("fullDatabaseId") is not None
                        ),
                        tuple(((c.get("author") or {}).get("login") or "") for c in comments),
                    )
                )
            page = threads.get("pageInfo") or {}
            if not page.get("hasNextPage"):
                return out
            cursor = page.get("endCursor")

    def find_open_pull(self, head_branch: str, base: str) -> PullRef | None:
        def read() -> PullRef | None:
            head = f"{self._owner}:{head_branch}"
            for p in self._repo.get_pulls(state="open", head=head, base=base):
                return PullRef(p.number, p.html_url, p.state)
            return None

        return self._call("list the bot's pull requests", "pull-requests: read", read)

    # --- writing -------------------------------------------------------------------------

    def create_review(
        self, number: int, commit_sha: str, body: str, comments: Sequence[dict[str, object]]
    ) -> int:
        """A COMMENT review with `comments`; its id."""

        def write() -> int:
            pull = self._repo.get_pull(number)
            _h, data = self._gh.requester.requestJsonAndCheck(
                "POST",
                f"{pull.url}/reviews",
                input={
                    "commit_id": commit_sha,
                    "body": body,
                    "event": "COMMENT",
                    "comments": list(comments),
                },
            )
            return int(data["id"])

        return self._call("post the review", "pull-requests: write", write, write_op=True)

    def edit_comment(self, comment_id: int, body: str) -> None:
        def write() -> None:
            self._gh.requester.requestJsonAndCheck(
                "PATCH", f"{self._repo.url}/pulls/comments/{comment_id}", input={"body": body}
            )

        self._call("edit a review comment", "pull-requests: write", write, write_op=True)

    def delete_comment(self, comment_id: int) -> None:
        def write() -> None:
            self._gh.requester.requestJsonAndCheck(
                "DELETE", f"{self._repo.url}/pulls/comments/{comment_id}"
            )

        self._call("delete a review comment", "pull-requests: write", write, write_op=True)

    def resolve_thread(self, thread_id: str) -> None:
        self._graphql(
            "resolve a review thread",
            "pull-requests: write",
            RESOLVE_MUTATION,
            {"threadId": thread_id},
            write_op=True,
        )

    def create_check_run(
        self,
        name: str,
        head_sha: str,
        conclusion: str,
        title: str,
        summary: str,
        annotations: list[dict[str, Any]],
    ) -> int:
        def write() -> int:
            run = self._repo.create_check_run(
                name=name,
                head_sha=head_sha,
                status="completed",
                conclusion=conclusion,
                output={"title": title, "summary": summary, "annotations": annotations},
            )
            return int(run.id)

        return self._call("create the check run", "checks: write", write, write_op=True)

    def add_annotations(
        self, check_run_id: int, title: str, summary: str, annotations: list[dict[str, Any]]
    ) -> None:
        """PATCH a check run with more annotations (they are appended)."""

        def write() -> None:
            self._gh.requester.requestJsonAndCheck(
                "PATCH",
                f"{self._repo.url}/check-runs/{check_run_id}",
                input={"output": {"title": title, "summary": summary, "annotations": annotations}},
            )

        self._call("add check-run annotations", "checks: write", write, write_op=True)

    def create_pull(self, head: str, base: str, title: str, body: str) -> PullRef:
        def write() -> PullRef:
            p = self._repo.create_pull(base=base, head=head, title=title, body=body)
            return PullRef(p.number, p.html_url, p.state)

        return self._call("open the fix pull request", "pull-requests: write", write, write_op=True)

    def update_pull(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: str | None = None,
    ) -> None:
        fields = {k: v for k, v in (("title", title), ("body", body), ("state", state)) if v}

        def write() -> None:
            self._gh.requester.requestJsonAndCheck(
                "PATCH", f"{self._repo.url}/pulls/{number}", input=fields
            )

        self._call("update the fix pull request", "pull-requests: write", write, write_op=True)

    # --- plumbing ------------------------------------------------------------------------

    def _pages(self, url: str) -> list[dict[str, Any]]:
        """Every item of a listing, page after page (PyGithub's list objects fetch each item
        again for any field GitHub leaves out, such as `in_reply_to_id`)."""
        out: list[dict[str, Any]] = []
        for page in range(1, 1000):
            _h, data = self._gh.requester.requestJsonAndCheck(
                "GET", url, parameters={"per_page": 100, "page": page}
            )
            items = data if isinstance(data, list) else []
            out.extend(items)
            if len(items) < 100:
                return out
        return out

    def _graphql(
        self,
        what: str,
        permission: str,
        query: str,
        variables: dict[str, Any],
        *,
        write_op: bool = False,
    ) -> dict[str, Any]:
        def go() -> dict[str, Any]:
            requester = self._gh.requester
            if self._graphql_url:
                _h, data = requester.requestJsonAndCheck(
                    "POST", self._graphql_url, input={"query": query, "variables": variables}
                )
                if data.get("errors"):
                    raise GitHubError(
                        f"cannot {what}: GraphQL: "
                        + "; ".join(str(e.get("message")) for e in data["errors"])
                    )
                return dict(data.get("data") or {})
            _h, data = requester.graphql_query(query, variables)
            return dict(data.get("data") or {})

        return self._call(what, permission, go, write_op=write_op)

    def _call(
        self, what: str, permission: str, fn: Callable[[], T], *, write_op: bool = False
    ) -> T:
        from github.GithubException import (
            BadCredentialsException,
            GithubException,
            RateLimitExceededException,
        )
        from requests.exceptions import ConnectionError as ConnError
        from requests.exceptions import RetryError, Timeout

        try:
            return fn()
        except RateLimitExceededException as exc:
            reset = (exc.headers or {}).get("x-ratelimit-reset", "")
            raise GitHubError(
                f"cannot {what}: GitHub's rate limit is used up"
                + (f" (it resets at epoch {reset})" if reset else "")
                + "; run again later",
                status=exc.status,
            ) from None
        except BadCredentialsException as exc:
            raise GitHubError(
                f"cannot {what}: GitHub refused the token (401 bad credentials); "
                "check the GITHUB_TOKEN / --token-env",
                status=exc.status,
            ) from None
        except GithubException as exc:
            raise self._explain(what, permission, exc, write_op) from None
        except (Timeout, ConnError, RetryError) as exc:
            cls = GitHubUnknown if write_op else GitHubError
            raise cls(f"cannot {what}: GitHub did not answer ({type(exc).__name__})") from None

    def _explain(self, what: str, permission: str, exc: Any, write_op: bool) -> GitHubError:
        status = int(exc.status)
        data = exc.data if isinstance(exc.data, dict) else {}
        message = str(data.get("message") or exc.message or "")
        if status == 403 and "rate limit" in message.lower():
            return GitHubError(
                f"cannot {what}: GitHub's secondary rate limit hit ({message}); run again later",
                status=status,
            )
        if status == 403:
            return GitHubError(
                f"cannot {what}: the token lacks `{permission}` (403: {message}). Give the job "
                f"`permissions: {{{permission}}}`; a pull request from a "
                "fork always gets a read-only token",
                status=status,
            )
        if status == 404:
            return GitHubError(
                f"cannot {what}: 404 from GitHub for {self.repository}: the token cannot see it "
                f"or lacks `{permission}`",
                status=status,
            )
        if status >= 500 and write_op:
            return GitHubUnknown(
                f"cannot {what}: GitHub answered {status}; the write may or may not have happened",
                status=status,
            )
        errors = "; ".join(
            str(e.get("message") or e) if isinstance(e, dict) else str(e)
            for e in data.get("errors") or []
        )
        return GitHubError(
            f"cannot {what}: GitHub answered {status}: {message}"
            + (f" ({errors})" if errors else ""),
            status=status,
        )
