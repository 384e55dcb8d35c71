"""Mined + declared constraints -> ConstraintIR: disabled ones dropped, conflicts found and
resolved by priority (reported, never silent), generation artefacts built.

Artefacts: per scope and language, a Lark fragment for llguidance whose SAFE_LINE terminal
excludes the forbidden identifiers (`&` / `~`), the regexes of the naming conventions and
forbidden words, and a JSON schema per naming convention (for generated names).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import Any

from ananke_ci.analysis.constraints.common import applies, rank, scopes_overlap
from ananke_ci.analysis.constraints.dangers import BY_KEY
from ananke_ci.analysis.constraints.naming import STYLE_REGEX
from ananke_ci.analysis.grammar._common import bannable
from ananke_ci.core.config_constraints import ConstraintSettings
from ananke_ci.core.constraints import (
    Artefacts,
    Conflict,
    Constraint,
    ConstraintIR,
    Kind,
    scope_key,
)
from ananke_ci.core.sanitize import check_name, check_regex, is_name

_FORBIDS = (Kind.FORBID_CALL, Kind.FORBID_IMPORT, Kind.DANGEROUS_CALL)


def compile_ir(
    mined: Iterable[Constraint],
    declared: Iterable[Constraint],
    settings: ConstraintSettings,
    inputs: str,
    rev: str | None,
    notices: Iterable[str] = (),
) -> ConstraintIR:
    rows = [
        c
        for c in (*mined, *declared)
        if not any(fnmatchcase(c.id, pattern) for pattern in settings.disable)
    ]
    return ConstraintIR(
        inputs=inputs,
        rev=rev,
        constraints=tuple(rows),
        conflicts=tuple(find_conflicts(rows)),
        artefacts=artefacts(rows),
        notices=tuple(notices),
    )


def _same_language(a: Constraint, b: Constraint) -> bool:
    return a.language is None or b.language is None or a.language == b.language


def _forbidden_names(c: Constraint) -> tuple[str, ...]:
    if c.kind == Kind.DANGEROUS_CALL:
        return (c.subject,)
    return c.items if c.kind in (Kind.FORBID_CALL, Kind.FORBID_IMPORT) else ()


def find_conflicts(rows: list[Constraint]) -> list[Conflict]:
    """Pairs that cannot both hold where their scopes meet, with the one that wins."""
    out: list[Conflict] = []
    order = {id(c): i for i, c in enumerate(rows)}
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            if not (_same_language(a, b) and scopes_overlap(a.scope, b.scope)):
                continue
            what = _clash(a, b) or _clash(b, a)
            if what:
                win, lose = (a, b) if rank(a, order[id(a)]) > rank(b, order[id(b)]) else (b, a)
                reason = (
                    f"priority {win.priority} > {lose.priority}"
                    if win.priority != lose.priority
                    else f"same priority {win.priority}: the later one wins"
                )
                out.append(Conflict(what, win.id, lose.id, win.source, lose.source, reason))
    return out


def _clash(a: Constraint, b: Constraint) -> str | None:
    if a.kind == b.kind == Kind.NAMING and a.subject == b.subject and a.value != b.value:
        return f"two naming styles for {a.subject} names: {a.value} and {b.value}"
    if a.kind == b.kind and a.kind in (Kind.MAX_COMPLEXITY, Kind.MAX_PARAMS) and a.limit != b.limit:
        return f"two limits for {a.kind}: {a.limit:g} and {b.limit:g}"
    if a.kind in _FORBIDS and b.kind == Kind.ALLOW:
        both = sorted(set(_forbidden_names(a)) & set(b.items))
        if both:
            return f"{', '.join(both)} both forbidden and allowed"
    return None


def _regex_of_words(names: Iterable[str]) -> str:
    words = sorted({re.escape(check_name(n)).replace("/", "\\/") for n in names})
    return r"(.*\W)?(" + "|".join(words) + r")(\W.*)?"


def artefacts(rows: list[Constraint]) -> Artefacts:
    # a scope gets its own fragment only when something there adds or allows a name
    scopes = sorted(
        {()} | {c.scope for c in rows if _grammar_names(c) or c.kind == Kind.ALLOW}, key=scope_key
    )
    languages = sorted({c.language for c in rows if c.language}) or ["*"]
    grammars: dict[str, str] = {}
    for scope in scopes:
        for lang in languages:
            here = [
                c
                for c in rows
                if (not c.scope or scopes_overlap(c.scope, scope)) and c.language in (None, lang)
            ]
            allowed = {n for c in here if c.kind == Kind.ALLOW for n in c.items}
            names = sorted({n for c in here for n in _grammar_names(c)} - allowed)
            if names:
                sources = ", ".join(sorted({c.id for c in here if _grammar_names(c)}))
                grammars[f"{scope_key(scope)} [{lang}]"] = (
                    f"// ananke-ci: identifiers banned in {scope_key(scope)} ({lang})\n"
                    f"// from: {sources}\n"
                    f"SAFE_LINE: /[^\\n]*/ & ~/{_regex_of_words(names)}/\n"
                )
    regexes: dict[str, str] = {}
    schemas: dict[str, dict[str, Any]] = {}
    for c in rows:
        if c.kind == Kind.NAMING:
            pattern = STYLE_REGEX.get(c.value) or check_regex(c.value)
            regexes[c.id] = pattern
            schemas[c.id] = {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "string",
                "pattern": pattern,
                "description": c.evidence,
            }
        elif c.kind in (Kind.FORBID_CALL, Kind.FORBID_IMPORT) and c.items:
            regexes[c.id] = _regex_of_words(c.items)
    return Artefacts(grammars, regexes, schemas)


def _grammar_names(c: Constraint) -> tuple[str, ...]:
    """Identifiers a generator must not emit: declared forbids (calls and modules), and the
    dangerous calls that are a plain name (a call that is only dangerous with some
    arguments stays allowed)."""
    if c.kind in (Kind.FORBID_CALL, Kind.FORBID_IMPORT):
        return c.items
    if c.kind == Kind.DANGEROUS_CALL:
        spec = BY_KEY.get(c.subject)
        if spec is not None and spec.args is None and spec.unless is None:
            return tuple(n for n in spec.calls if is_name(n))
    return ()


def grammar_bans(
    rules: Iterable[Constraint],
    path: str,
    language: str,
    *,
    configured: Iterable[str] = (),
    mined: bool = True,
) -> tuple[str, ...]:
    """Every name a fill for a hole in `path` must not write: the configured bans, the
    declared forbids whose scope holds the path (less what an allow of at least their
    priority takes back), and, with `mined`, the dangerous calls mined for the file's
    language that the file does not already use. One list for the local ban automaton and
    the vLLM grammar alike."""
    here = [c for c in rules if applies(c, path, language)]
    allows = [c for c in here if c.kind == Kind.ALLOW]
    names: dict[str, None] = dict.fromkeys(n for n in configured if bannable(n))
    for c in here:
        if c.kind == Kind.DANGEROUS_CALL and (not mined or path in c.items):
            continue
        for name in _grammar_names(c):
            if bannable(name) and not any(
                a.priority >= c.priority and name in a.items for a in allows
            ):
                names.setdefault(name)
    return tuple(names)


# the keyword that introduces a function's name, per language whose fills may define one
_DEF_KEYWORD = {
    "python": r"def\s+",
    "javascript": r"function\s+",
    "typescript": r"function\s+",
    "go": r"func\s+",
    "rust": r"fn\s+",
    "zig": r"fn\s+",
    "swift": r"func\s+",
    "kotlin": r"fun\s+",
}
# a name that breaks the style, as a regex over the bytes after the keyword
_STYLE_BREAK = {
    "snake_case": r"[A-Za-z0-9_]*[A-Z]",  # an upper-case letter anywhere
    "camelCase": r"([A-Z]|[A-Za-z0-9]+_)",  # an upper-case start or an underscore after it
    "PascalCase": r"([a-z_]|[A-Za-z0-9]+_)",
}


def naming_fragments(
    rules: Iterable[Constraint], path: str, language: str, *, mined: bool = True
) -> tuple[str, ...]:
    """Line fragments a fill for a hole in `path` must not hold: a new function named
    against the file's function naming convention (mined or declared), so the decoding
    grammar holds new names to it as the validator does (ANK301). Only the styles a
    regex can refute by a name's prefix; the others are left to the verifier. Without
    `mined`, only the declared conventions."""
    keyword = _DEF_KEYWORD.get(language)
    if keyword is None:
        return ()
    out: dict[str, None] = {}
    for c in rules:
        if c.kind != Kind.NAMING or c.subject not in ("function", "method"):
            continue
        if not mined and c.source == "mined":
            continue
        broken = _STYLE_BREAK.get(c.value)
        if broken is not None and applies(c, path, language):
            out.setdefault(keyword + broken)
    return tuple(out)
