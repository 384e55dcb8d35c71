"""Text from a repository never reaches a terminal raw: a file name and a TODO carrying
escape sequences (clear screen, retitle the window, a one-byte C1 CSI, a bidi override),
through every command that prints them, with NO_COLOR set (the real console script)."""

from __future__ import annotations

import json
import subprocess
from urllib.parse import unquote

import pytest

from tests.faults import fault_server
from tests.gitrepo import ANANKE_CI, GitRepo

EVIL = "e\x1b[2J\x1b]0;pwned\x07\u202e.py"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")
SOURCE = "def f(a: int) -> int:\n    # TODO \x1b]0;pwned\x07 \x9b31m later\n    pass\n"


def _strings(value: object) -> set[str]:
    if isinstance(value, dict):
        return set().union(*map(_strings, value.values()), *map(_strings, value))
    if isinstance(value, list):
        return set().union(*map(_strings, value))
    return {value} if isinstance(value, str) else set()


def _clean(text: str) -> None:
    assert not [c for c in RAW if c in text], repr(text[:400])


@pytest.fixture
def evil(repo: GitRepo) -> GitRepo:
    repo.write("base.py", "X = 1\n")
    repo.commit("base")
    repo.write(EVIL, SOURCE)
    repo.write(f"rules/{EVIL}.ariadne", "constraint a { forbid: [1]; }\n")
    repo.commit("evil")
    return repo


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--all"],
        ["validate", "--all", "--format", "github"],
        ["validate", "--all", "--format", "json"],
        ["validate", "--all", "--format", "sarif"],
        ["validate", "--diff", "HEAD~1..HEAD", "--filter", "nofilter"],
        ["holes", "--all"],
        ["holes", "--all", "--json"],
        ["salience"],
        ["compile"],
        ["compile", "--json"],
        ["extract", "--json"],
        ["salience", "--json"],
        ["validate", EVIL + "-missing"],
    ],
)
def test_no_command_prints_a_control_character_from_the_repository(
    evil: GitRepo, args: list[str]
) -> None:
    done = evil.exe(*args, env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert done.code in (0, 1, 2), done
    assert "Traceback" not in done.err and "internal error" not in done.err, done.err
    _clean(done.out)
    _clean(done.err)
    if done.code != 2 and ("--json" in args or "json" in args or "sarif" in args):
        # escaped by the format, and still the same text once parsed (SARIF: a URI)
        assert EVIL in {unquote(s) for s in _strings(json.loads(done.out))}
    if args == ["validate", "--all"]:
        # the broken Ariadne file (validate reads the declarations too) is named, escaped
        assert "rules/e\\x1b[2J\\x1b]0;pwned\\x07\\u202e.py.ariadne:1:" in done.err


def test_the_fix_diff_is_git_apply_input_in_a_pipe_and_escaped_on_a_terminal(evil: GitRepo) -> None:
    evil.git("rm", "-rq", "rules")
    evil.commit("no rules")
    args = [str(ANANKE_CI), "fix", "-q", "--all", "--backend", "protocol", "--endpoint"]
    with fault_server() as server:
        piped = subprocess.run(
            [*args, server.url], cwd=evil.root, env=evil.env, capture_output=True, text=True
        )
        on_tty = _on_a_terminal([*args, server.url], evil)
    assert piped.returncode == 0, piped.stderr
    # the name C-quoted as git writes it; the body as it is, for `git apply`
    assert '--- "a/e\\033[2J\\033]0;pwned\\007\\342\\200\\256.py"' in piped.stdout
    applied = subprocess.run(
        ["git", "apply", "--check", "-"],
        cwd=evil.root,
        env=evil.env,
        input=piped.stdout,
        text=True,
        capture_output=True,
    )
    assert applied.returncode == 0, applied.stderr
    _clean(on_tty)
    assert "-    # TODO \\x1b]0;pwned\\x07 \\x9b31m later" in on_tty


def _on_a_terminal(argv: list[str], repo: GitRepo) -> str:
    """What `argv` writes when its output is a terminal (a pseudo-terminal here)."""
    import os
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        argv,
        cwd=repo.root,
        env={**repo.env, "NO_COLOR": "1"},
        stdout=follower,
        stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_a_file_name_that_is_not_utf8_is_reported_not_a_crash(repo: GitRepo, fmt: str) -> None:
    import os

    (repo.root / os.fsdecode(b"b\xffad.py")).write_text("x = (\n")
    repo.commit("a name git keeps as bytes")
    done = repo.exe("validate", "--all", "--format", fmt)
    assert done.code == 1, done.err  # the syntax error, reported
    assert "internal error" not in done.err
    if fmt == "text":
        assert done.out.startswith("b\\xffad.py:1:1: ANK001 ")
    elif fmt == "json":
        assert json.loads(done.out)["findings"][0]["path"] == os.fsdecode(b"b\xffad.py")
    elif fmt == "sarif":
        result = json.loads(done.out)["runs"][0]["results"][0]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "b%FFad.py"
