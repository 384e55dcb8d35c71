"""Inline suppressions: `ananke: ignore[ANK201]` in a comment, in any language's syntax."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ananke_ci.core.facts import Comment

_IGNORE = re.compile(r"ananke:\s*ignore(?:\[([^\]]*)\])?", re.I)


def suppressed_lines(comments: Iterable[Comment]) -> dict[int, frozenset[str]]:
    """Line -> rule ids/names ignored there; an empty set ignores every rule on that line.

    A comment covers the lines it sits on, as ruff's `# noqa` does.
    """
    out: dict[int, frozenset[str]] = {}
    for comment in comments:
        m = _IGNORE.search(comment.text)
        if not m:
            continue
        keys = frozenset(
            k.strip().upper() if k.strip()[:3].upper() == "ANK" else k.strip().lower()
            for k in (m.group(1) or "").split(",")
            if k.strip()
        )
        for line in comment.span.lines():
            before = out.get(line)
            # an empty set means "every rule", so it absorbs any union
            out[line] = (
                keys if before is None else (before | keys if before and keys else frozenset())
            )
    return out
