"""`ananke-ci holes`: TODO comments and typed holes, as text and JSON, whole repo or a change."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.gitrepo import Cli, GitRepo

CALC_PY = '''"""Calculator."""


class Calc:
    def add(self, a: int, b: int) -> int:
        return a + b

    def parse(self, text: str) -> int:
        raise NotImplementedError


def helper():
    # TODO: cache the result
    return 1
'''

GEOM_RS = """pub struct Rect {
    w: u32,
    h: u32,
}

impl Rect {
    pub fn area(&self) -> u32 {
        self.w * self.h
    }

    pub fn scale(&mut self, factor: u32) -> Result<(), String> {
        todo!()
    }
}

// FIXME: handle overflow
fn perimeter(w: u32, h: u32) -> u32 {
    unimplemented!()
}
"""

TEXT = [
    "calc.py:9:9: typed hole `raise NotImplementedError` in def parse(self, text: str) -> int:",
    "calc.py:13:5: TODO comment `TODO` in def helper():",
    "geom.rs:12:9: typed hole `todo!()` in pub fn scale(&mut self, factor: u32) -> "
    "Result<(), String>",
    "geom.rs:16:1: TODO comment `FIXME`",
    "geom.rs:18:5: typed hole `unimplemented!()` in fn perimeter(w: u32, h: u32) -> u32",
]


@pytest.fixture
def two_langs(repo: GitRepo) -> GitRepo:
    repo.write("calc.py", CALC_PY)
    repo.write("geom.rs", GEOM_RS)
    repo.write("README.md", "TODO: write the docs\n")  # not a source language
    repo.commit("python and rust")
    return repo


def test_holes_text(two_langs: GitRepo, cli: Cli) -> None:
    run = cli("holes")
    assert (run.code, run.lines, run.err) == (0, TEXT, "5 holes\n")


def test_holes_of_given_files(two_langs: GitRepo, cli: Cli) -> None:
    run = cli("holes", "geom.rs")
    assert (run.code, run.lines, run.err) == (0, TEXT[2:], "3 holes\n")


def test_holes_ignore_untracked_files(two_langs: GitRepo, cli: Cli) -> None:
    two_langs.write("scratch.py", "def f():\n    pass\n")
    assert cli("holes").lines == TEXT
    assert cli("holes", "--all").lines == TEXT


def test_holes_json(two_langs: GitRepo, cli: Cli) -> None:
    run = cli("holes", "--json")
    assert run.code == 0
    doc = json.loads(run.out)
    assert doc["version"] == 1
    holes: list[dict[str, Any]] = doc["holes"]
    assert [(h["path"], h["language"], h["kind"], h["marker"]) for h in holes] == [
        ("calc.py", "python", "typed", "raise NotImplementedError"),
        ("calc.py", "python", "todo", "TODO"),
        ("geom.rs", "rust", "typed", "todo!()"),
        ("geom.rs", "rust", "todo", "FIXME"),
        ("geom.rs", "rust", "typed", "unimplemented!()"),
    ]
    parse = holes[0]
    assert parse["text"] == "raise NotImplementedError"
    start = CALC_PY.index("raise NotImplementedError")
    assert parse["span"] == {
        "start_line": 9,
        "start_col": 9,
        "end_line": 9,
        "end_col": 34,
        "start_byte": start,
        "end_byte": start + 25,
    }
    assert parse["function"]["name"] == "parse"
    assert parse["function"]["signature"] == "def parse(self, text: str) -> int:"
    assert parse["function"]["params"] == [
        {"name": "self", "type": None},
        {"name": "text", "type": "str"},
    ]
    assert parse["function"]["return_type"] == "int"
    assert parse["function"]["container"] == "Calc"
    assert parse["function"]["span"]["start_line"] == 8

    scale = holes[2]
    start = GEOM_RS.index("todo!()")
    assert scale["span"] == {
        "start_line": 12,
        "start_col": 9,
        "end_line": 12,
        "end_col": 16,
        "start_byte": start,
        "end_byte": start + 7,
    }
    assert scale["function"]["signature"] == (
        "pub fn scale(&mut self, factor: u32) -> Result<(), String>"
    )
    assert scale["function"]["params"][1] == {"name": "factor", "type": "u32"}
    assert scale["function"]["return_type"] == "Result<(), String>"
    assert scale["function"]["container"] == "Rect"

    fixme = holes[3]
    assert fixme["text"] == "// FIXME: handle overflow"
    assert fixme["function"] is None
    assert holes[4]["function"]["signature"] == "fn perimeter(w: u32, h: u32) -> u32"
    assert holes[4]["function"]["container"] is None


def test_holes_json_empty(repo: GitRepo, cli: Cli) -> None:
    repo.write("done.py", "def f() -> int:\n    return 1\n")
    repo.commit("no holes")
    run = cli("holes", "--json")
    assert (run.code, json.loads(run.out)) == (0, {"version": 1, "holes": []})
    run = cli("holes")
    assert (run.code, run.out, run.err) == (0, "", "0 holes\n")


def test_holes_staged_lists_only_what_the_change_adds(two_langs: GitRepo, cli: Cli) -> None:
    two_langs.write("calc.py", CALC_PY + "\n\ndef later(x: float) -> float:\n    ...\n")
    two_langs.write(
        "geom.rs",
        GEOM_RS.replace(
            "// FIXME: handle overflow", "// FIXME: handle overflow\n// XXX: and underflow"
        ),
    )
    two_langs.stage()
    run = cli("holes", "--staged")
    assert (run.code, run.err) == (0, "2 holes\n")
    assert run.lines == [
        "calc.py:18:5: typed hole `...` in def later(x: float) -> float:",
        "geom.rs:17:1: TODO comment `XXX`",
    ]
    doc = json.loads(cli("holes", "--staged", "--json").out)
    assert [(h["path"], h["span"]["start_line"]) for h in doc["holes"]] == [
        ("calc.py", 18),
        ("geom.rs", 17),
    ]
    # an unstaged hole is not part of the change
    two_langs.write(
        "calc.py",
        CALC_PY + "\n\ndef later(x: float) -> float:\n    ...\n\n\ndef unstaged():\n    pass\n",
    )
    assert cli("holes", "--staged").lines == run.lines


def test_holes_of_a_range(two_langs: GitRepo, cli: Cli) -> None:
    base = two_langs.head()
    two_langs.write("new.rs", "fn later() -> u8 {\n    todo!()\n}\n")
    two_langs.commit("adds a hole")
    run = cli("holes", "--diff", f"{base}..HEAD")
    assert run.lines == ["new.rs:2:5: typed hole `todo!()` in fn later() -> u8"]


def test_holes_real_executable(two_langs: GitRepo) -> None:
    run = two_langs.exe("holes")
    assert (run.code, run.out, run.err) == (0, "".join(t + "\n" for t in TEXT), "5 holes\n")


def test_fix_without_holes_says_so_in_words(repo: GitRepo, cli: Cli) -> None:
    repo.write("a.py", "X = 1\n")
    repo.commit("base")
    repo.write("a.py", "X = 2\n")
    repo.commit("no hole")
    run = cli("fix", "--diff", "HEAD~1..HEAD")
    assert run.code == 0, run.err
    assert run.err.splitlines()[-1] == "ananke-ci: no holes to fill"
    assert run.out == ""
