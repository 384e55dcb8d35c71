"""Names a fill calls that exist nowhere: what the repository's facts make decidable outside
Python (where pyflakes decides, analysis/python_fill.py).

A bare call `name(...)` in the fill is refused when `name` is not a builtin of the language,
does not occur anywhere else in the file (an import, a local function, a variable), is not
declared in the fill itself, and no file of the repository defines or calls it. A model that
invents `parseConfigStrict()` is caught; a helper from a sibling file is not refused. Member
calls (`x.foo()`) are not judged: their receiver's type is not known here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ananke_ci.core.facts import FileFacts

DECIDABLE = frozenset({"go", "javascript", "typescript", "tsx", "rust"})


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_JS = _words("""
    parseInt parseFloat isNaN isFinite setTimeout clearTimeout setInterval clearInterval
    setImmediate clearImmediate queueMicrotask structuredClone require fetch alert confirm
    prompt encodeURIComponent decodeURIComponent encodeURI decodeURI escape unescape eval
    String Number Boolean Array Object Symbol BigInt Date Error TypeError RangeError
    SyntaxError ReferenceError EvalError URIError AggregateError Promise Map Set WeakMap
    WeakSet WeakRef Proxy RegExp Function ArrayBuffer DataView Int8Array Uint8Array
    Uint8ClampedArray Int16Array Uint16Array Int32Array Uint32Array Float32Array
    Float64Array BigInt64Array BigUint64Array URL URLSearchParams TextEncoder TextDecoder
    AbortController Headers Request Response FormData Blob File atob btoa super import
    describe it test expect beforeEach afterEach beforeAll afterAll
""")
BUILTINS: dict[str, frozenset[str]] = {
    "go": _words("""
        append cap clear close complex copy delete imag len make max min new panic print
        println real recover bool byte complex64 complex128 error float32 float64 int int8
        int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr any
    """),
    "javascript": _JS,
    "typescript": _JS,
    "tsx": _JS,
    "rust": _words("""
        Some None Ok Err Box Vec String drop Default From Into
    """),
}
_IDENT = re.compile(rb"[A-Za-z_$][A-Za-z0-9_$]*")
_DECLARES = re.compile(
    rb"\b(?:function|fn|func|let|const|var|mut|class|struct|enum|type)\s+"
    rb"([A-Za-z_$][A-Za-z0-9_$]*)"
)


def unknown_calls(
    after: FileFacts, patched: bytes, start: int, end: int, known: Iterable[str]
) -> list[str]:
    """The bare names the fill [start, end) of `patched` calls that nothing defines."""
    if after.language not in DECIDABLE:
        return []
    fill = patched[start:end]
    outside = {m.group().decode() for m in _IDENT.finditer(patched[:start] + b" " + patched[end:])}
    declared = {m.group(1).decode() for m in _DECLARES.finditer(fill)}
    # a name the fill also uses other than by calling it is the fill's own (a variable,
    # a parameter of a closure, a destructured binding)
    uses: dict[str, bool] = {}
    for m in _IDENT.finditer(fill):
        called = fill[m.end() : m.end() + 1] == b"(" or fill[m.end() : m.end() + 2] == b"::"
        uses[m.group().decode()] = uses.get(m.group().decode(), False) or not called
    allowed = BUILTINS[after.language] | outside | declared | set(known)
    out = []
    for call in after.calls:
        name = call.name
        # a member, a path, or a callee that is itself a call (`pipe(f, g)(x)`: `pipe` is
        # checked as a call of its own)
        if not start <= call.span.start_byte < end or any(c in name for c in ".:->[]<("):
            continue
        if patched[call.span.end_byte : call.span.end_byte + 1] == b"!":  # a Rust macro
            continue
        if name not in allowed and not uses.get(name, False) and name not in out:
            out.append(name)
    return [f"calls `{name}`, which nothing in the file or the repository defines" for name in out]
