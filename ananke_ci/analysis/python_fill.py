"""What CPython's own tools can tell about a Python fill: does the file still compile, does
the filled function return on every path its signature asks for, does it read names that
exist (pyflakes), and attributes its typed parameters and imported standard modules have.

Each check compares the patched file with the original, so what the file already did wrong
is not held against the fill. Off the hook's path (the fill verifier only).
"""

from __future__ import annotations

import ast
import builtins
import importlib
import sys
import warnings
from collections import Counter
from collections.abc import Iterator

# standard modules that do something when imported, or are too slow to be worth it
_NO_IMPORT = frozenset(
    {
        "antigravity",
        "this",
        "idlelib",
        "tkinter",
        "turtle",
        "turtledemo",
        "pydoc_data",
        "lib2to3",
        "ensurepip",
        "venv",
        "idle",
    }
)
_BUILTIN_TYPES = {
    name: getattr(builtins, name)
    for name in (
        "str",
        "bytes",
        "bytearray",
        "int",
        "float",
        "complex",
        "bool",
        "list",
        "dict",
        "set",
        "frozenset",
        "tuple",
    )
}
_EXITS = frozenset(
    {
        "sys.exit",
        "exit",
        "quit",
        "os._exit",
        "os.abort",
        "typing.assert_never",
        "assert_never",
        "pytest.fail",
        "pytest.skip",
    }
)


def parse(source: bytes) -> ast.Module | None:
    """The module, or None when CPython cannot parse it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences and the like
        try:
            return ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None


def function_at(tree: ast.Module, line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The function whose `def` is on `line` (decorators aside)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.lineno == line:
            return node
    return None


def falls_through(body: list[ast.stmt]) -> bool:
    """Whether control can reach the end of a block (and so return None implicitly)."""
    if not body:
        return True
    last = body[-1]
    if isinstance(last, ast.Return | ast.Raise):
        return False
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        return _dotted(last.value.func) not in _EXITS
    if isinstance(last, ast.If):
        return falls_through(last.body) or falls_through(last.orelse)
    if isinstance(last, ast.With | ast.AsyncWith):
        return falls_through(last.body)
    if isinstance(last, ast.Try | ast.TryStar):
        if last.finalbody and not falls_through(last.finalbody):
            return False
        main = last.orelse if last.orelse else last.body
        return falls_through(main) or any(falls_through(h.body) for h in last.handlers)
    if isinstance(last, ast.While):
        forever = isinstance(last.test, ast.Constant) and bool(last.test.value)
        return not forever or any(isinstance(n, ast.Break) for n in _own_nodes(last.body))
    if isinstance(last, ast.Match):
        exhaustive = any(
            isinstance(c.pattern, ast.MatchAs) and c.pattern.pattern is None and c.guard is None
            for c in last.cases
        )
        return not exhaustive or any(falls_through(c.body) for c in last.cases)
    return True


def _own_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of a loop body, not those of loops or functions nested in it (whose
    `break` is theirs)."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(
                child,
                ast.For
                | ast.AsyncFor
                | ast.While
                | ast.FunctionDef
                | ast.AsyncFunctionDef
                | ast.Lambda
                | ast.ClassDef,
            ):
                stack.append(child)


def is_generator(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(n, ast.Yield | ast.YieldFrom) for n in _own_nodes(fn.body))


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else ""
    return ""


def undefined_names(tree: ast.Module, filename: str) -> Counter[str]:
    """Names the module reads that nothing defines (pyflakes' UndefinedName), counted."""
    from pyflakes import checker, messages

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = checker.Checker(tree, filename=filename).messages
    return Counter(
        str(m.message_args[0])
        for m in found
        if isinstance(m, messages.UndefinedName | messages.UndefinedLocal)
    )


def missing_attributes(
    tree: ast.Module,
    fn: ast.FunctionDef | ast.AsyncFunctionDef,
) -> list[str]:
    """`name.attr` reads in `fn` that cannot exist: on a parameter annotated with a builtin
    type and never rebound (`text: str` has no `startswith_PREFIX`), or on a standard module
    the file imports whole (`os.pathh`)."""
    typed = {
        a.arg: _BUILTIN_TYPES[a.annotation.id]
        for a in _arguments(fn)
        if isinstance(a.annotation, ast.Name) and a.annotation.id in _BUILTIN_TYPES
    }
    modules = {
        alias.asname or alias.name: alias.name
        for node in tree.body
        if isinstance(node, ast.Import)
        for alias in node.names
        if "." not in alias.name
    }
    rebound = {
        n.id
        for n in ast.walk(fn)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store | ast.Del)
    }
    out = []
    for node in ast.walk(fn):
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
            continue
        name, attr = node.value.id, node.attr
        if name in rebound:
            continue
        if name in typed and not hasattr(typed[name], attr):
            out.append(
                f"`{name}.{attr}`: `{name}` is a {typed[name].__name__}, which has no "
                f"attribute `{attr}`"
            )
        elif name in modules and name not in typed and not _module_has(modules[name], attr):
            out.append(f"`{name}.{attr}`: module `{modules[name]}` has no attribute `{attr}`")
    return out


def _arguments(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.arg]:
    a = fn.args
    return [*a.posonlyargs, *a.args, *a.kwonlyargs]


def _module_has(module: str, attr: str) -> bool:
    """True unless `module` is a standard module that is safe to import and lacks `attr`."""
    if module not in sys.stdlib_module_names or module in _NO_IMPORT or module.startswith("_"):
        return True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loaded = importlib.import_module(module)
    except Exception:  # a platform without it: nothing to tell
        return True
    return hasattr(loaded, attr) or hasattr(loaded, "__getattr__")
