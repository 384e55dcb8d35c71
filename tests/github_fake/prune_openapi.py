"""Prune GitHub's OpenAPI description to the operations the bot uses (writes openapi_ops.json).

    npm install --prefix /tmp/octokit @octokit/openapi@23.0.2
    python tests/github_fake/prune_openapi.py \
        /tmp/octokit/node_modules/@octokit/openapi/generated/api.github.com.json

Keeps each operation's parameters, request body and responses with every component they
reference (recursively); drops descriptions and examples, which validation does not read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OPERATIONS = [
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("patch", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("get", "/repos/{owner}/{repo}/pulls"),
    ("post", "/repos/{owner}/{repo}/pulls"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/comments"),
    ("post", "/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies"),
    ("patch", "/repos/{owner}/{repo}/pulls/comments/{comment_id}"),
    ("delete", "/repos/{owner}/{repo}/pulls/comments/{comment_id}"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"),
    ("post", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"),
    ("post", "/repos/{owner}/{repo}/check-runs"),
    ("patch", "/repos/{owner}/{repo}/check-runs/{check_run_id}"),
]
DROP = {
    "description",
    "examples",
    "example",
    "summary",
    "externalDocs",
    "x-github",
    "x-githubEnterpriseOverlays",
}


def strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: strip(v)
            for k, v in node.items()
            if not (
                (k in DROP and not isinstance(v, dict | list))
                or k in ("examples", "externalDocs", "x-github", "example")
            )
            and not (k == "description" and isinstance(v, str))
        }
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def refs(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            out.add(ref)
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


def main(source: str, target: str) -> None:
    doc = json.loads(Path(source).read_text())
    paths: dict[str, dict[str, Any]] = {}
    for method, path in OPERATIONS:
        op = doc["paths"][path][method]
        paths.setdefault(path, {})[method] = strip(
            {k: op[k] for k in ("operationId", "parameters", "requestBody", "responses") if k in op}
        )
    components: dict[str, dict[str, Any]] = {}
    todo: set[str] = set()
    refs(paths, todo)
    done: set[str] = set()
    while todo:
        ref = todo.pop()
        if ref in done:
            continue
        done.add(ref)
        _, _, kind, name = ref.split("/", 3)
        item = strip(doc["components"][kind][name])
        components.setdefault(kind, {})[name] = item
        refs(item, todo)
    out = {
        "openapi": doc["openapi"],
        "info": {"title": doc["info"]["title"], "version": doc["info"]["version"]},
        "paths": paths,
        "components": components,
    }
    Path(target).write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(
        sys.argv[1],
        sys.argv[2] if len(sys.argv) > 2 else str(Path(__file__).with_name("openapi_ops.json")),
    )
