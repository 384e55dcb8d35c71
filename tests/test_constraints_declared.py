"""Declared constraints (config and Ariadne), conflicts, the IR cache, init and baseline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.constraint_repos import SMALL, Checker, rules_of, snake_module
from tests.gitrepo import GitRepo

ARIADNE = """\
// security for every file, relaxed for the tooling
constraint base_security {
    forbid: ["eval", "os.system"];
    forbid_imports: ["pickle"];
}
constraint api inherits base_security {
    applies_to: "src/api/**";
    requires: type_annotations;
    max_complexity: 3;
    message: "API code is reviewed by security";
}
constraint tools inherits base_security {
    applies_to: "tools/**";
    allow: ["os.system"];
}
"""


def _declared_repo(repo: GitRepo) -> None:
    repo.write(".ananke.toml", "[constraints]\nmine = false\n")
    repo.write("rules/security.ariadne", ARIADNE)
    repo.write("src/api/handlers.py", "def handle(x: int) -> int:\n    return x\n")
    repo.write("tools/build.py", "def build(x):\n    return x\n")
    repo.commit("init")


def test_ariadne_forbid_inherit_allow_and_scope(repo: GitRepo, check: Checker) -> None:
    _declared_repo(repo)
    out = check.compile()
    assert "declared/api/forbid_call" in out and "rules/security.ariadne:6:1" in out
    bad = check.staged(
        {
            "src/api/handlers.py": "import os\n\n\ndef handle(x: int) -> int:\n"
            "    os.system('ls')\n    return eval(x)\n"
        }
    )
    assert rules_of(bad) == ["ANK308", "ANK308"]
    assert "API code is reviewed by security" in bad[0]["message"]
    # tools inherit the ban on eval but allow os.system
    tools = check.staged(
        {
            "tools/build.py": "import os\n\n\ndef build(x):\n"
            "    os.system('make')\n    return eval(x)\n"
        }
    )
    assert [f["message"].split(" [")[0] for f in tools] == ["call of forbidden `eval`"]
    assert rules_of(check.staged({"tools/build.py": "import pickle\n"})) == ["ANK308"]
    assert check.staged({"tools/build.py": "import json\n"}) == []


def test_ariadne_requires_and_limits(repo: GitRepo, check: Checker) -> None:
    _declared_repo(repo)
    check.compile()
    bad = check.staged(
        {
            "src/api/more.py": "def other(a, b):\n    if a and b or a:\n"
            "        return 1\n    return 2\n"
        }
    )
    assert rules_of(bad) == ["ANK302", "ANK309"]
    ok = "def other(a: int, b: int) -> int:\n    return a + b\n"
    assert check.staged({"src/api/more.py": ok}) == []
    # outside src/api the declaration does not apply
    assert check.staged({"lib/more.py": "def other(a, b):\n    return a\n"}) == []


def test_ariadne_syntax_error_names_file_line_col(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("x.ariadne", 'constraint a {\n    forbid: ["eval" "exec"];\n}\n')
    repo.commit("init")
    run = repo.cli(monkeypatch, capsys, "compile")
    assert run.code == 2
    assert "x.ariadne:2:21: syntax error: unexpected '\"exec\"'; expected" in run.err
    assert "','" in run.err


def test_config_declared_constraint_applies_without_compile(repo: GitRepo, check: Checker) -> None:
    repo.write(".ananke.toml", '[constraint.small]\nmax-params = 2\napplies-to = ["lib/**"]\n')
    repo.commit("init")
    bad = check.staged({"lib/a.py": "def f(a, b, c):\n    return a\n"})
    assert rules_of(bad) == ["ANK309"] and ".ananke.toml:1" in bad[0]["message"]
    assert check.staged({"lib/a.py": "def f(a, b):\n    return a\n"}) == []


def test_conflict_reported_with_both_sources_and_priority_decides(
    repo: GitRepo, check: Checker
) -> None:
    repo.write(
        ".ananke.toml",
        SMALL + "\n[constraint.camel]\nnaming = { function = "
        '"camelCase" }\napplies-to = ["web/**"]\n',
    )
    for i in range(4):
        repo.write(f"pkg/m{i}.py", snake_module(3, f"m{i}"))
    repo.commit("init")
    out = check.compile()
    assert re.search(r"\): \d+ constraints, 1 conflict\n", out), out.splitlines()[0]
    assert "two naming styles for function names" in out
    assert (
        "declared/camel/naming/function (.ananke.toml:4) wins over naming/python/function "
        "(mined): priority 10 > 0" in out
    )
    assert check.staged({"web/view.py": "def renderPage(x: int) -> int:\n    return x\n"}) == []
    bad = check.staged({"web/view.py": "def render_page(x: int) -> int:\n    return x\n"})
    assert rules_of(bad) == ["ANK301"] and "camelCase" in bad[0]["message"]
    # elsewhere the mined snake_case convention still holds
    bad = check.staged({"pkg/view.py": "def renderPage(x: int) -> int:\n    return x\n"})
    assert rules_of(bad) == ["ANK301"] and "snake_case" in bad[0]["message"]


def test_ir_is_byte_identical_and_cached(
    repo: GitRepo, check: Checker, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(".ananke.toml", SMALL)
    repo.write("rules.ariadne", ARIADNE)
    for i in range(6):
        repo.write(f"pkg/m{i}.py", snake_module(3, f"m{i}"))
    repo.commit("init")
    first = repo.cli(check.mp, capsys, "compile", "--json")
    second = repo.cli(check.mp, capsys, "compile", "--json")
    fresh = repo.cli(check.mp, capsys, "compile", "--json", "--no-cache")
    assert "(compiled)" in first.err and "(cache hit)" in second.err
    assert first.out == second.out == fresh.out
    ir = json.loads(first.out)
    # the mined part is what is cached, once per base commit's inputs
    (cached,) = (repo.root / ".git/ananke/ir").glob("*.json")
    mined = [c for c in ir["constraints"] if c["source"] == "mined"]
    assert json.loads(cached.read_text())["constraints"] == mined and mined
    grammar = ir["artefacts"]["grammars"]["** [python]"]
    assert "SAFE_LINE: /[^\\n]*/ & ~/(.*\\W)?(" in grammar and "eval" in grammar
    repo.write("pkg/m0.py", snake_module(4, "m0"))
    repo.commit("more")
    assert "(compiled)" in repo.cli(check.mp, capsys, "compile", "--json").err


def test_grammar_fragment_is_valid_for_llguidance(repo: GitRepo, check: Checker) -> None:
    from llguidance import LLMatcher

    _declared_repo(repo)
    ir = json.loads(check.compile("--json"))
    assert ir["artefacts"]["grammars"]
    for fragment in ir["artefacts"]["grammars"].values():
        grammar = 'start: SAFE_LINE ("\\n" SAFE_LINE)*\n' + fragment
        is_error, messages = LLMatcher.validate_grammar_with_warnings(
            LLMatcher.grammar_from_lark(grammar), None
        )
        assert not is_error, messages


def test_extract_table_and_json(repo: GitRepo, check: Checker) -> None:
    _plain = SMALL
    repo.write(".ananke.toml", _plain)
    for i in range(6):
        repo.write(f"pkg/m{i}.py", snake_module(3, f"m{i}"))
    repo.commit("init")
    table = repo.cli(check.mp, check.capsys, "extract")
    assert table.code == 0
    assert "naming/python/function" in table.out
    assert "snake_case function names: 18 of 18 functions" in table.out
    rows = json.loads(repo.cli(check.mp, check.capsys, "extract", "--json").out)
    row = next(r for r in rows if r["id"] == "naming/python/function")
    assert row["tier"] == "soft" and row["domain"] == "semantics" and row["confidence"] == 1.0


def test_init_writes_commented_config_and_never_overwrites(repo: GitRepo, check: Checker) -> None:
    for i in range(25):
        repo.write(f"pkg/m{i}.py", snake_module(1, f"m{i}"))
    repo.commit("init")
    run = repo.cli(check.mp, check.capsys, "init")
    assert run.code == 0, run.err
    text = (repo.root / ".ananke.toml").read_text()
    assert '# "naming/python/function",  # snake_case function names: 25 of 25' in text
    again = repo.cli(check.mp, check.capsys, "init")
    assert again.code == 2 and "--force" in again.err
    (repo.root / ".ananke.toml").write_text("# mine\n")
    assert repo.cli(check.mp, check.capsys, "init").code == 2
    assert (repo.root / ".ananke.toml").read_text() == "# mine\n"
    assert repo.cli(check.mp, check.capsys, "init", "--force").code == 0
    assert (repo.root / ".ananke.toml").read_text() == text


def test_init_ban_lines_carry_their_own_evidence_once_per_name(
    repo: GitRepo, check: Checker
) -> None:
    for i in range(25):
        repo.write(f"pkg/m{i}.py", snake_module(1, f"m{i}"))
        repo.write(f"web/m{i}.js", f"export function f{i}(a) {{ return a + {i}; }}\n")
    repo.commit("init")
    assert repo.cli(check.mp, check.capsys, "init").code == 0
    text = (repo.root / ".ananke.toml").read_text()
    bans = [line for line in text.splitlines() if re.match(r'^# "[\w.]+" = ', line)]
    names = [line.split('"')[1] for line in bans]
    assert len(names) == len(set(names)), bans  # one line per name, even in two languages
    line = next(b for b in bans if b.startswith('# "marshal.loads"'))
    assert line.startswith('# "marshal.loads" = "counted with `pickle.loads`: '), line
    evals = next(b for b in bans if b.startswith('# "eval"'))
    assert "python files" in evals and "javascript files" in evals, evals


def test_baseline_survives_line_moves(repo: GitRepo, check: Checker) -> None:
    repo.write(".ananke.toml", '[banned-calls]\neval = "no"\n')
    repo.write("a.py", "def f(x):\n    return eval(x)\n")
    repo.commit("init")
    assert repo.cli(check.mp, check.capsys, "validate", "--all").code == 1
    run = repo.cli(check.mp, check.capsys, "baseline")
    assert run.code == 0 and "recorded 1 finding" in run.out
    repo.commit("baseline")
    # the accepted call moves down three lines: still accepted
    repo.write("a.py", "import os\n\n\ndef f(x):\n    return eval(x)\n")
    assert repo.cli(check.mp, check.capsys, "validate", "--all").code == 0
    assert check.staged({"a.py": "import os\n\n\ndef f(x):\n    return eval(x)\n"}) == []
    # a second, new eval is reported; the baseline still hides the first
    two = "def f(x):\n    return eval(x)\n\n\ndef g(y):\n    return eval(y)\n"
    found = check.staged({"a.py": two})
    assert [f["line"] for f in found] == [6]
    shown = check.staged({"a.py": two}, "--no-baseline", "--filter", "nofilter")
    assert [f["line"] for f in shown] == [2, 6]


def test_broken_baseline_is_a_user_error(repo: GitRepo, check: Checker) -> None:
    repo.write("a.py", "x = 1\n")
    repo.write(".ananke-baseline.json", "{not json")
    repo.commit("init")
    run = repo.cli(check.mp, check.capsys, "validate", "--all")
    assert run.code == 2 and ".ananke-baseline.json" in run.err


def test_baseline_output_option(repo: GitRepo, check: Checker, tmp_path: Path) -> None:
    repo.write("a.py", "x = 1\n")
    repo.commit("init")
    run = repo.cli(check.mp, check.capsys, "baseline", "--output", "base.json")
    assert run.code == 0
    assert json.loads((repo.root / "base.json").read_text())["findings"] == []
