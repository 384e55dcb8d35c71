"""Verification of a candidate fill: nothing is proposed or written that fails any check.

The candidate is spliced into the hole's byte span and the patched file must: parse with no
new syntax error, raise no new error-level finding of the validator (at the file's config and
intensity), contain no banned identifier, not be a hole itself, and (when `[verify] command`
is set) pass the project's test command, run in a temporary `git worktree` that is removed
afterwards: the user's working tree is never touched.
"""

from __future__ import annotations

import re
import tempfile
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
    """The file with `body` in place of the hole.

    Indentation languages (and the generic fallback): the body replaces the hole's span;
    its first line lands at the hole's column (leading indentation dropped), later lines
    keep theirs, the trailing newline goes (the span ends before the line break).
    Brace languages: the grammar's body ends with the line holding the matching `}`,
    which is dropped; a typed hole's whole body between the braces is replaced (the
    closing brace keeps its indentation), a TODO comment only by the statements.
    """
    span = hole.span
    if spec_for(language).braced:
        lines = body.rstrip("\r\n").split("\n")
        inner = "\n".join(lines[:-1]) + "\n" if len(lines) > 1 else ""
        fn = hole.function
        region = fn.body_span if hole.kind == "typed" and fn is not None else None
        if region is not None and original[region.start_byte:region.start_byte + 1] == b"{":
            start, end = region.start_byte + 1, region.end_byte - 1
            closing = original[start:end].rsplit(b"\n", 1)
            indent = closing[1] if len(closing) == 2 and not closing[1].strip() else b""
            data = b"\n" + inner.encode("utf-8") + indent
            patched = original[:start] + data + original[end:]
            return Patch(original, patched, start, start + len(data))
        body = inner
    data = body.strip("\r\n").lstrip(" \t").rstrip().encode("utf-8")
    patched = original[: span.start_byte] + data + original[span.end_byte :]
    return Patch(original, patched, span.start_byte, span.start_byte + len(data))


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
    with tempfile.TemporaryDirectory(prefix="ananke-verify-") as tmp:
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
