"""Every applicable forbid goes into a hole's grammar: the configured bans, the declared
forbids whose scope holds the hole's file, and the dangerous calls mined for its language
(from the constraints of the change's base), in one list for the local ban automaton and the
vLLM grammar alike."""

from __future__ import annotations

from ananke_ci.analysis.grammar import body_constraint, byte_tokenizer, check_output
from ananke_ci.app.fix import hole_bans
from ananke_ci.app.holes import holes_in
from ananke_ci.app.judge import open_judge
from ananke_ci.app.targets import Target
from ananke_ci.app.validate import analyse
from tests.constraint_repos import snake_module
from tests.gitrepo import GitRepo

CONFIG = """[constraints]
min-evidence = 5

[banned-calls]
"os.system" = "no shell"

[constraint.api]
applies-to = ["api/**"]
forbid = ["requests.get", "marshal"]
"""
HOLE = "def handle_it(data: bytes) -> int:\n    raise NotImplementedError\n"


def _bans(repo: GitRepo, path: str, extra: str = "") -> tuple[str, ...]:
    repo.write(".ananke.toml", CONFIG + extra)
    for i in range(6):
        repo.write(f"lib/mod_{i}.py", snake_module(2, f"m{i}"))
    repo.write("lib/legacy.py", "def run_code(code: str) -> None:\n    exec(code)\n")
    repo.write(path, HOLE)
    repo.commit("init")
    target = Target("files", None, (path,))
    judge = open_judge(repo.root, target)
    files, _ = analyse(repo.root, target, judge.config)
    ((report, _checked),) = holes_in(files, judge)
    return hole_bans(judge, report)


def test_a_hole_in_scope_gets_every_forbid(repo: GitRepo) -> None:
    bans = _bans(repo, "api/handler.py")
    assert {"os.system", "requests.get", "marshal", "eval"} <= set(bans)
    # `exec` is used in one of 8 files: no longer near-unanimous at 95%, so not banned
    assert "exec" not in bans


def test_outside_the_scope_only_the_rest(repo: GitRepo) -> None:
    bans = _bans(repo, "lib/handler.py")
    assert "os.system" in bans and "eval" in bans
    assert "requests.get" not in bans and "marshal" not in bans


def test_a_quiet_leaf_keeps_what_is_declared(repo: GitRepo) -> None:
    bans = _bans(repo, "api/handler.py", '\n[intensity]\n"api/**" = "syntax_only"\n')
    assert {"os.system", "requests.get", "marshal"} <= set(bans)
    assert "eval" not in bans  # mined ones join from `standard` up


def test_the_grammar_refuses_them_and_an_allow_takes_one_back(repo: GitRepo) -> None:
    bans = _bans(
        repo,
        "api/handler.py",
        '\n[constraint.api2]\napplies-to = ["api/**"]\nallow = ["marshal"]\npriority = 20\n',
    )
    assert "marshal" not in bans and "requests.get" in bans
    judge = open_judge(repo.root, Target("files", None, ("api/handler.py",)))
    files, _ = analyse(repo.root, Target("files", None, ("api/handler.py",)), judge.config)
    ((report, _),) = holes_in(files, judge)
    constraint = body_constraint(report.hole, "python", banned=bans)
    tok = byte_tokenizer()
    assert check_output(constraint, "    return len(data)\n", tok)[0]
    for body in (
        "    return requests.get(data)\n",
        "    return eval(data)\n",
        "    os.system('ls')\n    return 0\n",
    ):
        assert not check_output(constraint, body, tok)[0], body


def test_a_ban_is_spelled_as_the_file_imports_it(repo: GitRepo) -> None:
    repo.write(".ananke.toml", '[banned-calls]\n"os.system" = "no shell"\n')
    repo.write(
        "tool.py",
        "import os as o\nfrom os import system as s\n\n\n"
        "def run_it(cmd: str) -> int:\n    raise NotImplementedError\n",
    )
    repo.commit("init")
    target = Target("files", None, ("tool.py",))
    judge = open_judge(repo.root, target)
    files, _ = analyse(repo.root, target, judge.config)
    ((report, checked),) = holes_in(files, judge)
    bans = hole_bans(judge, report, checked.facts)
    assert {"os.system", "o.system", "s"} <= set(bans)
    constraint = body_constraint(report.hole, "python", banned=bans)
    tok = byte_tokenizer()
    assert check_output(constraint, "    return len(cmd)\n", tok)[0]
    for body in ("    return o.system(cmd)\n", "    return s(cmd)\n"):
        assert not check_output(constraint, body, tok)[0], body
