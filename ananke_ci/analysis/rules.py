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
        rule=rule_id,
        severity=info.default_severity,
        message=message,
        path=facts.path,
        line=span.start_line,
        col=span.start_col,
        end_line=span.end_line,
        end_col=span.end_col,
        domain=info.domain,
        fix_hint=info.help,
        code=code,
    )


def syntax_errors(facts: FileFacts, config: Config) -> Iterator[Finding]:
    for issue in facts.syntax_issues:
        what = (
            f"missing {issue.text!r}"
            if issue.kind == "missing"
            else (
                f"cannot parse {issue.text[:40]!r}" if issue.text.strip() else "cannot parse here"
            )
        )
        yield _finding("ANK001", facts, issue.span, f"syntax error: {what}", issue.text)


def holes(facts: FileFacts, config: Config) -> Iterator[Finding]:
    for hole in facts.holes:
        where = f" in {hole.function.name}()" if hole.function else ""
        if hole.kind == "todo":
            text = " ".join(hole.text.split())[:80]
            yield _finding(
                "ANK101", facts, hole.span, f"{hole.marker} comment{where}: {text}", hole.text
            )
        else:
            yield _finding(
                "ANK102",
                facts,
                hole.span,
                f"placeholder body `{hole.marker}`{where}",
                (hole.function.signature if hole.function else "") + hole.text,
            )


def _bans_matching(name: str, bans: tuple[Ban, ...], *, prefix: bool) -> Ban | None:
    for ban in bans:
        target = normalise_name(ban.name)
        if name == target or (prefix and name.startswith(target + ".")):
            return ban
    return None


# Spellings of the global scope, dropped from a callee: `builtins.eval` is `eval`.
_GLOBALS: dict[str, tuple[str, ...]] = {
    "python": ("builtins.", "__builtins__."),
    **dict.fromkeys(("javascript", "typescript", "tsx"), ("globalThis.", "window.", "global.")),
}
# How a member is spelled after a name, for local_spellings (bans are matched on ".")
_MEMBER = {"rust": "::", "cpp": "::", "php": "::"}
_HOPS = 4  # `run = o.system` after `import os as o`: an alias of an import is two hops
_HEAD = re.compile(r"[^.(<\[]*")  # a callee's leading segment: `R` of `R.getRuntime().exec`


class _Scope:
    """What a file's names stand for: the bindings of its imports (the whole file) and its
    plain rebindings (`run = os.system`: the function they are in, or the whole module).
    Every binding of a name counts (a name may be rebound), so a call's names are the ones
    it may be matched by."""

    def __init__(self, facts: FileFacts) -> None:
        self.globals = _GLOBALS.get(facts.language, ())
        self.imports: dict[str, list[str]] = {}
        for imp in facts.imports:
            for local, target in imp.bindings:
                qualified = normalise_name(target.strip("\"'<>").removeprefix("node:"))
                # and as the plain import would spell it (`x.Command` after Go's
                # `import x "os/exec"` is exec.Command, `s` after `from os import system as
                # s` is system), as bans are often written
                default = _default_name(qualified)
                forms = self.imports.setdefault(local, [])
                for form in (qualified, default):
                    if form not in forms and form != local:
                        forms.append(form)
        self.aliases: dict[str, list[tuple[str, int, int]]] = {}
        bodies = (
            sorted((f.span.start_byte, -f.span.end_byte) for f in facts.functions)
            if facts.aliases
            else []
        )
        for alias in facts.aliases:
            target = normalise_name(alias.target)
            if target.split(".", 1)[0] == alias.name:
                continue  # `x = x.parent` walks a structure, it names no callable
            at = alias.span.start_byte
            # the innermost function around it (the last that starts before it and holds it)
            lo, hi = next(((s, -e) for s, e in reversed(bodies) if s <= at < -e), (0, 1 << 62))
            self.aliases.setdefault(alias.name, []).append((target, lo, hi))

    def __bool__(self) -> bool:
        return bool(self.imports or self.aliases or self.globals)

    def _targets(self, head: str, at: int) -> list[str]:
        found = self.imports.get(head, [])
        scoped = self.aliases.get(head)
        if scoped:
            found = found + [t for t, lo, hi in scoped if lo <= at < hi]
        return found

    def names(self, name: str, at: int) -> list[str]:
        """`name` (normalised) and what it stands for at byte `at`: its leading segment
        resolved through the bindings (again for an alias of an alias), global prefixes off."""
        out = [name]
        todo = out
        for _ in range(_HOPS):
            more: list[str] = []
            for written in todo:
                head = _HEAD.match(written)
                assert head is not None  # the pattern matches the empty string
                for target in self._targets(head.group(), at):
                    candidate = target + written[head.end() :]
                    if candidate not in out and candidate not in more:
                        more.append(candidate)
            if not more:
                break
            out = out + more
            todo = more
        for written in list(out):
            for prefix in self.globals:
                if written.startswith(prefix) and written[len(prefix) :] not in out:
                    out.append(written[len(prefix) :])
        return out

    def bound(self) -> list[tuple[str, int]]:
        """Each name the file binds, with a byte where its binding holds."""
        return [(name, 0) for name in self.imports] + [
            (name, lo) for name, found in self.aliases.items() for _, lo, _ in found
        ]


def _default_name(qualified: str) -> str:
    """The name a plain import of `qualified` binds: its last segment (a Go path's last
    element, past a major version: `gopkg.in/yaml.v3`, `x/y/v2`)."""
    parts = [part for part in qualified.replace("/", ".").split(".") if part]
    if len(parts) > 1 and parts[-1][:1] == "v" and parts[-1][1:].isdigit():
        return parts[-2]
    return parts[-1] if parts else qualified


def call_names(facts: FileFacts) -> Iterator[tuple[Call, list[str]]]:
    """Each call with the names it may be matched by (normalised): as written, and with its
    leading segment resolved through the file's imports and plain rebindings: after
    `import os as o`, `o.system(...)` is also os.system; after `from os import system as s`,
    `s(...)`; after `run = os.system`, `run(...)`. `builtins.eval` (Python) and
    `globalThis.eval` (JS) are also `eval`."""
    scope = _Scope(facts)
    for call in facts.calls:
        name = normalise_name(call.name)
        yield call, scope.names(name, call.span.start_byte) if scope else [name]


def local_spellings(facts: FileFacts, names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """How each dotted name can be written in this file: the name itself (in the file's
    member syntax), then each local name that stands for it or for a prefix of it:
    `os.system` with `import os as o` is also `o.system`, with `from os import system as s`
    also `s`; a name may thus be banned however the file imported it."""
    scope = _Scope(facts)
    member = _MEMBER.get(facts.language, ".")
    # each bound name with what it stands for: `o` -> os, `s` -> os.system, `e` -> eval
    meanings = [(local, scope.names(local, at)[1:]) for local, at in scope.bound()]
    out: dict[str, tuple[str, ...]] = {}
    for written in names:
        ban = normalise_name(written)
        found = [ban.replace(".", member)]
        for local, forms in meanings:
            for form in forms:
                if ban == form:
                    found.append(local)
                elif ban.startswith(form + "."):
                    found.append(local + member + ban[len(form) + 1 :].replace(".", member))
        out[written] = tuple(dict.fromkeys(found))
    return out


def banned_calls(facts: FileFacts, config: Config) -> Iterator[Finding]:
    if not config.banned_calls:
        return
    for call, names in call_names(facts):
        ban = next(
            filter(None, (_bans_matching(n, config.banned_calls, prefix=False) for n in names)),
            None,
        )
        if ban:
            why = f": {ban.reason}" if ban.reason else ""
            yield _finding(
                "ANK201", facts, call.span, f"call of banned `{ban.name}`{why}", call.name
            )


def banned_imports(facts: FileFacts, config: Config) -> Iterator[Finding]:
    for imp in facts.imports:
        module = normalise_name(imp.module.strip("\"'<>").removeprefix("node:").replace("/", "."))
        ban = _bans_matching(module, config.banned_imports, prefix=True)
        if ban:
            why = f": {ban.reason}" if ban.reason else ""
            yield _finding(
                "ANK202", facts, imp.span, f"import of banned `{ban.name}`{why}", imp.module
            )


# `holes` reports both ANK101 (TODO comments) and ANK102 (typed holes) in one pass.
RULE_FUNCTIONS: tuple[Rule, ...] = (syntax_errors, holes, banned_calls, banned_imports)


def check_file(
    facts: FileFacts, config: Config, intensity: Intensity, extra: Iterable[Finding] = ()
) -> list[Finding]:
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
