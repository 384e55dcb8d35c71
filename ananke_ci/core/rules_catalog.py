"""Every rule ananke-ci can report: id, name, domain, default severity and help.

Rule ids are stable: configs, suppressions and baselines refer to them.
"""

from __future__ import annotations

from typing import Literal

from ananke_ci.core.findings import Severity
from ananke_ci.core.intensity import Intensity
from ananke_ci.core.records import dataclass

Tier = Literal["hard", "soft"]


@dataclass(frozen=True, slots=True)
class RuleInfo:
    id: str
    name: str  # kebab-case, also accepted in config and suppressions
    domain: str
    default_severity: Severity
    min_intensity: Intensity  # the rule runs on files guarded at least this strictly
    summary: str
    help: str
    tier: Tier = "hard"  # soft rules only run where every domain is checked


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
    # -- constraints (mined or declared); min_intensity follows the design's lattice:
    # standard adds types, full_hard every hard domain, full the soft ones too
    RuleInfo(
        "ANK301", "naming-convention", "semantics", "warning", Intensity.FULL,
        "A new name breaks the naming convention of its kind",
        "Rename it in the repository's style (the message says which and how sure).",
        "soft",
    ),
    RuleInfo(
        "ANK302", "missing-annotations", "types", "error", Intensity.STANDARD,
        "A new public function lacks the type annotations the repository keeps",
        "Annotate every parameter and the return type.",
    ),
    RuleInfo(
        "ANK303", "layering", "imports", "error", Intensity.FULL_HARD,
        "A new import reverses the established direction between two packages",
        "Move the shared code down a layer, or invert the dependency (pass it in).",
    ),
    RuleInfo(
        "ANK304", "import-cycle", "imports", "error", Intensity.FULL_HARD,
        "A new import closes a cycle between packages",
        "Break the cycle: move the shared code into a package both can import.",
    ),
    RuleInfo(
        "ANK305", "dangerous-call", "semantics", "warning", Intensity.FULL,
        "The change uses a dangerous construct the repository never uses",
        "Use the safe alternative named in the message, or suppress with a reason.",
        "soft",
    ),
    RuleInfo(
        "ANK306", "error-handling", "control", "warning", Intensity.FULL,
        "A bare or swallowing error handler where the repository never has one",
        "Catch the specific exception and handle or re-raise it; log at least.",
        "soft",
    ),
    RuleInfo(
        "ANK307", "api-break", "types", "error", Intensity.STANDARD,
        "A changed signature of a widely called function in a foundational file",
        "Keep the old signature (add optional parameters only) or update every call site.",
    ),
    RuleInfo(
        "ANK308", "forbidden", "semantics", "error", Intensity.FULL_HARD,
        "A call or import a declared constraint forbids in this path",
        "Remove it; the constraint (file and line in the message) says why.",
    ),
    RuleInfo(
        "ANK309", "complexity", "control", "warning", Intensity.FULL,
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


def tiered_severity(info: RuleInfo, intensity: Intensity) -> Severity:
    """Default severity at a file's intensity (tier x intensity).

    Syntax and holes keep theirs. A hard rule is at full strength where every hard domain
    is guarded (full_hard and up) and one step lower below that (types at `standard`); a
    soft rule is at full strength at `full` and an error at `exhaustive`.
    """
    if info.domain in ("syntax", "holes"):
        return info.default_severity
    if info.tier == "hard":
        return info.default_severity if intensity >= Intensity.FULL_HARD else \
            _LOWER[info.default_severity]
    return "error" if intensity >= Intensity.EXHAUSTIVE else info.default_severity
