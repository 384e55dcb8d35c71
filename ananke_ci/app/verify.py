"""Verification of a candidate fill: nothing is proposed or written that fails any check.

The candidate is spliced into the hole's lines, and the patched file must:
- satisfy the grammar the candidate was asked for (re-checked here for every backend: a
  remote server's output is not taken on trust, and vLLM cuts an output silently on a
  matcher error);
- parse, with no new syntax error (CPython's own parser too, for Python);
- stay a fill: only the hole's lines change, nothing is defined beside the function or
  added after it (analysis/fill_shape.py);
- return on every path where the signature asks for a value (Python; the grammar holds
  the other languages to a return);
- read only names that exist (Python: pyflakes, plus attributes of builtin-typed
  parameters and standard modules; Go, JavaScript/TypeScript and Rust: a bare call of a
  name that no file of the repository defines or calls, analysis/fill_names.py);
- not be a hole itself nor leave a TODO;
- add no finding of the validator at warning or above (or at the fail level, when that is
  lower): the same `Judge.check` that `validate` runs, with the same constraints and
  intensity, before and after;
- and, when `[verify] command` is set and allowed, pass the project's test command, run in
  a temporary `git worktree` that is removed afterwards (the user's tree is never touched)
  with an environment stripped of secrets and tokens, no network where the platform allows
  it, and a time limit.

Each file is read and parsed once (`FillSite`); each candidate's patched file once.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from ananke_ci.adapters.git import write as git
from ananke_ci.adapters.sandbox import run_sandboxed
from ananke_ci.analysis import python_fill
from ananke_ci.analysis.extract import extract_facts
from ananke_ci.analysis.fill_names import unknown_calls
from ananke_ci.analysis.fill_shape import shape_reasons
from ananke_ci.analysis.grammar import byte_tokenizer, check_output
from ananke_ci.analysis.grammar._common import needs_return
from ananke_ci.analysis.grammar.braces import spec_for
from ananke_ci.analysis.holes import TODO_RE
from ananke_ci.analysis.rules import normalise_name
from ananke_ci.app.judge import Judge
from ananke_ci.app.targets import SourceFile
from ananke_ci.core.config import Config
from ananke_ci.core.facts import FileFacts, Hole
from ananke_ci.core.findings import SEVERITY_RANK, Finding
from ananke_ci.core.protocol import Constraint
from ananke_ci.core.records import field, record

_OUTPUT_TAIL = 600  # characters of a failing test command's output kept as the reason


@record(frozen=True, slots=True)
class Verdict:
    ok: bool
    reasons: tuple[str, ...]  # why it failed (empty when ok)


@record(frozen=True, slots=True)
class Patch:
    original: bytes
    patched: bytes
    start: int  # byte range of the fill in `patched`
    end: int

    @property
    def replaced_end(self) -> int:
        """Where the replaced lines ended in `original`."""
        return self.end + len(self.original) - len(self.patched)


@record(frozen=True, slots=True)
class FillSite:
    """One hole in its file as analysed: what every candidate for it is checked against."""

    source: SourceFile  # the file's content and diff
    facts: FileFacts  # of that content
    hole: Hole
    constraint: Constraint | None = None  # the grammar the candidates were asked for

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def language(self) -> str:
        return self.facts.language


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
    if end > start and original[end - 1 : end] == b"\n":
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


@record
class Verifier:
    """Checks candidates for the holes of one change, against one judge."""

    root: Path
    judge: Judge
    run_command: bool = True  # the [verify] command, when one is set
    base_tree: str | None = None  # what the test command sees (default: the index)
    known_names: frozenset[str] | None = None  # defined or called in the repository
    _before: dict[str, Counter[tuple[str, str]]] = field(default_factory=dict)
    _python: dict[str, tuple[ast.Module | None, Counter[str]]] = field(default_factory=dict)

    @property
    def config(self) -> Config:
        return self.judge.config

    def verify(self, site: FillSite, body: str, raw: str | None = None) -> Verdict:
        """Check one candidate `body` (`raw`: the text as generated, fence included)."""
        patch = splice(site.source.content, site.hole, body, site.language)
        reasons = list(self.static_reasons(site, patch, body, body if raw is None else raw))
        if not reasons and self.run_command and self.config.verify.command:
            reasons.extend(
                run_tests(self.root, site.path, patch.patched, self.config, self.base_tree)
            )
        return Verdict(not reasons, tuple(reasons))

    def static_reasons(
        self,
        site: FillSite,
        patch: Patch,
        body: str,
        raw: str,
    ) -> Iterable[str]:
        """Everything checked without running anything."""
        if not body.strip():
            yield "the candidate is empty"
            return
        if site.constraint is not None:
            why = _grammar_breach(site.constraint, raw)
            if why is not None:
                yield (
                    f"grammar violation: the candidate breaks the grammar it was asked for ({why})"
                )
                return
        after = extract_facts(site.path, patch.patched, max_bytes=self.config.max_file_bytes)
        if after.skipped:
            yield f"the patched file cannot be checked: {after.skipped}"
            return
        tree = python_fill.parse(patch.patched) if site.language == "python" else None
        syntax = list(_syntax_reasons(site.facts, after, patch))
        if (
            not syntax
            and site.language == "python"
            and tree is None
            and self.python_before(site)[0] is not None
        ):
            # CPython's parser is stricter than tree-sitter about indentation; only a new
            # failure counts (the original may use syntax this interpreter does not know)
            syntax.append(f"syntax error: {_python_error(patch.patched)}")
        yield from syntax
        if syntax:
            return
        yield from shape_reasons(
            site.facts, after, site.hole, patch.patched, patch.start, patch.end, patch.replaced_end
        )
        if tree is not None:
            yield from _python_reasons(site, tree, self.python_before(site)[1])
        elif self.known_names is not None:
            yield from unknown_calls(after, patch.patched, patch.start, patch.end, self.known_names)
        yield from _hole_reasons(after, patch, body)
        yield from self._new_findings(site, after, patch)
        yield from banned_in(body, self.config)

    def python_before(self, site: FillSite) -> tuple[ast.Module | None, Counter[str]]:
        """The original file's CPython tree and its undefined names, once per file."""
        if site.path not in self._python:
            tree = python_fill.parse(site.source.content)
            names = python_fill.undefined_names(tree, site.path) if tree else Counter()
            self._python[site.path] = (tree, names)
        return self._python[site.path]

    def findings_before(self, site: FillSite) -> Counter[tuple[str, str]]:
        """The file's findings as analysed, once per file."""
        if site.path not in self._before:
            self._before[site.path] = Counter(
                _key(f) for f in self.judge.check(site.source, site.facts)
            )
        return self._before[site.path]

    def _new_findings(self, site: FillSite, after: FileFacts, patch: Patch) -> Iterable[str]:
        bar = min(SEVERITY_RANK["warning"], SEVERITY_RANK[self.config.fail_level])
        old = Counter(self.findings_before(site))
        source = SourceFile(site.path, patch.patched, site.source.diff)
        for f in self.judge.check(source, after):
            key = _key(f)
            if old[key] > 0:
                old[key] -= 1
            elif SEVERITY_RANK[f.severity] >= bar and f.rule not in _SEPARATE:
                yield f"{f.rule}: {f.message}"


def _grammar_breach(constraint: Constraint, raw: str) -> str | None:
    """Why `raw` does not satisfy the grammar, or None. Trailing blank space is never
    written (splice drops it), so it is not held against a text either way."""
    first = None
    for text in dict.fromkeys((raw, raw.rstrip(), raw.rstrip() + "\n")):
        ok, why = check_output(constraint, text, byte_tokenizer())
        if ok:
            return None
        first = first or why
    return first


_SEPARATE = frozenset({"ANK001", "ANK101", "ANK102"})  # told apart, with clearer words


def _key(f: Finding) -> tuple[str, str]:
    return f.rule, f.fingerprint


def _syntax_reasons(before: FileFacts, after: FileFacts, patch: Patch) -> Iterable[str]:
    new_issues = len(after.syntax_issues) - len(before.syntax_issues)
    if new_issues > 0:
        first = next(
            (i for i in after.syntax_issues if patch.start <= i.span.start_byte <= patch.end),
            after.syntax_issues[-1],
        )
        what = f"missing {first.text!r}" if first.kind == "missing" else repr(first.text[:40])
        yield (
            f"syntax error: {new_issues} new parse error(s), first at line "
            f"{first.span.start_line}: {what}"
        )


def _python_error(data: bytes) -> str:
    try:
        compile(data, "<fill>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return str(exc)
    return "does not parse"


def _python_reasons(site: FillSite, tree: ast.Module, old: Counter[str]) -> Iterable[str]:
    """Returns, names and attributes, with CPython's tree and pyflakes."""
    fn_info = site.hole.function
    if fn_info is None:
        return
    fn = python_fill.function_at(tree, fn_info.span.start_line)
    if fn is None:
        return
    if (
        needs_return("python", fn_info.return_type)
        and not python_fill.is_generator(fn)
        and python_fill.falls_through(fn.body)
    ):
        yield (
            f"`{fn_info.name}` is declared to return {fn_info.return_type} but the fill "
            "can end without returning a value"
        )
    for name, count in python_fill.undefined_names(tree, site.path).items():
        if count > old[name]:
            yield f"reads `{name}`, which is not defined"
    yield from python_fill.missing_attributes(tree, fn)


def _hole_reasons(after: FileFacts, patch: Patch, body: str) -> Iterable[str]:
    for hole in after.holes:
        inside = patch.start <= hole.span.start_byte and hole.span.end_byte <= patch.end
        if inside or (
            hole.kind == "typed"
            and hole.span.start_byte <= patch.start
            and patch.end <= hole.span.end_byte
        ):
            yield f"the candidate is itself a hole (`{hole.marker}`)"
            return
    if TODO_RE.search(body):
        yield "the candidate leaves a TODO"


def banned_in(body: str, config: Config) -> Iterable[str]:
    """Banned calls or imports named anywhere in the body (text, not just calls: the
    validator sees calls; this also catches references such as `f = eval`)."""
    for ban in (*config.banned_calls, *config.banned_imports):
        target = normalise_name(ban.name)
        parts = [re.escape(p) for p in target.split(".")]
        pattern = r"(?<![\w$])" + r"\s*(?:\.|::|->)\s*".join(parts) + r"(?![\w$])"
        if re.search(pattern, body):
            yield f"uses banned `{ban.name}`"


def run_tests(
    root: Path, path: str, patched: bytes, config: Config, base_tree: str | None
) -> list[str]:
    """The test command on base_tree (default: the index) with the patched file, in a
    temporary worktree, sandboxed; a list of failure reasons."""
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
            # no secret or token in its environment, no network where a namespace can be
            # made, killed with all it started at the time limit (adapters/sandbox.py)
            res = run_sandboxed(command, work, timeout=config.verify.timeout)
            if res.timed_out:
                return [f"test command: timed out after {config.verify.timeout:g} s"]
            if res.returncode != 0:
                return [
                    f"test command `{command}` failed (exit {res.returncode}): "
                    + res.output.strip()[-_OUTPUT_TAIL:]
                ]
            return []
        finally:
            git.worktree_remove(root, work)
