"""The commands that write files never write through a link out of the repository, nor
where a repository's config (which a pull request can change) points outside it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.gitrepo import Cli, GitRepo


def _base(repo: GitRepo) -> None:
    repo.write("a.py", "def f() -> int:\n    return 1  # TODO: later\n")
    repo.commit("init")


def test_init_refuses_a_link_that_leaves_the_repository(
    repo: GitRepo, cli: Cli, tmp_path: Path
) -> None:
    _base(repo)
    outside = tmp_path / "outside.toml"
    outside.write_text("# mine\n")
    os.symlink(outside, repo.root / ".ananke.toml")
    done = cli("init", "--force")
    assert done.code == 2 and "leads outside the repository" in done.err, done
    assert outside.read_text() == "# mine\n"


def test_init_writes_through_a_link_inside_the_repository(repo: GitRepo, cli: Cli) -> None:
    _base(repo)
    (repo.root / "conf").mkdir()
    os.symlink("conf/ananke.toml", repo.root / ".ananke.toml")  # dangling until written
    assert cli("init").code == 2  # the name is taken, even by a link to nothing yet
    done = cli("init", "--force")
    assert done.code == 0, done
    assert (repo.root / ".ananke.toml").is_symlink()  # the link kept, its target written
    assert "fail-level" in (repo.root / "conf" / "ananke.toml").read_text()
    assert repo.git("status", "--porcelain", "--ignored").split() == [
        "??",
        ".ananke.toml",
        "??",
        "conf/",
    ]


def test_a_config_baseline_path_out_of_the_repository_is_refused(repo: GitRepo, cli: Cli) -> None:
    _base(repo)
    for path in ("../x.json", "/tmp/x.json", "a/../../x.json"):
        repo.write(".ananke.toml", f'[constraints]\nbaseline = "{path}"\n')
        done = cli("baseline")
        assert (
            done.code == 2
            and ".ananke.toml:2: constraints.baseline must be a path inside the repository"
            in done.err
        ), done


def test_a_baseline_behind_a_link_out_of_the_repository_is_refused(
    repo: GitRepo, cli: Cli, tmp_path: Path
) -> None:
    _base(repo)
    os.symlink(tmp_path, repo.root / "out")
    repo.write(".ananke.toml", '[constraints]\nbaseline = "out/baseline.json"\n')
    done = cli("baseline")
    assert done.code == 2 and "leads outside the repository" in done.err, done
    assert not (tmp_path / "baseline.json").exists()


def test_baseline_output_goes_where_the_user_says(repo: GitRepo, cli: Cli, tmp_path: Path) -> None:
    _base(repo)
    done = cli("baseline", "--output", str(tmp_path / "b.json"))
    assert done.code == 0, done
    assert json.loads((tmp_path / "b.json").read_text())["findings"]
    assert repo.git("status", "--porcelain", "--ignored") == ""  # no temp file left behind


def test_install_hooks_force_never_writes_through_a_linked_hook(
    repo: GitRepo, cli: Cli, tmp_path: Path
) -> None:
    _base(repo)
    theirs = tmp_path / "shared-hook"
    theirs.write_text("#!/bin/sh\necho shared\n")
    hook = repo.root / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(theirs, hook)
    assert cli("install-hooks", "--hook", "pre-commit").code == 1  # kept without --force
    done = cli("install-hooks", "--hook", "pre-commit", "--force")
    assert done.code == 0, done
    assert theirs.read_text() == "#!/bin/sh\necho shared\n"  # the linked file is untouched
    assert not hook.is_symlink() and "ananke-ci" in hook.read_text()
    assert (hook.parent / "pre-commit.ananke-backup").is_symlink()
