"""What judges a change comes from its base: mined constraints, config, Ariadne files and
baseline. A change can neither erode the conventions it breaks nor switch off its own checks;
nothing needs `ananke-ci compile` first."""

from __future__ import annotations

import json
from typing import Any

from tests.constraint_repos import snake_module
from tests.gitrepo import MINED_NOTICE, Cli, GitRepo

SMALL = "[constraints]\nmin-evidence = 5\n"
EXEC = "def parse_color_name(name: str) -> int:\n    return exec(name)\n"


def _repo(repo: GitRepo, config: str = SMALL) -> None:
    repo.write(".ananke.toml", config)
    for i in range(6):
        repo.write(f"pkg/mod_{i}.py", snake_module(3, f"m{i}"))
    repo.commit("init")


def _findings(run: Any) -> list[tuple[str, str]]:
    assert run.code in (0, 1), run.err
    return sorted(
        (f["rule"], f["path"]) for f in json.loads(run.out)["findings"] if f.get("in_diff", True)
    )


def _range(cli: Cli, spec: str = "HEAD~1...HEAD") -> list[tuple[str, str]]:
    return _findings(cli("validate", "--diff", spec, "--format", "json"))


def test_a_fresh_clone_applies_mined_constraints_without_compile(repo: GitRepo, cli: Cli) -> None:
    _repo(repo)
    repo.write("pkg/colors.py", EXEC)
    repo.commit("add a color parser")
    run = cli("validate", "--diff", "HEAD~1...HEAD")
    assert run.code == 0  # a dangerous call is soft: a warning
    assert "pkg/colors.py:2:12: ANK305 `exec`" in run.out
    assert run.err.startswith(MINED_NOTICE + "the merge base ")
    again = cli("validate", "--diff", "HEAD~1...HEAD")
    assert (again.out, again.err) == (run.out, "")  # mined once, read after


def test_a_change_cannot_erode_the_convention_it_breaks(repo: GitRepo, cli: Cli) -> None:
    _repo(repo)
    repo.write("pkg/colors.py", EXEC)
    repo.commit("add exec")
    assert cli("compile").code == 0  # compiled at HEAD, which now uses exec...
    assert _range(cli) == [("ANK305", "pkg/colors.py")]  # ...the change is judged by its base
    assert _range(cli, "HEAD~1..HEAD") == [("ANK305", "pkg/colors.py")]


def test_a_near_unanimous_convention_holds_and_old_places_stay_allowed(
    repo: GitRepo, cli: Cli
) -> None:
    _repo(repo)
    for i in range(14):
        repo.write(f"pkg/more_{i}.py", snake_module(1, f"x{i}"))
    repo.write("pkg/legacy.py", "def run_old(code: str) -> None:\n    exec(code)\n")
    repo.commit("one old exec in 21 files")
    repo.write("pkg/new.py", EXEC)
    repo.write(
        "pkg/legacy.py",
        "def run_old(code: str) -> None:\n    exec(code)\n"
        "\n\ndef run_more(code: str) -> None:\n    exec(code)\n",
    )
    repo.commit("more exec")
    assert _range(cli) == [("ANK305", "pkg/new.py")]
    out = cli("extract", "--mined", "--rev", "HEAD~1").out
    assert "dangerous/python/exec" in out and "allowed where it already is" in out


def test_a_change_cannot_switch_off_its_own_checks(repo: GitRepo, cli: Cli) -> None:
    _repo(repo, SMALL + '\n[banned-calls]\n"os.system" = "no shell"\n')
    # dropping a ban in the change that breaks it
    repo.write(".ananke.toml", SMALL)
    repo.write("pkg/tool.py", "import os\n\n\ndef run_it() -> None:\n    os.system('ls')\n")
    repo.commit("drops the ban and adds what it banned")
    assert _range(cli) == [("ANK201", "pkg/tool.py"), ("ANK305", "pkg/tool.py")]
    # committing a baseline that accepts what the change adds
    repo.write("pkg/more.py", "def run_more() -> None:\n    eval('1')\n")
    assert cli("baseline").code == 0 and (repo.root / ".ananke-baseline.json").is_file()
    assert _findings(cli("validate", "--all", "--format", "json")) == []  # honoured locally
    repo.commit("a baseline and an eval")
    assert _range(cli) == [("ANK305", "pkg/more.py")]
    # disabling the mined constraint in the change that breaks it
    repo.write(".ananke.toml", SMALL + 'disable = ["dangerous/*"]\n')
    repo.write("pkg/colors.py", EXEC)
    repo.commit("disables and adds exec")
    assert _range(cli) == [("ANK305", "pkg/colors.py")]
    # the next change is judged by a base that has them: then they apply
    repo.write("pkg/even_more.py", EXEC.replace("parse_color_name", "parse_even_more"))
    repo.commit("and again")
    assert _range(cli) == []


def test_a_staged_change_reads_the_work_trees_config(repo: GitRepo, cli: Cli) -> None:
    """The committer's own machine: their config as it is (the docs say so); the mined
    constraints are still HEAD's."""
    _repo(repo)
    repo.write("pkg/colors.py", EXEC)
    repo.stage()
    staged = _findings(cli("validate", "--format", "json"))
    assert ("ANK305", "pkg/colors.py") in staged
    repo.write(".ananke.toml", SMALL + 'disable = ["dangerous/*"]\n')
    assert ("ANK305", "pkg/colors.py") not in _findings(cli("validate", "--format", "json"))


def test_a_declaration_deleted_from_the_config_stops_applying(repo: GitRepo, cli: Cli) -> None:
    _repo(repo, SMALL + '\n[constraint.safe]\nforbid = ["print"]\n')
    repo.write("pkg/talk.py", "def say_it() -> None:\n    print('hi')\n")
    repo.stage()
    assert ("ANK308", "pkg/talk.py") in _findings(cli("validate", "--format", "json"))
    assert cli("compile").code == 0
    repo.write(".ananke.toml", SMALL)
    assert _findings(cli("validate", "--format", "json")) == []
    (repo.root / ".ananke.toml").unlink()
    assert _findings(cli("validate", "--format", "json")) == []


def test_ariadne_files_come_from_the_base_too(repo: GitRepo, cli: Cli) -> None:
    _repo(repo)
    repo.write("rules.ariadne", 'constraint quiet { forbid: ["print"]; }\n')
    repo.commit("rules")
    (repo.root / "rules.ariadne").unlink()
    repo.write("pkg/talk.py", "def say_it() -> None:\n    print('hi')\n")
    repo.commit("drops the rules file and prints")
    assert _range(cli) == [("ANK308", "pkg/talk.py")]


def test_the_constraints_of_several_bases_are_kept(repo: GitRepo, cli: Cli) -> None:
    _repo(repo)
    first = repo.head()
    repo.write("pkg/a.py", "X = 1\n")
    second = repo.commit("two")
    for base in (first, second, first, second):
        assert cli("validate", "--diff", f"{base}..HEAD").code == 0
    mined = list((repo.root / ".git/ananke/ir").glob("*.json"))
    assert len(mined) == 2  # one per base, each mined once


def test_the_base_config_is_read_in_every_pyproject_spelling(repo: GitRepo, cli: Cli) -> None:
    repo.write(
        "pyproject.toml",
        '[project]\nname = "x"\n\n[tool]\nananke.banned-calls = { "os.system" = "no shell" }\n',
    )
    repo.write("a.py", "X = 1\n")
    repo.commit("init")
    repo.write("a.py", "import os\n\nos.system('ls')\n")
    repo.commit("shell")
    assert _range(cli, "HEAD~1..HEAD") == [("ANK201", "a.py")]


def test_a_typo_in_disable_is_a_notice_naming_the_line_and_the_id_meant(
    repo: GitRepo, cli: Cli
) -> None:
    _repo(repo, SMALL + 'disable = [\n  "dangerous/python/exce",\n  "naming/go/*",\n]\n')
    repo.write("pkg/colors.py", EXEC)
    repo.commit("add exec")
    run = cli("validate", "--diff", "HEAD~1...HEAD")
    assert (
        "ananke-ci: .ananke.toml:4: constraints.disable entry 'dangerous/python/exce' "
        "matches no constraint here; did you mean 'dangerous/python/exec'?"
    ) in run.err
    assert "naming/go" not in run.out + run.err  # far from every id: a disable-ahead, quiet
    assert "ANK305" in run.out  # the typo disabled nothing


def test_the_dangerous_call_message_and_hint_read_as_sentences(repo: GitRepo, cli: Cli) -> None:
    _repo(repo)
    repo.write("pkg/colors.py", EXEC)
    repo.commit("add exec")
    run = cli("validate", "--diff", "HEAD~1...HEAD", "--format", "json")
    (found,) = [f for f in json.loads(run.out)["findings"] if f["rule"] == "ANK305"]
    assert found["message"].startswith("`exec` is a dangerous call [soft, "), found["message"]
    assert found["fix_hint"] == "Call the code directly instead."
