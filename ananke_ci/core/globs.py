"""Path globs as .gitignore-style users write them: `*` within a segment, `**` across."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def _compile(glob: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    body = "".join(out)
    return re.compile(f"{body}(?:/.*)?\\Z")


def _anchored(glob: str) -> str:
    """As .gitignore reads it: a slash at the start or in the middle anchors the glob at the
    root; otherwise it matches at any depth. A trailing slash only says "a directory"."""
    core = glob.rstrip("/") or glob
    if core.startswith("/"):
        return core.lstrip("/")
    return core if "/" in core else "**/" + core


def glob_match(path: str, glob: str) -> bool:
    """True when the repository-relative `path` matches `glob` (or lies under it)."""
    return _compile(_anchored(glob)).match(path) is not None


def first_match(path: str, globs: list[str] | tuple[str, ...]) -> str | None:
    return next((g for g in globs if glob_match(path, g)), None)
