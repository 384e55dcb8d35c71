"""Verification of candidate fills on real files and real git repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from ananke_ci.adapters import git_write
from ananke_ci.analysis.extract import extract_facts
from ananke_ci.app.verify import splice, verify
from ananke_ci.core.config import parse_config
from ananke_ci.core.facts import Hole
from tests.gitrepo import GitRepo

SOURCE = b'''import os


def add(a: int, b: int) -> int:
    """Sum."""
    pass


def keep() -> None:
    return None
'''
CONFIG = '[banned-calls]\n"os.system" = "no shell"\neval = ""\n'


def _hole(source: bytes = SOURCE) -> Hole:
    (hole,) = extract_facts("m.py", source).holes
    return hole


def _verify(body: str, config_text: str = CONFIG, root: Path = Path("."), **kw: object):  # type: ignore[no-untyped-def]
    config = parse_config(config_text, ".ananke.toml")
    return verify(root, "m.py", SOURCE, _hole(), body, config, **kw)  # type: ignore[arg-type]


def test_splice_replaces_the_hole_lines_to_the_end_of_the_function() -> None:
    patch = splice(SOURCE, _hole(), "    total = a + b\n    return total\n")
    assert b'    """Sum."""\n    total = a + b\n    return total\n\n\ndef keep' in patch.patched
    assert patch.patched[patch.start:patch.end] == b"    total = a + b\n    return total"


def test_a_good_body_passes() -> None:
    verdict = _verify("    return a + b\n")
    assert verdict.ok and verdict.reasons == ()


@pytest.mark.parametrize(("body", "reason"), [
    ("    return a +\n", "syntax error"),
    ("    return (a\n", "syntax error"),
    ("    x = 1\n      return x\n", "syntax error"),
    ("    pass\n", "itself a hole"),
    ("    raise NotImplementedError\n", "itself a hole"),
    ("    # TODO: later\n    return 0\n", "TODO"),
    ("    os.system('ls')\n    return 0\n", "os.system"),
    ("    f = eval\n    return f('1')\n", "banned `eval`"),
    ("", "empty"),
])
def test_bad_bodies_fail_with_a_reason(body: str, reason: str) -> None:
    verdict = _verify(body)
    assert not verdict.ok
    assert any(reason in r for r in verdict.reasons), verdict.reasons


def test_a_new_error_finding_fails_but_old_ones_do_not_count() -> None:
    config = '[banned-calls]\nprint = ""\n'
    assert _verify("    return a + b\n", config).ok
    assert not _verify("    print(a)\n    return a + b\n", config).ok


def test_the_test_command_runs_in_a_throwaway_worktree(repo: GitRepo) -> None:
    repo.write("m.py", SOURCE)
    repo.write("test_m.py", "from m import add\nassert add(2, 3) == 5\n")
    repo.commit("start")
    repo.write("scratch.txt", "unstaged user work\n")
    config = CONFIG + '[verify]\ncommand = "python3 test_m.py"\ntimeout = 30\n'
    assert _verify("    return a + b\n", config, repo.root).ok
    bad = _verify("    return a - b\n", config, repo.root)
    assert not bad.ok and "test command" in bad.reasons[0]
    # the user's tree and the worktree list are as they were
    assert (repo.root / "m.py").read_bytes() == SOURCE
    assert (repo.root / "scratch.txt").read_text() == "unstaged user work\n"
    assert len(repo.git("worktree", "list").splitlines()) == 1
    slow = _verify("    return a + b\n",
                   CONFIG + '[verify]\ncommand = "sleep 5"\ntimeout = 0.5\n', repo.root)
    assert not slow.ok and "timed out" in slow.reasons[0]
    assert _verify("    return a - b\n", config, repo.root, run_command=False).ok


def test_the_test_command_sees_the_staged_tree(repo: GitRepo) -> None:
    repo.write("m.py", SOURCE)
    repo.commit("start")
    repo.write("test_m.py", "from m import add\nassert add(2, 3) == 5\n")
    repo.stage("test_m.py")  # only staged: the worktree is built from the index
    config = CONFIG + '[verify]\ncommand = "python3 test_m.py"\n'
    assert not _verify("    return a - b\n", config, repo.root).ok
    assert git_write.head(repo.root) == repo.head()


RUST = b"""struct S;

impl S {
    fn double(&self, x: i32) -> i32 {
        todo!()
    }
}
"""


def test_a_brace_body_replaces_everything_between_the_braces() -> None:
    (hole,) = extract_facts("s.rs", RUST).holes
    patch = splice(RUST, hole, "        let y = x * 2;\n        y\n    }\n", "rust")
    assert patch.patched == RUST.replace(b"        todo!()\n",
                                         b"        let y = x * 2;\n        y\n")
    config = parse_config("", ".ananke.toml")
    assert verify(Path("."), "s.rs", RUST, hole, "        x * 2\n    }\n", config).ok
    bad = verify(Path("."), "s.rs", RUST, hole, "        todo!()\n    }\n", config)
    assert not bad.ok and "itself a hole" in bad.reasons[0]
