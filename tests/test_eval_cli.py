"""`ananke-ci eval --fast` end to end with the tiny random-weight model: the local backend
in-process, then the same tasks through `ananke-ci serve`'s HTTP server on 127.0.0.1
(`--backend protocol`). The numbers are whatever a random model earns; the structure of
the results, the journal and the resume are what is checked."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")

from ananke_ci.adapters.backends.local_backend import LocalBackend
from ananke_ci.adapters.backends.local_model import load_dir
from ananke_ci.adapters.backends.server import GenerationServer
from ananke_ci.cli import main
from ananke_ci.core.evaluation import MODES
from tests.tiny_model import tiny_qwen2

# the tiny random model, and real projects set up (a toolz sdist from PyPI, tests run)
pytestmark = [pytest.mark.model, pytest.mark.slow]


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tiny-model")
    model, tok = tiny_qwen2()
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("eval-cache")


def _results(out: Path) -> dict[str, Any]:
    (found,) = out.glob("eval-*-fast.json")
    data: dict[str, Any] = json.loads(found.read_text())
    return data


def _kinds(journal: Path) -> list[str]:
    return [json.loads(line)["kind"] for line in journal.read_text().splitlines()]


def test_fast_eval_local(
    tiny_dir: Path, cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = tmp_path / "j.jsonl"
    out = tmp_path / "out"
    args = ["eval", "--fast", "--model", str(tiny_dir), "--cache", str(cache), "--out", str(out)]
    assert main([*args, "--journal", str(journal)]) == 0
    err = capsys.readouterr().err
    assert "[layer 1 1/2] banned call" in err and "[layer 2 1/" in err  # progress per task
    doc = _results(out)
    assert doc["backend"] == "local" and doc["model"] == str(tiny_dir)
    assert doc["environment"]["cpus"] >= 1 and "torch" in doc["environment"]["versions"]
    assert doc["complete"] is True
    assert [m["domain"] for m in doc["layer1"]] == ["banned call", "return path"]
    for m in doc["layer1"]:
        assert m["k"] == 2 and 0 <= m["free_ok"] <= 2 and 0 <= m["constrained_ok"] <= 2
        assert 0 <= m["proposed_ok"] <= m["proposed"] <= 2
    found = doc["discovery"]["toolz"]
    assert 1 <= found["holes"] <= 2 and found["tried"] >= found["holes"]
    assert len(doc["holes"]) == found["holes"]
    for hole in doc["holes"]:
        assert len(hole["free"]) == len(hole["constrained"]) == 2
        for o in hole["constrained"]:
            assert not o["tested_ok"] or o["static_ok"]  # tests run only after the checks
            assert not o["correct"] or o["parsed"]
    rows = {r["mode"]: r for r in doc["layer2"]["all"]}
    assert tuple(rows) == MODES
    for r in rows.values():
        assert len(r["pass_at"]) == 2 and all(0.0 <= v <= 1.0 for v in r["pass_at"])
        assert r["pass_at"][0] <= r["pass_at"][1] + 1e-9
        assert r["samples"] == 2 * len(doc["holes"]) and 0 <= r["parsed"] <= r["samples"]
        assert 0 <= r["wrong"] <= r["proposals"] <= len(doc["holes"])
    assert {p["first"] for p in doc["paired"]["all"]} == {"constrained", "verified", "tested"}
    md = (out / Path(next(out.glob("eval-*-fast.json")).stem + ".md")).read_text()
    table = [line for line in md.splitlines() if line.startswith("|")]
    assert table and max(map(len, table)) <= 80
    assert "(a) free" in md and "toolz" in md
    kinds = _kinds(journal)
    assert kinds.count("mechanism") == 2 and kinds.count("hole") == len(doc["holes"])

    # resumed from its journal, nothing is generated again and the results are the same
    again = tmp_path / "again"
    assert main([*args[:-1], str(again), "--from-journal", str(journal), "-q"]) == 0
    assert _kinds(journal) == kinds
    redo = _results(again)
    assert redo["holes"] == doc["holes"] and redo["layer1"] == doc["layer1"]
    # --report writes the same results from the journal alone
    only = tmp_path / "only"
    assert main([*args[:-1], str(only), "--from-journal", str(journal), "--report", "-q"]) == 0
    assert _results(only)["holes"] == doc["holes"] and _kinds(journal) == kinds
    assert main([*args, "--report", "-q"]) == 2  # nothing to report from
    # other settings are refused for a journal that holds results
    assert main([*args, "--samples", "3", "--from-journal", str(journal), "-q"]) == 2


@pytest.fixture
def served(tiny_dir: Path) -> Iterator[str]:
    backend = LocalBackend(loaded=load_dir(tiny_dir, "tiny-served"))
    srv = GenerationServer(("127.0.0.1", 0), backend)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


def test_fast_eval_through_the_protocol_server(
    served: str,
    cache: Path,
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    assert (
        main(
            [
                "eval",
                "--fast",
                "--layer",
                "1",
                "--backend",
                "protocol",
                "--endpoint",
                served,
                "--out",
                str(out),
                "--cache",
                str(cache),
                "-q",
            ]
        )
        == 0
    )
    doc = _results(out)
    assert doc["backend"] == "protocol" and doc["model"] == "tiny-served"
    assert [m["k"] for m in doc["layer1"]] == [2, 2] and doc["holes"] == []
