"""The first rules: pure functions from one file's facts (+ config) to findings.

Each rule yields findings at its default severity; `check_file` applies the configured
severity, the file's intensity and inline suppressions in one place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from ananke_ci.core.config import OFF, Ban, Config
from ananke_ci.core.facts import Call, FileFacts, Span
from ananke_ci.core.findings import Finding, Severity
from ananke_ci.core.intensity import Intensity
from ananke_ci.core.records import replace
from ananke_ci.core.rules_catalog import BY_ID, severity_at
from ananke_ci.core.suppress import suppressed_lines

Rule = Callable[[FileFacts, Config], Iterator[Finding]]

# Member access spelled in any of the 14 languages, folded to "." for matching bans.
_SEPARATORS = re.compile(r"\s*(::|->|\?\.|\.)\s*")


def normalise_name(name: str) -> str:
    return _SEPARATORS.sub(".", name.strip().lstrip("\\@"))


def _finding(rule_id: str, facts: FileFacts, span: Span, message: str, code: str) -> Finding:
    info = BY_ID[rule_id]
    return Finding(
        rule=rule_id, severity=info.default_severity, message=message, path=facts.path,
        line=span.start_line, col=span.start_col, end_line=span.end_line,
        end_col=span.end_col, domain=info.domain, fix_hint=info.help, code=code,
    )


def syntax_errors(facts: FileFacts, config: Config) -> Iterator[Finding]:
    for issue in facts.syntax_issues:
        what = f"missing {issue.text!r}" if issue.kind == "missing" else (
            f"cannot parse {issue.text[:40]!r}" if issue.text.strip() else "cannot parse here")
        yield _finding("ANK001", facts, issue.span, f"syntax error: {what}", issue.text)


def holes(facts: FileFacts, config: Config) -> Iterator[Finding]:
    for hole in facts.holes:
        where = f" in {hole.function.name}()" if hole.function else ""
        if hole.kind == "todo":
            text = " ".join(hole.text.split())[:80]
            yield _finding("ANK101", facts, hole.span, f"{hole.marker} comment{where}: {text}",
                           hole.text)
        else:
            yield _finding("ANK102", facts, hole.span,
                           f"placeholder body `{hole.marker}`{where}",
                           (hole.function.signature if hole.function else "") + hole.text)


def _bans_matching(name: str, bans: tuple[Ban, ...], *, prefix: bool) -> Ban | None:
    for ban in bans:
        target = normalise_name(ban.name)
        if name == target or (prefix and name.startswith(target + ".")):
            return ban
    return None


def call_names(facts: FileFacts) -> Iterator[tuple[Call, list[str]]]:
    """Each call with the names it may be matched by: as written (normalised), and through
    an import (`from os import system` makes a bare `system(...)` a call of os.system)."""
    aliases = {
        name: normalise_name(f"{imp.module}.{name}")
        for imp in facts.imports for name in imp.names
    }
    for call in facts.calls:
        name = normalise_name(call.name)
        yield call, [name, aliases[name]] if name in aliases else [name]


def banned_calls(facts: FileFacts, config: Config) -> Iterator[Finding]:
    if not config.banned_calls:
        return
    for call, names in call_names(facts):
        ban = next(filter(None, (_bans_matching(n, config.banned_calls, prefix=False)
                                 for n in names)), None)
        if ban:
            why = f": {ban.reason}" if ban.reason else ""
            yield _finding("ANK201", facts, call.span, f"call of banned `{ban.name}`{why}",
                           call.name)


def banned_imports(facts: FileFacts, config: Config) -> Iterator[Finding]:
    for imp in facts.imports:
        module = normalise_name(imp.module.strip("\"'<>").removeprefix("node:").replace("/", "."))
        ban = _bans_matching(module, config.banned_imports, prefix=True)
        if ban:
            why = f": {ban.reason}" if ban.reason else ""
            yield _finding("ANK202", facts, imp.span, f"import of banned `{ban.name}`{why}",
                           imp.module)


# `holes` reports both ANK101 (TODO comments) and ANK102 (typed holes) in one pass.
RULE_FUNCTIONS: tuple[Rule, ...] = (syntax_errors, holes, banned_calls, banned_imports)


def check_file(facts: FileFacts, config: Config, intensity: Intensity,
               extra: Iterable[Finding] = ()) -> list[Finding]:
    """Every finding in one file (the rules' and `extra`, the constraint checks'), at the
    configured severity or else the tier x intensity one (rules_catalog.severity_at),
    suppressions applied. Every rule runs at every intensity but `none`."""
    if facts.skipped or intensity is Intensity.NONE:
        return []
    raw: list[Finding] = list(extra)
    for rule in RULE_FUNCTIONS:
        raw.extend(rule(facts, config))
    ignored = suppressed_lines(facts.comments)
    out = []
    for f in raw:
        if config.severity_for(f.rule) == OFF:
            continue
        rules_ignored = ignored.get(f.line)
        if rules_ignored is not None and (not rules_ignored or _matches(f.rule, rules_ignored)):
            continue
        configured = config.severities.get(f.rule)
        level = _severity(configured) if configured else severity_at(BY_ID[f.rule], intensity)
        if level is not None:
            out.append(replace(f, severity=level))
    return out


def _severity(text: str) -> Severity:
    assert text in ("error", "warning", "note")
    return text  # type: ignore[return-value]


def _matches(rule_id: str, keys: frozenset[str]) -> bool:
    name = BY_ID[rule_id].name
    return rule_id in keys or name in keys
