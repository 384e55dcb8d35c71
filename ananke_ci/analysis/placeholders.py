"""Typed holes per language, the data holes.py reads.

A Python literal rather than TOML so that the hook loads it from bytecode instead of
importing a TOML parser (~8 ms of every run).

Typed holes: a function whose body is nothing but one placeholder statement (comments,
discards and, where the language has them, a docstring aside) that its author means to fill.
Which placeholders are deliberate instead (no-ops, overridable defaults, interfaces) is
decided in holes.py (one file) and overrides.py (the repository); this table says what
each language has.

Per language:
  unwrap        node types whose named children are the body's statements (nested ones are
                flattened: Go block > statement_list). A body of another type (Kotlin's
                `= TODO()`) is itself the one statement.
  docstring     a leading string literal statement does not count (Python); what it says
                can make the placeholder deliberate (holes.DOCUMENTED).
  discard       regex over a statement's text: a statement that only silences an unused
                parameter (Zig `_ = x;`, Rust `let _ = x;`, Go `_ = x`, C `(void)x;`) does
                not count.
  exempt_*      legitimate stubs: Python `...` under @abstractmethod / @overload, in a
                Protocol class, under `if TYPE_CHECKING:` or anywhere in a .pyi stub file
                (exempt_guard: the node type and a regex over its condition).
  replaced      a later def of the same name in the same class or module replaces this
                one (no overloading): a placeholder there is a declaration.
  bases_field   the class node's field that lists its bases: Protocol classes, and the
                classes of the same file that derive from one another (holes._Classes).
  modifier_decorators  decorators that leave the body the function's own business
                (`@staticmethod`, `@property`, ...); any other decorator registers or wraps
                the function, so its no-op body is deliberate (`@click.group()`).
  noop_rules    the rules only the language's no-op placeholders (`noop`) answer to: a dunder
                method, a function or class defined inside a function, a function in test
                code (except tests themselves).
  inherits      classes inherit methods and imports name them (`from .base import Base`):
                the repository-wide rule of overrides.py applies.
  placeholder   marker (the name a report shows; without one, the statement as written,
                whitespace folded, without its `;`) + regex over the statement text with
                its whitespace folded to single spaces. "{msg}" stands for a string literal
                (any quotes) that says todo, fixme, not (yet) implemented, unimplemented
                or implement me; "{ni}" for the phrase alone.
                noop: the language's do-nothing statement (`pass`, `...`), a hole only where
                nothing says that doing nothing is meant.
                refusal: a statement whose message can instead explain a deliberate refusal
                (`raise NotImplementedError("not supported on Windows")`, holes.REFUSAL).

Not holes on purpose: an empty body `{}` (too noisy: no-op callbacks, default methods)
unless it holds a TODO/FIXME comment; a method with no body at all (abstract/interface).
"""

from __future__ import annotations

from typing import Any

# discards: the statements that only mark a parameter as used, not code
_NAME = r"&?[A-Za-z_][\w.]*"
_ASSIGN_DISCARD = rf"_\s*=\s*{_NAME}\s*"  # Zig, C#, Swift
_VOID = rf"void\s+{_NAME}\s*;?"  # JavaScript, TypeScript
_VOID_CAST = rf"(\(\s*void\s*\)\s*{_NAME}|static_cast<void>\(\s*{_NAME}\s*\))\s*;"  # C, C++

TABLE: dict[str, dict[str, Any]] = {
    "python": {
        "unwrap": ["block"],
        "docstring": True,
        "decorator_wrapper": "decorated_definition",
        "exempt_decorators": (
            r"@\s*([\w.]+\.)?(abstractmethod|abstractproperty|abstractclas"
            r"smethod|abstractstaticmethod|overload)\b"
        ),
        "bases_field": "superclasses",
        "exempt_bases": r"\bProtocol\b",
        "exempt_extensions": [".pyi"],
        # a def that a later one of the same name replaces never runs as written (the
        # typed signature before an `if not TYPE_CHECKING:` one)
        "replaced": True,
        # `if TYPE_CHECKING:` declares for the type checker only: it never runs
        "exempt_guard": ["if_statement", r"^([\w.]+\.)?TYPE_CHECKING$"],
        "modifier_decorators": (
            r"^@\s*(staticmethod|classmethod|property|[\w.]+\.(setter|getter|deleter)|"
            r"(functools\.)?(cache|lru_cache|cached_property|wraps)|(typing\.)?final|"
            r"pytest\.mark\.\w+)\b"
        ),
        "noop_rules": {"dunders": True, "local_scopes": ["function_definition", "lambda"],
                       "tests": True},
        "inherits": True,
        "placeholder": [
            {"marker": "pass",
             "pattern": "^pass$", "noop": True},
            {"marker": "...",
             "pattern": r"^\.\.\.$", "noop": True},
            {"marker": "raise NotImplementedError",
             "pattern": r"^raise NotImplementedError\b(\(.*\))?$", "refusal": True},
        ],
    },
    "rust": {
        "unwrap": ["block"],
        "discard": r"let\s+_\s*=\s*&?(mut\s+)?[A-Za-z_][\w.]*\s*;",
        "placeholder": [
            {"marker": "todo!()",
             "pattern": r"^todo!\s*[(\[{].*[)\]}];?$"},
            # unimplemented! "makes no such claims" (of a later implementation) as todo!
            # does: its message may say why the function is refused
            {"marker": "unimplemented!()",
             "pattern": r"^unimplemented!\s*[(\[{].*[)\]}];?$", "refusal": True},
        ],
    },
    "go": {
        "unwrap": ["block", "statement_list"],
        "discard": r"_(\s*,\s*_)*\s*=\s*[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*;?",
        "placeholder": [
            {"pattern": r"(?i)^panic\(\s*{msg}\s*\)$"},
        ],
    },
    "java": {
        "unwrap": ["block", "constructor_body"],
        "bases_field": "superclass",
        "inherits": True,
        "placeholder": [
            {"marker": "throw new UnsupportedOperationException",
             "pattern": (
                 r"^throw new (java\.lang\.)?UnsupportedOperationException\(.*"
                 r"\);$"
             ), "refusal": True},
        ],
    },
    "javascript": {
        "unwrap": ["statement_block"],
        "discard": _VOID,
        "inherits": True,
        "placeholder": [
            {"pattern": r"(?i)^throw new Error\(\s*{msg}\s*\);?$"},
        ],
    },
    "typescript": {
        "unwrap": ["statement_block"],
        "discard": _VOID,
        "inherits": True,
        "placeholder": [
            {"pattern": r"(?i)^throw new Error\(\s*{msg}\s*\);?$"},
        ],
    },
    "tsx": {
        "unwrap": ["statement_block"],
        "discard": _VOID,
        "inherits": True,
        "placeholder": [
            {"pattern": r"(?i)^throw new Error\(\s*{msg}\s*\);?$"},
        ],
    },
    "csharp": {
        "unwrap": ["block", "arrow_expression_clause"],
        "discard": _ASSIGN_DISCARD + ";",
        "placeholder": [
            {"marker": "throw new NotImplementedException",
             "pattern": r"^throw new (System\.)?NotImplementedException\(.*\);?$"},
        ],
    },
    "kotlin": {
        "unwrap": ["function_body", "block", "statements"],
        "inherits": True,
        "placeholder": [
            {"marker": "TODO()",
             "pattern": r"^=?\s*TODO\(.*\)$"},
        ],
    },
    "swift": {
        "unwrap": ["function_body", "statements"],
        "discard": _ASSIGN_DISCARD + ";?",
        "placeholder": [
            {"pattern": r"(?i)^fatalError\(\s*{msg}\s*\)$"},
        ],
    },
    "zig": {
        "unwrap": ["Block"],
        # an unused parameter is a compile error: `_ = x;` is how a stub keeps one
        "discard": _ASSIGN_DISCARD + ";",
        "placeholder": [
            {"pattern": r"(?i)^@panic\(\s*{msg}\s*\);?$"},
        ],
    },
    "php": {
        "unwrap": ["compound_statement"],
        "inherits": True,
        "placeholder": [
            {"pattern": (
                 r"(?i)^throw new \\?([\w\\]+\\)?(Exception|LogicException|BadM"
                 r"ethodCallException|RuntimeException)\(\s*{msg}\s*\);$"
             )},
        ],
    },
    "ruby": {
        "unwrap": ["body_statement"],
        "bases_field": "superclass",
        "placeholder": [
            {"marker": "raise NotImplementedError",
             "pattern": r"^raise NotImplementedError\b.*$", "refusal": True},
        ],
    },
    "c": {
        "unwrap": ["compound_statement"],
        "discard": _VOID_CAST,
        "placeholder": [
            {"pattern": r"(?i)^assert\(\s*(0|false)\s*&&\s*{msg}\s*\);$"},
        ],
    },
    "cpp": {
        "unwrap": ["compound_statement"],
        "discard": _VOID_CAST,
        "placeholder": [
            {"pattern": r"(?i)^assert\(\s*(0|false)\s*&&\s*{msg}\s*\);$"},
            {"pattern": (
                 r"(?i)^throw (std::)?(logic_error|runtime_error)\(\s*{msg}\s*"
                 r"\);$"
             )},
        ],
    },
}
