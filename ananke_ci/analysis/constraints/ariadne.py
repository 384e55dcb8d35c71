"""The Ariadne language: parse `.ariadne` files with Lark (grammar in ariadne.lark) into
Declarations, and print Declarations back as Ariadne (parse(print(d)) == d).

Never on the pre-commit hot path: `compile` parses, the validator reads the compiled IR.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ananke_ci.core.declared import STYLES, Declaration, located, make_declaration
from ananke_ci.core.errors import UserError
from ananke_ci.core.nesting import MAX_DEPTH, too_deep
from ananke_ci.core.sanitize import clean_text

GRAMMAR = Path(__file__).with_name("ariadne.lark")
MAX_SOURCE = 1 << 20  # one megabyte of constraints is a mistake, not a config
_IDENT_FIELDS = {"requires", "tier", "inherits"}
_MAX_DIGITS = 18  # no field takes a number past a 64-bit integer


@lru_cache(maxsize=1)
def _parser() -> Any:
    from lark import Lark  # imported here: only compile and init parse Ariadne

    return Lark(
        GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=False,
    )


def parse_ariadne(text: str, path: str) -> list[Declaration]:
    """Declarations in one file; a UserError with path:line:col and what was expected."""
    from lark import Token, Tree
    from lark.exceptions import LarkError, UnexpectedInput

    if len(text) > MAX_SOURCE:
        raise UserError(f"Ariadne file over {MAX_SOURCE} characters", path=path)
    deep = too_deep(text, ariadne=True)
    if deep:  # before lark and the tree walk below, which recurse once per level
        raise located(path, *deep, f"lists and maps nested more than {MAX_DEPTH} deep")
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text, path) from None
    except LarkError as exc:  # pragma: no cover - lark's other errors are grammar bugs
        raise UserError(f"cannot parse: {clean_text(str(exc), 200)}", path=path) from None
    except RecursionError:  # pragma: no cover - too_deep is stricter
        raise UserError("nested too deeply", path=path) from None

    def value(node: Any) -> Any:
        if isinstance(node, Token):
            return str(node)
        kind = node.data
        if kind == "string":
            try:
                return json.loads(str(node.children[0]))
            except ValueError:
                raise _at(node, path, "bad string escape") from None
        if kind == "number":
            digits = str(node.children[0])
            if len(digits.lstrip("+-").lstrip("0")) > _MAX_DIGITS:  # int() refuses 4300+
                raise _at(node, path, f"number {clean_text(digits, 20)} is too large")
            return int(digits)
        if kind == "ident":
            return str(node.children[0])
        if kind == "list":
            return [value(c) for c in node.children]
        if kind == "map":
            out: dict[str, Any] = {}
            for pair in node.children:
                key = str(pair.children[0])
                if key in out:
                    raise _at(pair, path, f"{key} given twice")
                out[key] = value(pair.children[1])
            return out
        raise _at(node, path, f"unexpected {kind}")  # pragma: no cover

    decls = []
    for block in tree.children:
        assert isinstance(block, Tree)
        name = str(block.children[0])
        fields: dict[str, Any] = {}
        where: dict[str, str] = {}
        for child in block.children[1:]:
            if child.data == "parents":
                fields["inherits"] = [str(t) for t in child.children]
                where["inherits"] = _loc(child, path)
                continue
            key = str(child.children[0])
            if key in fields:
                raise _at(child, path, f"constraint {name}: field {key} given twice")
            fields[key] = value(child.children[1])
            where[key] = _loc(child, path)
        decls.append(make_declaration(name, _loc(block, path), fields, _lookup(where, path)))
    return decls


def _lookup(where: dict[str, str], default: str) -> Callable[[str], str]:
    return lambda key: where.get(key, default)


def _loc(node: Any, path: str) -> str:
    return f"{path}:{node.meta.line}:{node.meta.column}"


def _at(node: Any, path: str, message: str) -> UserError:
    return located(path, node.meta.line, node.meta.column, message)


def _syntax_error(exc: Any, text: str, path: str) -> UserError:
    expected = sorted(
        getattr(exc, "accepts", None)
        or getattr(exc, "expected", None)
        or getattr(exc, "allowed", None)
        or ()
    )
    shown = ", ".join(_PRETTY.get(e, e.lower()) for e in expected[:8])
    token = getattr(exc, "token", None)
    if token is not None and getattr(token, "type", "") == "$END":
        got = "end of file"
    elif token is not None:
        got = repr(clean_text(str(token), 30))
    else:
        got = (
            repr(clean_text(text[exc.pos_in_stream : exc.pos_in_stream + 1], 5))
            if getattr(exc, "pos_in_stream", None) is not None
            else "this"
        )
    line, col = getattr(exc, "line", 0) or 1, getattr(exc, "column", 0) or 1
    return located(
        path,
        line,
        col,
        f"syntax error: unexpected {got}" + (f"; expected {shown}" if shown else ""),
    )


_PRETTY = {
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COLON": "':'",
    "SEMICOLON": "';'",
    "COMMA": "','",
    "NAME": "a name",
    "ESCAPED_STRING": "a string",
    "SIGNED_INT": "a number",
    "CONSTRAINT": "'constraint'",
    "INHERITS": "'inherits'",
    "$END": "end of file",
}


# -- printing -------------------------------------------------------------------------


def format_declarations(decls: list[Declaration]) -> str:
    return "\n".join(format_declaration(d) for d in decls)


def format_declaration(d: Declaration) -> str:
    head = f"constraint {d.name}" + (f" inherits {', '.join(d.parents)}" if d.parents else "")
    rows = []
    for key, value in _fields(d):
        rows.append(f"    {key}: {_value(key, value)};")
    return head + " {\n" + "".join(r + "\n" for r in rows) + "}\n"


def _fields(d: Declaration) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if d.applies_to is not None:
        out.append(("applies_to", list(d.applies_to)))
    for key in ("forbid", "forbid_imports", "allow", "requires"):
        if getattr(d, key):
            out.append((key, list(getattr(d, key))))
    for key in ("max_complexity", "max_params", "priority", "tier"):
        if getattr(d, key) is not None:
            out.append((key, getattr(d, key)))
    if d.naming:
        out.append(("naming", dict(d.naming)))
    if d.message:
        out.append(("message", d.message))
    return out


def _value(key: str, value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_value(key, v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k}: {_value('naming', v)}" for k, v in value.items()) + " }"
    if isinstance(value, int):
        return str(value)
    if key in _IDENT_FIELDS or (key == "naming" and value in STYLES and "-" not in value):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
