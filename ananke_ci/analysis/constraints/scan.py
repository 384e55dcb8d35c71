"""What the constraints need from one file beyond its facts: error handlers, dangerous
constructs and per-function complexity, read from the source with comments blanked out.

Mining (every file at a commit) and checking (the changed files) both go through `scan_file`,
so what is counted is exactly what is checked.
"""

from __future__ import annotations

import bisect
import re

from ananke_ci.analysis.constraints.dangers import DANGERS, DangerSpec, for_language
from ananke_ci.analysis.languages import LANGUAGES
from ananke_ci.analysis.rules import call_names
from ananke_ci.core.facts import ErrorHandler, FileFacts, Span
from ananke_ci.core.records import record

# `catch (E e) { }`, `catch { }`, `catch let e { }` (Swift), with nothing but blanks inside
_CATCH = re.compile(r"\bcatch\b\s*(\(([^()]*)\)|[^{};()]*?)\s*\{(\s*)\}?")
_GO_ERR = re.compile(r"\bif\s+err\s*!=\s*nil\s*\{(\s*)\}")
_PY_EXCEPT = re.compile(r"^([ \t]*)except\b\s*([^:]*?)\s*:[ \t]*(.*)$", re.M)
# erased at compile time: no runtime dependency, so no layering or cycle edge
_TYPE_IMPORT = re.compile(rb"(import|export)\s+type\b")
_BRANCH_BYTES = re.compile(
    rb"\b(if|elif|else\s+if|for|foreach|while|case|catch|except|when)\b"
    rb"|&&|\|\||\band\b|\bor\b|\?\?|(?<![?.])\?(?![.?:])"
)


@record(frozen=True, slots=True)
class Danger:
    key: str  # DangerSpec.key
    span: Span
    code: str  # the text, for the fingerprint


@record(frozen=True, slots=True)
class FileScan:
    facts: FileFacts
    handlers: tuple[ErrorHandler, ...]
    dangers: tuple[Danger, ...]
    complexity: tuple[int, ...]  # per facts.functions: 1 + decision points in the body
    type_only: frozenset[int] = frozenset()  # start lines of TS `import type` statements


class _Lines:
    """Offsets of a text's lines, to turn a match position into a Span."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def span(self, start: int, end: int) -> Span:
        sl = bisect.bisect_right(self.starts, start) - 1
        el = bisect.bisect_right(self.starts, max(start, end - 1)) - 1
        return Span(
            sl + 1, start - self.starts[sl] + 1, el + 1, end - self.starts[el] + 1, start, end
        )


def code_bytes(facts: FileFacts, source: bytes) -> bytes:
    """The source with every comment blanked (byte offsets and newlines kept)."""
    data = bytearray(source)
    for comment in facts.comments:
        s, e = comment.span.start_byte, comment.span.end_byte
        data[s:e] = bytes(b if b == 10 else 32 for b in data[s:e])
    return bytes(data)


def scan_file(facts: FileFacts, source: bytes) -> FileScan:
    if facts.skipped:
        return FileScan(facts, (), (), ())
    code = code_bytes(facts, source)
    text = code.decode("utf-8", "replace")
    lines = _Lines(text)
    return FileScan(
        facts,
        handlers=tuple(_handlers(facts.language, text, lines)),
        dangers=tuple(_dangers(facts, code, text, lines)),
        complexity=tuple(_complexity(facts, code)),
        type_only=frozenset(
            i.span.start_line for i in facts.imports if _TYPE_IMPORT.match(code, i.span.start_byte)
        ),
    )


def _handlers(language: str, text: str, lines: _Lines) -> list[ErrorHandler]:
    out: list[ErrorHandler] = []
    spec = LANGUAGES.get(language)
    catch = spec.catch if spec is not None else ""
    if catch == "except":
        for m in _PY_EXCEPT.finditer(text):
            body = m.group(3).strip() or _next_block_line(text, m.end(), len(m.group(1)))
            out.append(
                ErrorHandler(
                    lines.span(m.start() + len(m.group(1)), m.end()),
                    m.group(2).strip() or None,
                    body in ("pass", "..."),
                )
            )
    elif catch == "catch":
        for m in _CATCH.finditer(text):
            inner = (m.group(2) if m.group(2) is not None else m.group(1)).strip()
            closed = m.group(0).endswith("}")
            out.append(ErrorHandler(lines.span(m.start(), m.end()), inner or None, closed))
    elif catch == "if-err":
        for m in _GO_ERR.finditer(text):
            out.append(ErrorHandler(lines.span(m.start(), m.end()), "err", True))
    return out


def _next_block_line(text: str, pos: int, indent: int) -> str:
    """The only statement of the block after an `except ...:` line, or "" when there are
    several (a swallowing block is exactly one `pass` or `...`)."""
    body: list[str] = []
    for line in text[pos:].split("\n")[1:]:
        if not line.strip():
            continue
        if len(line) - len(line.lstrip()) <= indent:
            break
        body.append(line.strip())
        if len(body) > 1:
            return ""
    return body[0] if body else ""


def _dangers(facts: FileFacts, code: bytes, text: str, lines: _Lines) -> list[Danger]:
    specs = for_language(facts.language)
    if not specs:
        return []
    exact, prefixes = _call_index(facts.language)
    out: list[Danger] = []
    for call, names in call_names(facts):
        for spec in _candidates(names, exact, prefixes):
            if _arguments_match(spec, code, call.span):
                out.append(Danger(spec.key, call.span, call.name))
                break
    for spec in specs:
        if spec.text:
            for m in re.finditer(spec.text, text):
                out.append(Danger(spec.key, lines.span(m.start(), m.end()), m.group(0)))
    return out


_INDEX: dict[str, tuple[dict[str, list[DangerSpec]], tuple[tuple[str, DangerSpec], ...]]] = {}


def _call_index(
    language: str,
) -> tuple[dict[str, list[DangerSpec]], tuple[tuple[str, DangerSpec], ...]]:
    """The language's dangerous calls by exact name, and its prefixes: a file has thousands
    of calls, and asking every spec about every one was half of mining's time."""
    found = _INDEX.get(language)
    if found is None:
        exact: dict[str, list[DangerSpec]] = {}
        prefixes: list[tuple[str, DangerSpec]] = []
        for spec in for_language(language):
            for name in spec.calls:
                exact.setdefault(name, []).append(spec)
            prefixes += [(p, spec) for p in spec.prefixes]
        found = _INDEX[language] = (exact, tuple(prefixes))
    return found


def _candidates(
    names: list[str],
    exact: dict[str, list[DangerSpec]],
    prefixes: tuple[tuple[str, DangerSpec], ...],
) -> list[DangerSpec]:
    """The specs a call's names select, in the order of DANGERS."""
    out: list[DangerSpec] = []
    for name in names:
        out += exact.get(name, ())
        out += [spec for prefix, spec in prefixes if name.startswith(prefix)]
    if len(out) > 1:
        order = {id(spec): i for i, spec in enumerate(DANGERS)}
        out = sorted(dict.fromkeys(out), key=lambda spec: order[id(spec)])
    return out


def _arguments_match(spec: DangerSpec, code: bytes, span: Span) -> bool:
    if spec.args is None and spec.unless is None:
        return True
    args = _balanced(code, span.end_byte)
    if spec.args is not None and not re.search(spec.args, args):
        return False
    return not (spec.unless is not None and re.search(spec.unless, args))


def call_text(code: bytes, callee: Span) -> str:
    """The parenthesised argument list of the call whose callee is `callee`."""
    return _balanced(code, callee.end_byte)


def _balanced(code: bytes, pos: int, limit: int = 4000) -> str:
    """The parenthesised argument list after the callee ending at `pos` (capped)."""
    depth = 0
    end = min(len(code), pos + limit)
    for i in range(pos, end):
        ch = code[i]
        if ch == 40:  # (
            depth += 1
        elif ch == 41:  # )
            depth -= 1
            if depth <= 0:
                end = i + 1
                break
    return code[pos:end].decode("utf-8", "replace")


def _complexity(facts: FileFacts, code: bytes) -> list[int]:
    """1 + the decision points in each function's body: the branch tokens of the whole file
    found once (on bytes, so positions are the spans' offsets), then counted per body (a
    body's nested functions count in it too)."""
    if not facts.functions:
        return []
    hits = [m.start() for m in _BRANCH_BYTES.finditer(code)]
    out = []
    for fn in facts.functions:
        if fn.body_span is None:
            out.append(1)
            continue
        lo = bisect.bisect_left(hits, fn.body_span.start_byte)
        hi = bisect.bisect_left(hits, fn.body_span.end_byte)
        out.append(1 + hi - lo)
    return out
