"""Bad config and Ariadne input is a UserError naming file and line (exit 2), never a crash:
the probe's cases, one test each, and through the CLI."""

from __future__ import annotations

import pytest

from ananke_ci.analysis.constraints.ariadne import parse_ariadne
from ananke_ci.core.config import parse_config
from ananke_ci.core.errors import UserError
from tests.gitrepo import Cli, GitRepo


def _config_error(text: str, source: str = ".ananke.toml", **kw: tuple[str, ...]) -> str:
    with pytest.raises(UserError) as exc:
        parse_config(text, source, **kw)
    return str(exc.value)


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("fail-level = ['error']\n", ":1:", "fail-level must be one of"),
        ("fail-level = {a = 1}\n", ":1:", "fail-level must be one of"),
        ("x = " + "[" * 5000 + "]" * 5000 + "\n", ":1:", "nested more than 32 deep"),
        ("x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n", ":1:", "nested more than 32 deep"),
        ("\n\nfail-level" + ".a" * 3000 + " = 1\n", ":3:", "keys nested more than 32 deep"),
        ("[verify]\ntimeout = nan\n", ":2:", "verify.timeout must be a positive number"),
        ("[verify]\ntimeout = inf\n", ":2:", "verify.timeout must be a positive number"),
        ("[verify]\ntimeout = -inf\n", ":2:", "verify.timeout must be a positive number"),
        ("filter = ['added']\n", ":1:", "filter must be one of"),
        ("[rules]\nANK101 = ['off']\n", ":2:", "severity must be"),
        ('[intensity]\n"src/**" = ["full"]\n', ":2:", "must be a string"),
        ("[generate]\nbackend = {x = 1}\n", ":2:", "generate.backend must be one of"),
        (
            '[constraint.api]\nnaming = {function = "snake_kebab"}\n',
            ":2:",
            "unknown naming style 'snake_kebab' (did you mean snake_case?",
        ),
        ('[constraint.api]\nnaming = {class = "Pascal"}\n', ":2:", "did you mean PascalCase?"),
        ("[constraint.api]\nmax-complexity = " + "[" * 30 + "]" * 30 + "\n", ":2:", "whole number"),
    ],
)
def test_bad_config_is_a_user_error_with_its_line(text: str, where: str, what: str) -> None:
    message = _config_error(text)
    assert message.startswith(".ananke.toml" + where), message
    assert what in message, message


def test_a_regex_that_looks_like_one_is_still_a_naming_rule() -> None:
    config = parse_config('[constraint.api]\nnaming = {function = "^[a-z_]+$"}\n', "x")
    assert config.declared[0].naming == (("function", "^[a-z_]+$"),)


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("[tool]\nananke.fail-level = 'bogus'\n", 2, "fail-level must be one of"),
        ("[tool]\nananke = 5\n", 2, "[tool.ananke] must be a table"),
        ("tool.ananke.filter = 'nope'\n", 1, "filter must be one of"),
    ],
)
def test_every_spelling_of_tool_ananke_in_pyproject_is_read(
    repo: GitRepo, cli: Cli, text: str, line: int, what: str
) -> None:
    repo.write("pyproject.toml", "# the project\n\n\n" + text + "\n[project]\nname = 'x'\n")
    repo.write("a.py", "X = 1\n")
    repo.commit("init")
    done = cli("validate", "--all")
    assert done.code == 2, done
    assert f"pyproject.toml:{line + 3}: " in done.err and what in done.err, done.err


def test_a_pyproject_that_only_mentions_ananke_elsewhere_is_no_config(
    repo: GitRepo, cli: Cli
) -> None:
    repo.write("pyproject.toml", "[project]\nname = 'x'\ndependencies = ['ananke-ci']\n")
    repo.write("a.py", "X = 1\n")
    repo.commit("init")
    assert cli("validate", "--all").code == 0


def test_bad_config_through_the_cli_is_exit_2(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", "\nfail-level = ['error']\n")
    repo.write("a.py", "X = 1\n")
    repo.commit("init")
    done = cli("validate", "--all")
    assert done.code == 2 and done.err.startswith("ananke-ci: error: .ananke.toml:2: "), done


def _ariadne_error(text: str) -> str:
    with pytest.raises(UserError) as exc:
        parse_ariadne(text, "rules/x.ariadne")
    return str(exc.value)


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("constraint a {\n  priority: 1" + "0" * 5000 + ";\n}\n", ":2:13:", "too large"),
        ("constraint a {\n  forbid: " + "[" * 3000 + "]" * 3000 + ";\n}\n", ":2:", "nested more"),
        (
            "constraint a {\n  naming: " + "{a: " * 2000 + "b" + "}" * 2000 + ";\n}\n",
            ":2:",
            "nested more",
        ),
        ("constraint a {\n  naming: { function: snake_kebab };\n}\n", ":2:", "did you mean"),
        ("constraint a {\n  max_params: 99999999999999999999;\n}\n", ":2:", "too large"),
    ],
)
def test_bad_ariadne_is_a_user_error_with_its_place(text: str, where: str, what: str) -> None:
    message = _ariadne_error(text)
    assert message.startswith("rules/x.ariadne" + where), message
    assert what in message, message


def test_brackets_in_strings_and_comments_do_not_count_as_nesting() -> None:
    deep = "[" * 100
    config = parse_config(f'exclude = ["{deep}"]  # {deep}\n', ".ananke.toml")
    assert config.exclude == (deep,)
    (decl,) = parse_ariadne(f'constraint a {{ // {deep}\n message: "{deep}"; }}\n', "a.ariadne")
    assert decl.message == deep


def test_a_corrupt_baseline_is_exit_2(repo: GitRepo, cli: Cli) -> None:
    repo.write("a.py", "X = 1\n")
    repo.commit("init")
    for text in ("[" * 100_000 + "]" * 100_000, '{"version": [1], "findings": []}'):
        repo.write(".ananke-baseline.json", text)
        done = cli("validate", "--all")
        assert done.code == 2 and ".ananke-baseline.json: " in done.err, done


def test_a_baseline_records_a_file_name_that_is_not_utf8(repo: GitRepo, cli: Cli) -> None:
    import os

    (repo.root / os.fsdecode(b"b\xffad.py")).write_text("x = (\n")
    repo.commit("init")
    assert cli("baseline").code == 0
    assert cli("validate", "--all").code == 0  # the recorded finding is hidden
