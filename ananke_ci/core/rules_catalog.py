"""Every rule ananke-ci can report: id, name, domain, default severity and help.

Rule ids are stable: configs, suppressions and baselines refer to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ananke_ci.core.findings import Severity
from ananke_ci.core.intensity import Intensity


@dataclass(frozen=True, slots=True)
class RuleInfo:
    id: str
    name: str  # kebab-case, also accepted in config and suppressions
    domain: str
    default_severity: Severity
    min_intensity: Intensity  # the rule runs on files guarded at least this strictly
    summary: str
    help: str


RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "ANK001", "syntax-error", "syntax", "error", Intensity.SYNTAX_ONLY,
        "The change introduces a syntax error",
        "tree-sitter could not parse the added code. Fix the syntax at the reported position.",
    ),
    RuleInfo(
        "ANK101", "todo-comment", "holes", "warning", Intensity.STANDARD,
        "The change adds a TODO/FIXME/XXX comment",
        "Finish the work or track it in an issue; `ananke-ci fix` can propose a fill.",
    ),
    RuleInfo(
        "ANK102", "typed-hole", "holes", "warning", Intensity.STANDARD,
        "The change adds a function whose body is only a placeholder",
        "Implement the body (pass, ..., todo!(), raise NotImplementedError, ...); "
        "`ananke-ci fix` can propose a verified fill.",
    ),
    RuleInfo(
        "ANK201", "banned-call", "semantics", "error", Intensity.SYNTAX_ONLY,
        "The change calls a function that the configuration bans",
        "Remove the call or use the alternative named in the configuration.",
    ),
    RuleInfo(
        "ANK202", "banned-import", "imports", "error", Intensity.SYNTAX_ONLY,
        "The change imports a module that the configuration bans",
        "Remove the import or use the alternative named in the configuration.",
    ),
)

BY_ID: dict[str, RuleInfo] = {r.id: r for r in RULES}
BY_NAME: dict[str, RuleInfo] = {r.name: r for r in RULES}


def lookup(key: str) -> RuleInfo | None:
    """A rule by id (case-insensitive) or by name."""
    return BY_ID.get(key.upper()) or BY_NAME.get(key.lower())
