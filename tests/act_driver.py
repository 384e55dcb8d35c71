"""Runs the README's workflow under `act` against the fake GitHub and a fake model, all on
one loopback: meant to run inside `unshare -n` (tests/test_action_act.py starts it so), where
nothing but 127.0.0.1 exists. Writes what happened to OUT/result.json.

    python -m tests.act_driver ACT WORKTREE OUT
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.ci_support import HEAD_SOURCE, PullRequest, generation_server
from tests.github_fake.server import FakeGitHub
from tests.gitrepo import GIT_ENV

STANDINS = Path(__file__).parent / "act_standins"


def readme_workflow(worktree: Path) -> str:
    text = (worktree / "README.md").read_text()
    block = text.split("<!-- ci-example:start -->", 1)[1].split("<!-- ci-example:end -->")[0]
    m = re.search(r"```yaml\n(.*?)```", block, re.S)
    assert m, "the README's example workflow is missing"
    return m.group(1)


def main(act: str, worktree: Path, out: Path) -> int:
    home = out / "home"
    home.mkdir(parents=True)
    # act copies a local action's folder (twice); the action needs only these two files here,
    # since the interpreter on PATH has this worktree's ananke-ci installed already
    action = out / "action"
    action.mkdir()
    for name in ("action.yml", "pyproject.toml"):
        shutil.copy(worktree / name, action / name)
    record = out / "record.txt"
    pr = PullRequest(out / "pr")
    pr.repo.git("checkout", "-q", "main")
    pr.repo.write(".github/workflows/ananke.yml", readme_workflow(worktree))
    pr.repo.commit("workflow")
    pr.repo.git("checkout", "-q", "feat")
    pr.repo.git("rebase", "-q", "main")
    pr.push(HEAD_SOURCE)
    event = pr.event()
    with FakeGitHub() as fake, generation_server() as (model_url, _):
        pr.register(fake)
        env = {
            **os.environ,
            **{k: v or str(home) for k, v in GIT_ENV.items()},
            "HOME": str(home),
            "ACT_RECORD": str(record),
            "ACT_OUT": str(out),
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        }
        cmd = [
            act,
            "pull_request",
            "-W",
            ".github/workflows/ananke.yml",
            "-e",
            str(event),
            "-P",
            "ubuntu-latest=-self-hosted",
            "--no-cache-server",
            "--artifact-server-addr",
            "127.0.0.1",
            "--env",
            f"GITHUB_API_URL={fake.url}",
            "--env",
            f"GITHUB_GRAPHQL_URL={fake.url}/graphql",
            "--env",
            "ANANKE_CI_WRITE_INTERVAL=0",
            "--env",
            f"ACT_RECORD={record}",
            "--env",
            f"ACT_OUT={out}",
            "-s",
            "GITHUB_TOKEN=bot-token",
            "-s",
            f"ANANKE_ENDPOINT={model_url}",
            "-s",
            "ANANKE_TOKEN=sk-act-secret-token",
            "--local-repository",
            f"OWNER/ananke-ci@v1={action}",
            "--local-repository",
            f"actions/checkout@v4={STANDINS / 'checkout'}",
            "--local-repository",
            f"actions/cache@v4={STANDINS / 'cache'}",
            "--local-repository",
            f"github/codeql-action@v3={STANDINS / 'codeql-action'}",
            "--local-repository",
            f"actions/upload-artifact@v4={STANDINS / 'upload-artifact'}",
        ]
        proc = subprocess.run(
            cmd, cwd=pr.repo.root, env=env, capture_output=True, text=True, timeout=300
        )
        result = {
            "returncode": proc.returncode,
            "output": proc.stdout + proc.stderr,
            "violations": fake.violations,
            "comments": [c["body"] for c in fake.bot_comments(pr.number)],
            "reviews": len(fake.state.reviews),
            "check_runs": [len(r["annotations"]) for r in fake.state.check_runs.values()],
            "record": record.read_text() if record.exists() else "",
            "base": pr.repo.git("rev-parse", "main").strip(),
        }
    (out / "result.json").write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])))
