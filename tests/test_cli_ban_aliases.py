"""A banned call is found however the file imported or renamed it: `ananke-ci validate
--staged` on real git repositories, for configured bans (ANK201), declared forbids (ANK308)
and the mined dangerous calls (ANK305)."""

from __future__ import annotations

import pytest

from tests.constraint_repos import SMALL, Checker, rules_of
from tests.gitrepo import Cli, GitRepo

BANS = """\
[banned-calls]
"os.system" = "use subprocess.run"
eval = "parse the data"
exec = "no exec"
"child_process.exec" = "use execFile"
"exec.Command" = "no shell"
"std::process::Command::new" = "no processes"
"app.shell.Shell.run" = "no shell"
"App\\\\Shell::run" = "no shell"
"System.Diagnostics.Process.Start" = "no processes"
"""


@pytest.fixture
def banned(repo: GitRepo) -> GitRepo:
    repo.write(".ananke.toml", BANS)
    repo.write("README.md", "base\n")
    repo.commit("base")
    return repo


def _findings(repo: GitRepo, cli: Cli, path: str, source: str) -> list[str]:
    """Stage `source` at `path`, validate; the finding lines (path:line:col: RULE message)."""
    repo.write(path, source)
    repo.stage()
    run = cli("validate")
    assert run.code in (0, 1) and run.err == "", run.err
    return [line.split(" [")[0] for line in run.lines if ": ANK" in line]


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        (
            "a.py",
            "import os as o\n\no.system('x')\n",
            "a.py:3:1: ANK201 call of banned `os.system`: use subprocess.run",
        ),
        (
            "a.py",
            "from os import system as s\n\ns('x')\n",
            "a.py:3:1: ANK201 call of banned `os.system`: use subprocess.run",
        ),
        (
            "a.py",
            "from builtins import eval as e\n\ne('1')\n",
            "a.py:3:1: ANK201 call of banned `eval`: parse the data",
        ),
        (
            "a.py",
            "import builtins\n\nbuiltins.eval('1')\n",
            "a.py:3:1: ANK201 call of banned `eval`: parse the data",
        ),
        (
            "a.py",
            "import os\n\nrun = os.system\nrun('x')\n",
            "a.py:4:1: ANK201 call of banned `os.system`: use subprocess.run",
        ),
        (
            "a.py",
            "import os as o\n\n\ndef f() -> None:\n    run = o.system\n    run('x')\n",
            "a.py:6:5: ANK201 call of banned `os.system`: use subprocess.run",
        ),
        ("a.py", "e = eval\ne('1')\n", "a.py:2:1: ANK201 call of banned `eval`: parse the data"),
        (
            "a.js",
            'import { exec as run } from "child_process";\nrun("ls");\n',
            "a.js:2:1: ANK201 call of banned `child_process.exec`: use execFile",
        ),
        (
            "a.js",
            'import * as cp from "node:child_process";\ncp.exec("ls");\n',
            "a.js:2:1: ANK201 call of banned `child_process.exec`: use execFile",
        ),
        (
            "a.js",
            'import cp from "child_process";\ncp.exec("ls");\n',
            "a.js:2:1: ANK201 call of banned `child_process.exec`: use execFile",
        ),
        (
            "a.js",
            'const cp = require("child_process");\ncp.exec("ls");\n',
            "a.js:2:1: ANK201 call of banned `child_process.exec`: use execFile",
        ),
        (
            "a.js",
            'const { exec: run } = require("child_process");\nrun("ls");\n',
            "a.js:2:1: ANK201 call of banned `child_process.exec`: use execFile",
        ),
        (
            "a.js",
            'globalThis.eval("1");\nwindow.eval("2");\n',
            "a.js:1:1: ANK201 call of banned `eval`: parse the data",
        ),
        (
            "a.ts",
            'import cp = require("child_process");\ncp.exec("ls");\n',
            "a.ts:2:1: ANK201 call of banned `child_process.exec`: use execFile",
        ),
        (
            "a.tsx",
            'import { exec as run } from "child_process";\nrun("ls");\n',
            "a.tsx:2:1: ANK201 call of banned `child_process.exec`: use execFile",
        ),
        (
            "a.go",
            'package a\n\nimport x "os/exec"\n\nfunc F() { x.Command("sh") }\n',
            "a.go:5:12: ANK201 call of banned `exec.Command`: no shell",
        ),
        (
            "a.rs",
            'use std::process::Command as C;\n\nfn main() { C::new("sh"); }\n',
            "a.rs:3:13: ANK201 call of banned `std::process::Command::new`: no processes",
        ),
        (
            "a.rs",
            "use std::process::{self, Command as C};\n\n"
            'fn main() { process::Command::new("sh"); }\n',
            "a.rs:3:13: ANK201 call of banned `std::process::Command::new`: no processes",
        ),
        (
            "a.kt",
            'import app.shell.Shell as S\n\nfun f() { S.run("x") }\n',
            "a.kt:3:11: ANK201 call of banned `app.shell.Shell.run`: no shell",
        ),
        (
            "A.java",
            'import static app.shell.Shell.run;\n\nclass A { void f() { run("x"); } }\n',
            "A.java:3:22: ANK201 call of banned `app.shell.Shell.run`: no shell",
        ),
        (
            "a.php",
            "<?php\nuse App\\Shell as S;\n\nS::run('x');\n",
            "a.php:4:1: ANK201 call of banned `App\\Shell::run`: no shell",
        ),
        (
            "a.cs",
            'using P = System.Diagnostics.Process;\n\nclass A { void F() { P.Start("x"); } }\n',
            "a.cs:3:22: ANK201 call of banned `System.Diagnostics.Process.Start`: no processes",
        ),
    ],
)
def test_banned_call_through_an_alias(
    banned: GitRepo, cli: Cli, path: str, source: str, expected: str
) -> None:
    assert expected in _findings(banned, cli, path, source)


def test_every_global_spelling_of_eval(banned: GitRepo, cli: Cli) -> None:
    lines = _findings(banned, cli, "a.js", 'globalThis.eval("1");\nwindow.eval("2");\n')
    assert [line.split(": ")[0] for line in lines] == ["a.js:1:1", "a.js:2:1"]


@pytest.mark.parametrize(
    ("path", "source"),
    [
        # a bare ban is a bare name: a method of that name is not it
        ("a.py", "def f(cursor: object) -> None:\n    cursor.exec('select 1')\n"),
        # a function of the file named like the banned one is not the banned one
        ("a.py", "def system(cmd: str) -> None:\n    print(cmd)\n\n\nsystem('x')\n"),
        ("a.py", "import os as o\n\no.path.join('a', 'b')\n"),
        ("a.js", 'import { execFile as run } from "child_process";\nrun("ls", []);\n'),
        ("a.js", "const self = this;\nself.eval('1');\n"),
        ("a.go", 'package a\n\nimport x "os/exec"\n\nfunc F() { x.LookPath("sh") }\n'),
    ],
)
def test_no_false_positive(banned: GitRepo, cli: Cli, path: str, source: str) -> None:
    assert _findings(banned, cli, path, source) == []


def test_a_def_shadowing_an_aliased_import_is_still_flagged(banned: GitRepo, cli: Cli) -> None:
    """Bindings are not ordered: every binding of `s` counts, so a def that rebinds it after
    `from os import system as s` does not hide the call (a ban errs on the side of
    flagging; the rebinding itself is suspicious)."""
    lines = _findings(
        banned,
        cli,
        "a.py",
        "from os import system as s\n\n\ndef s() -> None:\n    return None\n\n\ns()\n",
    )
    assert lines == ["a.py:8:1: ANK201 call of banned `os.system`: use subprocess.run"]


def test_declared_forbid_through_an_alias(repo: GitRepo, check: Checker) -> None:
    repo.write(".ananke.toml", '[constraint.x]\nforbid = ["os.system"]\n')
    repo.write("lib/a.py", "X = 1\n")
    repo.commit("init")
    bad = check.staged({"lib/a.py": "from os import system as s\n\ns('x')\n"})
    assert rules_of(bad) == ["ANK308"]
    assert bad[0]["message"].startswith("call of forbidden `os.system`")
    assert bad[0]["line"] == 3
    bad = check.staged({"lib/a.py": "import os as o\nrun = o.system\nrun('x')\n"})
    assert rules_of(bad) == ["ANK308"] and bad[0]["line"] == 3
    assert check.staged({"lib/a.py": "import os as o\n\no.getcwd()\n"}) == []


def test_mined_dangerous_eval_through_an_alias(repo: GitRepo, check: Checker) -> None:
    repo.write(".ananke.toml", SMALL)
    for i in range(6):
        repo.write(
            f"app/part_{i}.py",
            f"import json\n\n\ndef read_{i}(text: str) -> object:\n    return json.loads(text)\n",
        )
    repo.commit("init")
    assert "dangerous/python/eval" in check.compile()
    source = (
        "from builtins import eval as e\n\n\ndef read_0(text: str) -> object:\n    return e(text)\n"
    )
    bad = check.staged({"app/part_0.py": source})
    assert rules_of(bad) == ["ANK305"] and bad[0]["line"] == 5
    source = "def read_0(text: str) -> object:\n    ev = eval\n    return ev(text)\n"
    assert rules_of(check.staged({"app/part_0.py": source})) == ["ANK305"]
