"""Public API stability: a top-level function of a FoundationalStable file that other files
call from at least MIN_CALLERS places keeps its signature. A change that removes, renames or
reorders parameters, adds a required one, or changes the return type is reported with the call
sites it breaks, read from the base: a rename breaks the callers that pass the parameter by
keyword, a reorder those that pass it by position, a new required parameter every one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from ananke_ci.analysis.constraints.common import CheckContext, finding
from ananke_ci.analysis.constraints.scan import call_text
from ananke_ci.analysis.extract import extract_facts
from ananke_ci.core.constraints import Constraint, Kind
from ananke_ci.core.facts import Function
from ananke_ci.core.findings import Finding
from ananke_ci.core.records import record
from ananke_ci.core.testfiles import is_test_path

if TYPE_CHECKING:  # the miners' input: checking a change never loads it
    from ananke_ci.analysis.constraints.summary import FileSummary

MIN_CALLERS = 3  # files
MAX_SITES = 100  # call sites kept per constraint (the rest are counted)
_IMPLICIT = {"self", "cls", "this"}


def shape(fn: Function) -> str:
    """`a, b=, *args -> int`: parameter names (optional ones marked) and the return type."""
    parts = []
    for p in fn.params:
        if p.name in _IMPLICIT or not p.name:
            continue
        bare = p.name.lstrip("*.")
        optional = (
            re.search(rf"(?<![\w.]){re.escape(bare)}\s*(\?|(:[^,=)]*)?=)", fn.signature) is not None
        )
        parts.append(p.name + ("=" if optional else ""))
    return ", ".join(parts) + (f" -> {fn.return_type}" if fn.return_type else "")


@record(frozen=True, slots=True)
class Break:
    """One way a new signature breaks callers of the old one."""

    kind: str  # removed | renamed | reordered | required | no_default | returns
    param: str = ""
    index: int = 0  # the parameter's position in the old signature
    detail: str = ""

    def words(self) -> str:
        return {
            "removed": f"parameter `{self.param}` removed",
            "renamed": f"parameter `{self.param}` renamed to `{self.detail}`",
            "reordered": "parameters reordered",
            "required": f"new required parameter `{self.param}`",
            "no_default": f"parameter `{self.param}` no longer optional",
            "returns": f"return type {self.detail}",
        }[self.kind]


def _params(shape_text: str) -> tuple[list[str], list[bool], str]:
    params, _, ret = shape_text.partition(" -> ")
    items = [p for p in params.split(", ") if p]
    return [p.rstrip("=") for p in items], [p.endswith("=") for p in items], ret


def signature_breaks(old: str, new: str) -> list[Break]:
    """How `new` breaks callers of `old` ([] when it does not)."""
    before, optional_before, old_ret = _params(old)
    after, optional_after, new_ret = _params(new)
    out = []
    for i, name in enumerate(before):
        if name in after:
            continue
        # a new name in the same place takes positional arguments as the old one did
        same_place = i < len(after) and after[i] not in before
        out.append(Break("renamed", name, i, after[i]) if same_place else Break("removed", name, i))
    kept = [n for n in before if n in after]  # in the old order
    kept_now = [n for n in after if n in before]  # in the new one
    if kept != kept_now:
        first = next(i for i, (a, b) in enumerate(zip(kept, kept_now, strict=True)) if a != b)
        out.append(Break("reordered", index=before.index(kept[first])))
    renamed_to = {b.detail for b in out if b.kind == "renamed"}
    out += [
        Break("required", name, len(before))
        for name, opt in zip(after, optional_after, strict=True)
        if not opt and name not in before and name not in renamed_to and not name.startswith("*")
    ]
    out += [
        Break("no_default", name, i)
        for i, (name, opt) in enumerate(zip(before, optional_before, strict=True))
        if opt and name in after and not optional_after[after.index(name)]
    ]
    if old_ret and new_ret and old_ret != new_ret:
        out.append(Break("returns", detail=f"{old_ret} -> {new_ret}"))
    return out


def breaks(old: str, new: str) -> list[str]:
    """Why `new` breaks callers of `old`, in words ([] when it does not)."""
    return [b.words() for b in signature_breaks(old, new)]


@record(frozen=True, slots=True)
class Arguments:
    """What one call site passes: how many positional arguments, which keywords, and
    whether a `*` / `**` spread hides more."""

    positional: int
    keywords: frozenset[str]
    spread: bool = False  # `*args`: any number of positional arguments
    spread_keywords: bool = False  # `**kwargs`: any keyword


def call_arguments(text: str) -> Arguments:
    """The arguments of a call from its parenthesised text (`(a, b=1, *c)`)."""
    inner = text.strip()
    if inner.startswith("("):
        inner = inner[1:]
    if inner.endswith(")"):
        inner = inner[:-1]
    parts = _split_top_level(inner)
    positional, spread, spread_kw = 0, False, False
    keywords = set()
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if part.startswith("**"):
            spread_kw = True
        elif part.startswith("*") or part.startswith("..."):
            spread = True
        elif (m := _KEYWORD.match(part)) is not None:
            keywords.add(m.group(1))
        else:
            positional += 1
    return Arguments(positional, frozenset(keywords), spread, spread_kw)


_KEYWORD = re.compile(r"([A-Za-z_]\w*)\s*=(?!=)")
_OPEN, _CLOSE = "([{", ")]}"


def _split_top_level(text: str) -> list[str]:
    """`text` split at the commas outside brackets and string literals."""
    parts, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def site_breaks(b: Break, args: Arguments) -> bool:
    """Whether a call site passing `args` breaks for `b`: keyword uses for a rename,
    positional ones for a reorder, every one for a new required parameter."""
    passes_positionally = args.spread or args.positional > b.index
    by_keyword = b.param in args.keywords or args.spread_keywords
    if b.kind == "renamed":
        return by_keyword
    if b.kind == "removed":
        return by_keyword or passes_positionally
    if b.kind == "reordered":
        return passes_positionally
    if b.kind == "no_default":
        return not (passes_positionally or by_keyword)
    return True  # a new required parameter, a changed return type


def mine_api(
    files: Mapping[str, FileSummary],
    edges: Iterable[tuple[str, str]],
    foundational: set[str],
    min_callers: int = MIN_CALLERS,
) -> list[Constraint]:
    importers: dict[str, set[str]] = defaultdict(set)
    for src, dst in edges:
        if dst in foundational:
            importers[dst].add(src)
    out = []
    for path in sorted(foundational):
        summary = files.get(path)
        if summary is None or not importers[path] or is_test_path(path):
            continue
        callers_of = {
            caller: dict(files[caller].calls) for caller in importers[path] if caller in files
        }
        for name, signature in summary.api:
            sites = sorted(
                f"{caller}:{line}"
                for caller, calls in callers_of.items()
                for line in calls.get(name, ())
            )
            callers = {s.rsplit(":", 1)[0] for s in sites}
            if len(callers) < min_callers:
                continue
            out.append(
                Constraint(
                    id=f"api/{path}::{name}",
                    kind=Kind.API_STABILITY,
                    domain="types",
                    tier="hard",
                    confidence=1.0,
                    evidence=f"`{name}` in FoundationalStable {path}: {len(sites)} call sites "
                    f"in {len(callers)} files",
                    source="mined",
                    scope=(path,),
                    subject=name,
                    value=signature,
                    items=tuple(sites[:MAX_SITES]),
                    limit=float(len(sites)),
                )
            )
    return out


def check_api(rules: list[Constraint], ctx: CheckContext) -> Iterator[Finding]:
    by_name = {c.subject: c for c in rules}
    # the last definition of a name speaks: TypeScript's overloads precede the implementation
    last = {fn.name: fn for fn in ctx.scan.facts.functions if fn.container is None}
    for name, fn in last.items():
        c = by_name.get(name)
        if c is None:
            continue
        why = signature_breaks(c.value, shape(fn))
        if not why:
            continue
        broken, unexamined = breaking_sites(c, why, ctx)
        if not broken and not unexamined:
            continue  # every caller passes its arguments in a way the change keeps working
        listed = ", ".join(broken[:10]) or "none of those examined"
        more = [f"{len(broken) - 10} more"] if len(broken) > 10 else []
        if unexamined:
            more.append(f"{unexamined} call site(s) not examined")
        yield finding(
            "ANK307",
            ctx.path,
            fn.span,
            f"signature of `{name}` changed ({'; '.join(b.words() for b in why)}); "
            f"call sites that break: {listed}" + (f" (and {', '.join(more)})" if more else ""),
            fn.signature,
            c,
        )


def breaking_sites(c: Constraint, why: list[Break], ctx: CheckContext) -> tuple[list[str], int]:
    """The mined call sites that `why` breaks, each read from the base (keyword uses for a
    rename, positional ones for a reorder, all for a new required parameter), and how many
    call sites could not be examined (not listed, or not found where mining saw them)."""
    total = max(int(c.limit or 0), len(c.items))
    if all(b.kind in ("required", "returns") for b in why):
        return list(c.items), total - len(c.items)  # every caller, however it calls
    by_path: dict[str, list[int]] = defaultdict(list)
    for site in c.items:
        path, _, line = site.rpartition(":")
        if line.isdigit():
            by_path[path].append(int(line))
    sources = ctx.read(sorted(by_path)) if ctx.read is not None else {}
    broken, examined = [], 0
    for path, lines in sorted(by_path.items()):
        data = sources.get(path)
        if data is None:
            continue
        calls = [
            call
            for call in extract_facts(path, data).calls
            if call.name.rsplit(".", 1)[-1] == c.subject
        ]
        for number in lines:
            here = [call for call in calls if call.span.start_line == number]
            if not here:
                continue
            examined += 1
            if any(
                site_breaks(b, call_arguments(call_text(data, call.span)))
                for b in why
                for call in here
            ):
                broken.append(f"{path}:{number}")
    return broken, total - examined
