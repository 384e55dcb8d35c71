"""Property tests: the Ariadne parser round-trips and never crashes; the sanitizer holds its
promises on any input."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ananke_ci.analysis.constraints.ariadne import format_declarations, parse_ariadne
from ananke_ci.analysis.constraints.declared import to_constraints
from ananke_ci.core.declared import NAME_KINDS, REQUIREMENTS, STYLES, Declaration
from ananke_ci.core.errors import UserError
from ananke_ci.core.sanitize import check_name, check_regex, clean_text

WORD = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True).filter(
    lambda w: w not in ("constraint", "inherits")
)
NAME = st.lists(WORD, min_size=1, max_size=3).map(".".join)
GLOB = st.from_regex(r"[a-z]{1,6}(/[a-z*]{1,6}){0,2}(/\*\*)?", fullmatch=True)
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Cf")), max_size=40)


@st.composite
def declarations(draw: st.DrawFn) -> list[Declaration]:
    names = draw(st.lists(WORD, min_size=1, max_size=4, unique=True))
    out = []
    for i, name in enumerate(names):
        out.append(
            Declaration(
                name=name,
                source="",
                parents=tuple(draw(st.lists(st.sampled_from(names[:i]), unique=True, max_size=2)))
                if i
                else (),
                applies_to=draw(st.none() | st.lists(GLOB, min_size=1, max_size=2).map(tuple)),
                forbid=tuple(draw(st.lists(NAME, unique=True, max_size=3))),
                forbid_imports=tuple(draw(st.lists(NAME, unique=True, max_size=2))),
                allow=tuple(draw(st.lists(NAME, unique=True, max_size=2))),
                requires=tuple(draw(st.lists(st.sampled_from(REQUIREMENTS), unique=True))),
                max_complexity=draw(st.none() | st.integers(1, 10_000)),
                max_params=draw(st.none() | st.integers(1, 10_000)),
                naming=tuple(
                    sorted(
                        draw(
                            st.dictionaries(st.sampled_from(NAME_KINDS), st.sampled_from(STYLES))
                        ).items()
                    )
                ),
                priority=draw(st.none() | st.integers(-1000, 1000)),
                tier=draw(st.none() | st.sampled_from(["hard", "soft"])),
                message=draw(TEXT),
            )
        )
    return out


@pytest.mark.slow  # 150 examples through the Lark parser
@given(declarations())
# no deadline: the first example builds the Ariadne parser (~1 s on a loaded machine)
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_print_then_parse_is_identity(decls: list[Declaration]) -> None:
    text = format_declarations(decls)
    back = parse_ariadne(text, "gen.ariadne")
    assert [replace(d, source="") for d in back] == decls
    to_constraints(back)  # parents are declared before use: composition always resolves


ARIADNE_PIECES = st.sampled_from(
    [
        *"{}[]:;,\"'\\/#\n\t -_*.09aZ\x00é\u202e",
        "constraint ",
        " inherits ",
        "forbid",
        "applies_to",
        "naming",
        "max_complexity",
        '"eval"',
        "x",
    ]
)


@given(st.lists(ARIADNE_PIECES, max_size=40).map("".join) | st.text(max_size=60))
@settings(max_examples=400)
def test_arbitrary_input_gives_only_clean_user_errors(text: str) -> None:
    try:
        decls = parse_ariadne(text, "fuzz.ariadne")
        to_constraints(decls)
    except UserError as exc:
        message = str(exc)
        assert message.startswith("fuzz.ariadne")
        assert "\n" not in message and "\x00" not in message


@given(st.text(max_size=2000), st.integers(2, 800))
def test_clean_text_strips_controls_and_caps(text: str, cap: int) -> None:
    out = clean_text(text, cap)
    assert len(out) <= cap
    assert not re.search(r"[\x00-\x1f\x7f\u202e]", out)


@given(st.text(max_size=80))
def test_check_name_accepts_only_identifiers(text: str) -> None:
    try:
        name = check_name(text)
    except UserError:
        return
    assert re.fullmatch(r"[\w$@\\.:/>-]+", name, re.ASCII)
    assert not re.search(r"[\s()|*+?\[\]{}^]", name)


@given(st.text(st.sampled_from(list("ab()|*+?.[]{}^$\\d,w-")), max_size=30))
@settings(max_examples=400)
def test_check_regex_never_crashes_and_accepted_regexes_compile(pattern: str) -> None:
    try:
        check_regex(pattern)
    except UserError:
        return
    re.compile(pattern)


@pytest.mark.parametrize(
    "evil",
    [r"(a+)+$", r"(a|aa)+b", r"(\w+\s?)*$", r"(x+x+)+y", r"(.*a)+", r"([a-z]+-?)*$", r"(aa?)+b"],
)
def test_catastrophic_regexes_are_rejected(evil: str) -> None:
    with pytest.raises(UserError, match="backtrack"):
        check_regex(evil)


@pytest.mark.parametrize(
    "fine",
    [
        r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$",
        r"^[A-Z][a-zA-Z0-9]*$",
        r"(ab+c)+",
        r"^test_\w+$",
        r"[a-z]+-[a-z]+",
    ],
)
def test_safe_regexes_pass(fine: str) -> None:
    assert check_regex(fine) == fine


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_a.py", True),
        ("src/a.py", False),
        ("pkg/a_test.go", True),
        ("x.spec.ts", True),
        ("src/test/java/A.java", True),
        ("lib/testing/x.py", True),
        ("FooTests.cs", True),
        ("app/contest.py", False),
        ("test_x.py", True),
        ("a/b/spec/c.rb", True),
    ],
)
def test_test_paths_one_definition_for_constraints_and_salience(path: str, expected: bool) -> None:
    from ananke_ci.analysis.salience import pipeline
    from ananke_ci.core.testfiles import is_test_path

    assert is_test_path(path) is expected
    # salience uses the same function (imported there, not exported)
    assert pipeline.is_test_path is is_test_path  # type: ignore[attr-defined]
