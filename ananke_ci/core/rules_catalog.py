"""Every rule ananke-ci can report: id, name, domain, default severity and help.

Rule ids are stable: configs, suppressions and baselines refer to them.
"""

from __future__ import annotations

from typing import Literal

from ananke_ci.core.findings import Severity
from ananke_ci.core.intensity import Intensity
from ananke_ci.core.records import record

Tier = Literal["hard", "soft"]


@record(frozen=True, slots=True)
class RuleInfo:
    id: str
    name: str  # kebab-case, also accepted in config and suppressions
    domain: str
    default_severity: Severity  # at full strength (see severity_at)
    summary: str
    help: str
    tier: Tier = "hard"


RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "ANK001",
        "syntax-error",
        "syntax",
        "error",
        "The change introduces a syntax error",
        "tree-sitter could not parse the added code. Fix the syntax at the reported position.",
    ),
    RuleInfo(
        "ANK101",
        "todo-comment",
        "holes",
        "warning",
        "The change adds a TODO/FIXME/XXX comment",
        "Finish the work or track it in an issue; `ananke-ci fix` can propose a fill.",
    ),
    RuleInfo(
        "ANK102",
        "typed-hole",
        "holes",
        "warning",
        "The change adds a function whose body is only a placeholder",
        "Implement the body (pass, ..., todo!(), raise NotImplementedError, ...); "
        "`ananke-ci fix` can propose a verified fill.",
    ),
    RuleInfo(
        "ANK201",
        "banned-call",
        "semantics",
        "error",
        "The change calls a function that the configuration bans",
        "Remove the call or use the alternative named in the configuration.",
    ),
    RuleInfo(
        "ANK202",
        "banned-import",
        "imports",
        "error",
        "The change imports a module that the configuration bans",
        "Remove the import or use the alternative named in the configuration.",
    ),
    # -- constraints (mined or declared)
    RuleInfo(
        "ANK301",
        "naming-convention",
        "semantics",
        "warning",
        "A new name breaks the naming convention of its kind",
        "Rename it in the repository's style (the message says which and how sure).",
        "soft",
    ),
    RuleInfo(
        "ANK302",
        "missing-annotations",
        "types",
        "error",
        "A new public function lacks the type annotations the repository keeps",
        "Annotate every parameter and the return type.",
    ),
    RuleInfo(
        "ANK303",
        "layering",
        "imports",
        "error",
        "A new import reverses the established direction between two packages",
        "Move the shared code down a layer, or invert the dependency (pass it in).",
    ),
    RuleInfo(
        "ANK304",
        "import-cycle",
        "imports",
        "error",
        "A new import closes a cycle between packages",
        "Break the cycle: move the shared code into a package both can import.",
    ),
    RuleInfo(
        "ANK305",
        "dangerous-call",
        "semantics",
        "warning",
        "The change uses a dangerous construct the repository never uses",
        "Use the safe alternative named in the message, or suppress with a reason.",
        "soft",
    ),
    RuleInfo(
        "ANK306",
        "error-handling",
        "control",
        "warning",
        "A bare or swallowing error handler where the repository never has one",
        "Catch the specific exception and handle or re-raise it; log at least.",
        "soft",
    ),
    RuleInfo(
        "ANK307",
        "api-break",
        "types",
        "error",
        "A changed signature of a widely called function in a foundational file",
        "Keep the old signature (add optional parameters only) or update every call site.",
    ),
    RuleInfo(
        "ANK308",
        "forbidden",
        "semantics",
        "error",
        "A call or import a declared constraint forbids in this path",
        "Remove it; the constraint (file and line in the message) says why.",
    ),
    RuleInfo(
        "ANK309",
        "complexity",
        "control",
        "warning",
        "A function over the declared complexity or parameter limit",
        "Split the function; extract the branches into helpers.",
        "soft",
    ),
)

BY_ID: dict[str, RuleInfo] = {r.id: r for r in RULES}
BY_NAME: dict[str, RuleInfo] = {r.name: r for r in RULES}


def lookup(key: str) -> RuleInfo | None:
    """A rule by id (case-insensitive) or by name."""
    return BY_ID.get(key.upper()) or BY_NAME.get(key.lower())


_LOWER: dict[Severity, Severity] = {"error": "warning", "warning": "note", "note": "note"}


def severity_at(info: RuleInfo, intensity: Intensity) -> Severity | None:
    """A rule's default severity in a file of `intensity`; None at `none` (not checked).

    Intensity sets how severe a finding is, never whether it is seen: every rule runs on
    every file above `none`. Syntax errors and holes keep their severity everywhere (holes
    are what `fix` and the bot act on). A hard rule is at full strength from `full_hard` up
    and one step lower below; a soft rule is a note at `syntax_only`, at full strength from
    `standard` to `full`, and an error at `exhaustive`. So `full_hard` (FoundationalStable)
    holds every rule at least as strictly as `full` (ActiveHotspot).
    """
    if intensity is Intensity.NONE:
        return None
    if info.domain in ("syntax", "holes"):
        return info.default_severity
    if info.tier == "hard":
        return (
            info.default_severity
            if intensity >= Intensity.FULL_HARD
            else _LOWER[info.default_severity]
        )
    if intensity >= Intensity.EXHAUSTIVE:
        return "error"
    return (
        info.default_severity if intensity >= Intensity.STANDARD else _LOWER[info.default_severity]
    )
