"""GitHub's own descriptions, for the fake: every request and response is checked against
the OpenAPI operations (pruned from @octokit/openapi into openapi_ops.json) and every GraphQL
document against the pruned @octokit/graphql-schema (schema.graphql).

`instance` builds an object with every field GitHub's schema requires (type-appropriate
values) for the fake to overlay its state on: a response whose own fields are wrong, or a
field the schema does not allow, still fails validation.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator
from openapi_schema_validator import oas30_format_checker as formats
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

HERE = Path(__file__).parent
BASE_URI = "urn:github-openapi"
NOW = "2026-12-04T00:00:00Z"


@cache
def document() -> dict[str, Any]:
    return json.loads((HERE / "openapi_ops.json").read_text())


@cache
def registry() -> Registry:
    return Registry().with_resource(
        BASE_URI, Resource.from_contents(document(), default_specification=DRAFT4)
    )


def _pointer(parts: list[str]) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def find_operation(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """The OpenAPI path template matching a concrete path, with its parameters."""
    for template, ops in document()["paths"].items():
        if method.lower() not in ops:
            continue
        pattern = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
        m = re.match(pattern, path)
        if m:
            return template, m.groupdict()
    return None


def _schema_ref(parts: list[str]) -> dict[str, Any]:
    return {"$ref": BASE_URI + _pointer(parts)}


def request_errors(method: str, template: str, body: Any) -> list[str]:
    op = document()["paths"][template][method.lower()]
    content = (op.get("requestBody") or {}).get("content", {}).get("application/json")
    if content is None:
        return [] if body in (None, {}, b"") else [f"{method} {template} takes no body"]
    schema = _schema_ref(
        ["paths", template, method.lower(), "requestBody", "content", "application/json", "schema"]
    )
    v = OAS30WriteValidator(schema, registry=registry(), format_checker=formats)
    return [
        f"request {method} {template}: {e.message} at {list(e.absolute_path)}"
        for e in v.iter_errors(body)
    ]


def documents(method: str, template: str, status: int) -> bool:
    return str(status) in document()["paths"][template][method.lower()]["responses"]


def response_errors(method: str, template: str, status: int, body: Any) -> list[str]:
    op = document()["paths"][template][method.lower()]
    responses = op["responses"]
    key = str(status)
    if key not in responses:
        return [
            f"response {method} {template}: status {status} is not one GitHub documents "
            f"({', '.join(responses)})"
        ]
    resp = _resolve(responses[key])
    content = (resp.get("content") or {}).get("application/json")
    if content is None:
        return [] if body is None else [f"response {method} {template} {status} has no body"]
    parts = (
        [
            "paths",
            template,
            method.lower(),
            "responses",
            key,
            "content",
            "application/json",
            "schema",
        ]
        if "$ref" not in responses[key]
        else [*responses[key]["$ref"][2:].split("/"), "content", "application/json", "schema"]
    )
    v = OAS30ReadValidator(_schema_ref(parts), registry=registry(), format_checker=formats)
    return [
        f"response {method} {template} {status}: {e.message} at {list(e.absolute_path)}"
        for e in v.iter_errors(body)
    ]


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = _at(node["$ref"])
    return node


def _at(ref: str) -> dict[str, Any]:
    node: Any = document()
    for part in ref.lstrip("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def schema_named(name: str) -> dict[str, Any]:
    return _at(f"#/components/schemas/{name}")


def instance(schema: dict[str, Any], depth: int = 0) -> Any:
    """A value of `schema` with every required property filled in."""
    schema = _resolve(schema)
    if "allOf" in schema:
        out: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = instance(part, depth + 1)
            if isinstance(value, dict):
                out.update(value)
        return out
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [_resolve(o) for o in schema[key]]
            chosen = next((o for o in options if o.get("type") == "object"), options[0])
            return instance(chosen, depth + 1)
    if schema.get("nullable") and depth > 0:
        return None
    if "enum" in schema:
        return next((v for v in schema["enum"] if v is not None), None)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {
            name: instance(props.get(name, {}), depth + 1) for name in schema.get("required", [])
        }
    if kind == "array":
        return []
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    if kind == "string":
        fmt = schema.get("format")
        return {
            "date-time": NOW,
            "uri": "https://github.example/x",
            "email": "a@example.com",
            "uri-template": "https://github.example/{x}",
        }.get(fmt or "", "x")
    return None
