"""validate: the change's files -> facts -> findings, each marked in or out of the diff."""

from __future__ import annotations

from pathlib import Path

from ananke_ci.analysis import rows
from ananke_ci.app.extraction import extract_bounded
from ananke_ci.app.judge import Judge
from ananke_ci.app.targets import SourceFile, Target, iter_sources
from ananke_ci.core.baseline import split_new
from ananke_ci.core.config import Config
from ananke_ci.core.diff import line_in_scope
from ananke_ci.core.facts import FileFacts
from ananke_ci.core.findings import FilterMode, Finding
from ananke_ci.core.records import record, replace


@record(frozen=True, slots=True)
class CheckedFile:
    source: SourceFile
    facts: FileFacts


@record(frozen=True, slots=True)
class ValidateResult:
    findings: tuple[Finding, ...]  # every finding, `in_diff` marking which ones count
    files: tuple[CheckedFile, ...]
    notices: tuple[str, ...]


def analyse(root: Path, target: Target, config: Config) -> tuple[list[CheckedFile], list[str]]:
    """Read and parse every file in scope once, each within a time budget (a pathological
    file is skipped with a notice); shared by validate, holes and fix."""
    notices: list[str] = []
    sources = list(iter_sources(root, target, config, notices))
    built: dict[int, FileFacts] = {}
    items = [(s.path, None, s.content) for s in sources]
    for index, core, rest in extract_bounded(items, config.max_file_bytes):
        built[index] = rows.facts(sources[index].path, core, rest)
    files = []
    for index, source in enumerate(sources):
        facts = built[index]
        if facts.skipped:
            notices.append(f"{source.path}: {facts.skipped}, skipped")
        notices.extend(f"{source.path}: {n}" for n in facts.notices)
        files.append(CheckedFile(source, facts))
    return files, notices


def validate(
    root: Path,
    target: Target,
    judge: Judge,
    filter_mode: FilterMode | None = None,
    *,
    baseline: bool = True,
) -> ValidateResult:
    """Findings of the target, judged by `judge` (app/judge.open_judge: the change's base);
    with `baseline`, those its baseline holds are dropped (a notice says how many)."""
    files, notices = analyse(root, target, judge.config)
    mode = filter_mode or judge.config.filter_mode
    findings: list[Finding] = []
    for checked in files:
        for finding in judge.check(checked.source, checked.facts):
            findings.append(mark(finding, checked.source, mode))
    findings.sort(key=lambda f: (f.path, f.line, f.col, f.rule))
    if baseline and judge.baseline is not None:
        findings, hidden = split_new(findings, judge.baseline)
        if hidden:
            notices.append(
                f"{hidden} finding(s) accepted in {judge.config.constraints.baseline}"
                " not shown (--no-baseline shows them)"
            )
    return ValidateResult(tuple(findings), tuple(files), tuple(notices))


def mark(finding: Finding, source: SourceFile, mode: FilterMode) -> Finding:
    """The finding with `in_diff` set: whether it counts for the change under `mode`."""
    if source.diff is None:  # a whole file was asked for: everything in it counts
        return finding
    in_scope = line_in_scope(source.diff, finding.line, finding.end_line, mode.value)
    return replace(finding, in_diff=in_scope)
