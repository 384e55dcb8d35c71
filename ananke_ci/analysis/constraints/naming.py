"""Naming conventions per kind (function, method, class, file) per language.

A convention is mined when one style covers at least `min_confidence` of at least
`min_evidence` names, and enough names tell it apart from the runner-up (a repository whose
functions are all one-word names has no snake_case-vs-camelCase convention). Names already
in the repository that break it (`setUp`, `visit_Name`) stay allowed: they are evidence of
an accepted exception, not of a mistake.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from ananke_ci.analysis.constraints.common import CheckContext, finding
from ananke_ci.analysis.constraints.scan import FileScan
from ananke_ci.core.constraints import Constraint, Kind
from ananke_ci.core.facts import Span
from ananke_ci.core.findings import Finding

if TYPE_CHECKING:  # the miners' input: checking a change never loads it
    from ananke_ci.analysis.constraints.summary import FileSummary

STYLE_REGEX: dict[str, str] = {
    "snake_case": r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$",
    "camelCase": r"^[a-z][a-zA-Z0-9]*$",
    "PascalCase": r"^[A-Z][a-zA-Z0-9]*$",
    "UPPER_CASE": r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$",
    "kebab-case": r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
    "mixedCase": r"^[a-zA-Z][a-zA-Z0-9]*$",
}
_COMPILED = {k: re.compile(v) for k, v in STYLE_REGEX.items()}
# the order ties are broken in: the more specific style first
_ORDER = ("snake_case", "camelCase", "PascalCase", "UPPER_CASE", "kebab-case", "mixedCase")
_IDENT = re.compile(r"^[A-Za-z_$][\w$-]*$")
# names frameworks make you use whatever the repository's style (unittest, ast, http.server)
_FRAMEWORK = re.compile(
    r"^(setUp|tearDown|asyncSetUp|asyncTearDown|visit_|depart_|do_|"
    r"generic_visit|test)"
)
MIN_DISTINCT = 5  # names that match the style but not the runner-up
MAX_EXCEPTIONS = 50


def core_name(name: str) -> str | None:
    """The name without leading/trailing underscores; None for dunders and non-identifiers."""
    if (name.startswith("__") and name.endswith("__")) or not _IDENT.match(name):
        return None
    core = name.strip("_$")
    return core or None


def named_things(scan: FileScan) -> Iterator[tuple[str, str, Span, str]]:
    """(kind, name, span, code) for each function, method and class of the file."""
    facts = scan.facts
    for fn in facts.functions:
        if fn.name != "<anonymous>":
            yield fn.kind, fn.name, fn.span, fn.signature
    for t in facts.types:
        yield "class", t.name, t.span, f"{t.kind} {t.name}"


def file_stem(path: str) -> str | None:
    stem = posixpath.basename(path).split(".", 1)[0]
    return None if stem in ("__init__", "__main__", "index", "main", "mod", "lib") else stem


def styles_of(name: str) -> list[str]:
    return [s for s in _ORDER if _COMPILED[s].match(name)]


@lru_cache(maxsize=1 << 16)
def _style_set(name: str) -> frozenset[str]:
    """styles_of, once per distinct name: a repository repeats its names many times."""
    return frozenset(styles_of(name))


def mine_naming(
    files: Iterable[tuple[str, FileSummary]],
    min_conf: float,
    min_n: int,
) -> list[Constraint]:
    names: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path, summary in files:
        lang = summary.language
        for kind, name in summary.names:
            core = core_name(name)
            if core:
                names[(lang, kind)].append(core)
        stem = file_stem(path)
        if stem and core_name(stem):
            names[(lang, "file")].append(stem)
    out = []
    for (lang, kind), found in sorted(names.items()):
        c = _convention(lang, kind, found, min_conf, min_n)
        if c is not None:
            out.append(c)
    return out


def _convention(
    lang: str, kind: str, names: list[str], min_conf: float, min_n: int
) -> Constraint | None:
    total = len(names)
    if total < min_n:
        return None
    per_name = [_style_set(n) for n in names]
    counts = Counter(s for styles in per_name for s in styles)
    # a specific style wins when it holds; mixedCase (camel or Pascal) only when none does
    ranked = sorted(
        (s for s in counts if s != "mixedCase"), key=lambda s: (-counts[s], _ORDER.index(s))
    )
    if not ranked or counts[ranked[0]] / total < min_conf:
        ranked = ["mixedCase", *ranked] if counts["mixedCase"] else ranked
    if not ranked:
        return None
    best = ranked[0]
    if counts[best] / total < min_conf:
        return None
    runner = next((s for s in ranked[1:] if s != "mixedCase"), None)
    distinct = sum(1 for styles in per_name if best in styles and runner not in styles)
    if runner is not None and distinct < MIN_DISTINCT:
        return None
    exceptions = sorted(
        {n for n, styles in zip(names, per_name, strict=True) if best not in styles}
    )
    noun = {"file": "files", "class": "classes"}.get(kind, f"{kind}s")
    return Constraint(
        id=f"naming/{lang}/{kind}",
        kind=Kind.NAMING,
        domain="semantics",
        tier="soft",
        confidence=round(counts[best] / total, 4),
        evidence=f"{best} {kind} names: {counts[best]} of {total} {noun}",
        source="mined",
        language=lang,
        subject=kind,
        value=best,
        items=tuple(exceptions[:MAX_EXCEPTIONS]),
    )


def matches_style(name: str, style: str) -> bool:
    pattern = _COMPILED.get(style)
    return bool(pattern.match(name) if pattern else re.match(style, name))


def check_naming(rules: dict[str, Constraint], ctx: CheckContext) -> Iterator[Finding]:
    """`rules`: the winning naming constraint per kind for this file."""
    scan = ctx.scan
    for kind, name, span, _code in named_things(scan):
        c = rules.get(kind)
        core = core_name(name)
        if c is None or core is None or name in c.items or _FRAMEWORK.match(core):
            continue
        if not matches_style(core, c.value):
            yield finding(
                "ANK301",
                ctx.path,
                span,
                f"{kind} name `{name}` is not {c.value}",
                f"{kind} {name}",
                c,
                hint=f"Rename `{name}` in {c.value}.",
            )
    c = rules.get("file")
    stem = file_stem(ctx.path)
    if (
        ctx.is_new
        and c is not None
        and stem
        and core_name(stem)
        and stem not in c.items
        and not matches_style(stem, c.value)
    ):
        yield finding(
            "ANK301",
            ctx.path,
            Span(1, 1, 1, 1, 0, 0),
            f"file name `{posixpath.basename(ctx.path)}` is not {c.value}",
            f"file {stem}",
            c,
            hint=f"Rename the file in {c.value}.",
        )
