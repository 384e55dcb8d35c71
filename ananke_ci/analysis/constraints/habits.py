"""What the repository (almost) never does: dangerous constructs it does not use, and error
handlers it does not leave bare or empty. Both are soft: the evidence is an absence.

A habit holds when at most `1 - min_confidence` of the evidence breaks it (5% by default):
`eval` in 1 of 240 files still makes "no eval" the convention for new code, and the files
that already break it stay allowed (they are listed in the constraint), as naming keeps the
names a repository already has. So a convention cannot be eroded by the first commit that
breaks it; it moves only when the repository as a whole does, or by the maintainers' hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ananke_ci.analysis.constraints.common import CheckContext, finding
from ananke_ci.analysis.constraints.dangers import BY_KEY, for_language
from ananke_ci.core.constraints import Constraint, Kind
from ananke_ci.core.findings import Finding

if TYPE_CHECKING:  # the miners' input: checking a change never loads it
    from ananke_ci.analysis.constraints.summary import FileSummary

MIN_FILES = 20  # an absence in fewer files of a language says little
MIN_HANDLERS = 10
MAX_EXCEPTIONS = 50  # files that break a habit and stay allowed; more: no habit
BARE, SWALLOWED = "bare", "swallowed"


def _confidence(agree: int, total: int) -> float:
    return round(agree / total * total / (total + 5), 4)


def _where(files: list[str]) -> str:
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    return f"; allowed where it already is: {shown}"


def mine_habits(
    files: Iterable[tuple[str, FileSummary]],
    min_files: int = MIN_FILES,
    min_handlers: int = MIN_HANDLERS,
    min_confidence: float = 0.95,
) -> list[Constraint]:
    counted: dict[str, int] = defaultdict(int)
    users: dict[tuple[str, str], list[str]] = defaultdict(list)  # (lang, key) -> files
    handlers: dict[str, int] = defaultdict(int)
    breakers: dict[tuple[str, str], list[str]] = defaultdict(list)  # (lang, bare|swallowed)
    broken: dict[tuple[str, str], int] = defaultdict(int)
    for path, summary in files:
        lang = summary.language
        counted[lang] += 1
        for key in summary.dangers:
            users[(lang, key)].append(path)
        handlers[lang] += summary.handlers
        for what, n in ((BARE, summary.bare), (SWALLOWED, summary.swallowed)):
            if n:
                breakers[(lang, what)].append(path)
                broken[(lang, what)] += n
    out = []
    for lang, n in sorted(counted.items()):
        if n < min_files:
            continue
        for spec in for_language(lang):
            found = sorted(users.get((lang, spec.key), ()))
            if not _holds(len(found), n, min_confidence):
                continue
            evidence = (
                f"`{spec.key}` is used nowhere in {n} {lang} files"
                if not found
                else f"`{spec.key}` is used in {len(found)} of {n} {lang} files" + _where(found)
            )
            out.append(
                Constraint(
                    id=f"dangerous/{lang}/{spec.key}",
                    kind=Kind.DANGEROUS_CALL,
                    domain="semantics",
                    tier="soft",
                    confidence=_confidence(n - len(found), n),
                    evidence=evidence,
                    source="mined",
                    language=lang,
                    subject=spec.key,
                    value=spec.alternative,
                    items=tuple(found),
                )
            )
        total = handlers[lang]
        if total < min_handlers:
            continue
        for what in (BARE, SWALLOWED):
            found = sorted(breakers.get((lang, what), ()))
            bad = broken[(lang, what)]
            if (what == BARE and lang != "python") or not _holds(
                bad, total, min_confidence, len(found)
            ):
                continue
            shape = "bare `except:`" if what == BARE else "an error handler that does nothing"
            out.append(
                Constraint(
                    id=f"errors/{lang}/{what}",
                    kind=Kind.ERROR_HANDLING,
                    domain="control",
                    tier="soft",
                    confidence=_confidence(total - bad, total),
                    evidence=f"{shape}: {bad} of {total} error handlers in {n} {lang} files"
                    + (_where(found) if found else ""),
                    source="mined",
                    language=lang,
                    subject=what,
                    items=tuple(found),
                )
            )
    return out


def _holds(breaking: int, total: int, min_confidence: float, files: int | None = None) -> bool:
    """Whether an absence is a habit: few enough breaking cases, in few enough files."""
    places = breaking if files is None else files
    return places <= MAX_EXCEPTIONS and breaking <= total * (1 - min_confidence)


def check_dangers(rules: dict[str, Constraint], ctx: CheckContext) -> Iterator[Finding]:
    for d in ctx.scan.dangers:
        c = rules.get(d.key)
        if c is not None and ctx.path not in c.items:
            yield finding(
                "ANK305",
                ctx.path,
                d.span,
                _danger_message(d.key, d.code),
                d.code,
                c,
                hint=f"{BY_KEY[d.key].alternative}.",
            )


def _danger_message(key: str, code: str) -> str:
    """`eval` once, not "`eval`: eval"; the matched text when it says more than the key."""
    text = " ".join(code.split())[:60]
    if text == key:
        return f"`{key}` is a dangerous call"
    return f"`{text}` is a dangerous construct ({key})"


def check_handlers(rules: dict[str, Constraint], ctx: CheckContext) -> Iterator[Finding]:
    for h in ctx.scan.handlers:
        bare = h.caught is None and ctx.scan.facts.language == "python"
        c = rules.get(BARE) if bare else None
        c = c or (rules.get(SWALLOWED) if h.swallowed else None)
        if c is None or ctx.path in c.items:
            continue
        what = "bare `except:`" if c.subject == BARE else "error handler swallows the error"
        yield finding("ANK306", ctx.path, h.span, what, f"{c.subject} {h.caught or ''}", c)
