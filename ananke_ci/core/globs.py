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
    # a glob without a slash matches the name at any depth, as in .gitignore
    prefix = "" if "/" in glob.rstrip("/") else "(?:.*/)?"
    return re.compile(f"{prefix}{body}(?:/.*)?\\Z")


def glob_match(path: str, glob: str) -> bool:
    """True when the repository-relative `path` matches `glob` (or lies under it)."""
    return _compile(glob.lstrip("/")).match(path) is not None


def first_match(path: str, globs: list[str] | tuple[str, ...]) -> str | None:
    return next((g for g in globs if glob_match(path, g)), None)
