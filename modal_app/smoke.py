"""The smoke test `modal run modal_app/service.py` runs: health, grammar validation, and one
constrained generation through the same gateway the endpoint uses."""

from __future__ import annotations

import json
from typing import Any

from ananke_ci.core.protocol import Constraint, GenerationRequest
from ananke_ci.core.protocol_json import request_to_dict
from modal_app.gateway import Gateway

SMOKE_GRAMMAR = '%llguidance {}\nstart: "    return " EXPR "\\n"\nEXPR: /[a-z0-9_ +*()-]{1,40}/\n'
SMOKE_PROMPT = (
    "<|im_start|>system\nYou complete Python functions.<|im_end|>\n"
    "<|im_start|>user\nComplete the body:\ndef add(a: int, b: int) -> int:\n<|im_end|>\n"
    "<|im_start|>assistant\n"
)


def smoke_request(max_tokens: int = 48) -> GenerationRequest:
    return GenerationRequest(
        Constraint("lark", SMOKE_GRAMMAR),
        prompt=SMOKE_PROMPT,
        max_tokens=max_tokens,
        temperature=0.7,
        n=2,
        seed=7,
        request_id="smoke",
    )


async def smoke(gateway: Gateway, max_tokens: int = 48) -> dict[str, Any]:
    """{"ok": bool, "steps": {...}}: what a deploy must pass before the client uses it."""
    headers = {"Authorization": f"Bearer {gateway.token}"} if gateway.token else {}

    def body(obj: Any) -> Any:
        async def read(_max: int) -> bytes:
            return json.dumps(obj).encode()

        return read

    steps: dict[str, Any] = {}
    health = gateway.health()
    steps["health"] = {"ok": health.status == 200, "answer": health.body}
    good = await gateway.validate(headers, body({"grammar": SMOKE_GRAMMAR}))
    bad = await gateway.validate(headers, body({"grammar": "start: nowhere\n"}))
    steps["grammar"] = {
        "ok": good.body.get("valid") is True and bad.body.get("valid") is False,
        "bad_grammar_error": bad.body.get("error"),
    }
    answer = await gateway.generate(headers, body(request_to_dict(smoke_request(max_tokens))))
    candidates = answer.body.get("candidates", [])
    steps["generate"] = {
        "ok": answer.status == 200
        and bool(candidates)
        and all(c["grammar_satisfied"] for c in candidates),
        "status": answer.status,
        "candidates": candidates,
        "provenance": answer.body.get("provenance"),
        "timings": answer.body.get("timings"),
        "error": answer.body.get("error"),
    }
    return {"ok": all(s["ok"] for s in steps.values()), "steps": steps}
