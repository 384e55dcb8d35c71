"""`ananke-ci validate` end to end on real git repositories: what a change adds, and only that."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.gitrepo import MINED_NOTICE, Cli, GitRepo

BAN_SYSTEM = '[banned-calls]\n"os.system" = "use subprocess.run"\n'
BANNED = "call of banned `os.system`: use subprocess.run [error]"
HINT = "Remove the call or use the alternative named in the configuration."


@pytest.fixture
def banned(repo: GitRepo) -> GitRepo:
    """A repository whose first commit bans os.system and holds a clean a.py."""
    repo.write(".ananke.toml", BAN_SYSTEM)
    repo.write("a.py", "import os\n\n\ndef main() -> None:\n    print('hi')\n")
    repo.commit("base")
    return repo


def body(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


# --- the staged change ----------------------------------------------------------------------


def test_staged_banned_call_fails_with_exact_line(banned: GitRepo, cli: Cli) -> None:
    banned.write(
        "a.py",
        body(
            "import os",
            "",
            "",
            "def main() -> None:",
            "    print('hi')",
            "    os.system('rm -rf build')",
        ),
    )
    banned.stage()
    run = cli("validate")
    assert run.code == 1
    assert run.lines == [f"a.py:6:5: ANK201 {BANNED}", "1 error in 1 file"]
    assert run.notes == ""
    # --staged is the default, and says the same (without mining HEAD's constraints again)
    assert cli("validate", "--staged") == (*run[:2], run.notes)


def test_clean_staged_change_passes(banned: GitRepo, cli: Cli) -> None:
    banned.write("a.py", body("import os", "", "", "def main() -> None:", "    print('hello')"))
    banned.stage()
    run = cli("validate")
    assert (run.code, run.lines, run.notes) == (0, ["no findings"], "")


def test_nothing_staged_passes(banned: GitRepo, cli: Cli) -> None:
    run = cli("validate")
    assert (run.code, run.lines) == (0, ["no findings"])


def test_unchanged_banned_call_is_not_reported(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", BAN_SYSTEM)
    repo.write("a.py", body("import os", "", "os.system('legacy')", "", "", "", "", "", "x = 1"))
    repo.commit("legacy code")
    repo.write(
        "a.py", body("import os", "", "os.system('legacy')", "", "", "", "", "", "x = 1", "y = 2")
    )
    repo.stage()
    run = cli("validate")
    assert run.code == 0
    assert run.lines == ["no findings (1 outside the change not shown)"]


def _legacy_repo(repo: GitRepo) -> None:
    """Banned calls on line 3 (far from the edit) and line 9 (within a hunk's context);
    the staged edit adds line 12; b.py, untouched, also has one."""
    repo.write(".ananke.toml", BAN_SYSTEM)
    lines = ["import os", "", "os.system('far')", "", "", "", "", "", "os.system('near')", "", ""]
    repo.write("a.py", body(*lines))
    repo.write("b.py", body("import os", "os.system('untouched')"))
    repo.commit("legacy")
    repo.write("a.py", body(*lines, "z = 3"))
    repo.stage()


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("added", []),
        ("diff_context", ["a.py:9:1"]),
        ("file", ["a.py:3:1", "a.py:9:1"]),
        ("nofilter", ["a.py:3:1", "a.py:9:1"]),  # the staged change touches a.py only
    ],
)
def test_filter_modes_widen_the_scope(
    repo: GitRepo, cli: Cli, mode: str, expected: list[str]
) -> None:
    _legacy_repo(repo)
    run = cli("validate", "--filter", mode)
    assert [line.split(": ANK")[0] for line in run.lines if "ANK201" in line] == expected
    assert run.code == (1 if expected else 0)


def test_filter_from_config(repo: GitRepo, cli: Cli) -> None:
    _legacy_repo(repo)
    repo.write(".ananke.toml", 'filter = "file"\n' + BAN_SYSTEM)
    run = cli("validate")
    assert run.code == 1
    assert [line[:8] for line in run.lines[:-1]] == ["a.py:3:1", "a.py:9:1"]
    assert cli("validate", "--filter", "added").code == 0  # the option beats the config


# --- commit ranges --------------------------------------------------------------------------


@pytest.fixture
def forked(repo: GitRepo) -> GitRepo:
    """main removes a banned call from g.py after `feature` forked; feature adds f.py."""
    repo.write(".ananke.toml", BAN_SYSTEM)
    repo.write("g.py", body("import os", "", "os.system('old')", ""))
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("f.py", body("import os", "", "os.system('new')"))
    repo.commit("feature work")
    repo.git("checkout", "-q", "main")
    repo.write("g.py", body("import os", ""))
    repo.commit("main drops the call")
    repo.git("checkout", "-q", "feature")
    return repo


def test_diff_two_dot_range_compares_the_endpoints(forked: GitRepo, cli: Cli) -> None:
    # main..feature: feature's g.py still has the call main removed, so it reads as added
    run = cli("validate", "--diff", "main..feature")
    assert run.code == 1
    assert run.lines == [
        "f.py:3:1: ANK201 " + BANNED,
        "g.py:3:1: ANK201 " + BANNED,
        "2 errors in 2 files",
    ]


def test_diff_three_dot_range_is_what_the_branch_did(forked: GitRepo, cli: Cli) -> None:
    run = cli("validate", "--diff", "main...feature")
    assert (run.code, run.lines) == (1, ["f.py:3:1: ANK201 " + BANNED, "1 error in 1 file"])
    # a single revision means REV...HEAD (the same merge base: mined once)
    assert cli("validate", "--diff", "main") == (*run[:2], run.notes)


def test_diff_range_reads_commits_not_the_work_tree(forked: GitRepo, cli: Cli) -> None:
    forked.write("f.py", body("print('fixed in the work tree only')"))
    forked.stage()
    run = cli("validate", "--diff", "main...feature")
    assert run.lines == ["f.py:3:1: ANK201 " + BANNED, "1 error in 1 file"]


def test_diff_range_restricted_to_files(forked: GitRepo, cli: Cli) -> None:
    run = cli("validate", "--diff", "main..feature", "g.py")
    assert run.lines == ["g.py:3:1: ANK201 " + BANNED, "1 error in 1 file"]


def test_diff_range_without_a_finding_passes(forked: GitRepo, cli: Cli) -> None:
    run = cli("validate", "--diff", "feature~1..feature~1")
    assert (run.code, run.lines) == (0, ["no findings"])


# --- whole files ----------------------------------------------------------------------------


def test_validate_files_checks_them_whole(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", BAN_SYSTEM)
    repo.write("pkg/a.py", body("import os", "os.system('a')"))
    repo.write("pkg/b.py", body("import os", "os.system('b')"))
    repo.write("c.py", body("import os", "os.system('c')"))
    repo.commit("committed, nothing staged")
    run = cli("validate", "pkg/a.py", "c.py")
    assert run.code == 1
    assert run.lines == [
        "c.py:2:1: ANK201 " + BANNED,
        "pkg/a.py:2:1: ANK201 " + BANNED,
        "2 errors in 2 files",
    ]
    # a directory means its tracked files; names are relative to the current directory
    run = cli("validate", ".", cwd=repo.root / "pkg")
    assert run.lines == [
        "pkg/a.py:2:1: ANK201 " + BANNED,
        "pkg/b.py:2:1: ANK201 " + BANNED,
        "2 errors in 2 files",
    ]


def test_validate_all_checks_every_tracked_file(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", BAN_SYSTEM)
    repo.write("a.py", body("import os", "os.system('a')"))
    repo.write("sub/b.py", body("import os", "", "os.system('b')"))
    repo.write("notes.txt", "os.system('not code')\n")
    repo.commit("tracked")
    repo.write("untracked.py", body("import os", "os.system('u')"))
    run = cli("validate", "--all")
    assert run.code == 1
    assert run.lines == [
        "a.py:2:1: ANK201 " + BANNED,
        "sub/b.py:3:1: ANK201 " + BANNED,
        "2 errors in 2 files",
    ]


# --- what git can throw at it ---------------------------------------------------------------


def test_renamed_file_reports_only_the_added_call(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", BAN_SYSTEM)
    original = ["import os", "", "os.system('kept')"] + [f"v{i} = {i}" for i in range(12)]
    repo.write("old_name.py", body(*original))
    repo.commit("base")
    repo.git("mv", "old_name.py", "new_name.py")
    repo.write("new_name.py", body(*original, "os.system('added')"))
    repo.stage()
    assert "rename from old_name.py" in repo.git("diff", "--cached", "-M")
    run = cli("validate")
    assert run.code == 1
    assert run.lines == [
        "new_name.py:16:1: ANK201 " + BANNED,
        "1 error in 1 file (1 outside the change not shown)",
    ]


def test_deleted_file_reports_nothing(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", BAN_SYSTEM)
    repo.write("gone.py", body("import os", "os.system('bye')"))
    repo.write("stays.py", body("x = 1"))
    repo.commit("base")
    repo.rm("gone.py")
    run = cli("validate")
    assert (run.code, run.lines, run.notes) == (0, ["no findings"], "")


def test_binary_file_is_skipped_with_a_notice(banned: GitRepo, cli: Cli) -> None:
    banned.write("blob.py", b"\x00\x01os.system('x')\n\x00\xff" * 4)
    banned.write("b.py", body("import os", "os.system('y')"))
    banned.stage()
    run = cli("validate")
    assert run.code == 1
    assert run.lines == [
        "b.py:2:1: ANK201 " + BANNED,
        "ananke-ci: blob.py: binary file, skipped",
        "1 error in 1 file",
    ]
    assert run.notes == "ananke-ci: blob.py: binary file, skipped\n"
    quiet = cli("validate", "-q")
    assert quiet.err == ""


@pytest.mark.parametrize(
    "name", ["dir with space/my file.py", "données/café.py", "日本/名前.py", 'odd "quoted" name.py']
)
def test_unusual_file_names_print_exactly(banned: GitRepo, cli: Cli, name: str) -> None:
    banned.write(name, body("import os", "", "os.system('x')"))
    banned.stage()
    run = cli("validate")
    assert (run.code, run.lines) == (1, [f"{name}:3:1: ANK201 {BANNED}", "1 error in 1 file"])
    # and as a FILE argument, and from the real executable
    assert cli("validate", name).lines == run.lines
    exe = banned.exe("validate")
    assert (exe.code, exe.out) == (1, run.out)


def test_crlf_file(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", BAN_SYSTEM)
    repo.write("w.py", b"import os\r\n\r\ndef f():\r\n    return 1\r\n")
    repo.commit("crlf base")
    repo.write("w.py", b"import os\r\n\r\ndef f():\r\n    return 1\r\n\r\nos.system('x')\r\n")
    repo.stage()
    run = cli("validate")
    assert (run.code, run.lines) == (1, ["w.py:6:1: ANK201 " + BANNED, "1 error in 1 file"])


def test_first_commit_of_an_empty_repository(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", BAN_SYSTEM)
    repo.write("a.py", body("import os", "os.system('x')"))
    repo.stage()
    run = cli("validate")
    assert (run.code, run.lines) == (1, ["a.py:2:1: ANK201 " + BANNED, "1 error in 1 file"])


def test_empty_repository_with_nothing_staged(repo: GitRepo, cli: Cli) -> None:
    run = cli("validate")
    assert (run.code, run.lines, run.notes) == (0, ["no findings"], "")


def test_staged_semantics_index_not_work_tree(banned: GitRepo, cli: Cli) -> None:
    # an unstaged edit that adds a banned call is not part of the commit
    banned.write("a.py", body("import os", "x = 1"))
    banned.stage()
    banned.write("a.py", body("import os", "x = 1", "os.system('unstaged')"))
    assert cli("validate").code == 0
    # and a staged call that the work tree has since removed still is
    banned.write("b.py", body("import os", "os.system('staged')"))
    banned.stage("b.py")
    banned.write("b.py", body("import os"))
    run = cli("validate")
    assert (run.code, run.lines) == (1, ["b.py:2:1: ANK201 " + BANNED, "1 error in 1 file"])


def test_staged_change_restricted_to_files(banned: GitRepo, cli: Cli) -> None:
    banned.write("x.py", body("import os", "os.system('x')"))
    banned.write("y.py", body("import os", "os.system('y')"))
    banned.stage()
    run = cli("validate", "--staged", "y.py")
    assert run.lines == ["y.py:2:1: ANK201 " + BANNED, "1 error in 1 file"]


def test_exclude_globs(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", 'exclude = ["vendor/**", "*_generated.py"]\n' + BAN_SYSTEM)
    repo.write("vendor/lib/x.py", body("import os", "os.system('v')"))
    repo.write("pkg/api_generated.py", body("import os", "os.system('g')"))
    repo.write("pkg/real.py", body("import os", "os.system('r')"))
    repo.stage()
    run = cli("validate")
    assert run.lines == ["pkg/real.py:2:1: ANK201 " + BANNED, "1 error in 1 file"]
    assert cli("validate", "--all").lines == run.lines


# --- hook entry: pre-commit passes filenames and, for ranges, the refs --------------------


def test_hook_mode_uses_pre_commit_refs(
    repo: GitRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write(".ananke.toml", BAN_SYSTEM)
    repo.write("a.py", body("import os", "", "os.system('old')", ""))
    base = repo.commit("base")
    repo.write("a.py", body("import os", "", "os.system('old')", "", "os.system('new')"))
    head = repo.commit("adds one")
    # without the refs: the staged change, and a passed file outside it is checked whole
    whole = cli("validate", "--hook", "a.py")
    assert whole.lines == [
        "a.py:3:1: ANK201 " + BANNED,
        "a.py:5:1: ANK201 " + BANNED,
        "2 errors in 1 file",
    ]
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", head)
    ranged = cli("validate", "--hook", "a.py")
    assert (ranged.code, ranged.lines) == (
        1,
        ["a.py:5:1: ANK201 " + BANNED, "1 error in 1 file (1 outside the change not shown)"],
    )
    monkeypatch.setenv("PRE_COMMIT_TO_REF", base)
    clean = cli("validate", "--hook", "a.py")  # pre-commit shows a verbose hook's output:
    assert (clean.code, clean.out, clean.err) == (0, "", "")  # a clean change says nothing


def test_hook_mode_staged(banned: GitRepo, cli: Cli) -> None:
    banned.write("a.py", body("import os", "os.system('x')"))
    banned.stage()
    run = cli("validate", "--hook", "a.py")
    assert (run.code, run.lines) == (1, ["a.py:2:1: ANK201 " + BANNED, "1 error in 1 file"])


# --- output formats -------------------------------------------------------------------------


@pytest.fixture
def one_error(banned: GitRepo) -> GitRepo:
    banned.write("a.py", body("import os", "", "os.system('ls')"))
    banned.stage()
    return banned


def test_format_json(one_error: GitRepo, cli: Cli) -> None:
    run = cli("validate", "--format", "json")
    assert run.code == 1
    doc = json.loads(run.out)
    assert doc["version"] == 1
    assert doc["tool"]["name"] == "ananke-ci"
    [finding] = doc["findings"]
    assert {
        k: finding[k]
        for k in (
            "rule",
            "name",
            "severity",
            "path",
            "line",
            "col",
            "end_line",
            "end_col",
            "message",
        )
    } == {
        "rule": "ANK201",
        "name": "banned-call",
        "severity": "error",
        "path": "a.py",
        "line": 3,
        "col": 1,
        "end_line": 3,
        "end_col": 10,  # the callee
        "message": "call of banned `os.system`: use subprocess.run",
    }
    assert doc["summary"] == {
        "errors": 1,
        "warnings": 0,
        "notes": 0,
        "files": 1,
        "outside_diff": 0,
        "files_checked": 1,
    }


def test_format_sarif_to_a_file(one_error: GitRepo, cli: Cli) -> None:
    run = cli("validate", "--format", "sarif:reports/out.sarif")
    assert (run.code, run.out) == (1, "")
    log = json.loads((one_error.root / "reports" / "out.sarif").read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0"
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "ANK201"
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "a.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 10}
    # text on the terminal and SARIF in a file at once
    both = cli("validate", "--format", "text", "--format", "sarif:both.sarif")
    assert both.lines == ["a.py:3:1: ANK201 " + BANNED, "1 error in 1 file"]
    assert (one_error.root / "both.sarif").is_file()


def test_format_github(one_error: GitRepo, cli: Cli) -> None:
    run = cli("validate", "--format", "github")
    assert run.code == 1
    assert run.lines == [
        "::error file=a.py,line=3,col=1,endLine=3,endColumn=10,title=ANK201::"
        "call of banned `os.system`: use subprocess.run%0A" + HINT
    ]


# --- severities and the fail level ----------------------------------------------------------


def test_todo_is_a_warning_that_fails_only_at_fail_level_warning(banned: GitRepo, cli: Cli) -> None:
    banned.write(
        "a.py",
        body("import os", "", "", "def main() -> None:", "    print('hi')  # TODO: greet by name"),
    )
    banned.stage()
    expected = [
        "a.py:5:18: ANK101 TODO comment in main(): # TODO: greet by name [warning]",
        "1 warning in 1 file",
    ]
    run = cli("validate")
    assert (run.code, run.lines) == (0, expected)
    run = cli("validate", "--fail-level", "warning")
    assert (run.code, run.lines) == (1, expected)
    banned.write(".ananke.toml", 'fail-level = "warning"\n' + BAN_SYSTEM)
    assert cli("validate").code == 1


def test_rule_severity_overrides(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", '[rules]\ntodo-comment = "error"\ntyped-hole = "off"\n')
    repo.write(
        "h.py",
        body(
            "def later(x: int) -> int:", "    raise NotImplementedError", "", "", "# FIXME: remove"
        ),
    )
    repo.stage()
    run = cli("validate")
    assert run.code == 1
    assert run.lines == [
        "h.py:5:1: ANK101 FIXME comment: # FIXME: remove [error]",
        "1 error in 1 file",
    ]
    # by default the typed hole is a warning
    repo.write(".ananke.toml", "")
    run = cli("validate")
    assert (run.code, run.lines) == (
        0,
        [
            "h.py:2:5: ANK102 placeholder body `raise NotImplementedError` in later() [warning]",
            "h.py:5:1: ANK101 FIXME comment: # FIXME: remove [warning]",
            "2 warnings in 1 file",
        ],
    )


def test_rule_ids_work_as_keys_too(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", '[rules]\nANK101 = "note"\n')
    repo.write("t.py", body("x = 1  # XXX"))
    repo.stage()
    run = cli("validate", "--fail-level", "warning")
    assert (run.code, run.lines) == (
        0,
        ["t.py:1:8: ANK101 XXX comment: # XXX [note]", "1 note in 1 file"],
    )


def test_config_in_pyproject(repo: GitRepo, cli: Cli) -> None:
    repo.write(
        "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.ananke.banned-calls]\n"os.system" = "use subprocess.run"\n',
    )
    repo.write("a.py", body("import os", "os.system('x')"))
    repo.stage()
    run = cli("validate")
    assert (run.code, run.lines) == (1, ["a.py:2:1: ANK201 " + BANNED, "1 error in 1 file"])


def test_ananke_toml_wins_over_pyproject(repo: GitRepo, cli: Cli) -> None:
    repo.write("pyproject.toml", '[tool.ananke.banned-calls]\n"os.system" = "no"\n')
    repo.write(".ananke.toml", '[banned-calls]\n"eval" = "never"\n')
    repo.write("a.py", body("import os", "os.system('x')", "eval('1')"))
    repo.stage()
    run = cli("validate")
    assert run.lines == [
        "a.py:3:1: ANK201 call of banned `eval`: never [error]",
        "1 error in 1 file",
    ]
    # --config picks another file
    run = cli("validate", "--config", "pyproject.toml")
    assert run.lines == [
        "a.py:2:1: ANK201 call of banned `os.system`: no [error]",
        "1 error in 1 file",
    ]


# --- inline suppressions --------------------------------------------------------------------


@pytest.mark.parametrize(
    "comment",
    [
        "# ananke: ignore[ANK201]",
        "# ananke: ignore[banned-call]",
        "# ananke: ignore",
        "# ananke:ignore[ank201, ANK101]",
        "# noqa: E501  ananke: ignore[ANK202,ANK201]",
    ],
)
def test_inline_suppression(banned: GitRepo, cli: Cli, comment: str) -> None:
    banned.write("a.py", body("import os", f"os.system('x')  {comment}"))
    banned.stage()
    run = cli("validate")
    assert (run.code, run.lines) == (0, ["no findings"])


@pytest.mark.parametrize(
    "comment",
    [
        "# ananke: ignore[ANK101]",
        "# ananke: ignore[todo-comment]",
        "# ananke: ignore[banned-import]",
    ],
)
def test_suppression_of_another_rule_does_not_suppress(
    banned: GitRepo, cli: Cli, comment: str
) -> None:
    banned.write("a.py", body("import os", f"os.system('x')  {comment}"))
    banned.stage()
    run = cli("validate")
    assert (run.code, run.lines) == (1, ["a.py:2:1: ANK201 " + BANNED, "1 error in 1 file"])


def test_suppression_covers_its_own_line_only(banned: GitRepo, cli: Cli) -> None:
    banned.write("a.py", body("import os", "# ananke: ignore[ANK201]", "os.system('x')"))
    banned.stage()
    assert cli("validate").lines == ["a.py:3:1: ANK201 " + BANNED, "1 error in 1 file"]


def test_slash_slash_suppression_in_javascript_and_go(repo: GitRepo, cli: Cli) -> None:
    repo.write(
        ".ananke.toml",
        '[banned-calls]\n"child_process.exec" = "use execFile"\n'
        '"exec.Command" = "use the runner package"\n',
    )
    repo.write(
        "app.js",
        body(
            "const child_process = require('child_process');",
            "child_process.exec('ls'); // ananke: ignore[ANK201]",
            "child_process.exec('rm');",
        ),
    )
    repo.write(
        "main.go",
        body(
            "package main",
            "",
            'import "os/exec"',
            "",
            "func main() {",
            '\texec.Command("ls") // ananke: ignore[banned-call]',
            '\texec.Command("rm")',
            "}",
        ),
    )
    repo.stage()
    run = cli("validate")
    assert run.code == 1
    assert run.lines == [
        "app.js:3:1: ANK201 call of banned `child_process.exec`: use execFile [error]",
        "main.go:7:2: ANK201 call of banned `exec.Command`: use the runner package [error]",
        "2 errors in 2 files",
    ]


# --- banned imports and aliases -------------------------------------------------------------


def test_banned_imports_python(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", '[banned-imports]\npickle = "use json"\n')
    repo.write(
        "a.py",
        body(
            "import pickle",
            "from pickle import loads",
            "import pickletools",
            "import json",
            "from pickle.x import y",
        ),
    )
    repo.stage()
    run = cli("validate")
    msg = "ANK202 import of banned `pickle`: use json [error]"
    assert run.code == 1
    assert run.lines == [
        f"a.py:1:1: {msg}",
        f"a.py:2:1: {msg}",
        f"a.py:5:1: {msg}",
        "3 errors in 1 file",
    ]


def test_banned_imports_javascript(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", '[banned-imports]\n"left-pad" = "use String.padStart"\n')
    repo.write(
        "m.js",
        body(
            "const pad = require('left-pad');",
            "import lp from 'left-pad';",
            "import other from 'left-padding';",
        ),
    )
    repo.stage()
    run = cli("validate")
    msg = "ANK202 import of banned `left-pad`: use String.padStart [error]"
    assert (run.code, run.lines) == (
        1,
        [f"m.js:1:13: {msg}", f"m.js:2:1: {msg}", "2 errors in 1 file"],
    )


def test_bans_as_a_list_have_no_reason(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", 'banned-calls = ["eval"]\nbanned-imports = ["pickle"]\n')
    repo.write("a.py", body("import pickle", "eval('1')"))
    repo.stage()
    assert cli("validate").lines == [
        "a.py:1:1: ANK202 import of banned `pickle` [error]",
        "a.py:2:1: ANK201 call of banned `eval` [error]",
        "2 errors in 1 file",
    ]


def test_from_import_alias_is_caught(banned: GitRepo, cli: Cli) -> None:
    banned.write("a.py", body("from os import system", "", "system('x')", "print('ok')"))
    banned.stage()
    run = cli("validate")
    assert (run.code, run.lines) == (1, ["a.py:3:1: ANK201 " + BANNED, "1 error in 1 file"])


def test_a_local_function_of_the_same_name_is_not_banned(banned: GitRepo, cli: Cli) -> None:
    banned.write("a.py", body("def system(cmd):", "    return cmd", "", "system('x')"))
    banned.stage()
    assert cli("validate").lines == ["no findings"]


# --- syntax errors --------------------------------------------------------------------------


def test_added_syntax_error_fails(banned: GitRepo, cli: Cli) -> None:
    banned.write(
        "a.py",
        body(
            "import os",
            "",
            "",
            "def main() -> None:",
            "    print('hi')",
            "",
            "def broken(:",
            "    pass",
        ),
    )
    banned.stage()
    run = cli("validate")
    assert run.code == 1
    assert run.lines == [
        "a.py:7:12: ANK001 syntax error: missing ')' [error]",
        "a.py:8:5: ANK102 placeholder body `pass` in broken() [warning]",
        "1 error, 1 warning in 1 file",
    ]


# --- the real executable --------------------------------------------------------------------


def test_real_executable_end_to_end(one_error: GitRepo) -> None:
    run = one_error.exe("validate")
    assert (run.code, run.out, run.notes) == (
        1,
        f"a.py:3:1: ANK201 {BANNED}\n1 error in 1 file\n",
        "",
    )
    # the first run at this base mined its constraints and said so; the next reads them
    assert run.err.startswith(MINED_NOTICE) and " s (" in run.err
    again = one_error.exe("validate")
    assert (again.code, again.out, again.err) == (run.code, run.out, "")
    one_error.write("a.py", body("import os"))
    one_error.stage()
    run = one_error.exe("validate")
    assert (run.code, run.out, run.err) == (0, "no findings\n", "")


def test_real_executable_from_a_subdirectory(repo: GitRepo) -> None:
    repo.write(".ananke.toml", BAN_SYSTEM)
    repo.write("src/pkg/m.py", body("import os", "os.system('x')"))
    repo.stage()
    sub: Path = repo.root / "src" / "pkg"
    run = repo.exe("validate", cwd=sub)
    assert (run.code, run.out) == (1, f"src/pkg/m.py:2:1: ANK201 {BANNED}\n1 error in 1 file\n")
    run = repo.exe("validate", "m.py", cwd=sub)
    assert (run.code, run.out) == (1, f"src/pkg/m.py:2:1: ANK201 {BANNED}\n1 error in 1 file\n")


def test_columns_count_characters_not_bytes(banned: GitRepo, cli: Cli) -> None:
    banned.write("u.py", body("import os", "s = 'café'; os.system('x')"))
    banned.stage()
    assert cli("validate").lines == ["u.py:2:13: ANK201 " + BANNED, "1 error in 1 file"]


def test_resolved_merge_conflict_is_checked(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", BAN_SYSTEM)
    repo.write("a.py", body("import os", "x = 1"))
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("a.py", body("import os", "x = 2", "os.system('topic')"))
    repo.commit("topic")
    repo.git("checkout", "-q", "main")
    repo.write("a.py", body("import os", "x = 3"))
    repo.commit("main")
    merge = subprocess.run(
        ["git", "merge", "-q", "topic"], cwd=repo.root, env=repo.env, capture_output=True
    )
    assert merge.returncode == 1  # a conflict
    assert cli("validate").code == 0  # unmerged: nothing staged to check yet
    repo.write("a.py", body("import os", "x = 3", "os.system('topic')"))
    repo.stage("a.py")
    run = cli("validate")
    assert (run.code, run.lines) == (1, ["a.py:3:1: ANK201 " + BANNED, "1 error in 1 file"])


def test_a_configured_ban_runs_at_every_intensity_but_is_a_warning_in_a_quiet_leaf(
    repo: GitRepo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo.write("a.py", "x = 1\n")
    repo.write("leaf/b.py", "y = 1\n")
    repo.commit("init")
    repo.write(
        ".ananke.toml", '[banned-calls]\neval = "no"\n\n[intensity]\n"leaf/**" = "syntax_only"\n'
    )
    repo.write("a.py", 'x = eval("1")\n')
    repo.write("leaf/b.py", 'y = eval("1")\n')
    repo.stage()
    run = repo.cli(monkeypatch, capsys, "validate")
    assert run.code == 1
    assert "a.py:1:5: ANK201 call of banned `eval`: no [error]" in run.out
    assert "leaf/b.py:1:5: ANK201 call of banned `eval`: no [warning]" in run.out


# --- show-source and the findings outside the change ----------------------------------------


def test_show_source_quotes_the_line_with_a_caret_and_the_hint(banned: GitRepo, cli: Cli) -> None:
    banned.write(
        "a.py",
        body(
            "import os",
            "",
            "",
            "def main() -> None:",
            "\tprint('hi')",
            "\tos.system('rm -rf build')",
        ),
    )
    banned.stage()
    run = cli("validate", "--show-source")
    assert run.code == 1
    assert run.lines == [
        f"a.py:6:2: ANK201 {BANNED}",
        "  |",
        "6 |     os.system('rm -rf build')",
        "  |     ^^^^^^^^^",  # under the callee, the tab shown as 4 spaces
        f"  = help: {HINT}",
        "1 error in 1 file",
    ]
    assert cli("validate").lines == [f"a.py:6:2: ANK201 {BANNED}", "1 error in 1 file"]
    banned.write(".ananke.toml", "show-source = true\n" + BAN_SYSTEM)
    assert cli("validate").lines == run.lines  # the config key turns it on...
    assert cli("validate", "--no-show-source").lines == [
        f"a.py:6:2: ANK201 {BANNED}",
        "1 error in 1 file",
    ]  # ...the flag off


def test_json_can_carry_the_findings_outside_the_change_marked(banned: GitRepo, cli: Cli) -> None:
    banned.write("a.py", body("import os", "", "", "def main() -> None:", "    os.system('old')"))
    banned.commit("an old call")
    banned.write(
        "a.py",
        body(
            "import os",
            "",
            "",
            "def main() -> None:",
            "    os.system('old')",
            "    os.system('new')",
        ),
    )
    banned.stage()
    plain = json.loads(cli("validate", "--format", "json").out)
    assert [(f["line"], "in_diff" in f) for f in plain["findings"]] == [(6, False)]
    marked = json.loads(cli("validate", "--format", "json", "--include-outside-diff").out)
    assert [(f["line"], f["in_diff"]) for f in marked["findings"]] == [(5, False), (6, True)]
    assert marked["summary"] == plain["summary"] and plain["summary"]["outside_diff"] == 1
    assert [f for f in marked["findings"] if f["in_diff"]] == [
        {**f, "in_diff": True} for f in plain["findings"]
    ]
