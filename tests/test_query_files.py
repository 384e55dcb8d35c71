"""Every language's fact query compiles, fresh from its .scm file, and keeps its capture contract.

The queries are written for compile speed (see benchmarks/bench_queries.py): wildcard
children told apart by predicates, parts in patterns of their own. These checks catch a
query that no longer compiles or that uses a capture name the collector does not know;
tests/test_facts_languages.py checks what the captures mean. No timing is asserted here.
"""

from __future__ import annotations

import re

import pytest
from tree_sitter import Query

from ananke_ci.analysis.extract import QUERY_DIR, _load_language
from ananke_ci.analysis.languages import LANGUAGES

# capture names the collector reads (ananke_ci/analysis/_collect.py); `_`-prefixed ones
# only serve predicates
_KNOWN = re.compile(
    r"function\.(def|name|params|return_type|body|container)"
    r"|param(\.name|\.type)?"
    r"|type\.def(\.\w+)?|type\.name"
    r"|container(\.name)?"
    r"|import(\.module|\.name|\.tail|\.bind(\.name|\.local)?)?"
    r"|alias(\.name|\.value)?"
    r"|call(\.tail|\.first)?"
    r"|comment"
    r"|_\w+"
)


def _fresh_query(language: str) -> Query:
    spec = LANGUAGES[language]
    source = (QUERY_DIR / f"{spec.query_name}.scm").read_text(encoding="utf-8")
    return Query(_load_language(spec.ts_name), source)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_query_compiles_from_its_file(language: str) -> None:
    query = _fresh_query(language)
    assert query.pattern_count > 5
    names = {query.capture_name(i) for i in range(query.capture_count)}
    assert {"function.def", "function.name", "comment"} <= names
    assert [name for name in sorted(names) if not _KNOWN.fullmatch(name)] == []


def test_every_query_file_belongs_to_a_language() -> None:
    used = {spec.query_name for spec in LANGUAGES.values()}
    assert {path.stem for path in QUERY_DIR.glob("*.scm")} == used
