"""The git adapter and proc.run against real repositories in temp dirs."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ananke_ci.adapters.git import read as git
from ananke_ci.adapters.proc import run
from ananke_ci.core.diff import FileDiff
from ananke_ci.core.errors import UserError
from tests.gitrepo import GitRepo


def by_path(fds: tuple[FileDiff, ...]) -> dict[str, FileDiff]:
    return {fd.path: fd for fd in fds}


# --- proc.run ----------------------------------------------------------------------------


def test_run_captures_bytes_and_feeds_input() -> None:
    res = run(["cat"], input=b"a\r\n\xff")
    assert (res.returncode, res.stdout, res.stderr) == (0, b"a\r\n\xff", b"")


def test_run_failure_is_a_user_error_naming_command_and_stderr(tmp_path: Path) -> None:
    with pytest.raises(UserError) as err:
        run(["git", "rev-parse", "--verify", "no-such-thing"], cwd=tmp_path)
    assert "git rev-parse --verify no-such-thing" in str(err.value)
    assert "not a git repository" in str(err.value)  # git's own stderr
    assert run(["false"], check=False).returncode == 1


def test_run_missing_executable_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="git not found"):
        run(["git", "--version"], env={"PATH": str(tmp_path)})


def test_run_timeout_is_a_user_error() -> None:
    with pytest.raises(UserError, match="timed out"):
        run(["sleep", "5"], timeout=0.1)


# --- repository discovery ------------------------------------------------------------------


def test_repo_root_from_a_subdirectory(repo: GitRepo) -> None:
    sub = repo.root / "a" / "b"
    sub.mkdir(parents=True)
    assert git.repo_root(sub) == repo.root.resolve()
    assert git.git_dir(repo.root) == (repo.root / ".git").resolve()


def test_repo_root_outside_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(UserError, match="not a git repository") as err:
        git.repo_root(plain)
    assert str(plain) in str(err.value)


def test_ls_files_lists_tracked_names_verbatim(repo: GitRepo) -> None:
    for name in ("a.py", "sp ace/x.py", "t\u00e9st.py", "t\tab.py"):
        repo.write(name, "x\n")
    repo.commit()
    repo.write("untracked.py", "")
    assert sorted(git.ls_files(repo.root)) == sorted(
        ["a.py", "sp ace/x.py", "t\u00e9st.py", "t\tab.py"]
    )


# --- staged_diff ---------------------------------------------------------------------------


def test_first_commit_in_an_empty_repo(repo: GitRepo) -> None:
    repo.write("a.py", "one\ntwo\n")
    repo.write("empty.txt", "")
    repo.stage()
    fds = by_path(git.staged_diff(repo.root))
    assert fds["a.py"].status == "added"
    assert fds["a.py"].added_lines == {1, 2}
    assert (fds["empty.txt"].status, fds["empty.txt"].hunks) == ("added", ())


def test_staged_diff_sees_the_index_not_the_work_tree(repo: GitRepo) -> None:
    repo.write("a.py", "1\n2\n3\n4\n5\n")
    repo.commit()
    repo.write("a.py", "1\n2\nthree\n4\n5\n")
    repo.stage("a.py")
    repo.write("a.py", "1\ntwo\nthree\n4\n5\nsix\n")  # unstaged on top
    (fd,) = git.staged_diff(repo.root)
    assert (fd.path, fd.status, fd.added_lines) == ("a.py", "modified", frozenset({3}))
    assert fd.context_lines == {1, 2, 3, 4, 5}
    assert git.read_staged(repo.root, ["a.py"]) == {"a.py": b"1\n2\nthree\n4\n5\n"}


def test_staged_diff_limited_to_paths(repo: GitRepo) -> None:
    repo.write("a.py", "a\n")
    repo.write("b.py", "b\n")
    repo.write("[x].py", "x\n")  # a literal name, not a glob
    repo.write("x.py", "x\n")
    repo.stage()
    assert [fd.path for fd in git.staged_diff(repo.root, ["b.py", "[x].py"])] == ["[x].py", "b.py"]


def test_rename_with_edit_deletion_mode_and_binary(repo: GitRepo) -> None:
    body = "".join(f"line {i}\n" for i in range(1, 21))
    repo.write("old name.py", body)
    repo.write("gone.py", "bye\n")
    repo.write("run.sh", "echo\n")
    repo.write("img.bin", b"\x00\x01\x02\x03")
    repo.commit()
    repo.git("mv", "old name.py", "new name.py")
    repo.write("new name.py", body.replace("line 10\n", "line ten\n"))
    repo.git("rm", "-q", "gone.py")
    (repo.root / "run.sh").chmod(0o755)
    repo.write("img.bin", b"\x00\x01\x02\x04")
    repo.write("new.bin", b"\x00PNG")
    repo.stage()
    fds = by_path(git.staged_diff(repo.root))
    ren = fds["new name.py"]
    assert (ren.old_path, ren.status) == ("old name.py", "renamed")
    assert ren.added_lines == {10}
    assert fds["gone.py"].status == "deleted"
    assert fds["gone.py"].new_path is None
    assert (fds["run.sh"].old_mode, fds["run.sh"].new_mode) == ("100644", "100755")
    assert (fds["img.bin"].status, fds["img.bin"].binary) == ("modified", True)
    assert (fds["new.bin"].status, fds["new.bin"].binary) == ("added", True)


def test_staged_diff_honours_git_index_file(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    # `git commit -a` runs hooks against a temporary index named by GIT_INDEX_FILE
    repo.write("a.py", "a\n")
    repo.commit()
    repo.write("a.py", "a\nb\n")
    other = repo.root.parent / "other-index"
    repo.git("read-tree", "HEAD", env={"GIT_INDEX_FILE": str(other)})
    repo.git("add", "a.py", env={"GIT_INDEX_FILE": str(other)})
    assert git.staged_diff(repo.root) == ()
    monkeypatch.setenv("GIT_INDEX_FILE", str(other))
    (fd,) = git.staged_diff(repo.root)
    assert fd.added_lines == {2}


def test_crlf_file(repo: GitRepo) -> None:
    repo.write("w.txt", b"one\r\ntwo\r\nthree\r\n")
    repo.commit()
    repo.write("w.txt", b"one\r\nTWO\r\nthree\r\nfour")
    repo.stage()
    (fd,) = git.staged_diff(repo.root)
    assert fd.added_lines == {2, 4}
    assert git.read_staged(repo.root, ["w.txt"])["w.txt"] == b"one\r\nTWO\r\nthree\r\nfour"


@pytest.mark.parametrize(
    "name", ["sp ace.py", "t\u00e9st.py", "\u6f22\u5b57/\u00fc.py", 't\tab "q".py', "b\\s.py"]
)
def test_awkward_names(repo: GitRepo, name: str) -> None:
    repo.write(name, "a\n")
    repo.commit()
    repo.write(name, "a\nb\n")
    repo.stage()
    (fd,) = git.staged_diff(repo.root)
    assert (fd.old_path, fd.new_path, fd.added_lines) == (name, name, frozenset({2}))
    assert git.read_staged(repo.root, [name]) == {name: b"a\nb\n"}


def test_hostile_user_config_does_not_change_the_output(repo: GitRepo) -> None:
    repo.write("a.py", "a\n")
    repo.commit()
    for key, value in [
        ("diff.noprefix", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("color.ui", "always"),
        ("diff.external", "false"),
        ("core.quotepath", "on"),
    ]:
        repo.git("config", key, value)
    repo.write("a.py", "a\nb\n")
    repo.write("\u00e9.py", "x\n")
    repo.stage()
    fds = by_path(git.staged_diff(repo.root))
    assert fds["a.py"].added_lines == {2}
    assert fds["\u00e9.py"].status == "added"


def test_user_diff_algorithm_does_not_change_the_added_lines(repo: GitRepo) -> None:
    """Myers and histogram align this edit differently; a user's diff.algorithm must not
    move which lines a finding may be reported on."""
    old = ["}", "", "x", "b", "a", "b", "}", "a", "", "", "x", "}"]
    new = ["}", "", "x", "b", "a", "b", "}", "a", "a", "", "", "", "}", "x", "}", "x"]
    repo.write("f.txt", "\n".join(old) + "\n")
    repo.commit()
    repo.write("f.txt", "\n".join(new) + "\n")
    repo.stage()
    (plain,) = git.staged_diff(repo.root)
    repo.git("config", "diff.algorithm", "histogram")
    (configured,) = git.staged_diff(repo.root)
    assert plain.added_lines == configured.added_lines == {9, 10, 13, 16}


# --- read_staged / read_at -------------------------------------------------------------------


def test_read_staged_batches_many_files_and_omits_missing(repo: GitRepo) -> None:
    files = {f"pkg/m{i}.py": f"x = {i}\n".encode() * i for i in range(50)}
    files["bin.dat"] = bytes(range(256))
    files["new\nline.py"] = b"odd name\n"  # the batch protocol cannot carry it
    for name, data in files.items():
        repo.write(name, data)
    repo.stage()
    got = git.read_staged(repo.root, [*files, "absent.py", "pkg"])
    assert got == files


def test_read_at_a_commit(repo: GitRepo) -> None:
    repo.write("a.py", "v1\n")
    first = repo.commit()
    repo.write("a.py", "v2\n")
    repo.write("b.py", "b\n")
    repo.commit()
    assert git.read_at(repo.root, first, ["a.py", "b.py"]) == {"a.py": b"v1\n"}
    assert git.read_at(repo.root, "HEAD", ["a.py", "b.py"]) == {"a.py": b"v2\n", "b.py": b"b\n"}
    with pytest.raises(UserError, match="unknown revision nope"):
        git.read_at(repo.root, "nope", ["a.py"])


# --- range_diff ------------------------------------------------------------------------------


@pytest.fixture
def forked(repo: GitRepo) -> GitRepo:
    """main: base -> main-only change; feature (checked out): base -> feature change."""
    repo.write("shared.py", "1\n2\n3\n")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("feature.py", "f\n")
    repo.write("shared.py", "1\ntwo\n3\n")
    repo.commit("feature")
    repo.git("checkout", "-q", "main")
    repo.write("main_only.py", "m\n")
    repo.commit("main moves on")
    repo.git("checkout", "-q", "feature")
    return repo


def test_three_dots_and_a_single_rev_show_only_the_branch(forked: GitRepo) -> None:
    for spec in ("main...HEAD", "main...", "main", "main...feature"):
        fds = by_path(git.range_diff(forked.root, spec))
        assert sorted(fds) == ["feature.py", "shared.py"], spec
        assert fds["shared.py"].added_lines == {2}


def test_two_dots_compare_the_tips(forked: GitRepo) -> None:
    fds = by_path(git.range_diff(forked.root, "main..HEAD"))
    assert sorted(fds) == ["feature.py", "main_only.py", "shared.py"]
    assert fds["main_only.py"].status == "deleted"  # what main did, seen backwards
    assert [fd.path for fd in git.range_diff(forked.root, "main..", ["shared.py"])] == ["shared.py"]
    assert git.range_diff(forked.root, "HEAD~1..HEAD~1") == ()


def test_bad_revision_names_the_rev_and_the_fix(forked: GitRepo) -> None:
    with pytest.raises(UserError) as err:
        git.range_diff(forked.root, "origin/main..HEAD")
    assert "unknown revision origin/main" in str(err.value)
    assert "origin/main..HEAD" in str(err.value)
    with pytest.raises(UserError, match="unknown revision --output=x"):
        git.range_diff(forked.root, "--output=x")


def test_unrelated_histories_have_no_merge_base(forked: GitRepo) -> None:
    forked.git("checkout", "-q", "--orphan", "island")
    forked.commit("island")
    with pytest.raises(UserError, match="no merge base"):
        git.range_diff(forked.root, "main")


# --- property: the added lines git reports are exactly the lines an edit inserted ------------

OLD = st.lists(st.sampled_from(["a", "b", "x = 1", "", "  pass", "\xe9"]), max_size=25)
# per old line: keep it, drop it, or replace it; plus lines inserted before it
EDITS = st.lists(
    st.tuples(st.sampled_from(["keep", "drop", "swap"]), st.integers(0, 2)),
    min_size=26,
    max_size=26,
)


@pytest.mark.slow  # git diff once per generated example
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old=OLD, edits=EDITS, eol=st.sampled_from(["\n", "\r\n"]), final_eol=st.booleans())
@example(
    old=["a"] * 13,
    edits=[("keep", 0)] * 11
    + [("keep", 1)]
    + [("keep", 0)] * 9
    + [("keep", 1)]
    + [("keep", 2)] * 4,
    eol="\n",
    final_eol=False,
)  # git re-adds an unchanged "a"
@example(
    old=["a"] * 11 + ["b"],
    edits=[("keep", 0)] * 8
    + [("keep", 1), ("drop", 0), ("drop", 0)]
    + [("keep", 0)] * 12
    + [("keep", 1), ("keep", 2), ("keep", 2)],
    eol="\n",
    final_eol=False,
)
@example(
    old=["a"] * 9,
    edits=[("keep", 0)] * 8 + [("keep", 1)] + [("keep", 0)] * 17,
    eol="\n",
    final_eol=True,
)  # git's diff re-adds a kept "a"
def test_added_lines_are_the_inserted_lines(
    old: list[str], edits: list[tuple[str, int]], eol: str, final_eol: bool
) -> None:
    new: list[str] = []
    origin: list[int | None] = []  # the old index each new line was kept from
    fresh = iter(f"new {k}" for k in range(1000))  # never equal to an old line
    for k, (op, before) in enumerate(edits):
        for _ in range(before):
            new.append(next(fresh))
            origin.append(None)
        if k < len(old) and op != "drop":
            new.append(old[k] if op == "keep" else next(fresh))
            origin.append(k if op == "keep" else None)
    inserted = {i + 1 for i, k in enumerate(origin) if k is None}
    # without a final newline a kept line may still change: the old last line gains
    # a newline when lines follow it, a new last line loses its own
    maybe: set[int] = set()
    if not final_eol and old:
        maybe = {i + 1 for i, k in enumerate(origin) if k == len(old) - 1 and i + 1 < len(new)}
        if origin and origin[-1] is not None and origin[-1] != len(old) - 1:
            maybe.add(len(new))

    def text(lines: list[str]) -> str:
        return eol.join(lines) + (eol if final_eol and lines else "")

    with tempfile.TemporaryDirectory() as tmp:
        repo = GitRepo(Path(tmp) / "repo")
        repo.write("f.txt", text(old))
        repo.commit()
        repo.write("f.txt", text(new))
        repo.stage()
        fds = git.staged_diff(repo.root)
    if text(old) == text(new):
        assert fds == ()
        return
    (fd,) = fds
    # Every inserted line is reported. Beyond those, git reports a kept line as added only
    # where the old text repeats it: its diff is not minimal there (not even with
    # --diff-algorithm=minimal: 11 x "a" then "b", one line inserted near the end, re-adds
    # an "a"), and without a final newline the old last line differs from its own copies.
    # What holds for any valid diff: the lines not reported as added are old lines, in
    # their old order.
    assert inserted <= fd.added_lines
    extra = fd.added_lines - inserted - maybe
    repeated = {line for line in old if old.count(line) > 1}
    if not final_eol and old:
        repeated.add(old[-1])
    assert all(new[i - 1] in repeated for i in extra), extra
    kept = [new[i - 1] for i in range(1, len(new) + 1) if i not in fd.added_lines]
    assert _is_subsequence(kept, old)
    assert fd.added_lines <= fd.context_lines <= set(range(1, len(new) + 1))


def _is_subsequence(items: list[str], of: list[str]) -> bool:
    rest = iter(of)
    return all(any(item == candidate for candidate in rest) for item in items)
