"""A fill stays a fill: it replaces the hole's lines and nothing else.

Told from the facts of the file before and after the fill: every definition outside the
replaced lines is still there, in order, and nothing new appears beside them (no function
redefined after the hole's, no statement added at module level); the hole's function still
holds all of the fill's code (a fill that closes the function early and goes on, or ends
with a dedented line, has left it). Pure: facts in, reasons out.
"""

from __future__ import annotations

from ananke_ci.core.facts import FileFacts, Function, Hole

Def = tuple[str, str, str | None]  # (kind, name, container)


def _defs(facts: FileFacts, lo: int, hi: int) -> list[Def]:
    """Functions and types not starting inside [lo, hi), in source order."""
    rows = [
        (f.span.start_byte, ("function", f.name, f.container))
        for f in facts.functions
        if not lo <= f.span.start_byte < hi
    ]
    rows += [
        (t.span.start_byte, ("type", t.name, None))
        for t in facts.types
        if not lo <= t.span.start_byte < hi
    ]
    return [d for _, d in sorted(rows)]


def last_code_byte(facts: FileFacts, data: bytes, start: int, end: int) -> int:
    """The end of the fill's last code (trailing blanks and comments do not count)."""
    blank = bytearray(data[start:end])
    for c in facts.comments:
        s, e = max(c.span.start_byte, start), min(c.span.end_byte, end)
        if s < e:
            blank[s - start : e - start] = b" " * (e - s)
    return start + len(bytes(blank).rstrip())


def shape_reasons(
    before: FileFacts,
    after: FileFacts,
    hole: Hole,
    patched: bytes,
    start: int,
    end: int,
    replaced_end: int,
) -> list[str]:
    """Why the fill [start, end) of `patched` (in place of [start, replaced_end) of the
    original) is more than a fill; [] when it is one."""
    if before.skipped or after.skipped:
        return []
    reasons = []
    kept, now = _defs(before, start, replaced_end), _defs(after, start, end)
    if kept != now:
        added = [d for d in now if d not in kept]
        lost = [d for d in kept if d not in now]
        what = (
            f"defines `{added[0][1]}` beside the hole's function"
            if added
            else f"removes or renames `{lost[0][1]}`"
            if lost
            else "reorders definitions"
        )
        reasons.append(f"the fill is more than a fill: it {what}")
    fn = hole.function
    if fn is None:
        return reasons
    inside = _same_function(after, fn)
    code_end = last_code_byte(after, patched, start, end)
    if inside is None:
        reasons.append(f"the fill is more than a fill: `{fn.name}` is not a function any more")
    elif code_end > inside.span.end_byte:
        line = patched.count(b"\n", 0, inside.span.end_byte) + 2
        reasons.append(
            f"the fill is more than a fill: it goes on past the end of "
            f"`{fn.name}` (from line {line})"
        )
    return reasons


def _same_function(facts: FileFacts, fn: Function) -> Function | None:
    """The hole's function in the patched file: same name and owner, same first byte (the
    header is kept; only its body changed)."""
    return next(
        (
            f
            for f in facts.functions
            if f.name == fn.name
            and f.container == fn.container
            and f.span.start_byte == fn.span.start_byte
        ),
        None,
    )
