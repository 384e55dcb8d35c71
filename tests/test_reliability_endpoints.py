"""Reliability: both remote backends against a local server that misbehaves on cue
(tests/faults.py): every fault ends in a result or a clear BackendError (exit 2) by the
deadline, never a hang, a crash, or a credential sent where it does not belong."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from ananke_ci.adapters.backends.openai_backend import OpenAIBackend
from ananke_ci.adapters.backends.protocol_client import (
    Auth,
    BackendError,
    ProtocolClient,
    RetryPolicy,
)
from ananke_ci.core.deadline import Deadline
from ananke_ci.core.errors import UserError
from ananke_ci.core.protocol import GenerationRequest, GenerationResponse, ProtocolError
from tests.faults import (
    Action,
    FaultServer,
    fault_server,
    hang,
    ok,
    raw,
    redirect,
    reply,
    reset,
    trickle,
)
from tests.gitrepo import Cli, GitRepo

SECRET, KEY, MODAL_SECRET = "tok-s3cr3t", "mk-key-1", "ms-secret-2"
AUTH = Auth(token=SECRET, modal_key=KEY, modal_secret=MODAL_SECRET)
TIMEOUT = 1.0  # seconds per request, all attempts together
SLACK = 3.0  # what an assert on "it ended by the deadline" allows on a busy machine
Backend = Callable[[str, RetryPolicy], ProtocolClient | OpenAIBackend]
BACKENDS: dict[str, Backend] = {
    "protocol": lambda url, policy: ProtocolClient(url, auth=AUTH, policy=policy),
    "openai": lambda url, policy: OpenAIBackend(url, "m", auth=AUTH, policy=policy),
}
REQUEST = GenerationRequest(None, prompt="p", n=2, request_id="r")


def _policy(timeout: float = TIMEOUT, attempts: int = 3) -> RetryPolicy:
    return RetryPolicy(attempts=attempts, base_delay=0.01, max_delay=0.02, timeout=timeout)


def _run(
    kind: str,
    script: list[Action],
    policy: RetryPolicy | None = None,
) -> tuple[GenerationResponse | Exception, FaultServer, float]:
    with fault_server(script) as server:
        backend = BACKENDS[kind](server.url, policy or _policy())
        started = time.monotonic()
        try:
            result: GenerationResponse | Exception = backend.generate(REQUEST)
        except Exception as exc:  # every failure must be a UserError: checked by callers
            result = exc
        return result, server, time.monotonic() - started


def _failed(result: object, *fragments: str) -> str:
    assert isinstance(result, UserError | ProtocolError), repr(result)
    text = str(result)
    for fragment in fragments:
        assert fragment in text, text
    for secret in (SECRET, KEY, MODAL_SECRET):
        assert secret not in text
    return text


KINDS = pytest.mark.parametrize("kind", sorted(BACKENDS))


@KINDS
def test_a_hung_server_ends_by_the_request_deadline(kind: str) -> None:
    result, server, took = _run(kind, [hang(60)])
    _failed(result, "no complete answer within the request timeout (1 s)")
    assert isinstance(result, BackendError)
    assert took < TIMEOUT + SLACK and len(server.seen) == 1  # no retry past the deadline


@KINDS
def test_a_trickled_body_ends_by_the_request_deadline(kind: str) -> None:
    result, _server, took = _run(kind, [trickle(0.05)])
    _failed(result, "no complete answer within")
    assert took < TIMEOUT + SLACK


@KINDS
def test_the_run_deadline_ends_a_request_sooner(kind: str) -> None:
    with fault_server([hang(60)]) as server:
        backend = BACKENDS[kind](server.url, _policy(timeout=30))
        backend.deadline = Deadline.after(0.5, "the run's deadline (0.5 s, --deadline)")
        started = time.monotonic()
        with pytest.raises(BackendError, match="within the run's deadline"):
            backend.generate(REQUEST)
        assert time.monotonic() - started < 0.5 + SLACK


@KINDS
@pytest.mark.parametrize(
    "garbage", [b"HELLO WORLD\r\n\r\n", b"HTTP/1.1 200\r\nX" * 40000, b"\x00\xff\x16\x03", b""]
)
def test_a_reply_that_is_not_http_is_retried_then_reported(kind: str, garbage: bytes) -> None:
    result, server, _took = _run(kind, [raw(garbage)])
    _failed(result, "giving up after 3 attempts")
    assert len(server.seen) == 3


@KINDS
def test_a_reset_connection_then_success(kind: str) -> None:
    result, server, _took = _run(kind, [reset(), reply(503, {"error": "warming"}), reply()])
    assert isinstance(result, GenerationResponse), result
    assert [c.text for c in result.candidates] == ["    return 0\n"] * 2
    assert len(server.seen) == 3


@KINDS
def test_5xx_every_time_gives_up_with_the_last_status(kind: str) -> None:
    result, server, _took = _run(kind, [reply(502, {"error": {"message": "bad gateway"}})])
    _failed(result, "giving up after 3 attempts: HTTP 502: bad gateway")
    assert len(server.seen) == 3


@KINDS
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_credentials_never_follow_a_redirect_to_another_origin(kind: str, status: int) -> None:
    with fault_server() as elsewhere:
        result, _server, _took = _run(kind, [redirect(elsewhere.url + "/v1/steal", status)])
        assert elsewhere.seen == []  # not even a request without them
    _failed(result, f"HTTP {status} redirect to ", "another origin")


@KINDS
def test_a_same_origin_307_is_followed_with_the_body(kind: str) -> None:
    with fault_server() as server:
        server.script = [redirect(server.url + "/moved" + _path(kind), 307), reply()]
        backend = BACKENDS[kind](server.url, _policy())
        result = backend.generate(REQUEST)
    assert len(result.candidates) == 2
    first, second = server.seen
    assert second.path == "/moved" + _path(kind) and second.body == first.body
    assert second.headers["authorization"] == f"Bearer {SECRET}"  # same origin: it is ours


@KINDS
def test_a_same_origin_302_is_refused_not_turned_into_a_get(kind: str) -> None:
    result, server, _took = _run(kind, [redirect("/elsewhere", 302)])
    _failed(result, "a POST is not re-sent as a GET")
    assert len(server.seen) == 1


def _path(kind: str) -> str:
    return "/v1/completions" if kind == "openai" else "/v1/generate"


@KINDS
@pytest.mark.parametrize("depth", [2_000, 200_000])
def test_deeply_nested_json_is_a_clear_error(kind: str, depth: int) -> None:
    result, _server, _took = _run(kind, [reply(200, b"[" * depth + b"]" * depth)])
    _failed(result, "nests")


@KINDS
@pytest.mark.parametrize("status", [400, 422])
def test_a_4xx_with_an_error_object_is_a_user_error(kind: str, status: int) -> None:
    body = {"version": 1, "error": {"status": status, "message": f"nope {SECRET}"}}
    result, server, _took = _run(kind, [reply(status, body)])
    _failed(result, "nope ***")
    assert len(server.seen) == 1  # a 4xx is never retried


WRONG_PROTOCOL = [
    {"foo": 1},
    [1, 2],
    "text",
    {"version": 1, "candidates": "x"},
    {"version": 1, "candidates": [{"text": 1}], "provenance": {}},
]
WRONG_OPENAI = [
    {"choices": [{"index": "a", "text": "x"}, {"index": 0, "text": "y"}]},
    [1, 2],
    {"choices": "x"},
    {"choices": [{"text": None}]},
    {"choices": [{"index": True, "text": "x"}]},
]


@pytest.mark.parametrize("body", WRONG_PROTOCOL)
def test_a_protocol_200_of_the_wrong_shape_is_a_backend_error(body: object) -> None:
    result, _server, _took = _run("protocol", [reply(200, body)])
    assert isinstance(result, BackendError), repr(result)


@pytest.mark.parametrize("body", WRONG_OPENAI)
def test_an_openai_200_of_the_wrong_shape_is_a_backend_error(body: object) -> None:
    result, _server, _took = _run("openai", [reply(200, body)])
    assert isinstance(result, BackendError), repr(result)


def test_what_the_fault_server_sends_by_default_is_a_valid_answer() -> None:
    """The baseline the fault cases differ from: the well-behaved answer works."""
    for kind in BACKENDS:
        result, server, _took = _run(kind, [reply()])
        assert isinstance(result, GenerationResponse)
        assert json.loads(server.seen[0].body)  # a JSON body was sent
        assert ok(server.seen[0])  # and the server's own answer builds from it


def test_fix_against_a_hung_endpoint_ends_by_its_request_timeout(repo: GitRepo, cli: Cli) -> None:
    repo.write("m.py", "def f() -> int:\n    pass\n")
    repo.commit("hole")
    with fault_server([hang(60)]) as server:
        started = time.monotonic()
        done = cli(
            "fix",
            "-q",
            "--all",
            "--backend",
            "protocol",
            "--endpoint",
            server.url,
            "--request-timeout",
            "1",
        )
    assert time.monotonic() - started < 1 + SLACK
    assert done.code == 2, done
    assert "no complete answer within the request timeout (1 s)" in done.err


def test_fix_ends_by_its_run_deadline(repo: GitRepo, cli: Cli) -> None:
    repo.write(".ananke.toml", "[generate]\ndeadline = 1\nrequest-timeout = 30\n")
    repo.write("m.py", "def f() -> int:\n    pass\n")
    repo.commit("hole")
    with fault_server([hang(60)]) as server:
        started = time.monotonic()
        done = cli("fix", "-q", "--all", "--backend", "protocol", "--endpoint", server.url)
    assert time.monotonic() - started < 1 + SLACK
    # the run stops by its deadline; what it had done stays (a preview: exit 0)
    assert done.code == 0 and "the run's deadline (1 s, --deadline) passed" in done.err, done


@pytest.mark.parametrize(
    "args",
    [["--temperature", "nan"], ["--seed", "-1"], ["--deadline", "inf"], ["--request-timeout", "0"]],
)
def test_fix_flags_out_of_range_are_usage_errors(cli: Cli, args: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli("fix", *args)
    assert exc.value.code == 2


def test_a_peer_refusal_through_the_cli_is_exit_2(repo: GitRepo, cli: Cli) -> None:
    repo.write("m.py", "def f() -> int:\n    pass\n")
    repo.commit("hole")
    body = {"version": 1, "error": {"status": 422, "message": "invalid grammar: x"}}
    with fault_server([reply(422, body)]) as server:
        done = cli("fix", "-q", "--all", "--backend", "protocol", "--endpoint", server.url)
    assert done.code == 2 and "invalid grammar: x" in done.err, done
