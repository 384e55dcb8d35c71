"""Salience on scripted histories whose answer is known by construction."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ananke_ci.analysis.salience.model import Quadrant, SalienceReport
from ananke_ci.app.salience import compute_salience, load_intensities
from ananke_ci.core.intensity import Intensity
from tests.gitrepo import GitRepo

START = datetime(2023, 1, 2, tzinfo=UTC)


def day(n: int) -> str:
    return (START + timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%S +0000")


def body(tag: str, lines: int = 20) -> str:
    return "".join(f"v_{tag}_{i} = {i}\n" for i in range(lines))


def build_hub_repo(repo: GitRepo, edits: int = 9) -> None:
    """hub: imported by everything, never changed. mid: imported by a-d, changed every time.
    leaf: imports hub, imported by nobody, changed every time. quiet: alone and untouched."""
    repo.write("pkg/__init__.py", "")
    repo.write("pkg/hub.py", body("hub"))
    repo.write("pkg/mid.py", "from pkg import hub\n" + body("mid0"))
    for name in "abcd":
        repo.write(f"pkg/{name}.py", "from pkg import hub, mid\n" + body(name))
    repo.write("pkg/leaf.py", "from pkg import hub\n" + body("leaf0"))
    repo.write("pkg/quiet.py", body("quiet"))
    repo.write("tests/test_mid.py", "from pkg import mid\n" + body("t0"))
    repo.commit("initial", date=day(0))
    for i in range(1, edits + 1):
        repo.write("pkg/leaf.py", "from pkg import hub\n" + body("leaf0")[:-10] + f"edit = {i}\n")
        repo.write("pkg/mid.py", "from pkg import hub\n" + body("mid0")[:-10] + f"edit = {i}\n")
        repo.write("tests/test_mid.py", "from pkg import mid\n" + body("t0")[:-10] + f"x = {i}\n")
        if i <= 4:  # a-d change once each, early
            name = "abcd"[i - 1]
            repo.write(f"pkg/{name}.py", "from pkg import hub, mid\n" + body(name) + "y = 1\n")
        repo.commit(f"edit {i}", date=day(40 * i))


def by_path(report: SalienceReport) -> dict[str, object]:
    return {f.path: f for f in report.files}


def test_quadrants_known_by_construction(repo: GitRepo) -> None:
    build_hub_repo(repo)
    report = compute_salience(repo.root)
    files = {f.path: f for f in report.files}
    assert report.head == repo.head() and report.commits == 10 and report.graph == "imports"
    assert files["pkg/hub.py"].quadrant is Quadrant.FOUNDATIONAL_STABLE
    assert files["pkg/hub.py"].intensity is Intensity.FULL_HARD
    assert files["pkg/mid.py"].quadrant is Quadrant.ACTIVE_HOTSPOT
    assert files["pkg/mid.py"].intensity is Intensity.FULL
    assert files["pkg/leaf.py"].quadrant is Quadrant.PERIPHERAL_ACTIVE
    assert files["pkg/leaf.py"].intensity is Intensity.STANDARD
    assert files["pkg/quiet.py"].quadrant is Quadrant.QUIET_LEAF
    assert files["pkg/quiet.py"].intensity is Intensity.SYNTAX_ONLY
    hub, mid, leaf = files["pkg/hub.py"], files["pkg/mid.py"], files["pkg/leaf.py"]
    assert hub.pagerank == max(f.pagerank for f in report.files)
    assert leaf.commits == 10 and hub.commits == 1 and hub.lines == 20
    assert mid.tested and not files["pkg/quiet.py"].tested  # tests/test_mid.py imports mid
    assert leaf.partners >= 2  # leaf, mid and the test always change together
    assert hub.score > files["pkg/quiet.py"].score


def test_cached_intensities_read_without_heavy_imports(repo: GitRepo) -> None:
    build_hub_repo(repo, edits=3)
    report = compute_salience(repo.root)
    assert load_intensities(repo.root) == report.intensities()
    code = (
        "import sys; from pathlib import Path\n"
        "from ananke_ci.app.salience import load_intensities\n"
        f"m = load_intensities(Path({str(repo.root)!r}))\n"
        "heavy = {'networkx', 'numpy', 'scipy', 'git', 'pydriller', 'tree_sitter'}\n"
        "assert m and not heavy & {k.split('.')[0] for k in sys.modules}, sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


def test_no_cache_yet_and_not_a_repo(tmp_path: Path, repo: GitRepo) -> None:
    assert load_intensities(repo.root) == {}
    assert load_intensities(tmp_path) == {}


def test_empty_repository(repo: GitRepo) -> None:
    report = compute_salience(repo.root)
    assert report.head is None and report.files == () and report.notices == ("no commits yet",)


def test_detached_head(repo: GitRepo) -> None:
    build_hub_repo(repo, edits=3)
    repo.git("checkout", "-q", "--detach", "HEAD~1")
    report = compute_salience(repo.root)
    assert report.head == repo.head() and report.commits == 3


def test_shallow_clone(repo: GitRepo, tmp_path: Path) -> None:
    build_hub_repo(repo, edits=5)
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "3", f"file://{repo.root}", str(clone)],
        check=True,
        env=repo.env,
    )
    report = compute_salience(clone)
    assert report.shallow and report.commits == 3
    assert "history is shallow: 3 commits" in report.notices
    assert {f.path for f in report.files} == {f.path for f in compute_salience(repo.root).files}


def test_merge_commits_and_renames(repo: GitRepo) -> None:
    repo.write("app/core.py", body("core"))
    repo.write("app/util.py", "from app import core\n" + body("util"))
    repo.commit("start", date=day(0))
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("app/util.py", "from app import core\n" + body("util") + "z = 2\n")
    repo.commit("on topic", date=day(10))
    repo.git("checkout", "-q", "main")
    repo.git("mv", "app/core.py", "app/base.py")
    repo.write("app/base.py", body("core") + "w = 1\n")
    repo.commit("rename core", date=day(20))
    env = {"GIT_AUTHOR_DATE": day(30), "GIT_COMMITTER_DATE": day(30)}
    repo.git("merge", "-q", "--no-ff", "-m", "merge topic", "topic", env=env)
    report = compute_salience(repo.root)
    files = {f.path: f for f in report.files}
    assert report.commits == 4
    assert set(files) == {"app/base.py", "app/util.py"}
    assert files["app/base.py"].commits == 2  # created as core.py, renamed with an edit
    assert files["app/base.py"].added == 21
    assert files["app/util.py"].commits == 2  # the topic commit counts; the merge adds none


def test_pins_override(repo: GitRepo) -> None:
    from ananke_ci.analysis.salience.pins import apply_pins

    build_hub_repo(repo, edits=2)
    levels = apply_pins(
        compute_salience(repo.root).intensities(),
        {"pkg/**": "syntax_only", "pkg/hub.py": Intensity.EXHAUSTIVE},
    )
    assert levels["pkg/hub.py"] is Intensity.EXHAUSTIVE
    assert levels["pkg/leaf.py"] is Intensity.SYNTAX_ONLY
    assert levels["tests/test_mid.py"] is not Intensity.SYNTAX_ONLY
    with pytest.raises(ValueError):
        apply_pins(levels, {"x": "loud"})
