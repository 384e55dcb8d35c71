"""Verification of candidate fills on real files and real git repositories: the verifier
refuses what the hook would refuse, and what is more than a fill."""

from __future__ import annotations

import pytest

from ananke_ci.analysis.extract import extract_facts
from ananke_ci.analysis.grammar import body_constraint
from ananke_ci.app.fix import hole_bans
from ananke_ci.app.holes import holes_in
from ananke_ci.app.judge import open_judge
from ananke_ci.app.targets import Target
from ananke_ci.app.validate import analyse
from ananke_ci.app.verify import FillSite, Verdict, Verifier, splice
from tests.gitrepo import GitRepo

SOURCE = '''import os


def add(a: int, b: int) -> int:
    """Sum."""
    pass


def keep() -> None:
    return None
'''
CONFIG = '[banned-calls]\n"os.system" = "no shell"\neval = ""\n'


class Sites:
    """A repository holding one file with one hole, and a verifier for its candidates."""

    def __init__(
        self,
        repo: GitRepo,
        source: str = SOURCE,
        config: str = CONFIG,
        path: str = "m.py",
        *,
        grammar: bool = True,
        run_command: bool = True,
    ) -> None:
        self.repo = repo
        repo.write(".ananke.toml", config)
        repo.write(path, source)
        repo.commit("start")
        target = Target("files", None, (path,))
        self.judge = open_judge(repo.root, target)
        files, _ = analyse(repo.root, target, self.judge.config)
        ((report, checked),) = [h for h in holes_in(files, self.judge) if h[0].hole.kind == "typed"]
        constraint = (
            body_constraint(report.hole, report.language, banned=hole_bans(self.judge, report))
            if grammar
            else None
        )
        self.site = FillSite(checked.source, checked.facts, report.hole, constraint)
        self.verifier = Verifier(repo.root, self.judge, run_command=run_command)

    def verify(self, body: str) -> Verdict:
        return self.verifier.verify(self.site, body)


@pytest.fixture
def sites(repo: GitRepo) -> Sites:
    return Sites(repo)


def _hole(source: bytes = SOURCE.encode()):
    (hole,) = extract_facts("m.py", source).holes
    return hole


def test_splice_replaces_the_hole_lines_to_the_end_of_the_function() -> None:
    patch = splice(SOURCE.encode(), _hole(), "    total = a + b\n    return total\n")
    assert b'    """Sum."""\n    total = a + b\n    return total\n\n\ndef keep' in patch.patched
    assert patch.patched[patch.start : patch.end] == b"    total = a + b\n    return total"


def test_a_good_body_passes(sites: Sites) -> None:
    verdict = sites.verify("    return a + b\n")
    assert verdict.ok and verdict.reasons == ()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("    return a +\n", "syntax error"),  # a line grammar does not parse expressions
        ("    x = 1\n      return x\n", "grammar violation"),
        ("    x = 1\n", "grammar violation"),  # `-> int` asks for a return
        ("    pass\n", "grammar violation"),
        ("    # TODO: later\n    return 0\n", "grammar violation"),
        ("    os.system('ls')\n    return 0\n", "grammar violation"),
        ("", "empty"),
    ],
)
def test_the_grammar_it_was_asked_for_is_checked_again(
    sites: Sites, body: str, reason: str
) -> None:
    verdict = sites.verify(body)
    assert not verdict.ok
    assert any(reason in r for r in verdict.reasons), verdict.reasons


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("    return a +\n", "syntax error"),
        ("    return (a\n", "syntax error"),
        ("    x = 1\n      return x\n", "syntax error"),
        ("    pass\n", "itself a hole"),
        ("    raise NotImplementedError\n", "itself a hole"),
        ("    # TODO: later\n    return 0\n", "TODO"),
        ("    os.system('ls')\n    return 0\n", "os.system"),
        ("    f = eval\n    return f('1')\n", "banned `eval`"),
    ],
)
def test_without_a_grammar_the_file_checks_still_refuse(
    repo: GitRepo, body: str, reason: str
) -> None:
    verdict = Sites(repo, grammar=False).verify(body)
    assert not verdict.ok
    assert any(reason in r for r in verdict.reasons), verdict.reasons


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        # the three fills the request's own grammar rejected and `--apply` once applied
        (
            "    return a + b\nimport subprocess\nsubprocess.call('ls', shell=True)\n",
            "goes on past the end of `add`",
        ),
        ("    return a + b\n\n\ndef keep() -> None:\n    return None\n", "more than a fill"),
        ("    if a > b:\n        return a\n", "can end without returning"),
        # names that do not exist
        ("    return a + c\n", "reads `c`, which is not defined"),
        ("    return os.pathh.sep + a\n", "module `os` has no attribute `pathh`"),
    ],
)
def test_more_than_a_fill_is_refused(repo: GitRepo, body: str, reason: str) -> None:
    verdict = Sites(repo, grammar=False).verify(body)
    assert not verdict.ok
    assert any(reason in r for r in verdict.reasons), verdict.reasons


def test_a_typed_parameter_has_only_its_types_attributes(repo: GitRepo) -> None:
    source = "def strip_prefix(text: str, prefix: str) -> str:\n    pass\n"
    site = Sites(repo, source, grammar=False)
    bad = site.verify(
        "    if text.startswith_PREFIX(prefix):\n        return text[len(prefix):]\n"
        "    return text\n"
    )
    assert not bad.ok and "has no attribute `startswith_PREFIX`" in bad.reasons[0]
    assert site.verify(
        "    if text.startswith(prefix):\n        return text[len(prefix):]\n    return text\n"
    ).ok


def test_every_path_returns_or_raises(repo: GitRepo) -> None:
    site = Sites(repo, grammar=False)
    for body in (
        "    if a > b:\n        return a\n    return b\n",
        "    if a > b:\n        return a\n    else:\n        raise ValueError(a)\n",
        "    while True:\n        return a\n",
        "    try:\n        return a + b\n    except TypeError:\n        raise\n",
    ):
        assert site.verify(body).ok, body
    for body in (
        "    while True:\n        if a:\n            break\n        return a\n",
        "    for x in range(a):\n        return x\n",
        "    try:\n        return a + b\n    except TypeError:\n        pass\n",
    ):
        assert not site.verify(body).ok, body


# -- the validator's rules: a fill that breaks one is refused (the kinds a body can break)


@pytest.mark.parametrize(
    ("config", "body", "rule"),
    [
        ('[banned-calls]\nprint = ""\n', "    print(a)\n    return a + b\n", "ANK201"),
        (
            '[banned-imports]\ntelnetlib = "insecure"\n',
            "    import telnetlib\n    return a + b\n",
            "ANK202",
        ),
        ('[constraint.safe]\nforbid = ["exec"]\n', "    exec('x')\n    return a + b\n", "ANK308"),
        (
            "[constraint.small]\nmax-complexity = 2\n",
            "    if a and b or a:\n        return a\n    return b\n",
            "ANK309",
        ),
        (
            '[constraint.careful]\nrequires = ["handled_errors"]\n',
            "    try:\n        return a + b\n    except TypeError:\n        pass\n    return 0\n",
            "ANK306",
        ),
        (
            '[constraint.names]\nnaming = { function = "snake_case" }\n',
            "    def innerHelper() -> int:\n        return a\n    return innerHelper() + b\n",
            "ANK301",
        ),
    ],
)
def test_a_fill_that_breaks_a_rule_is_refused(
    repo: GitRepo, config: str, body: str, rule: str
) -> None:
    site = Sites(repo, config=config, grammar=False)
    verdict = site.verify(body)
    assert not verdict.ok and any(r.startswith(rule) for r in verdict.reasons), verdict.reasons
    assert site.verify("    return a + b\n").ok


def test_old_findings_do_not_count_against_a_fill(repo: GitRepo) -> None:
    source = SOURCE + "\n\ndef loud() -> None:\n    print('already here')\n"
    site = Sites(repo, source, '[banned-calls]\nprint = ""\n', grammar=False)
    assert site.verify("    return a + b\n").ok
    assert not site.verify("    print(a)\n    return a + b\n").ok


def test_the_test_command_runs_in_a_throwaway_worktree(repo: GitRepo) -> None:
    repo.write("test_m.py", "from m import add\nassert add(2, 3) == 5\n")
    config = CONFIG + '[verify]\ncommand = "python3 test_m.py"\ntimeout = 30\n'
    site = Sites(repo, config=config)
    repo.write("scratch.txt", "unstaged user work\n")
    assert site.verify("    return a + b\n").ok
    bad = site.verify("    return a - b\n")
    assert not bad.ok and "test command" in bad.reasons[0]
    # the user's tree and the worktree list are as they were
    assert (repo.root / "m.py").read_text() == SOURCE
    assert (repo.root / "scratch.txt").read_text() == "unstaged user work\n"
    assert len(repo.git("worktree", "list").splitlines()) == 1
    offline = Verifier(repo.root, site.judge, run_command=False)
    assert offline.verify(site.site, "    return a - b\n").ok


def test_a_slow_test_command_times_out(repo: GitRepo) -> None:
    site = Sites(repo, config=CONFIG + '[verify]\ncommand = "sleep 5"\ntimeout = 0.5\n')
    slow = site.verify("    return a + b\n")
    assert not slow.ok and "timed out" in slow.reasons[0]


def test_the_test_command_sees_the_staged_tree(repo: GitRepo) -> None:
    config = CONFIG + '[verify]\ncommand = "python3 test_m.py"\n'
    site = Sites(repo, config=config)
    repo.write("test_m.py", "from m import add\nassert add(2, 3) == 5\n")
    repo.stage("test_m.py")  # only staged: the worktree is built from the index
    assert not site.verify("    return a - b\n").ok
    assert site.verify("    return a + b\n").ok


RUST = """struct S;

impl S {
    fn double(&self, x: i32) -> i32 {
        todo!()
    }
}
"""


def test_a_brace_body_replaces_everything_between_the_braces(repo: GitRepo) -> None:
    (hole,) = extract_facts("s.rs", RUST.encode()).holes
    patch = splice(RUST.encode(), hole, "        let y = x * 2;\n        y\n    }\n", "rust")
    assert patch.patched == RUST.encode().replace(
        b"        todo!()\n", b"        let y = x * 2;\n        y\n"
    )
    site = Sites(repo, RUST, "", "s.rs")
    assert site.verify("        x * 2\n    }\n").ok
    bad = site.verify("        todo!()\n    }\n")
    assert not bad.ok and "grammar violation" in bad.reasons[0]
    # closing the function early and going on is more than a fill
    early = Sites(repo, RUST, "", "s.rs", grammar=False).verify(
        "        x * 2\n    }\n    fn more(&self) -> i32 {\n        1\n    }\n"
    )
    assert not early.ok and "more than a fill" in " ".join(early.reasons)


TS = """export function total(xs: number[]): number {
  throw new Error("not implemented");
}
"""


def test_a_fill_calling_a_name_nothing_defines_is_refused(repo: GitRepo) -> None:
    from ananke_ci.app.mining import repository_names

    repo.write(
        "src/util.ts",
        "export function sumOf(xs: number[]): number {\n"
        "  return xs.reduce((a, b) => a + b, 0);\n}\n",
    )
    site = Sites(repo, TS, "", "src/total.ts")
    assert site.judge.basis.commit is not None
    known = repository_names(repo.root, site.judge.basis.commit, site.judge.config)
    verifier = Verifier(repo.root, site.judge, known_names=known)
    invented = verifier.verify(site.site, "  return sumAllStrict(xs);\n}")
    assert not invented.ok
    assert (
        "calls `sumAllStrict`, which nothing in the file or the repository defines"
        in invented.reasons
    )
    for body in (
        "  return sumOf(xs);\n}",  # a sibling file's function
        "  return Number(xs.length);\n}",  # a builtin
        "  const add = (a: number, b: number) => a + b;\n"
        "  return xs.reduce(add, 0) + add(0, 0);\n}",  # the fill's own
        # a call of what a call returns: `sumOf` is checked, the outer callee is
        # an expression, not a name
        "  const twice = (f: (n: number) => number) => (n: number) => f(f(n));\n"
        "  const inc = (n: number) => n + 1;\n"
        "  return twice(inc)(sumOf(xs));\n}",
    ):
        assert verifier.verify(site.site, body).ok, body
    curried = verifier.verify(site.site, "  return makeSum(xs)(0);\n}")
    assert not curried.ok and any("`makeSum`" in r for r in curried.reasons), curried.reasons


def test_the_test_command_sees_no_secret(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """`env > file` captured ANANKE_TOKEN and MODAL_SECRET during a plain `fix`: the
    command now runs with an environment stripped of them."""
    monkeypatch.setenv("ANANKE_TOKEN", "sekrit-token")
    monkeypatch.setenv("MODAL_SECRET", "sekrit-modal")
    monkeypatch.setenv("GITHUB_TOKEN", "sekrit-gh")
    config = CONFIG + '[verify]\ncommand = "env | grep -q sekrit && exit 9; exit 0"\n'
    site = Sites(repo, config=config)
    assert site.verify("    return a + b\n").ok
