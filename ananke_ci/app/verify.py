"""Verification of a candidate fill: nothing is proposed or written that fails any check.

The candidate is spliced into the hole's byte span and the patched file must: parse with no
new syntax error, raise no new error-level finding of the validator (at the file's config and
intensity), contain no banned identifier, not be a hole itself, and (when `[verify] command`
is set) pass the project's test command, run in a temporary `git worktree` that is removed
afterwards: the user's working tree is never touched.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ananke_ci.adapters import git_write as git
from ananke_ci.adapters.proc import run
from ananke_ci.analysis.extract import extract_facts
from ananke_ci.analysis.grammar.braces import spec_for
from ananke_ci.analysis.holes import TODO_RE
from ananke_ci.analysis.languages import language_for_path
from ananke_ci.analysis.rules import check_file, normalise_name
from ananke_ci.core.config import Config
from ananke_ci.core.errors import UserError
from ananke_ci.core.facts import FileFacts, Hole
from ananke_ci.core.intensity import DEFAULT_INTENSITY, Intensity

_OUTPUT_TAIL = 600  # characters of a failing test command's output kept as the reason


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    reasons: tuple[str, ...]  # why it failed (empty when ok)


@dataclass(frozen=True, slots=True)
class Patch:
    original: bytes
    patched: bytes
    start: int  # byte range of the fill in `patched`
    end: int


def splice(original: bytes, hole: Hole, body: str, language: str = "python") -> Patch:
    """The file with `body` in place of the hole: the contract of analysis/prompting.py.

    The prompt pre-fills the function's lines up to the hole's line, so the body replaces
    whole lines, from the hole's line to the end of the enclosing function (Python, and
    brace languages whose body ends with the closing `}` line), or to the line before the
    function's last (`end` languages, whose grammar stops before it). A hole outside any
    function replaces its own lines.
    """
    fn = hole.function
    last = hole.span.end_line
    if fn is not None and fn.span.end_line >= hole.span.start_line:
        closes = language == "python" or spec_for(language).braced
        last = max(last, fn.span.end_line if closes else fn.span.end_line - 1)
    start = _line_start(original, hole.span.start_line)
    end = _line_start(original, last + 1)
    if end > start and original[end - 1:end] == b"\n":
        end -= 1  # keep the line break after the replaced lines
    data = body.rstrip("\r\n").encode("utf-8")
    patched = original[:start] + data + original[end:]
    return Patch(original, patched, start, start + len(data))


def _line_start(data: bytes, line: int) -> int:
    """Byte offset where 1-based `line` starts (len(data) past the end)."""
    pos = 0
    for _ in range(line - 1):
        found = data.find(b"\n", pos)
        if found < 0:
            return len(data)
        pos = found + 1
    return pos


def verify(
    root: Path,
    path: str,
    original: bytes,
    hole: Hole,
    body: str,
    config: Config,
    *,
    intensity: Intensity = DEFAULT_INTENSITY,
    base_tree: str | None = None,
    run_command: bool = True,
) -> Verdict:
    """Check one candidate body for one hole; `base_tree` is what the test command sees."""
    patch = splice(original, hole, body, language_for_path(path) or "generic")
    reasons = list(static_reasons(path, patch, body, config, intensity))
    if not reasons and run_command and config.verify.command:
        reasons.extend(run_tests(root, path, patch.patched, config, base_tree))
    return Verdict(not reasons, tuple(reasons))


def static_reasons(
    path: str, patch: Patch, body: str, config: Config, intensity: Intensity
) -> Iterable[str]:
    """Everything checked without running anything: parse, validator, bans, not a hole."""
    if not body.strip():
        yield "the candidate is empty"
        return
    before = extract_facts(path, patch.original, max_bytes=config.max_file_bytes)
    after = extract_facts(path, patch.patched, max_bytes=config.max_file_bytes)
    if after.skipped:
        yield f"the patched file cannot be checked: {after.skipped}"
        return
    new_issues = len(after.syntax_issues) - len(before.syntax_issues)
    if new_issues > 0:
        first = next((i for i in after.syntax_issues
                      if patch.start <= i.span.start_byte <= patch.end), after.syntax_issues[-1])
        what = f"missing {first.text!r}" if first.kind == "missing" else repr(first.text[:40])
        yield (f"syntax error: {new_issues} new parse error(s), first at line "
               f"{first.span.start_line}: {what}")
    if after.language == "python" and new_issues <= 0:
        yield from _python_compiles(patch)
    for hole in after.holes:
        inside = patch.start <= hole.span.start_byte and hole.span.end_byte <= patch.end
        if inside or (hole.kind == "typed" and hole.span.start_byte <= patch.start
                      and patch.end <= hole.span.end_byte):
            yield f"the candidate is itself a hole (`{hole.marker}`)"
            break
    else:
        if TODO_RE.search(body):
            yield "the candidate leaves a TODO"
    yield from _new_errors(before, after, config, intensity)
    yield from banned_in(body, config)


def _python_compiles(patch: Patch) -> Iterable[str]:
    """CPython's own parser, stricter than tree-sitter about indentation; only a new
    failure counts (the original may use syntax this interpreter does not know)."""
    import ast
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences and the like
        try:
            ast.parse(patch.patched)
        except (SyntaxError, ValueError) as exc:
            try:
                ast.parse(patch.original)
            except (SyntaxError, ValueError):
                return
            line = getattr(exc, "lineno", None)
            yield f"syntax error: line {line}: {getattr(exc, 'msg', exc)}"


def _new_errors(before: FileFacts, after: FileFacts, config: Config,
                intensity: Intensity) -> Iterable[str]:
    def errors(facts: FileFacts) -> list[tuple[str, str, str]]:
        return [(f.rule, " ".join(f.code.split()), f.message)
                for f in check_file(facts, config, intensity)
                if f.severity == "error" and f.rule != "ANK001"]  # syntax is checked above

    old = Counter((rule, code) for rule, code, _ in errors(before))
    for rule, code, message in errors(after):
        if old[(rule, code)] > 0:
            old[(rule, code)] -= 1
        else:
            yield f"{rule}: {message}"


def banned_in(body: str, config: Config) -> Iterable[str]:
    """Banned calls or imports named anywhere in the body (text, not just calls: the
    validator sees calls; this also catches references such as `f = eval`)."""
    for ban in (*config.banned_calls, *config.banned_imports):
        target = normalise_name(ban.name)
        parts = [re.escape(p) for p in target.split(".")]
        pattern = r"(?<![\w$])" + r"\s*(?:\.|::|->)\s*".join(parts) + r"(?![\w$])"
        if re.search(pattern, body):
            yield f"uses banned `{ban.name}`"


def run_tests(root: Path, path: str, patched: bytes, config: Config,
              base_tree: str | None) -> list[str]:
    """The test command on base_tree (default: the index) with the patched file, in a
    temporary worktree; a list of failure reasons."""
    command = config.verify.command
    assert command is not None
    tree = base_tree or git.index_tree(root)
    with git.temp_dir(root, "verify") as tmp:  # pruned by a later run if this one is killed
        work = Path(tmp) / "tree"
        git.worktree_add(root, work, tree)
        try:
            target = work / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(patched)
            try:
                res = run(["sh", "-c", command], cwd=work, check=False,
                          timeout=config.verify.timeout)
            except UserError as exc:  # timed out, or could not start
                return [f"test command: {exc}"]
            if res.returncode != 0:
                out = (res.stdout + res.stderr).decode("utf-8", "replace").strip()
                return [f"test command `{command}` failed (exit {res.returncode}): "
                        + out[-_OUTPUT_TAIL:]]
            return []
        finally:
            git.worktree_remove(root, work)
