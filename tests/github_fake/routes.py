"""The fake's REST handlers and GraphQL resolvers, over FakeGitHub.state.

Objects start from `contract.instance` (every field GitHub's schema requires) and carry the
fake's state on top; the server validates what comes out.
"""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tests.github_fake import contract

if TYPE_CHECKING:
    from tests.github_fake.server import FakeGitHub

Who = tuple[str, str, bool]
Result = tuple[int, Any, dict[str, str]]
PAGE = 30  # GitHub's default page size


def _obj(schema: str, **fields: Any) -> dict[str, Any]:
    out = contract.instance(contract.schema_named(schema))
    assert isinstance(out, dict)
    out.update(fields)
    return out


def user(fake: FakeGitHub, login: str, kind: str) -> dict[str, Any]:
    quoted = quote(login)
    return _obj(
        "simple-user",
        login=login,
        type=kind,
        id=sum(map(ord, login)),
        node_id=f"U_{quoted}",
        html_url=f"https://github.example/{quoted}",
        url=f"{fake.url}/users/{quoted}",
    )


def comment_json(fake: FakeGitHub, c: dict[str, Any]) -> dict[str, Any]:
    base = f"{fake.url}/repos/{fake.full_name}"
    out = _obj(
        "pull-request-review-comment",
        id=c["id"],
        node_id=f"PRRC_{c['id']}",
        body=c["body"],
        path=c["path"],
        line=c["line"],
        original_line=c["line"],
        side="RIGHT",
        commit_id=c["commit_id"],
        original_commit_id=c["commit_id"],
        pull_request_review_id=c["review_id"],
        user=user(fake, c["user"], c["kind"]),
        url=f"{base}/pulls/comments/{c['id']}",
        html_url=f"https://github.example/{fake.full_name}/pull/{c['pull_number']}"
        f"#discussion_r{c['id']}",
        pull_request_url=f"{base}/pulls/{c['pull_number']}",
        created_at=c["created"],
        updated_at=c["updated"],
        diff_hunk="@@ -1 +1 @@",
        author_association="NONE",
    )
    if c.get("start_line") is not None:
        out["start_line"] = out["original_start_line"] = c["start_line"]
        out["start_side"] = "RIGHT"
    if c.get("in_reply_to") is not None:
        out["in_reply_to_id"] = c["in_reply_to"]
    return out


def review_json(fake: FakeGitHub, r: dict[str, Any]) -> dict[str, Any]:
    base = f"https://github.example/{fake.full_name}/pull/{r['pull_number']}"
    return _obj(
        "pull-request-review",
        id=r["id"],
        node_id=f"PRR_{r['id']}",
        body=r["body"],
        state="COMMENTED",
        commit_id=r["commit_id"],
        user=user(fake, r["user"], r["kind"]),
        html_url=f"{base}#pullrequestreview-{r['id']}",
        pull_request_url=f"{fake.url}/repos/{fake.full_name}/pulls/{r['pull_number']}",
        submitted_at=contract.NOW,
        author_association="NONE",
        _links={"html": {"href": base}, "pull_request": {"href": base}},
    )


def pull_json(fake: FakeGitHub, p: dict[str, Any], schema: str = "pull-request") -> dict[str, Any]:
    url = f"{fake.url}/repos/{fake.full_name}/pulls/{p['number']}"
    out = _obj(
        schema,
        number=p["number"],
        state=p["state"],
        title=p["title"],
        body=p["body"],
        url=url,
        html_url=f"https://github.example/{fake.full_name}/pull/{p['number']}",
        id=p["number"],
        node_id=f"PR_{p['number']}",
    )
    out["head"] = {
        **out["head"],
        "ref": p["head_ref"],
        "sha": p["head_sha"],
        "label": f"{fake.state.owner}:{p['head_ref']}",
    }
    out["base"] = {
        **out["base"],
        "ref": p["base_ref"],
        "label": f"{fake.state.owner}:{p['base_ref']}",
    }
    return out


def check_run_json(fake: FakeGitHub, r: dict[str, Any]) -> dict[str, Any]:
    out = _obj(
        "check-run",
        id=r["id"],
        node_id=f"CR_{r['id']}",
        name=r["name"],
        head_sha=r["head_sha"],
        status=r["status"],
        conclusion=r.get("conclusion"),
        url=f"{fake.url}/repos/{fake.full_name}/check-runs/{r['id']}",
        check_suite={"id": r["id"]},
    )
    out["output"] = {
        **out["output"],
        "title": r["title"],
        "summary": r["summary"],
        "annotations_count": len(r["annotations"]),
    }
    return out


def _page(fake: FakeGitHub, items: list[Any], query: dict[str, str], path: str) -> Result:
    per = min(int(query.get("per_page", PAGE)), 100)
    page = int(query.get("page", 1))
    chunk = items[(page - 1) * per : page * per]
    headers = {}
    if page * per < len(items):
        headers["Link"] = f'<{fake.url}{path}?per_page={per}&page={page + 1}>; rel="next"'
    return 200, chunk, headers


def _refuse(message: str, errors: list[str] | None = None) -> Result:
    return (
        422,
        {
            "message": message,
            "errors": errors or [],
            "documentation_url": "https://docs.github.com/rest",
        },
        {},
    )


def _line_ok(fake: FakeGitHub, number: int, c: dict[str, Any]) -> str | None:
    hunks = fake.state.hunks.get(number, {}).get(c["path"])
    if hunks is None:
        return "Path could not be resolved"
    if c.get("side", "RIGHT") != "RIGHT":
        return "only RIGHT-side comments are tested here"

    def hunk(line: int) -> int | None:
        return next((i for i, (s, n) in enumerate(hunks) if s <= line < s + n), None)

    if hunk(c["line"]) is None:
        return "Line could not be resolved (line must be part of the diff)"
    start = c.get("start_line")
    if start is not None:
        if start >= c["line"]:
            return "start_line must precede the end line"
        if hunk(start) != hunk(c["line"]):
            return "start_line must be part of the same hunk as the line"
    return None


def route(
    fake: FakeGitHub,
    method: str,
    template: str,
    params: dict[str, str],
    query: dict[str, str],
    body: Any,
    who: Who,
) -> Result:
    st = fake.state
    n = int(params.get("pull_number", 0) or 0)
    login, kind, _ = who
    key = (method, template.removeprefix("/repos/{owner}/{repo}"))
    if key == ("GET", "/pulls/{pull_number}/comments"):
        items = [
            comment_json(fake, c)
            for c in sorted(st.comments.values(), key=lambda c: c["id"])
            if c["pull_number"] == n
        ]
        return _page(fake, items, query, f"/repos/{fake.full_name}/pulls/{n}/comments")
    if key == ("GET", "/pulls/{pull_number}/reviews"):
        items = [review_json(fake, r) for r in st.reviews.values() if r["pull_number"] == n]
        return _page(fake, items, query, f"/repos/{fake.full_name}/pulls/{n}/reviews")
    if key == ("POST", "/pulls/{pull_number}/reviews"):
        if n not in st.pulls:
            return 404, {"message": "Not Found"}, {}
        comments = body.get("comments") or []
        for c in comments:
            problem = _line_ok(fake, n, c)
            if problem:
                return _refuse("Unprocessable Entity", [problem])
        rid = fake.next_id()
        st.reviews[rid] = {
            "id": rid,
            "pull_number": n,
            "body": body.get("body", ""),
            "commit_id": body.get("commit_id") or st.pulls[n]["head_sha"],
            "user": login,
            "kind": kind,
        }
        for c in comments:
            _new_comment(fake, n, c, rid, login, kind, st.reviews[rid]["commit_id"])
        return 200, review_json(fake, st.reviews[rid]), {}
    if key == ("POST", "/pulls/{pull_number}/comments/{comment_id}/replies"):
        parent = st.comments.get(int(params["comment_id"]))
        if parent is None or parent["pull_number"] != n:
            return 404, {"message": "Not Found"}, {}
        cid = _new_comment(
            fake,
            n,
            {"path": parent["path"], "line": parent["line"], "body": body["body"]},
            None,
            login,
            kind,
            parent["commit_id"],
            reply_to=parent["id"],
        )
        return 201, comment_json(fake, st.comments[cid]), {}
    if key in (
        ("PATCH", "/pulls/comments/{comment_id}"),
        ("DELETE", "/pulls/comments/{comment_id}"),
    ):
        c = st.comments.get(int(params["comment_id"]))
        if c is None:
            return 404, {"message": "Not Found"}, {}
        if c["user"] != login:
            return 403, {"message": "You can only edit your own comments"}, {}
        if method == "DELETE":
            del st.comments[c["id"]]
            for t in st.threads.values():
                if c["id"] in t["comments"]:
                    t["comments"].remove(c["id"])
            return 204, None, {}
        c["body"], c["updated"] = body["body"], "2026-12-05T00:00:00Z"
        return 200, comment_json(fake, c), {}
    if key == ("POST", "/check-runs"):
        output = body.get("output") or {}
        if len(output.get("annotations") or []) > 50:
            return _refuse("Validation Failed", ["annotations: at most 50 per request"])
        rid = fake.next_id()
        st.check_runs[rid] = {
            "id": rid,
            "name": body["name"],
            "head_sha": body["head_sha"],
            "status": body.get("status", "queued"),
            "conclusion": body.get("conclusion"),
            "title": output.get("title"),
            "summary": output.get("summary"),
            "annotations": list(output.get("annotations") or []),
        }
        return 201, check_run_json(fake, st.check_runs[rid]), {}
    if key == ("PATCH", "/check-runs/{check_run_id}"):
        run = st.check_runs.get(int(params["check_run_id"]))
        if run is None:
            return 404, {"message": "Not Found"}, {}
        output = body.get("output") or {}
        if len(output.get("annotations") or []) > 50:
            return _refuse("Validation Failed", ["annotations: at most 50 per request"])
        run["annotations"].extend(output.get("annotations") or [])
        return 200, check_run_json(fake, run), {}
    if key == ("GET", "/pulls"):
        items = [
            pull_json(fake, p, "pull-request-simple")
            for p in st.pulls.values()
            if query.get("state", "open") in (p["state"], "all")
            and ("head" not in query or query["head"] == f"{st.owner}:{p['head_ref']}")
            and ("base" not in query or query["base"] == p["base_ref"])
        ]
        return _page(fake, items, query, f"/repos/{fake.full_name}/pulls")
    if key == ("POST", "/pulls"):
        head, base = body["head"], body["base"]
        if st.remote is not None and not _branch_exists(st.remote, head):
            return _refuse("Validation Failed", [f"head {head} does not exist"])
        if any(p["head_ref"] == head and p["state"] == "open" for p in st.pulls.values()):
            return _refuse("Validation Failed", [f"A pull request already exists for {head}"])
        number = max(st.pulls, default=0) + 1
        sha = _branch_exists(st.remote, head) if st.remote else "0" * 40
        st.pulls[number] = {
            "number": number,
            "head_sha": sha,
            "head_ref": head,
            "base_ref": base,
            "state": "open",
            "title": body.get("title", ""),
            "body": body.get("body", ""),
            "head_repo": fake.full_name,
        }
        return 201, pull_json(fake, st.pulls[number]), {}
    if key in (("PATCH", "/pulls/{pull_number}"), ("GET", "/pulls/{pull_number}")):
        p = st.pulls.get(n)
        if p is None:
            return 404, {"message": "Not Found"}, {}
        if method == "PATCH":
            p.update({k: v for k, v in body.items() if k in ("title", "body", "state")})
        return 200, pull_json(fake, p), {}
    fake.violations.append(f"{method} {template}: the fake has no handler")
    return 404, {"message": "Not Found"}, {}


def _branch_exists(remote: Any, branch: str) -> str:
    res = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
        cwd=remote,
        capture_output=True,
        text=True,
    )
    return res.stdout.strip() if res.returncode == 0 else ""


def _new_comment(
    fake: FakeGitHub,
    number: int,
    c: dict[str, Any],
    review: int | None,
    login: str,
    kind: str,
    commit: str,
    reply_to: int | None = None,
) -> int:
    cid = fake.next_id()
    fake.state.comments[cid] = {
        "id": cid,
        "pull_number": number,
        "path": c["path"],
        "line": c["line"],
        "start_line": c.get("start_line"),
        "body": c["body"],
        "review_id": review,
        "user": login,
        "kind": kind,
        "commit_id": commit,
        "in_reply_to": reply_to,
        "created": contract.NOW,
        "updated": contract.NOW,
    }
    if reply_to is None:
        tid = f"PRRT_{cid}"
        fake.state.threads[tid] = {
            "id": tid,
            "pull_number": number,
            "resolved": False,
            "comments": [cid],
        }
    else:
        for t in fake.state.threads.values():
            if reply_to in t["comments"]:
                t["comments"].append(cid)
    return cid


def graphql_root(fake: FakeGitHub, who: Who) -> dict[str, Any]:
    st = fake.state

    def thread_node(t: dict[str, Any]) -> dict[str, Any]:
        nodes = [
            {
                "fullDatabaseId": str(cid),
                "author": {
                    "login": st.comments[cid]["user"],
                    "__typename": st.comments[cid]["kind"],
                },
            }
            for cid in t["comments"]
            if cid in st.comments
        ]
        return {
            "id": t["id"],
            "isResolved": t["resolved"],
            "comments": lambda info, first=None, **_: {"nodes": nodes[: first or 100]},
        }

    def review_threads(number: int) -> Any:
        def resolve(
            info: Any, first: int | None = None, after: str | None = None, **_: Any
        ) -> dict[str, Any]:
            threads = [t for t in st.threads.values() if t["pull_number"] == number]
            start = int(after) if after else 0
            chunk = threads[start : start + (first or 100)]
            end = start + len(chunk)
            return {
                "nodes": [thread_node(t) for t in chunk],
                "pageInfo": {"hasNextPage": end < len(threads), "endCursor": str(end)},
            }

        return resolve

    def repository(info: Any, owner: str, name: str, **_: Any) -> dict[str, Any] | None:
        if f"{owner}/{name}" != fake.full_name:
            return None
        return {
            "pullRequest": lambda info, number: (
                {"reviewThreads": review_threads(number)} if number in st.pulls else None
            )
        }

    def resolve_thread(info: Any, input: dict[str, Any]) -> dict[str, Any]:
        if not who[2]:
            from tests.github_fake.server import NOT_ACCESSIBLE

            raise PermissionError(NOT_ACCESSIBLE)
        t = st.threads[input["threadId"]]
        t["resolved"] = True
        return {"thread": thread_node(t)}

    return {"repository": repository, "resolveReviewThread": resolve_thread}
