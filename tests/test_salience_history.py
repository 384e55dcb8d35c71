"""History mining and parsing, import resolution, scoring helpers."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from ananke_ci.adapters.history import head_commit, mine
from ananke_ci.analysis.history import parse_commit
from ananke_ci.analysis.salience.aggregate import MAX_CHANGESET, HistoryState
from ananke_ci.analysis.salience.imports import ImportSpec, go_module_path, import_edges
from ananke_ci.analysis.salience.score import bus_factor, percentile_ranks
from ananke_ci.cli import salience_cmd
from ananke_ci.core.errors import UserError
from tests.gitrepo import GitRepo
from tests.test_salience import build_hub_repo, day


def mined_state(repo: GitRepo) -> HistoryState:
    state = HistoryState()
    head = head_commit(repo.root)
    assert head is not None
    for commit in mine(repo.root, head):
        state.add(commit)
    return state


def test_parse_rename_and_binary_record() -> None:
    record = (
        b"\nabc\x1fp1 p2\x1f1700000000\x1fAda@Example.COM\x1fAda\x00\n"
        b"3\t1\tsrc/a b.py\x00-\t-\timg.png\x000\t0\t\x00old/x.py\x00new/x.py\x00"
    )
    commit = parse_commit(record)
    assert commit is not None and commit.is_merge and commit.author == "ada@example.com"
    assert [(c.path, c.added, c.old_path) for c in commit.changes] == [
        ("src/a b.py", 3, None),
        ("img.png", None, None),
        ("new/x.py", 0, "old/x.py"),
    ]
    assert commit.changes[1].binary
    assert parse_commit(b"") is None


def test_binary_files_mailmap_and_huge_commits(repo: GitRepo) -> None:
    repo.write("a.py", "x = 1\n")
    repo.write("b.py", "y = 1\n")
    repo.write("logo.png", b"\x89PNG\0\0binary")
    repo.write(".mailmap", "Ada Tester <ada@example.com> <ada@old.example>\n")
    repo.commit("start", date=day(0))
    for i in range(2):
        repo.write("a.py", f"x = {i + 2}\n")
        repo.write("b.py", f"y = {i + 2}\n")
        repo.write("logo.png", b"\x89PNG\0\0binary" + bytes([i]))
        old_address = {"GIT_AUTHOR_EMAIL": "ada@old.example", "GIT_AUTHOR_DATE": day(i + 1)}
        repo.git("commit", "-qam", f"pair {i}", env=old_address)
    for i in range(MAX_CHANGESET + 5):
        repo.write(f"gen/f{i}.py", "z = 0\n")
    repo.write("a.py", "x = 9\n")
    repo.commit("huge", date=day(5))
    state = mined_state(repo)
    png = state.file("logo.png")
    assert png is not None and png.binary and png.commits == 3 and png.added == 0
    assert state.authors == ["ada@example.com"]  # the old address maps to the same author
    pairs = state.co_changes({"a.py", "b.py", "gen/f0.py", "gen/f1.py"})
    assert pairs[("a.py", "b.py")].shared == 3
    assert ("gen/f0.py", "gen/f1.py") not in pairs and ("a.py", "gen/f0.py") not in pairs


def test_import_resolution_across_languages() -> None:
    imports: dict[str, list[ImportSpec]] = {
        "pkg/sub/b.py": [("..hub", ("y",)), ("pkg", ("hub",)), ("", ("c",)), ("os", ())],
        "web/a.ts": [("./util", ("x",)), ("../lib", ()), ("./m.js", ()), ("react", ())],
        "cmd/main.go": [("github.com/o/r/pkg/x", ()), ("fmt", ())],
        "src/lib.rs": [("crate::a::b", ("C", "D")), ("std", ("io",))],
        "src/a/mod.rs": [("super", ("util",))],
        "j/com/example/Foo.java": [
            ("com.example.util", ("*",)),
            ("com.example.util.Bar", ("baz",)),
        ],
    }
    paths = [
        "pkg/__init__.py",
        "pkg/hub.py",
        "pkg/sub/__init__.py",
        "pkg/sub/b.py",
        "pkg/sub/c.py",
        "web/a.ts",
        "web/util.ts",
        "lib/index.js",
        "web/m.ts",
        "cmd/main.go",
        "pkg/x/x.go",
        "pkg/x/x_test.go",
        "src/lib.rs",
        "src/a/mod.rs",
        "src/a/b.rs",
        "src/util.rs",
        "j/com/example/Foo.java",
        "j/com/example/util/Bar.java",
    ]
    edges = import_edges(imports, paths, {"": "github.com/o/r"})
    assert edges == {
        ("pkg/sub/b.py", "pkg/hub.py"),
        ("pkg/sub/b.py", "pkg/sub/c.py"),
        ("web/a.ts", "web/util.ts"),
        ("web/a.ts", "lib/index.js"),
        ("web/a.ts", "web/m.ts"),
        ("cmd/main.go", "pkg/x/x.go"),
        ("src/lib.rs", "src/a/b.rs"),
        ("src/a/mod.rs", "src/util.rs"),
        ("j/com/example/Foo.java", "j/com/example/util/Bar.java"),
    }
    assert go_module_path(b"// c\nmodule github.com/o/r // x\n\ngo 1.22\n") == "github.com/o/r"


def test_scoring_helpers() -> None:
    assert bus_factor([5, 1, 1]) == 1 and bus_factor([2, 2, 2]) == 2 and bus_factor([]) == 0
    assert percentile_ranks({"a": 0.0, "b": 0.0, "c": 3.0}) == {"a": 0.25, "b": 0.25, "c": 1.0}
    assert percentile_ranks({"a": 1.0}) == {"a": 0.5}


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    salience_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["salience", *argv])
    code: int = args.func(args)
    return code


def test_cli_json_table_and_plot(
    repo: GitRepo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    build_hub_repo(repo, edits=3)
    repo.write(".ananke.toml", '[intensity]\n"pkg/quiet.py" = "exhaustive"\n')
    monkeypatch.chdir(repo.root)
    assert run_cli("--json", "--sort", "commits", "--top", "2") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["files"][0]["path"] in {"pkg/leaf.py", "pkg/mid.py"}
    assert len(data["files"]) == 2 and data["head"] == repo.head()
    assert run_cli("--json", "--sort", "path") == 0
    rows = {f["path"]: f for f in json.loads(capsys.readouterr().out)["files"]}
    assert rows["pkg/quiet.py"]["intensity"] == "exhaustive"  # pinned in config
    assert run_cli("--rebuild", "--plot", str(tmp_path / "map.svg")) == 0
    out = capsys.readouterr().out
    assert "pkg/hub.py" in out and "FoundationalStable" in out
    assert (tmp_path / "map.svg").read_text().lstrip().startswith("<?xml")


def test_the_table_fits_80_columns_and_columns_are_chosen(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    build_hub_repo(repo, edits=3)
    monkeypatch.chdir(repo.root)
    monkeypatch.setenv("COLUMNS", "80")
    assert run_cli() == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80, out
    header = next(line for line in out.splitlines() if "quadrant" in line)
    assert header.split() == ["path", "quadrant", "intensity", "score", "churn", "commits"]
    assert "pkg/hub.py" in out  # a path whole, not folded
    assert run_cli("--columns", "path,pagerank,bus_factor") == 0
    header = next(line for line in capsys.readouterr().out.splitlines() if "PageRank" in line)
    assert header.split() == ["path", "PageRank", "bus"]
    with pytest.raises(UserError) as exc:
        run_cli("--columns", "path,centrallity")
    assert "--columns: unknown column 'centrallity' (valid: score, path, " in str(exc.value)


def test_plot_labels_are_unique_suffixes() -> None:
    from ananke_ci.adapters.plot import unique_suffixes

    assert unique_suffixes(
        [
            "src/flask/app.py",
            "src/flask/sansio/app.py",
            "tests/test_apps/app.py",
            "src/flask/cli.py",
        ]
    ) == {
        "src/flask/app.py": "flask/app.py",
        "src/flask/sansio/app.py": "sansio/app.py",
        "tests/test_apps/app.py": "test_apps/app.py",
        "src/flask/cli.py": "cli.py",
    }
    assert unique_suffixes(["a/x.py", "b/a/x.py"]) == {"a/x.py": "a/x.py", "b/a/x.py": "b/a/x.py"}


def test_plot_labels_never_overlap_in_a_crowd(tmp_path: Path) -> None:
    """Thirty same-named files crowded into one corner: every label placed is clear of the
    others and of the legends, and the ones left out are counted in a note."""
    from typing import NamedTuple

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ananke_ci.adapters.plot import _box, _labels, hotspot_map, overlaps

    class Row(NamedTuple):
        path: str
        quadrant: str
        centrality: float
        activity: float
        lines: int
        score: float

    rows = [
        Row(
            f"pkg{i}/app.py",
            "ActiveHotspot",
            0.9 + i / 300,
            0.9 + (i % 5) / 100,
            50 * i,
            1 - i / 100,
        )
        for i in range(30)
    ]
    rows += [Row(f"q{i}.py", "QuietLeaf", i / 20, i / 25, 5, 0.1) for i in range(10)]
    fig, ax = plt.subplots(figsize=(11, 8))
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-0.05, 1.05)
    left = _labels(fig, ax, rows, 20)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg's canvas
    boxes = [_box(t.get_window_extent(renderer)) for t in ax.texts]
    assert len(boxes) + left == 20 and 0 < left < 20
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if overlaps(a, b)]
    assert {t.get_text() for t in ax.texts} <= {f"pkg{i}/app.py" for i in range(30)}
    plt.close(fig)
    out = hotspot_map(rows, tmp_path / "crowd.svg")
    svg = out.read_text()
    assert "unlabelled: no free place" in svg and "1000 lines" in svg and "quadrant" in svg
