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


WORDS = '''def count_words(text: str) -> int:
    """Count the words of `text`."""
    pass
'''


def _site(repo: GitRepo, config: str, path: str, source: str):
    from ananke_ci.app.fix import hole_fragments

    repo.write(".ananke.toml", config)
    repo.write(path, source)
    repo.commit("init")
    target = Target("files", None, (path,))
    judge = open_judge(repo.root, target)
    files, _ = analyse(repo.root, target, judge.config)
    ((report, _checked),) = holes_in(files, judge)
    return report, hole_fragments(judge, report)


def test_a_new_function_is_held_to_the_declared_naming_in_the_grammar(repo: GitRepo) -> None:
    """The eval's naming domain: a fill that defines `isWord` in a snake_case file was
    allowed by the grammar (0 of 5 outputs kept the convention); now the grammar refuses
    it, on the vLLM path (the Lark text) and the local one (the same LineBans)."""
    config = '[constraint.style]\nnaming = { function = "snake_case" }\n'
    report, fragments = _site(repo, config, "words.py", WORDS)
    assert fragments
    constraint = body_constraint(report.hole, "python", fragments=fragments)
    assert constraint.bans is not None and set(fragments) <= set(constraint.bans.fragments)
    tok = byte_tokenizer()
    good = "    def is_word(token):\n        return token.isalpha()\n    return len(text)\n"
    bad = "    def isWord(token):\n        return token.isalpha()\n    return len(text)\n"
    assert check_output(constraint, good, tok)[0]
    assert not check_output(constraint, bad, tok)[0]
    # without the convention the same body is a fill like any other
    assert check_output(body_constraint(report.hole, "python"), bad, tok)[0]


def test_camel_case_holds_javascript_fills(repo: GitRepo) -> None:
    config = '[constraint.style]\nnaming = { function = "camelCase" }\n'
    source = 'function countWords(text) {\n  throw new Error("not implemented");\n}\n'
    report, fragments = _site(repo, config, "words.js", source)
    constraint = body_constraint(report.hole, "javascript", fragments=fragments)
    tok = byte_tokenizer()
    good = "  function isWord(t) { return t.length > 0; }\n  return text.split(' ').length;\n}"
    bad = "  function is_word(t) { return t.length > 0; }\n  return text.split(' ').length;\n}"
    assert check_output(constraint, good, tok)[0]
    assert not check_output(constraint, bad, tok)[0]


def test_a_quiet_leaf_keeps_only_declared_naming(repo: GitRepo) -> None:
    """Mined conventions join the grammar from `standard` up, as the mined bans do."""
    from ananke_ci.analysis.constraints.compile import naming_fragments
    from ananke_ci.core.constraints import Constraint

    mined = Constraint(
        "naming/python/function",
        "naming",
        "syntax",
        "soft",
        1.0,
        "",
        "mined",
        language="python",
        subject="function",
        value="snake_case",
    )
    declared = Constraint(
        "naming/python/function",
        "naming",
        "syntax",
        "hard",
        1.0,
        "",
        ".ananke.toml:2",
        language="python",
        subject="function",
        value="snake_case",
    )
    assert naming_fragments([mined], "a.py", "python")
    assert not naming_fragments([mined], "a.py", "python", mined=False)
    assert naming_fragments([declared], "a.py", "python", mined=False)
    assert not naming_fragments([declared], "a.rb", "ruby")  # no `def` keyword table: verifier
