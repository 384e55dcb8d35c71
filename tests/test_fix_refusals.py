"""`fix` through a real HTTP backend (a 127.0.0.1 server speaking docs/protocol.md) proposes
nothing a remote model gets wrong: the three fills that once reached `--apply` (code added
after the function, a neighbour redefined, no return for `-> int`) and a call of a name that
does not exist are refused, the file stays as it was; and each file is read and parsed once
for all its holes, each candidate once."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.faults import Seen, fault_server, protocol_answer, reply
from tests.gitrepo import Cli, GitRepo

SOURCE = '''def check_it(text: str) -> int:
    """How long the text is."""
    pass


def next_one() -> int:
    return 1
'''
BAD = [
    "    return len(text)\nimport subprocess\nsubprocess.call('ls', shell=True)\n```",
    "    return len(text)\n\n\ndef next_one() -> int:\n    return 2\n```",
    "    if text:\n        return len(text)\n```",
    "    return text.startswith_PREFIX('x')\n```",
]


def _answers(texts: list[str]) -> list[Any]:
    def answer(text: str) -> Any:
        def act(conn: Any, seen: Seen) -> None:
            reply(200, protocol_answer(seen, text))(conn, seen)

        return act

    return [answer(t) for t in texts]


@pytest.fixture
def holed(repo: GitRepo) -> GitRepo:
    repo.write("base.py", "X = 1\n")
    repo.commit("base")
    repo.write("m.py", SOURCE)
    repo.commit("a hole")
    return repo


def test_fills_a_grammar_or_the_file_refuses_are_never_applied(holed: GitRepo, cli: Cli) -> None:
    with fault_server(_answers(BAD)) as server:
        run = cli(
            "fix",
            "--diff",
            "HEAD~1..HEAD",
            "--apply",
            "--backend",
            "protocol",
            "--endpoint",
            server.url,
            "-n",
            "1",
            "--attempts",
            str(len(BAD)),
        )
    assert run.code == 1, run.err
    assert (holed.root / "m.py").read_text() == SOURCE  # nothing written
    for words in ("grammar violation", "has no attribute `startswith_PREFIX`"):
        assert words in run.err, run.err
    asked = [json.loads(s.body) for s in server.seen]
    assert len(asked) == len(BAD) and all(a["constraint"]["kind"] == "lark" for a in asked)


def test_each_file_is_read_and_parsed_once(
    holed: GitRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ananke_ci.analysis import extract
    from ananke_ci.app import extraction, validate

    holed.write("m.py", SOURCE + "\n\ndef later_one(n: int) -> int:\n    pass\n")
    holed.git("commit", "-qam", "two holes")
    parsed: list[str] = []
    candidates: list[str] = []
    bounded = extraction.extract_bounded

    def counting(items: Any, *args: Any, **kwargs: Any) -> Any:
        parsed.extend(path for path, _lang, _data in items)
        return bounded(items, *args, **kwargs)

    in_process = extract.extract_facts

    def counted(path: str, *args: Any, **kwargs: Any) -> Any:
        candidates.append(path)
        return in_process(path, *args, **kwargs)

    from ananke_ci.app import judge

    checks: list[str] = []
    check_file = judge.check_file  # type: ignore[attr-defined]  # imported there

    def checking(facts: Any, *args: Any, **kwargs: Any) -> Any:
        checks.append(facts.path)
        return check_file(facts, *args, **kwargs)

    monkeypatch.setattr(validate, "extract_bounded", counting)
    monkeypatch.setattr("ananke_ci.app.verify.extract_facts", counted)
    monkeypatch.setattr(judge, "check_file", checking)
    with fault_server() as server:
        run = cli(
            "fix",
            "--diff",
            "HEAD~2..HEAD",
            "--backend",
            "protocol",
            "--endpoint",
            server.url,
            "-n",
            "2",
            "--attempts",
            "1",
        )
    assert run.code == 0, run.err
    assert parsed == ["m.py"]  # both holes: one read, one parse
    assert candidates == ["m.py"] * 2  # the first candidate of each hole verifies
    assert checks == ["m.py"] * 3  # the file as it is once (holes and the verifier), each fill
