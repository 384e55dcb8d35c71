"""The generation protocol's JSON: round trips and every validation error."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ananke_ci.core.protocol import (
    Candidate,
    Constraint,
    GenerationRequest,
    GenerationResponse,
    Limits,
    LineBans,
    ProtocolError,
    Provenance,
    Timings,
)
from ananke_ci.core.protocol_json import (
    decode,
    encode,
    error_to_dict,
    request_from_dict,
    request_to_dict,
    response_from_dict,
    response_to_dict,
)

GRAMMAR = 'start: "a"+\n'


def _request(**changes: Any) -> dict[str, Any]:
    base = request_to_dict(GenerationRequest(Constraint("lark", GRAMMAR), prompt="hi"))
    base.update(changes)
    return base


def test_request_round_trip_through_bytes() -> None:
    request = GenerationRequest(
        Constraint("regex", r"[a-z]+"),
        prompt="write ü 漢字",
        max_tokens=12,
        temperature=0.7,
        n=3,
        seed=42,
        stop=("\n\n", "```"),
        request_id="r-1",
    )
    wire = encode(request_to_dict(request))
    assert request_from_dict(decode(wire, 1 << 20)) == request


def test_line_bans_round_trip() -> None:
    bans = LineBans(("eval", r"os\s*\.\s*system", "TODO"), (r"raise\s+NotImplementedError",))
    request = GenerationRequest(Constraint("lark", GRAMMAR, bans), prompt="hi")
    wire = request_to_dict(request)
    assert wire["constraint"]["bans"] == {
        "words": ["eval", r"os\s*\.\s*system", "TODO"],
        "fragments": [r"raise\s+NotImplementedError"],
    }
    assert request_from_dict(json.loads(encode(wire))) == request
    # without bans the field is absent, as older peers send it
    assert (
        "bans"
        not in request_to_dict(GenerationRequest(Constraint("lark", GRAMMAR), prompt="hi"))[
            "constraint"
        ]
    )


def test_fim_and_unconstrained_round_trip() -> None:
    request = GenerationRequest(None, prefix="def f():\n", suffix="\nf()\n")
    assert request_from_dict(request_to_dict(request)) == request


def test_response_round_trip() -> None:
    response = GenerationResponse(
        candidates=(
            Candidate("x = 1\n", 4, "stop", True),
            Candidate("y", 1, "grammar_error", False, "left the grammar at 0"),
        ),
        provenance=Provenance("local", "qwen", {"llguidance": "1.9.1"}),
        timings=Timings(1.0, 2.5, 300.0),
        request_id="r-2",
    )
    assert response_from_dict(json.loads(encode(response_to_dict(response)))) == response


def test_json_schema_constraint_accepted() -> None:
    schema = json.dumps({"type": "object"})
    got = request_from_dict(_request(constraint={"kind": "json_schema", "text": schema}))
    assert got.constraint == Constraint("json_schema", schema)


def test_grammar_may_begin_with_llguidance_header() -> None:
    text = '%llguidance {}\nstart: "a"\n'
    request_from_dict(_request(constraint={"kind": "lark", "text": text}))


@pytest.mark.parametrize(
    ("changes", "status", "fragment"),
    [
        ({"version": 2}, 400, "unsupported protocol version 2"),
        ({"guided_grammar": "x"}, 400, "unknown request field(s): 'guided_grammar'"),
        ({"prompt": ""}, 400, "one of prompt, prefix or suffix"),
        ({"prefix": "a"}, 400, "either prompt or prefix/suffix"),
        ({"prompt": 5}, 400, "'prompt' must be a string"),
        ({"max_tokens": 0}, 400, "max_tokens must be between 1 and"),
        ({"max_tokens": 10**6}, 400, "max_tokens must be between 1 and"),
        ({"max_tokens": True}, 400, "'max_tokens' must be an integer"),
        ({"n": 0}, 400, "n must be between 1 and"),
        ({"n": 99}, 400, "n must be between 1 and"),
        ({"temperature": -1}, 400, "temperature must be between 0 and 2"),
        ({"temperature": "hot"}, 400, "temperature must be a number"),
        ({"seed": -1}, 400, "seed must be a non-negative"),
        ({"seed": 1.5}, 400, "seed must be an integer or null"),
        ({"stop": "x"}, 400, "'stop' must be a list"),
        ({"stop": [1]}, 400, "stop must be a list of strings"),
        ({"stop": [""]}, 400, "stop strings must be non-empty"),
        ({"stop": ["s"] * 9}, 400, "at most 8 stop strings"),
        ({"stop": ["s" * 300]}, 413, "stop string is longer"),
        ({"request_id": "r" * 200}, 400, "request_id is longer"),
        ({"prompt": "x" * (256 * 1024 + 1)}, 413, "the limit is 262144"),
        ({"constraint": "start: x"}, 400, "constraint must be a JSON object"),
        ({"constraint": {"kind": "gbnf", "text": "x"}}, 400, "constraint.kind must be one of"),
        ({"constraint": {"kind": "lark", "text": "x", "extra": 1}}, 400, "unknown constraint"),
        ({"constraint": {"kind": "lark", "text": "  "}}, 422, "empty lark constraint"),
        ({"constraint": {"kind": "lark", "text": '?start: "a"'}}, 422, "not `?start:`"),
        ({"constraint": {"kind": "lark", "text": 'root: "a"'}}, 422, "must define `start:`"),
        (
            {"constraint": {"kind": "lark", "text": "start: " + "a" * 70000}},
            413,
            "constraint is larger than",
        ),
        (
            {"constraint": {"kind": "lark", "text": GRAMMAR, "bans": ["eval"]}},
            400,
            "constraint.bans must be a JSON object",
        ),
        (
            {"constraint": {"kind": "lark", "text": GRAMMAR, "bans": {"words": "eval"}}},
            400,
            "'words' must be a list",
        ),
        (
            {"constraint": {"kind": "lark", "text": GRAMMAR, "bans": {"words": [1]}}},
            400,
            "constraint.bans.words must be a list of strings",
        ),
        (
            {"constraint": {"kind": "lark", "text": GRAMMAR, "bans": {"names": []}}},
            400,
            "unknown constraint.bans",
        ),
        (
            {"constraint": {"kind": "lark", "text": GRAMMAR, "bans": {"words": [""]}}},
            400,
            "entries must be 1 to 256 bytes",
        ),
        (
            {"constraint": {"kind": "lark", "text": GRAMMAR, "bans": {"fragments": ["x"] * 300}}},
            413,
            "more than 256 entries",
        ),
        (
            {"constraint": {"kind": "regex", "text": "a+", "bans": {"words": ["a"]}}},
            400,
            "goes with a lark constraint only",
        ),
        ({"constraint": {"kind": "json_schema", "text": "{"}}, 422, "not valid JSON"),
        ({"constraint": {"kind": "json_schema", "text": "[]"}}, 422, "must be a JSON object"),
    ],
)
def test_request_errors(changes: dict[str, Any], status: int, fragment: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        request_from_dict(_request(**changes))
    assert caught.value.status == status
    assert fragment in caught.value.message


def test_request_must_be_an_object() -> None:
    with pytest.raises(ProtocolError) as caught:
        request_from_dict([1, 2])
    assert (caught.value.status, caught.value.message) == (400, "request must be a JSON object")


def test_limits_are_configurable() -> None:
    with pytest.raises(ProtocolError) as caught:
        request_from_dict(_request(n=3), Limits(max_n=2))
    assert caught.value.message == "n must be between 1 and 2"


def test_client_side_validation_before_sending() -> None:
    with pytest.raises(ProtocolError) as caught:
        request_to_dict(GenerationRequest(Constraint("lark", "?start: x"), prompt="p"))
    assert caught.value.status == 422


def test_decode_errors() -> None:
    with pytest.raises(ProtocolError) as caught:
        decode(b"{" * 20, 10)
    assert caught.value.status == 413
    with pytest.raises(ProtocolError) as caught:
        decode(b"{not json", 100)
    assert caught.value.status == 400
    with pytest.raises(ProtocolError) as caught:
        decode(b"\xff\xfe", 100)
    assert caught.value.status == 400


def _response(**changes: Any) -> dict[str, Any]:
    base = response_to_dict(
        GenerationResponse((Candidate("a", 1, "stop", True),), Provenance("local", "m"))
    )
    base.update(changes)
    return base


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"version": 3}, "protocol version 3"),
        ({"candidates": "x"}, "'candidates' must be a list"),
        (
            {
                "candidates": [
                    {
                        "text": "a",
                        "tokens": 1,
                        "finish_reason": "done",
                        "grammar_satisfied": None,
                        "violation": None,
                    }
                ]
            },
            "finish_reason",
        ),
        (
            {
                "candidates": [
                    {
                        "text": "a",
                        "tokens": 1,
                        "finish_reason": "stop",
                        "grammar_satisfied": "yes",
                        "violation": None,
                    }
                ]
            },
            "grammar_satisfied",
        ),
        ({"candidates": [{"tokens": 1, "finish_reason": "stop"}]}, "missing field 'text'"),
        ({"provenance": {"backend": "x", "model": "m", "versions": {"a": 1}}}, "versions"),
        ({"provenance": None}, "provenance must be a JSON object"),
        ({"timings": {"queue_ms": "slow"}}, "'queue_ms' must be a number"),
        ({"surprise": 1}, "unknown response field(s)"),
    ],
)
def test_response_errors(changes: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        response_from_dict(_response(**changes))
    assert caught.value.status == 502
    assert fragment in caught.value.message


def test_error_body() -> None:
    assert error_to_dict(ProtocolError(413, "too big")) == {
        "version": 1,
        "error": {"status": 413, "message": "too big"},
    }
