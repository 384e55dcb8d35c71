"""Typed holes per language, the data holes.py reads.

A Python literal rather than TOML so that the hook loads it from bytecode instead of
importing a TOML parser (~8 ms of every run).

Typed holes: a function whose body is nothing but one placeholder statement (comments and,
where the language has them, a docstring aside).

Per language:
  unwrap        node types whose named children are the body's statements (nested ones are
                flattened: Go block > statement_list). A body of another type (Kotlin's
                `= TODO()`) is itself the one statement.
  docstring     a leading string literal statement does not count (Python).
  exempt_*      legitimate stubs: Python `...` under @abstractmethod / @overload, in a
                Protocol class, or anywhere in a .pyi stub file.
  placeholder   marker (the name a report shows) + regex over the statement text with its
                whitespace folded to single spaces. "{msg}" stands for a string literal
                (any quotes) that says todo, fixme, not (yet) implemented, unimplemented
                or implement me; "{ni}" for the phrase alone.

Not holes on purpose: an empty body `{}` (too noisy: no-op callbacks, default methods)
unless it holds a TODO/FIXME comment; a method with no body at all (abstract/interface).
"""

from __future__ import annotations

from typing import Any

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
        "placeholder": [
            {"marker": "pass",
             "pattern": "^pass$"},
            {"marker": "...",
             "pattern": r"^\.\.\.$"},
            {"marker": "raise NotImplementedError",
             "pattern": r"^raise NotImplementedError\b(\(.*\))?$"},
        ],
    },
    "rust": {
        "unwrap": ["block"],
        "placeholder": [
            {"marker": "todo!()",
             "pattern": r"^todo!\s*[(\[{].*[)\]}];?$"},
            {"marker": "unimplemented!()",
             "pattern": r"^unimplemented!\s*[(\[{].*[)\]}];?$"},
        ],
    },
    "go": {
        "unwrap": ["block", "statement_list"],
        "placeholder": [
            {"marker": 'panic("TODO")',
             "pattern": r"(?i)^panic\(\s*{msg}\s*\)$"},
        ],
    },
    "java": {
        "unwrap": ["block", "constructor_body"],
        "placeholder": [
            {"marker": "throw new UnsupportedOperationException",
             "pattern": (
                 r"^throw new (java\.lang\.)?UnsupportedOperationException\(.*"
                 r"\);$"
             )},
        ],
    },
    "javascript": {
        "unwrap": ["statement_block"],
        "placeholder": [
            {"marker": 'throw new Error("not implemented")',
             "pattern": r"(?i)^throw new Error\(\s*{msg}\s*\);?$"},
        ],
    },
    "typescript": {
        "unwrap": ["statement_block"],
        "placeholder": [
            {"marker": 'throw new Error("not implemented")',
             "pattern": r"(?i)^throw new Error\(\s*{msg}\s*\);?$"},
        ],
    },
    "tsx": {
        "unwrap": ["statement_block"],
        "placeholder": [
            {"marker": 'throw new Error("not implemented")',
             "pattern": r"(?i)^throw new Error\(\s*{msg}\s*\);?$"},
        ],
    },
    "csharp": {
        "unwrap": ["block", "arrow_expression_clause"],
        "placeholder": [
            {"marker": "throw new NotImplementedException",
             "pattern": r"^throw new (System\.)?NotImplementedException\(.*\);?$"},
        ],
    },
    "kotlin": {
        "unwrap": ["function_body", "block", "statements"],
        "placeholder": [
            {"marker": "TODO()",
             "pattern": r"^=?\s*TODO\(.*\)$"},
        ],
    },
    "swift": {
        "unwrap": ["function_body", "statements"],
        "placeholder": [
            {"marker": 'fatalError("not implemented")',
             "pattern": r"(?i)^fatalError\(\s*{msg}\s*\)$"},
        ],
    },
    "zig": {
        "unwrap": ["Block"],
        "placeholder": [
            {"marker": '@panic("TODO")',
             "pattern": r"(?i)^@panic\(\s*{msg}\s*\);?$"},
        ],
    },
    "php": {
        "unwrap": ["compound_statement"],
        "placeholder": [
            {"marker": 'throw new Exception("not implemented")',
             "pattern": (
                 r"(?i)^throw new \\?([\w\\]+\\)?(Exception|LogicException|BadM"
                 r"ethodCallException|RuntimeException)\(\s*{msg}\s*\);$"
             )},
        ],
    },
    "ruby": {
        "unwrap": ["body_statement"],
        "placeholder": [
            {"marker": "raise NotImplementedError",
             "pattern": r"^raise NotImplementedError\b.*$"},
        ],
    },
    "c": {
        "unwrap": ["compound_statement"],
        "placeholder": [
            {"marker": 'assert(0 && "not implemented")',
             "pattern": r"(?i)^assert\(\s*(0|false)\s*&&\s*{msg}\s*\);$"},
        ],
    },
    "cpp": {
        "unwrap": ["compound_statement"],
        "placeholder": [
            {"marker": 'assert(0 && "not implemented")',
             "pattern": r"(?i)^assert\(\s*(0|false)\s*&&\s*{msg}\s*\);$"},
            {"marker": 'throw std::logic_error("not implemented")',
             "pattern": (
                 r"(?i)^throw (std::)?(logic_error|runtime_error)\(\s*{msg}\s*"
                 r"\);$"
             )},
        ],
    },
}
