"""A GitHub on 127.0.0.1 for the bot's tests: the REST and GraphQL calls the bot makes, with
state (pulls, reviews, comments, threads, check runs) and a log of every request.

Every request body and every response is validated against GitHub's OpenAPI description
(contract.py) and every GraphQL document is validated and executed against GitHub's schema
(pruned); any mismatch is a `violation`, which the tests assert there are none of. Review
comments are checked against the pull request's real diff as GitHub does (one bad line
refuses the whole review, 422). Faults can be injected: a write that is done and then
answered 502 (as GitHub was seen to do), or refused before it is done.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import threading
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from graphql import GraphQLSchema, build_schema, graphql_sync

from tests.github_fake import contract

BOT = "github-actions[bot]"
TOKENS = {  # token -> (login, type, may write)
    "bot-token": (BOT, "Bot", True),
    "read-only-token": (BOT, "Bot", False),
    "human-token": ("octocat", "User", True),
}
NOT_ACCESSIBLE = "Resource not accessible by integration"
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.M)


@dataclass
class Fault:
    method: str
    template: str
    status: int = 502
    after: bool = True  # True: do the write, then answer `status`
    times: int = 1


@dataclass
class Logged:
    method: str
    path: str
    template: str | None
    body: Any
    status: int
    token: str


@dataclass
class State:
    owner: str = "o"
    repo: str = "r"
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    reviews: dict[int, dict[str, Any]] = field(default_factory=dict)
    threads: dict[str, dict[str, Any]] = field(default_factory=dict)
    check_runs: dict[int, dict[str, Any]] = field(default_factory=dict)
    hunks: dict[int, dict[str, list[tuple[int, int]]]] = field(default_factory=dict)
    remote: Path | None = None  # a bare repository: the branches a pull may name


@cache
def graphql_schema() -> GraphQLSchema:
    return build_schema((contract.HERE / "schema.graphql").read_text())


def diff_hunks(repo: Path, base: str, head: str) -> dict[str, list[tuple[int, int]]]:
    """New-side hunk ranges per file of `git diff base...head`, as GitHub shows the PR."""
    out = subprocess.run(
        ["git", "diff", "--no-color", "-U3", f"{base}...{head}"],
        cwd=repo,
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    hunks: dict[str, list[tuple[int, int]]] = {}
    path = None
    for line in out.splitlines():
        if line.startswith("+++ "):
            path = None if line[4:] == "/dev/null" else line[6:]
        elif path and (m := _HUNK.match(line)):
            hunks.setdefault(path, []).append((int(m[1]), int(m[2] or 1)))
    return hunks


class FakeGitHub:
    def __init__(self) -> None:
        self.state = State()
        self.log: list[Logged] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self._ids = itertools.count(1000)
        self._lock = threading.RLock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeGitHub:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- test set-up -------------------------------------------------------------------

    def add_pull(
        self,
        number: int,
        head_sha: str,
        head_ref: str,
        base_ref: str = "main",
        *,
        repo: Path | None = None,
        base_sha: str | None = None,
        head_repo: str | None = None,
    ) -> None:
        with self._lock:
            self.state.pulls[number] = {
                "number": number,
                "head_sha": head_sha,
                "head_ref": head_ref,
                "base_ref": base_ref,
                "state": "open",
                "title": f"PR {number}",
                "body": "",
                "head_repo": head_repo or self.full_name,
            }
            if repo is not None and base_sha is not None:
                self.state.hunks[number] = diff_hunks(repo, base_sha, head_sha)

    @property
    def full_name(self) -> str:
        return f"{self.state.owner}/{self.state.repo}"

    def next_id(self) -> int:
        return next(self._ids)

    def writes(self) -> list[Logged]:
        return [
            r
            for r in self.log
            if (r.method != "GET" and r.template != "/graphql")
            or (r.template == "/graphql" and "mutation" in json.dumps(r.body))
        ]

    def bot_comments(self, number: int) -> list[dict[str, Any]]:
        return [
            c
            for c in self.state.comments.values()
            if c["pull_number"] == number and c["user"] == BOT
        ]

    # --- dispatch ------------------------------------------------------------------------

    def handle(
        self, method: str, raw_path: str, body: Any, token: str
    ) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(raw_path)
        path, query = parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self._lock:
            if path == "/graphql" and method == "POST":
                status, out = self._graphql(body, token)
                self.log.append(Logged(method, path, "/graphql", body, status, token))
                return status, out, {}
            found = contract.find_operation(method, path)
            if found is None:
                self.violations.append(f"{method} {path}: no such GitHub operation")
                return 404, {"message": "Not Found"}, {}
            template, params = found
            self.violations.extend(contract.request_errors(method, template, body))
            status, out, headers = self._rest(method, template, params, query, body, token)
            # GitHub answers 401 and 403 on every operation, documented or not
            if (status < 500 and status not in (401, 403)) or contract.documents(
                method, template, status
            ):
                self.violations.extend(contract.response_errors(method, template, status, out))
            self.log.append(Logged(method, path, template, body, status, token))
            return status, out, headers

    def _rest(
        self,
        method: str,
        template: str,
        params: dict[str, str],
        query: dict[str, str],
        body: Any,
        token: str,
    ) -> tuple[int, Any, dict[str, str]]:
        from tests.github_fake import routes

        who = TOKENS.get(token)
        if who is None:
            return (
                401,
                {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"},
                {},
            )
        fault = next(
            (
                f
                for f in self.faults
                if f.method == method and f.template == template and f.times > 0
            ),
            None,
        )
        if method != "GET" and not who[2]:
            return (
                403,
                {"message": NOT_ACCESSIBLE, "documentation_url": "https://docs.github.com/rest"},
                {},
            )
        if fault is not None and not fault.after:
            fault.times -= 1
            return fault.status, {"message": "Server Error"}, {}
        status, out, headers = routes.route(self, method, template, params, query, body, who)
        if fault is not None:
            fault.times -= 1
            return fault.status, {"message": "Server Error"}, {}
        return status, out, headers

    def _graphql(self, body: Any, token: str) -> tuple[int, Any]:
        from tests.github_fake import routes

        who = TOKENS.get(token)
        if who is None:
            return 401, {"message": "Bad credentials"}
        result = graphql_sync(
            graphql_schema(),
            body.get("query", ""),
            root_value=routes.graphql_root(self, who),
            variable_values=body.get("variables") or {},
        )
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            messages = [e.message for e in result.errors]
            if not all(NOT_ACCESSIBLE in m for m in messages):
                self.violations.extend(f"graphql: {m}" for m in messages)
            out["errors"] = [
                {"message": m, "type": "FORBIDDEN" if NOT_ACCESSIBLE in m else "INVALID"}
                for m in messages
            ]
        return 200, out


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

        def _do(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            auth = self.headers.get("Authorization", "")
            token = auth.split(" ", 1)[1] if " " in auth else ""
            status, out, headers = fake.handle(self.command, self.path, body, token)
            data = b"" if out is None else json.dumps(out).encode()
            self.send_response(status)
            for k, v in {
                "Content-Type": "application/json; charset=utf-8",
                "X-RateLimit-Limit": "5000",
                "X-RateLimit-Remaining": "4999",
                "X-RateLimit-Reset": "1999999999",
                **headers,
            }.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = _do

    return Handler
