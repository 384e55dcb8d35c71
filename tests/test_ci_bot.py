"""`ananke-ci ci` against a GitHub on 127.0.0.1 whose every request and response is checked
against GitHub's OpenAPI description and GraphQL schema (tests/github_fake)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ci_support import (
    HEAD_SOURCE,
    PullRequest,
    generation_server,
    mutations,
    review_posts,
    run_bot,
)
from tests.github_fake.server import BOT, FakeGitHub, Fault

REVIEWS = "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        yield server
        assert server.violations == []


@pytest.fixture
def endpoint() -> Iterator[str]:
    with generation_server() as (url, _backend):
        yield url


@pytest.fixture
def pr(tmp_path: Path) -> PullRequest:
    return PullRequest(tmp_path)


def suggest(endpoint: str) -> tuple[str, ...]:
    return ("--fix", "suggest", "--endpoint", endpoint, "--backend", "protocol")


def by_rule(fake: FakeGitHub) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for c in fake.bot_comments(7):
        rule = re.search(r"\*\*(ANK\d+)\*\*", str(c["body"]))
        assert rule, c["body"]
        out.setdefault(rule.group(1), []).append(c)
    return out


def test_first_push_posts_one_review_with_suggestions(
    pr: PullRequest,
    fake: FakeGitHub,
    endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pr.push(HEAD_SOURCE)
    pr.register(fake)
    done, summary, outputs = run_bot(pr, fake, monkeypatch, capsys, *suggest(endpoint))
    assert done.code == 1, done.err  # os.system is banned by the BASE's config: an error
    assert len(review_posts(fake)) == 1
    rules = by_rule(fake)
    assert sorted(rules) == ["ANK101", "ANK102", "ANK201"]
    add, fence = sorted(rules["ANK102"], key=lambda c: int(str(c["line"])))
    assert "```suggestion\n    return a + b\n```" in str(add["body"])
    assert add["line"] == 6 and add["start_line"] is None
    # the fill holds three backticks: the fence is longer
    assert '````suggestion\n    return "```"\n````' in str(fence["body"])
    todo = rules["ANK101"][0]  # the fill replaces the TODO line and the body after it
    assert (todo["start_line"], todo["line"]) == (15, 16)
    assert "```suggestion\n    return sum(xs)\n```" in str(todo["body"])
    assert "suggestion" not in str(rules["ANK201"][0]["body"])
    runs = list(fake.state.check_runs.values())
    assert len(runs) == 1 and len(runs[0]["annotations"]) == 4
    assert runs[0]["conclusion"] == "failure"
    assert outputs == {
        "findings": "4",
        "holes": "3",
        "sarif": str(pr.events / "out.sarif"),
        "exit-code": "1",
        "fork": "false",
    }
    assert "### Holes" in summary and "suggested" in summary
    assert "::error" not in done.out  # annotations went to the check run


def test_second_push_resolves_only_the_fixed_finding(
    pr: PullRequest,
    fake: FakeGitHub,
    endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pr.push(HEAD_SOURCE)
    pr.register(fake)
    run_bot(pr, fake, monkeypatch, capsys, *suggest(endpoint))
    banned = by_rule(fake)["ANK201"][0]
    before = len(fake.log)
    pr.push(HEAD_SOURCE.replace('    os.system("ls")\n', "    print('ls')\n"), "no shell")
    pr.register(fake)
    done, summary, _ = run_bot(pr, fake, monkeypatch, capsys, *suggest(endpoint))
    assert done.code == 0, done.err
    later = fake.log[before:]
    assert not [r for r in later if r.template == REVIEWS and r.method == "POST"]
    assert not [r for r in later if r.method in ("PATCH", "DELETE")]
    resolved = [t for t in fake.state.threads.values() if t["resolved"]]
    assert [t["comments"][0] for t in resolved] == [banned["id"]]
    assert len(fake.bot_comments(7)) == 4  # nothing posted twice
    assert "resolved 1" in summary


def test_rebase_moves_lines_without_duplicates(
    pr: PullRequest,
    fake: FakeGitHub,
    endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pr.push(HEAD_SOURCE)
    pr.register(fake)
    run_bot(pr, fake, monkeypatch, capsys, *suggest(endpoint))
    ids = sorted(c["id"] for c in fake.bot_comments(7))
    # main moves on, the branch is rebased and force-pushed with lines moved down
    pr.repo.git("checkout", "-q", "main")
    pr.repo.write("other.py", "Y = 2\n")
    pr.repo.commit("main moves")
    pr.repo.git("checkout", "-q", "feat")
    pr.repo.git("rebase", "-q", "main")
    head = pr.push('"""Module doc."""\n\n' + HEAD_SOURCE, amend=True)
    pr.register(fake, head)
    before = len(fake.log)
    done, _, _ = run_bot(pr, fake, monkeypatch, capsys, *suggest(endpoint))
    assert done.code == 1, done.err
    later = fake.log[before:]
    assert [r.method for r in later if r.method != "GET" and r.template != "/graphql"] == [
        "POST"
    ]  # the check run only
    assert not mutations(fake)
    assert sorted(c["id"] for c in fake.bot_comments(7)) == ids


def test_a_persons_reply_keeps_the_comment(
    pr: PullRequest,
    fake: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from ananke_ci.adapters.github_api import GitHubClient

    pr.push(HEAD_SOURCE)
    pr.register(fake)
    run_bot(pr, fake, monkeypatch, capsys)
    banned = next(c for c in fake.bot_comments(7) if "ANK201" in str(c["body"]))
    human = GitHubClient(fake.url, f"{fake.url}/graphql", "human-token", "o/r")
    human._gh.requester.requestJsonAndCheck(  # a reviewer answers in the thread
        "POST",
        f"{fake.url}/repos/o/r/pulls/7/comments/{banned['id']}/replies",
        input={"body": "We need the shell here, see #12."},
    )
    pr.push(HEAD_SOURCE.replace('    os.system("ls")\n', "    print('ls')\n"), "no shell")
    pr.register(fake)
    done, _, _ = run_bot(pr, fake, monkeypatch, capsys)
    assert done.code == 0, done.err
    assert not mutations(fake)
    assert banned["id"] in fake.state.comments
    assert not [r for r in fake.log if r.method == "DELETE"]


def test_fork_posts_nothing_but_annotations_and_summary(
    pr: PullRequest,
    fake: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pr.push(HEAD_SOURCE)
    pr.register(fake)
    done, summary, outputs = run_bot(
        pr, fake, monkeypatch, capsys, "--fix", "commit", token="read-only-token", fork=True
    )
    assert done.code == 1, done.err
    assert fake.log == []  # not one request: a fork's token may not write
    assert "::error file=m.py,line=20" in done.out
    assert done.out.count("::warning") == 3
    assert "comes from a fork" in summary and "| error | `m.py:20` | ANK201 |" in summary
    assert outputs["fork"] == "true"
    assert (pr.events / "out.sarif").is_file()


@pytest.mark.parametrize("after", [True, False], ids=["created-then-502", "refused-502"])
def test_502_on_the_review_write_leaves_one_review(
    after: bool,
    pr: PullRequest,
    fake: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pr.push(HEAD_SOURCE)
    pr.register(fake)
    fake.faults.append(Fault("POST", REVIEWS, 502, after=after))
    done, summary, _ = run_bot(pr, fake, monkeypatch, capsys)
    assert done.code == 1, done.err
    assert len(fake.state.reviews) == 1
    keys = [
        re.search(r"key=(\S+)", str(c["body"])).group(1)  # type: ignore[union-attr]
        for c in fake.bot_comments(7)
    ]
    assert len(keys) == 4 and len(set(keys)) == 4
    # after a 502 the comments were read again before anything else was written
    posts = [i for i, r in enumerate(fake.log) if r.template == REVIEWS and r.method == "POST"]
    assert len(posts) == (1 if after else 2)
    assert fake.log[posts[0] + 1].method == "GET"
    assert "posted a review with 4 new comment(s)" in summary


def test_many_findings_respect_the_per_review_cap(
    pr: PullRequest,
    fake: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = "".join(f"X{i} = {i}  # TODO: item {i}\n" for i in range(85))
    pr.push(source)
    pr.register(fake)
    done, _summary, _ = run_bot(pr, fake, monkeypatch, capsys)
    assert done.code == 0, done.err
    review = next(iter(fake.state.reviews.values()))
    assert len(fake.bot_comments(7)) == 30
    assert "55 more, not posted inline" in review["body"]
    assert review["body"].count("\n- `m.py:") == 55
    run = next(iter(fake.state.check_runs.values()))
    assert len(run["annotations"]) == 85  # one POST of 50, one PATCH of 35
    assert [r.method for r in fake.log if r.template and "check-runs" in r.template] == [
        "POST",
        "PATCH",
    ]
    before = len(fake.log)
    run_bot(pr, fake, monkeypatch, capsys)  # the same push again: nothing new to say
    assert not [r for r in fake.log[before:] if r.template == REVIEWS and r.method == "POST"]
    assert len(fake.bot_comments(7)) == 30
    assert all(c["user"] == BOT for c in fake.bot_comments(7))


def test_missing_permission_is_named_and_validation_still_reports(
    pr: PullRequest,
    fake: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A same-repository run whose token cannot write (permissions left read-only)."""
    pr.push(HEAD_SOURCE)
    pr.register(fake)
    done, summary, _ = run_bot(pr, fake, monkeypatch, capsys, token="read-only-token")
    assert done.code == 1, done.err
    assert "the token lacks `pull-requests: write`" in summary
    assert "the token lacks `checks: write`" in summary
    assert "::error file=m.py,line=20" in done.out  # fell back to workflow commands


def test_unreachable_endpoint_skips_the_fix_step_only(
    pr: PullRequest,
    fake: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/secret-path"
    pr.push(HEAD_SOURCE)
    pr.register(fake)
    monkeypatch.setenv("ANANKE_TOKEN", "sk-very-secret-value")
    done, summary, _ = run_bot(
        pr,
        fake,
        monkeypatch,
        capsys,
        "--fix",
        "suggest",
        "--endpoint",
        dead,
        "--backend",
        "protocol",
        "--fix-timeout",
        "60",
    )
    assert done.code == 1, done.err
    assert "fix step skipped" in summary
    assert "suggestion" not in "".join(str(c["body"]) for c in fake.bot_comments(7))
    assert len(fake.bot_comments(7)) == 4
    assert "sk-very-secret-value" not in summary + done.out + done.err


def test_dry_run_prints_what_it_would_post(
    pr: PullRequest,
    fake: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pr.push(HEAD_SOURCE)
    pr.register(fake)
    done, _, _ = run_bot(pr, fake, monkeypatch, capsys, "--dry-run")
    assert done.code == 1, done.err
    assert "would post a review on #7" in done.out
    assert [r.method for r in fake.log] == ["GET", "POST", "GET"]  # reads only (GraphQL read)
    assert fake.state.reviews == {} and fake.state.check_runs == {}


def test_fix_commit_pushes_fixups_to_a_real_remote_and_updates_one_pull(
    pr: PullRequest,
    fake: FakeGitHub,
    endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    import subprocess

    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    pr.repo.git("remote", "add", "origin", str(remote))
    pr.push(HEAD_SOURCE)
    pr.repo.git("push", "-q", "origin", "main", "feat")
    fake.state.remote = remote
    pr.register(fake)
    args = ("--fix", "commit", "--endpoint", endpoint, "--backend", "protocol")
    done, summary, _ = run_bot(pr, fake, monkeypatch, capsys, *args)
    assert done.code == 1, done.err
    branch = "ananke/fix/7"
    log = subprocess.run(
        ["git", "log", "--format=%s", f"{branch}", "--not", "feat"],
        cwd=remote,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert log.splitlines() == ["fixup! feature"] * 3
    bot_pulls = [p for p in fake.state.pulls.values() if p["head_ref"] == branch]
    assert len(bot_pulls) == 1 and bot_pulls[0]["base_ref"] == "feat"
    assert "opened the fix pull request" in summary
    assert pr.repo.head() == fake.state.pulls[7]["head_sha"]  # the checkout is untouched
    # the fixups fold into the commit that made the holes
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "-b", branch, str(remote), str(clone)], check=True)
    pr_env = {**pr.repo.env, "GIT_SEQUENCE_EDITOR": "true"}
    subprocess.run(
        ["git", "rebase", "-q", "-i", "--autosquash", "origin/main"],
        cwd=clone,
        env=pr_env,
        check=True,
    )
    folded = subprocess.run(
        ["git", "log", "--format=%s", "origin/main..HEAD"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert folded.splitlines() == ["feature"]
    text = (clone / "m.py").read_text()
    assert "return a + b" in text and "pass\n" not in text and "TODO" not in text
    # a second push to the pull request: the same bot pull request, updated
    pr.push(HEAD_SOURCE + "\n\ndef more() -> int:\n    raise NotImplementedError\n", "more")
    pr.repo.git("push", "-q", "origin", "feat")
    pr.register(fake)
    done, summary, _ = run_bot(pr, fake, monkeypatch, capsys, *args)
    assert done.code == 1, done.err
    assert len([p for p in fake.state.pulls.values() if p["head_ref"] == branch]) == 1
    assert "updated the fix pull request" in summary
    log = subprocess.run(
        ["git", "log", "--format=%s", branch, "--not", "feat"],
        cwd=remote,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert sorted(log.splitlines()) == ["fixup! feature"] * 3 + ["fixup! more"]


def test_salience_is_the_bases_and_cached_where_the_next_base_descends(
    pr: PullRequest,
    fake: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json as _json

    pr.push(HEAD_SOURCE)
    pr.register(fake)
    event = pr.event()
    monkeypatch.setenv("ANANKE_CI_WRITE_INTERVAL", "0")
    monkeypatch.setenv("GITHUB_API_URL", fake.url)
    monkeypatch.setenv("GITHUB_TOKEN", "bot-token")
    done = pr.repo.cli(
        monkeypatch,
        capsys,
        "ci",
        "--event",
        str(event),
        "--dry-run",
        "--sarif",
        str(pr.events / "s.sarif"),
        "--summary",
        str(pr.events / "sum.md"),
    )
    assert done.code == 1, done.err
    summary = (pr.events / "sum.md").read_text()
    assert "quadrantChart" in summary and '"base.py"' in summary
    assert "Not in the base's salience (new, or not source): `m.py`" in summary
    cached = (pr.repo.root / ".git" / "ananke" / "intensities.json").read_text()
    _header, body = cached.split("\n", 1)
    assert _json.loads(body)["head"] == pr.base  # the base, not the head or a merge
    assert len(pr.repo.git("worktree", "list").splitlines()) == 1  # the base's is gone


@pytest.mark.parametrize(
    "command, suggested",
    [
        # passes only where neither token is in the environment: the sandbox strips them
        ('test -z "$GITHUB_TOKEN" && test -z "$ANANKE_TOKEN" && echo ok', 3),
        ("echo failing on purpose; exit 1", 0),
    ],
    ids=["clean-env-passes", "failing-tests-refuse"],
)
def test_run_tests_runs_the_bases_command_sandboxed(
    command: str,
    suggested: int,
    tmp_path: Path,
    fake: FakeGitHub,
    endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.ci_support import BASE_CONFIG

    config = BASE_CONFIG + f"\n[verify]\ncommand = '{command}'\ntimeout = 60\n"
    pr = PullRequest(tmp_path, config=config)
    # the pull request's own config asks for something else: it is not what runs
    pr.repo.write(".ananke.toml", BASE_CONFIG + "\n[verify]\ncommand = 'true'\n")
    pr.push(HEAD_SOURCE)
    pr.register(fake)
    monkeypatch.setenv("ANANKE_TOKEN", "sk-endpoint-token")
    done, summary, _ = run_bot(pr, fake, monkeypatch, capsys, *suggest(endpoint), "--run-tests")
    assert done.code == 1, done.err
    bodies = [str(c["body"]) for c in fake.bot_comments(7)]
    assert sum("```suggestion" in b for b in bodies) == suggested
    if not suggested:
        assert "no verified fill" in summary and "failing on purpose" in summary
