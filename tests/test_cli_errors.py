"""User errors exit 2 with one clear line (file:line for config); crashes exit 3, briefly."""

from __future__ import annotations

from pathlib import Path

import pytest

from ananke_ci.cli import main, validate_cmd
from tests.gitrepo import GIT_ENV, Cli, CliRun, GitRepo


@pytest.fixture
def cli(repo: GitRepo, cli: Cli) -> Cli:
    """conftest's `cli`, in a repository with one commit."""
    repo.write("a.py", "x = 1\n")
    repo.commit("base")
    return cli


def assert_user_error(run: CliRun, message: str) -> None:
    """Exit 2, nothing on stdout, exactly one stderr line starting with `message`."""
    assert run.code == 2, run
    assert run.out == ""
    assert "Traceback" not in run.err
    assert len(run.notes.splitlines()) == 1, run.err
    assert run.notes.startswith(f"ananke-ci: error: {message}"), run.err


# --- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            'fail-level = "error"\n[banned-calls\n"os.system" = "x"\n',
            ".ananke.toml:2: invalid TOML: ",
        ),
        ("x = 1\nx = 2\n", ".ananke.toml:2: invalid TOML: "),
        (
            '[rules]\ntodo-comment = "error"\n\n"unterminated = 1\n',
            ".ananke.toml:4: invalid TOML: ",
        ),
        (
            'fail-level = "error"\ncolour = true\n',
            ".ananke.toml:2: unknown key 'colour' (valid keys: banned-calls, banned-imports, ",
        ),
        (
            '[rules]\nANK101 = "warning"\nANK999 = "error"\n',
            ".ananke.toml:3: unknown rule 'ANK999' in [rules] (known: ANK001/syntax-error, "
            "ANK101/todo-comment, ANK102/typed-hole, ANK201/banned-call, ANK202/banned-import",
        ),
        (
            '\n[rules]\n"todo-comment" = "fatal"\n',
            ".ananke.toml:3: rule todo-comment: severity must be error, warning, note or off, "
            "not 'fatal'",
        ),
        (
            'fail-level = "fatal"\n',
            ".ananke.toml:1: fail-level must be one of error, warning, note",
        ),
        ('# ananke-ci settings\n\n  fail-level = "fatal"\n', ".ananke.toml:3: fail-level must be"),
        (
            '\nfilter = "all"\n',
            ".ananke.toml:2: filter must be one of added, diff_context, file, nofilter",
        ),
        ('exclude = "vendor"\n', ".ananke.toml:1: exclude must be a list of strings"),
        ("max-file-bytes = 0\n", ".ananke.toml:1: max-file-bytes must be a positive integer"),
        ("max-file-bytes = true\n", ".ananke.toml:1: max-file-bytes must be a positive integer"),
        (
            '[banned-calls]\n"os.system" = "x"\n"os system" = "y"\n',
            ".ananke.toml:3: banned-calls: 'os system' is not a dotted identifier",
        ),
        (
            '[banned-calls]\n"os.system" = 3\n',
            ".ananke.toml:2: banned-calls.os.system: the reason must be a string",
        ),
        ('banned-imports = "pickle"\n', ".ananke.toml:1: banned-imports must be a table"),
        ('rules = ["ANK101"]\n', ".ananke.toml:1: rules must be a table, e.g. [rules]"),
        ('[intensity]\n"src/**" = "extreme"\n', ".ananke.toml:2: unknown intensity 'extreme'"),
    ],
)
def test_bad_config_names_file_and_line(repo: GitRepo, cli: Cli, toml: str, message: str) -> None:
    repo.write(".ananke.toml", toml)
    assert_user_error(cli("validate"), message)
    assert_user_error(cli("holes"), message)  # every command that reads the config


def test_bad_config_in_pyproject(repo: GitRepo, cli: Cli) -> None:
    repo.write("pyproject.toml", '[project]\nname = "x"\n\n[tool.ananke]\nfail-level = 3\n')
    assert_user_error(cli("validate"), "pyproject.toml:5: fail-level must be one of")
    repo.write(
        "pyproject.toml", '[tool.ananke]\nfilter = "file"\n[tool.ananke.rules]\nANK999 = "x"\n'
    )
    assert_user_error(cli("validate"), "pyproject.toml:4: unknown rule 'ANK999'")


def test_bad_config_line_in_pyproject_is_the_ananke_tables(repo: GitRepo, cli: Cli) -> None:
    repo.write(
        "pyproject.toml", '[tool.ruff]\nexclude = ["build"]\n\n[tool.ananke]\nexclude = "vendor"\n'
    )
    # the same key in another table, before [tool.ananke], is not the one at fault
    assert_user_error(cli("validate"), "pyproject.toml:5: exclude must be a list of strings")


def test_explicit_config_file_missing(cli: Cli) -> None:
    assert_user_error(cli("validate", "--config", "nope.toml"), "nope.toml: config file not found")


def test_config_not_utf8(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", b"\xff\xfe[rules]\n")
    assert_user_error(cli("validate"), f"{repo.root}/.ananke.toml: cannot read config: ")


# --- repository, revisions, arguments -------------------------------------------------------


def test_not_a_git_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.py").write_text("x = 1\n")
    monkeypatch.chdir(plain)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for command in (["validate"], ["validate", "a.py"], ["holes"], ["install-hooks"]):
        code = main(command)
        out, err = capsys.readouterr()
        assert_user_error(CliRun(code, out, err), f"not a git repository: {plain.resolve()}")


def test_unknown_revision_is_named(cli: Cli) -> None:
    assert_user_error(cli("validate", "--diff", "nope..HEAD"), "unknown revision nope: ")
    assert_user_error(
        cli("validate", "--diff", "HEAD...no-such-branch"), "unknown revision no-such-branch: "
    )
    assert_user_error(cli("validate", "--diff", "HEAD~5"), "unknown revision HEAD~5: ")
    assert_user_error(cli("holes", "--diff", "v9.9"), "unknown revision v9.9: ")


def test_unrelated_histories_have_no_merge_base(repo: GitRepo, cli: Cli) -> None:
    repo.git("checkout", "-q", "--orphan", "other")
    repo.write("b.py", "y = 2\n")
    repo.commit("unrelated root")
    assert_user_error(cli("validate", "--diff", "main...other"), "no merge base for main...other")


@pytest.mark.parametrize("empty", ["", "  "])
def test_empty_diff_range(cli: Cli, empty: str) -> None:
    # e.g. `--diff "$BASE"` in CI with BASE unset must not quietly check something else
    assert_user_error(cli("validate", "--diff", empty), "--diff needs a range")


@pytest.mark.parametrize(
    ("formats", "message"),
    [
        (["xml"], "unknown format 'xml'; valid formats: text, json, sarif, github"),
        (["text", "xml:out.xml"], "unknown format 'xml'"),
        (["sarif:"], "format 'sarif:': missing file name after ':'"),
        (["json", "sarif"], "formats json, sarif would all write to standard output"),
    ],
)
def test_bad_format(cli: Cli, formats: list[str], message: str) -> None:
    args = [arg for f in formats for arg in ("--format", f)]
    assert_user_error(cli("validate", *args), message)


def test_bad_format_fails_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # not even a repository: the format is checked first
    code = main(["validate", "--format", "xml"])
    out, err = capsys.readouterr()
    assert_user_error(CliRun(code, out, err), "unknown format 'xml'")


def test_nonexistent_file(cli: Cli) -> None:
    assert_user_error(cli("validate", "missing.py"), "missing.py: no such file")
    assert_user_error(cli("validate", "a.py", "sub/missing.py"), "sub/missing.py: no such file")
    assert_user_error(cli("holes", "missing.py"), "missing.py: no such file")


def test_file_outside_the_repository(repo: GitRepo, cli: Cli) -> None:
    (repo.root.parent / "elsewhere.py").write_text("x = 1\n")
    assert_user_error(
        cli("validate", "../elsewhere.py"), "../elsewhere.py: path is outside the repository"
    )


def test_report_file_that_cannot_be_written(repo: GitRepo, cli: Cli) -> None:
    repo.write("blocker", "a file, not a directory\n")
    assert_user_error(
        cli("validate", "--format", "sarif:blocker/out.sarif"),
        "blocker/out.sarif: cannot write sarif report: ",
    )


def test_argparse_errors_exit_2(cli: Cli) -> None:
    for argv in (
        ["validate", "--fail-level", "bogus"],
        ["validate", "--filter", "all"],
        ["validate", "--staged", "--all"],
        ["frobnicate"],
    ):
        with pytest.raises(SystemExit) as exc:
            cli(*argv)
        assert exc.value.code == 2


def test_no_command_prints_help_and_exits_2(cli: Cli) -> None:
    run = cli()
    assert run.code == 2
    assert run.err.startswith("usage: ananke-ci")


# --- crashes --------------------------------------------------------------------------------


def _explode(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("boom")


def test_crash_exits_3_with_a_short_report(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANANKE_DEBUG", raising=False)
    monkeypatch.setattr(validate_cmd, "validate", _explode)
    run = cli("validate")
    assert run.code == 3
    assert run.out == ""
    assert "Traceback" not in run.err
    lines = run.err.splitlines()
    assert lines[0].startswith("ananke-ci: internal error (RuntimeError: boom) at ")
    assert lines[0].endswith(f"{Path(__file__).name}:{_explode.__code__.co_firstlineno + 1}")
    assert "This is a bug: please report it" in lines[1]
    assert lines[-1] == "(set ANANKE_DEBUG=1 for the full traceback)"


def test_crash_with_ananke_debug_shows_the_traceback(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(validate_cmd, "validate", _explode)
    monkeypatch.setenv("ANANKE_DEBUG", "1")
    run = cli("validate")
    assert run.code == 3
    assert "ananke-ci: internal error (RuntimeError: boom)" in run.err
    assert "Traceback (most recent call last)" in run.err
    assert run.err.rstrip().endswith("RuntimeError: boom")
    monkeypatch.setenv("ANANKE_DEBUG", "0")
    assert "Traceback" not in cli("validate").err


def test_ctrl_c_exits_130(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(validate_cmd, "validate", interrupt)
    run = cli("validate")
    assert (run.code, run.err) == (130, "ananke-ci: interrupted\n")


# --- the real executable: what a user's terminal shows ---------------------------------------


def test_real_executable_user_errors_have_no_traceback(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("a.py", "x = 1\n")
    repo.commit("base")
    repo.write(".ananke.toml", "[rules]\nANK999 = 'error'\n")
    run = repo.exe("validate")
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith("ananke-ci: error: .ananke.toml:2: unknown rule 'ANK999'")
    assert "Traceback" not in run.err
    plain = tmp_path / "plain"
    plain.mkdir()
    run = repo.exe("validate", cwd=plain, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert run.code == 2
    assert run.err.startswith(f"ananke-ci: error: not a git repository: {plain.resolve()}")
    assert "Traceback" not in run.err
    assert set(GIT_ENV) <= set(repo.env)


def test_salience_without_the_history_extra_says_what_to_install(
    repo: GitRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "networkx" else real(name, *a)
    )
    repo.write("a.py", "X = 1\n")
    repo.commit("init")
    for command in ("salience", "compile"):
        assert_user_error(cli(command), "salience (and `compile`")


def test_the_rule_list_fits_80_columns(cli: Cli) -> None:
    run = cli("rules")
    assert run.code == 0
    lines = run.out.splitlines()
    assert max(map(len, lines)) <= 80, max(lines, key=len)
    starts = [line.split()[0] for line in lines if not line.startswith(" ")]
    from ananke_ci.core.rules_catalog import RULES

    assert starts == [r.id for r in RULES]  # one entry per rule, summaries wrapped under
    assert "dangerous construct the repository never uses" in " ".join(run.out.split())
