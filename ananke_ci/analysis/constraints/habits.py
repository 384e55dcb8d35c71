"""What the repository never does: dangerous constructs it never uses, and error handlers
it never leaves bare or empty. Both are soft: the evidence is an absence."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from ananke_ci.analysis.constraints.common import CheckContext, finding
from ananke_ci.analysis.constraints.dangers import BY_KEY, DANGERS
from ananke_ci.analysis.constraints.scan import FileScan
from ananke_ci.core.constraints import Constraint, Kind
from ananke_ci.core.findings import Finding

MIN_FILES = 20  # an absence in fewer files of a language says little
MIN_HANDLERS = 10
BARE, SWALLOWED = "bare", "swallowed"


def _confidence(n: int) -> float:
    return round(n / (n + 5), 4)


def mine_habits(scans: Iterable[FileScan], min_files: int = MIN_FILES,
                min_handlers: int = MIN_HANDLERS) -> list[Constraint]:
    files: Counter[str] = Counter()
    used: Counter[tuple[str, str]] = Counter()
    handlers: Counter[tuple[str, str]] = Counter()
    for scan in scans:
        lang = scan.facts.language
        files[lang] += 1
        for d in scan.dangers:
            used[(lang, d.key)] += 1
        for h in scan.handlers:
            handlers[(lang, "all")] += 1
            handlers[(lang, BARE)] += h.caught is None and lang == "python"
            handlers[(lang, SWALLOWED)] += h.swallowed
    out = []
    for lang, n in sorted(files.items()):
        if n < min_files:
            continue
        for spec in DANGERS:
            if lang in spec.languages and not used[(lang, spec.key)]:
                out.append(Constraint(
                    id=f"dangerous/{lang}/{spec.key}", kind=Kind.DANGEROUS_CALL,
                    domain="semantics", tier="soft", confidence=_confidence(n),
                    evidence=f"`{spec.key}` is used nowhere in {n} {lang} files",
                    source="mined", language=lang, subject=spec.key, value=spec.alternative,
                ))
        total = handlers[(lang, "all")]
        if total < min_handlers:
            continue
        for what in (BARE, SWALLOWED):
            if (what == BARE and lang != "python") or handlers[(lang, what)]:
                continue
            shape = "bare `except:`" if what == BARE else "an error handler that does nothing"
            out.append(Constraint(
                id=f"errors/{lang}/{what}", kind=Kind.ERROR_HANDLING, domain="control",
                tier="soft", confidence=_confidence(total),
                evidence=f"{shape}: 0 of {total} error handlers in {n} {lang} files",
                source="mined", language=lang, subject=what,
            ))
    return out


def check_dangers(rules: dict[str, Constraint], ctx: CheckContext) -> Iterator[Finding]:
    for d in ctx.scan.dangers:
        c = rules.get(d.key)
        if c is not None:
            yield finding("ANK305", ctx.path, d.span, f"`{d.key}`: {d.code[:60]}", d.code, c,
                          hint=f"Use {BY_KEY[d.key].alternative} instead.")


def check_handlers(rules: dict[str, Constraint], ctx: CheckContext) -> Iterator[Finding]:
    for h in ctx.scan.handlers:
        bare = h.caught is None and ctx.scan.facts.language == "python"
        c = rules.get(BARE) if bare else None
        c = c or (rules.get(SWALLOWED) if h.swallowed else None)
        if c is None:
            continue
        what = "bare `except:`" if c.subject == BARE else "error handler swallows the error"
        yield finding("ANK306", ctx.path, h.span, what, f"{c.subject} {h.caught or ''}", c)
