"""facts_at: one walk of a commit's files, FileFacts cached by blob, a pool for big repos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ananke_ci.adapters.cache import facts_cache
from ananke_ci.app import repo_facts
from ananke_ci.app.repo_facts import facts_at
from tests.gitrepo import GitRepo

PY = """import os
from pkg import util

class Shape:
    def area(self, scale: float = 1.0) -> float:
        # TODO: real formula
        return os.path.getsize(util.name()) * scale

def later():
    pass
"""
FILES: dict[str, str | bytes] = {
    "pkg/__init__.py": "",
    "pkg/util.py": "def name() -> str:\n    return 'x'\n",
    "pkg/shape.py": PY,
    "pkg/copy.py": PY,  # the same blob at two paths
    "pkg/shape.pyi": "def later(): ...\n",
    "pkg/broken.py": "def f(:\n    return (\n",
    "go.mod": "module example.com/demo\n\ngo 1.22\n",
    "cmd/main.go": 'package main\n\nimport "example.com/demo/lib"\n\nfunc main() { lib.Run() }\n',
    "lib/lib.go": 'package lib\n\nfunc Run() { panic("TODO") }\n',
    "web/app.ts": "import { f } from './util';\nexport function g(x: number): number {"
    " return f(x); }\n",
    "web/util.ts": "export function f(x: number): number { throw new Error('not implemented'); }\n",
    "src/lib.rs": "mod util;\nuse crate::util::helper;\nfn main() { todo!() }\n",
    "src/util.rs": "pub fn helper() {}\n",
    "data.py": b"\x00\x01binary",
    "README.md": "# not source\n",
}


@pytest.fixture
def multi(repo: GitRepo) -> GitRepo:
    for path, content in FILES.items():
        repo.write(path, content)
    repo.commit("init")
    return repo


def packs(repo: GitRepo) -> list[Path]:
    return sorted((repo.root / ".git" / "ananke" / "facts").glob("pack-*.bin"))


def test_cache_hit_parses_only_new_blobs(multi: GitRepo) -> None:
    first = facts_at(multi.root, "HEAD")
    assert first.parsed == len(FILES) - 3  # README is not source; copy.py shares a blob
    assert set(first.facts) == set(FILES) - {"README.md", "go.mod"}
    assert first.go_modules == {"": "example.com/demo"}
    again = facts_at(multi.root, "HEAD")
    assert again.parsed == 0
    assert again.facts == first.facts
    assert again.facts["pkg/copy.py"].path == "pkg/copy.py"
    multi.write("pkg/util.py", "import os\n\ndef name() -> str:\n    return os.sep\n")
    multi.commit("edit")
    later = facts_at(multi.root, "HEAD")
    assert later.parsed == 1
    assert [i.module for i in later.facts["pkg/util.py"].imports] == ["os"]
    assert later.facts == facts_at(multi.root, "HEAD", cache=False).facts


def test_pool_gives_the_same_facts_as_one_process(
    multi: GitRepo,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sequential = facts_at(multi.root, "HEAD", jobs=1, cache=False)
    monkeypatch.setattr(repo_facts, "POOL_MIN_BYTES", 0)
    pooled = facts_at(multi.root, "HEAD", jobs=2)  # also fills the cache from the workers
    assert pooled.facts == sequential.facts
    assert list(pooled.facts) == list(sequential.facts)  # tree order, whatever finished first
    assert facts_at(multi.root, "HEAD").facts == sequential.facts  # loaded from the cache
    holes = sequential.facts["pkg/shape.py"].holes
    assert {h.marker for h in holes} >= {"TODO", "pass"}
    assert sequential.facts["pkg/broken.py"].syntax_issues
    assert sequential.facts["data.py"].skipped == "binary file"


def test_imports_only_matches_full_facts(multi: GitRepo) -> None:
    full = facts_at(multi.root, "HEAD", cache=False)
    for cached in (False, True, True):  # parsed, then parsed and stored, then loaded
        part = facts_at(multi.root, "HEAD", parts="imports", cache=cached)
        assert {p: f.imports for p, f in part.facts.items()} == {
            p: f.imports for p, f in full.facts.items()
        }
        assert not any(f.functions or f.calls for f in part.facts.values())


def test_corrupt_entry_is_ignored_and_dropped(multi: GitRepo) -> None:
    expected = facts_at(multi.root, "HEAD").facts
    (pack,) = packs(multi)
    data = bytearray(pack.read_bytes())
    data[-20] ^= 0xFF  # a flipped byte in the last entry: its checksum no longer matches
    pack.write_bytes(bytes(data))
    again = facts_at(multi.root, "HEAD")
    assert again.parsed > 0
    assert again.facts == expected
    assert again.parsed == 1  # the one damaged entry; the packs were merged without it
    assert len(packs(multi)) == 1
    assert facts_at(multi.root, "HEAD").parsed == 0


@pytest.mark.parametrize("damage", ["truncated", "index", "foreign", "version", "fingerprint"])
def test_damaged_or_foreign_pack_is_not_trusted(multi: GitRepo, damage: str) -> None:
    expected = facts_at(multi.root, "HEAD").facts
    (pack,) = packs(multi)
    head, _, body = pack.read_bytes().partition(b"\n")
    header = json.loads(head)
    if damage == "truncated":
        pack.write_bytes(pack.read_bytes()[: len(head) + 1 + len(body) // 2])
    elif damage == "index":  # the index's checksum no longer matches
        pack.write_bytes(head + b"\n" + bytes([body[0] ^ 0xFF]) + body[1:])
    elif damage == "foreign":
        pack.write_bytes(b'{"format": "something-else"}\n' + body)
    else:
        header[damage] = 0 if damage == "version" else "0" * 32
        pack.write_bytes(json.dumps(header).encode() + b"\n" + body)
    again = facts_at(multi.root, "HEAD")
    assert again.parsed == len(FILES) - 3
    assert again.facts == expected
    assert len(packs(multi)) == 1  # the damaged one deleted (the new one may have its name)
    assert facts_at(multi.root, "HEAD").parsed == 0


def test_code_or_query_change_invalidates(multi: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    facts_at(multi.root, "HEAD")
    monkeypatch.setattr(repo_facts, "fingerprint", lambda: "another extractor")
    assert facts_at(multi.root, "HEAD").parsed == len(FILES) - 3


def test_size_limit_applies_to_cached_entries(multi: GitRepo) -> None:
    facts_at(multi.root, "HEAD")
    small = facts_at(multi.root, "HEAD", max_bytes=100)
    assert small.parsed == 0
    skipped = small.facts["pkg/shape.py"].skipped
    assert skipped is not None and skipped.startswith("too large")
    assert small.facts["pkg/util.py"].skipped is None
    # too large is not cached: a larger limit later parses the file
    multi.write("big.py", "x = 1\n" * 50)
    multi.commit("big")
    assert facts_at(multi.root, "HEAD", max_bytes=100).facts["big.py"].skipped
    assert facts_at(multi.root, "HEAD").facts["big.py"].skipped is None


def test_many_packs_are_merged(multi: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facts_cache, "MAX_PACKS", 2)
    for i in range(4):
        multi.write(f"n{i}.py", f"import os\nv = {i}\n")
        multi.commit(f"n{i}")
        facts_at(multi.root, "HEAD")
        assert len(packs(multi)) <= 2
    assert facts_at(multi.root, "HEAD").parsed == 0


def test_filter_and_sources(multi: GitRepo) -> None:
    repo = facts_at(multi.root, "HEAD", lambda path, lang: lang == "go", with_sources=True)
    assert set(repo.facts) == {"cmd/main.go", "lib/lib.go"}
    assert repo.sources["lib/lib.go"] == FILES["lib/lib.go"].encode()  # type: ignore[union-attr]


def test_query_edit_invalidates_only_its_language(
    multi: GitRepo,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    facts_at(multi.root, "HEAD")
    real = repo_facts._query_digest
    monkeypatch.setattr(
        repo_facts, "_query_digest", lambda lang: "edited" if lang == "go" else real(lang)
    )
    assert facts_at(multi.root, "HEAD").parsed == 2  # cmd/main.go, lib/lib.go


def test_validate_staged_imports_neither_the_pool_nor_the_cache(repo: GitRepo) -> None:
    import subprocess
    import sys

    from tests.test_hot_path import PROBE

    repo.write("a.py", "def f() -> int:\n    return 1\n")
    repo.commit("init")
    repo.write("a.py", "def f() -> int:\n    return 2\n")
    repo.stage("a.py")
    probe = [
        sys.executable,
        "-c",
        PROBE.replace('m.split(".")[0] for m in sys.modules', "sys.modules"),
    ]
    # the first run mines HEAD's constraints (the pool and the cache are its business);
    # the next, with them cached, needs neither
    subprocess.run(probe, cwd=repo.root, env=repo.env, capture_output=True, check=True)
    out = subprocess.run(
        probe, cwd=repo.root, env=repo.env, capture_output=True, text=True, check=True
    ).stdout
    modules = set(out.split("MODULES", 1)[1].split())
    assert "ananke_ci.analysis.extract" in modules  # the probe did parse the change
    unwanted = {
        "ananke_ci.app.repo_facts",
        "ananke_ci.adapters.cache.facts_cache",
        "concurrent.futures.process",
        "multiprocessing",
    }
    assert not modules & unwanted, sorted(modules & unwanted)
