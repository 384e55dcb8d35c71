"""validate: the change's files -> facts -> findings, each marked in or out of the diff."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ananke_ci.adapters.cache_paths import no_caches
from ananke_ci.analysis.extract import extract_facts
from ananke_ci.analysis.rules import check_file
from ananke_ci.app.intensities import intensities_for
from ananke_ci.app.targets import SourceFile, Target, iter_sources
from ananke_ci.core.config import Config
from ananke_ci.core.diff import line_in_scope
from ananke_ci.core.facts import FileFacts
from ananke_ci.core.findings import FilterMode, Finding
from ananke_ci.core.records import dataclass, replace

if TYPE_CHECKING:
    from ananke_ci.app.constraint_check import ConstraintChecker


@dataclass(frozen=True, slots=True)
class CheckedFile:
    source: SourceFile
    facts: FileFacts


@dataclass(frozen=True, slots=True)
class ValidateResult:
    findings: tuple[Finding, ...]  # every finding, `in_diff` marking which ones count
    files: tuple[CheckedFile, ...]
    notices: tuple[str, ...]


def analyse(root: Path, target: Target, config: Config) -> tuple[list[CheckedFile], list[str]]:
    """Parse every file in scope once; shared by validate and holes."""
    notices: list[str] = []
    files = []
    for source in iter_sources(root, target, config, notices):
        facts = extract_facts(source.path, source.content, max_bytes=config.max_file_bytes)
        if facts.skipped:
            notices.append(f"{source.path}: {facts.skipped}, skipped")
        notices.extend(f"{source.path}: {n}" for n in facts.notices)
        files.append(CheckedFile(source, facts))
    return files, notices


def validate(root: Path, target: Target, config: Config, filter_mode: FilterMode,
             *, baseline: bool = True) -> ValidateResult:
    """Findings of the target; with `baseline`, those recorded in the baseline file are
    dropped (a notice says how many)."""
    files, notices = analyse(root, target, config)
    intensity = intensities_for(root, [f.source.path for f in files], config)
    checker = _constraint_checker(root, config)
    findings: list[Finding] = []
    for checked in files:
        extra = checker.check(checked.source, checked.facts) if checker else []
        for finding in check_file(checked.facts, config, intensity[checked.source.path], extra):
            findings.append(_mark(finding, checked.source, filter_mode))
    findings.sort(key=lambda f: (f.path, f.line, f.col, f.rule))
    if baseline:
        from ananke_ci.app.baseline import apply_baseline

        findings = apply_baseline(root, config, findings, notices)
    return ValidateResult(tuple(findings), tuple(files), tuple(notices))


def _constraint_checker(root: Path, config: Config) -> ConstraintChecker | None:
    """The constraint checks, when there are any: the hook of a repository that never ran
    `ananke-ci compile` and declares none does not import that machinery at all."""
    if not config.declared:
        if no_caches(root):
            return None
        from ananke_ci.adapters.ir_cache import has_current

        if not has_current(root):
            return None
    from ananke_ci.app.constraint_check import ConstraintChecker, current_ir

    ir = current_ir(root, config)
    return ConstraintChecker(root, ir) if ir is not None else None


def _mark(finding: Finding, source: SourceFile, mode: FilterMode) -> Finding:
    if source.diff is None:  # a whole file was asked for: everything in it counts
        return finding
    in_scope = line_in_scope(source.diff, finding.line, finding.end_line, mode.value)
    return replace(finding, in_diff=in_scope)
