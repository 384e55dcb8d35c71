"""Every language we parse, one row each: the table the other modules read.

Adding a language is one `LanguageSpec` row here and one query file under `queries/`
(docs/architecture.md, "Adding a language"). A row holds everything about the language: the
tree-sitter grammar, the query file, comment syntax, how a hole's body is shaped for the
fill grammar (braces or indentation, the placeholders a fill must not re-emit), how errors
are handled (for the swallowed-error constraint), how imports name files (salience), which
dangerous constructs apply (their definitions are constraints/dangers.py's catalogue), and
its typed holes (`holes`, below).

Python literals rather than TOML so that the hook loads them from bytecode instead of
importing a TOML parser (~8 ms of every run); the regexes are compiled on first use by the
modules that read them (holes.py, grammar/braces.py, constraints/scan.py).

Typed holes: a function whose body is nothing but one placeholder statement (comments,
discards and, where the language has them, a docstring aside) that its author means to fill.
Which placeholders are deliberate instead (no-ops, overridable defaults, interfaces) is
decided in holes.py (one file) and overrides.py (the repository); `holes` says what each
language has.

`holes`, per language:
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

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any, Literal

from ananke_ci.core.records import field, record

# how a hole's body is delimited: `{ ... }`, indentation (grammar/python.py), or neither
# (lines with `(`/`[`/`{` as openers, ending at EOS or a closing ``` fence)
Body = Literal["braces", "indent", "lines"]
# how errors are caught: `catch (...) { }`, Python's `except`, Go's `if err != nil { }`
Catch = Literal["catch", "except", "if-err", ""]
# how salience/imports.py resolves an import to a repository file
Imports = Literal["python", "js", "go", "rust", "java", ""]


@record(frozen=True, slots=True)
class LanguageSpec:
    name: str  # our name, also the query file stem (queries/<name>.scm)
    ts_name: str  # the grammar name in tree_sitter_language_pack
    extensions: tuple[str, ...]  # lower-case, with the dot
    line_comment: str  # prefix for inline suppressions: "# ananke: ignore[RULE]"
    filenames: tuple[str, ...] = ()  # exact basenames (no extension to go by)
    query: str = ""  # stem of the query file when another language's serves (tsx -> typescript)
    body: Body = "braces"
    comments: tuple[str, ...] = ("//", "/*")  # what starts a comment (literal): fill grammar
    # regex fragments that re-emit the hole anywhere in a line: the fill grammar bans them
    fill_placeholders: tuple[str, ...] = ()
    tail_expression: bool = False  # Rust: a final expression is a return path
    catch: Catch = ""
    imports: Imports = ""
    dangers: tuple[str, ...] = ()  # keys of constraints/dangers.py's DangerSpec rows
    holes: Mapping[str, Any] = field(default_factory=dict)  # the typed holes (see above)

    @property
    def query_name(self) -> str:
        return self.query or self.name


def anycase(word: str) -> str:
    """`todo` -> `[Tt][Oo][Dd][Oo]`: the bans' automaton has no case-insensitive flag."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


# a string literal opening with one of holes._NI's words before its closing quote: the
# call that re-emits a message placeholder (`panic("todo: later")`, `@panic("FIXME")`)
_SAYS_TODO = "(" + "|".join(anycase(w) for w in ("todo", "fixme")) + ")"


def _message_call(call: str, quotes: str = '\\"') -> str:
    return rf"{call}\s*\(\s*[{quotes}][^{quotes}\n]*{_SAYS_TODO}"


_C_COMMENT = ("//", "/*")
_GENERIC_COMMENT = ("//", "/*", "#")
_GENERIC_BRACE = (
    r"NotImplementedException",
    r"(todo|unimplemented)\s*!",
    r"fatalError\s*\(\s*\"",
    r"assert\s*\(\s*(0|false)\s*&&",
)
_JS_FILL = (_message_call(r"throw\s+new\s+Error", "\\\"'`"),)
# a language without brace bodies, and any language we do not parse (grammar/braces.py)
GENERIC_LINES_COMMENTS = ("//", "#", "--", "/*")
GENERIC_LINES_FILL = (r"raise\s+NotImplementedError", r"NotImplementedException")

# discards: the statements that only mark a parameter as used, not code
_NAME = r"&?[A-Za-z_][\w.]*"
_ASSIGN_DISCARD = rf"_\s*=\s*{_NAME}\s*"  # Zig, C#, Swift
_VOID = rf"void\s+{_NAME}\s*;?"  # JavaScript, TypeScript
_VOID_CAST = rf"(\(\s*void\s*\)\s*{_NAME}|static_cast<void>\(\s*{_NAME}\s*\))\s*;"  # C, C++

LANGUAGES: dict[str, LanguageSpec] = {
    spec.name: spec
    for spec in (
        LanguageSpec(
            "c",
            "c",
            (".c", ".h"),
            "//",
            comments=_GENERIC_COMMENT,
            fill_placeholders=_GENERIC_BRACE,
            dangers=("system", "gets"),
            holes={
                "unwrap": ["compound_statement"],
                "discard": _VOID_CAST,
                "placeholder": [
                    {"pattern": r"(?i)^assert\(\s*(0|false)\s*&&\s*{msg}\s*\);$"},
                ],
            },
        ),
        LanguageSpec(
            "cpp",
            "cpp",
            (".cpp", ".cc", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp"),
            "//",
            comments=_GENERIC_COMMENT,
            fill_placeholders=(
                *_GENERIC_BRACE,
                _message_call(r"throw\s+(std::)?(logic_error|runtime_error)"),
            ),
            catch="catch",
            dangers=("system", "gets"),
            holes={
                "unwrap": ["compound_statement"],
                "discard": _VOID_CAST,
                "placeholder": [
                    {"pattern": r"(?i)^assert\(\s*(0|false)\s*&&\s*{msg}\s*\);$"},
                    {
                        "pattern": (
                            r"(?i)^throw (std::)?(logic_error|runtime_error)\(\s*{msg}\s*"
                            r"\);$"
                        )
                    },
                ],
            },
        ),
        LanguageSpec(
            "csharp",
            "csharp",
            (".cs",),
            "//",
            comments=_GENERIC_COMMENT,
            fill_placeholders=_GENERIC_BRACE,
            catch="catch",
            dangers=("BinaryFormatter",),
            holes={
                "unwrap": ["block", "arrow_expression_clause"],
                "discard": _ASSIGN_DISCARD + ";",
                "placeholder": [
                    {
                        "marker": "throw new NotImplementedException",
                        "pattern": r"^throw new (System\.)?NotImplementedException\(.*\);?$",
                    },
                ],
            },
        ),
        LanguageSpec(
            "go",
            "go",
            (".go",),
            "//",
            fill_placeholders=(_message_call("panic", '\\"`'),),
            catch="if-err",
            imports="go",
            dangers=("unsafe.Pointer", "shell-exec"),
            holes={
                "unwrap": ["block", "statement_list"],
                "discard": r"_(\s*,\s*_)*\s*=\s*[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*;?",
                "placeholder": [
                    {"pattern": r"(?i)^panic\(\s*{msg}\s*\)$"},
                ],
            },
        ),
        LanguageSpec(
            "java",
            "java",
            (".java",),
            "//",
            fill_placeholders=("UnsupportedOperationException",),
            catch="catch",
            imports="java",
            dangers=("Runtime.exec",),
            holes={
                "unwrap": ["block", "constructor_body"],
                "bases_field": "superclass",
                "inherits": True,
                "placeholder": [
                    {
                        "marker": "throw new UnsupportedOperationException",
                        "pattern": (
                            r"^throw new (java\.lang\.)?UnsupportedOperationException\(.*"
                            r"\);$"
                        ),
                        "refusal": True,
                    },
                ],
            },
        ),
        LanguageSpec(
            "javascript",
            "javascript",
            (".js", ".mjs", ".cjs", ".jsx"),
            "//",
            fill_placeholders=_JS_FILL,
            catch="catch",
            imports="js",
            dangers=("eval", "new-Function", "innerHTML", "document.write", "child_process.exec"),
            holes={
                "unwrap": ["statement_block"],
                "discard": _VOID,
                "inherits": True,
                "placeholder": [
                    {"pattern": r"(?i)^throw new Error\(\s*{msg}\s*\);?$"},
                ],
            },
        ),
        LanguageSpec(
            "kotlin",
            "kotlin",
            (".kt", ".kts"),
            "//",
            comments=_GENERIC_COMMENT,
            fill_placeholders=_GENERIC_BRACE,
            catch="catch",
            dangers=("Runtime.exec",),
            holes={
                "unwrap": ["function_body", "block", "statements"],
                "inherits": True,
                "placeholder": [
                    {"marker": "TODO()", "pattern": r"^=?\s*TODO\(.*\)$"},
                ],
            },
        ),
        LanguageSpec(
            "php",
            "php",
            (".php", ".phtml"),
            "//",
            comments=_GENERIC_COMMENT,
            fill_placeholders=(
                *_GENERIC_BRACE,
                _message_call(r"throw\s+new\s+[\\\w]*Exception", "\\\"'"),
            ),
            catch="catch",
            dangers=("eval", "system", "unserialize"),
            holes={
                "unwrap": ["compound_statement"],
                "inherits": True,
                "placeholder": [
                    {
                        "pattern": (
                            r"(?i)^throw new \\?([\w\\]+\\)?(Exception|LogicException|BadM"
                            r"ethodCallException|RuntimeException)\(\s*{msg}\s*\);$"
                        )
                    },
                ],
            },
        ),
        LanguageSpec(
            "python",
            "python",
            (".py", ".pyi", ".pyw"),
            "#",
            body="indent",
            comments=("#",),
            fill_placeholders=(),
            catch="except",
            imports="python",
            dangers=("eval", "exec", "os.system", "subprocess-shell", "pickle.loads", "yaml.load"),
            holes={
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
                "noop_rules": {
                    "dunders": True,
                    "local_scopes": ["function_definition", "lambda"],
                    "tests": True,
                },
                "inherits": True,
                "placeholder": [
                    {"marker": "pass", "pattern": "^pass$", "noop": True},
                    {"marker": "...", "pattern": r"^\.\.\.$", "noop": True},
                    {
                        "marker": "raise NotImplementedError",
                        "pattern": r"^raise NotImplementedError\b(\(.*\))?$",
                        "refusal": True,
                    },
                ],
            },
        ),
        LanguageSpec(
            "ruby",
            "ruby",
            (".rb", ".rake", ".gemspec"),
            "#",
            filenames=("Rakefile", "Gemfile", "Guardfile", "Vagrantfile"),
            body="lines",
            comments=GENERIC_LINES_COMMENTS,
            fill_placeholders=GENERIC_LINES_FILL,
            dangers=("eval", "system", "Marshal.load"),
            holes={
                "unwrap": ["body_statement"],
                "bases_field": "superclass",
                "placeholder": [
                    {
                        "marker": "raise NotImplementedError",
                        "pattern": r"^raise NotImplementedError\b.*$",
                        "refusal": True,
                    },
                ],
            },
        ),
        LanguageSpec(
            "rust",
            "rust",
            (".rs",),
            "//",
            fill_placeholders=(r"(todo|unimplemented)\s*!",),
            tail_expression=True,
            imports="rust",
            dangers=("unsafe",),
            holes={
                "unwrap": ["block"],
                "discard": r"let\s+_\s*=\s*&?(mut\s+)?[A-Za-z_][\w.]*\s*;",
                "placeholder": [
                    {"marker": "todo!()", "pattern": r"^todo!\s*[(\[{].*[)\]}];?$"},
                    # unimplemented! "makes no such claims" (of a later implementation) as todo!
                    # does: its message may say why the function is refused
                    {
                        "marker": "unimplemented!()",
                        "pattern": r"^unimplemented!\s*[(\[{].*[)\]}];?$",
                        "refusal": True,
                    },
                ],
            },
        ),
        LanguageSpec(
            "swift",
            "swift",
            (".swift",),
            "//",
            comments=_GENERIC_COMMENT,
            fill_placeholders=_GENERIC_BRACE,
            catch="catch",
            holes={
                "unwrap": ["function_body", "statements"],
                "discard": _ASSIGN_DISCARD + ";?",
                "placeholder": [
                    {"pattern": r"(?i)^fatalError\(\s*{msg}\s*\)$"},
                ],
            },
        ),
        LanguageSpec(
            "typescript",
            "typescript",
            (".ts", ".mts", ".cts"),
            "//",
            fill_placeholders=_JS_FILL,
            catch="catch",
            imports="js",
            dangers=("eval", "new-Function", "innerHTML", "document.write", "child_process.exec"),
            holes={
                "unwrap": ["statement_block"],
                "discard": _VOID,
                "inherits": True,
                "placeholder": [
                    {"pattern": r"(?i)^throw new Error\(\s*{msg}\s*\);?$"},
                ],
            },
        ),
        LanguageSpec(
            "tsx",
            "tsx",
            (".tsx",),
            "//",
            query="typescript",
            fill_placeholders=_JS_FILL,
            catch="catch",
            imports="js",
            dangers=("eval", "new-Function", "innerHTML", "document.write", "child_process.exec"),
            holes={
                "unwrap": ["statement_block"],
                "discard": _VOID,
                "inherits": True,
                "placeholder": [
                    {"pattern": r"(?i)^throw new Error\(\s*{msg}\s*\);?$"},
                ],
            },
        ),
        LanguageSpec(
            "zig",
            "zig",
            (".zig", ".zon"),
            "//",
            comments=_GENERIC_COMMENT,
            fill_placeholders=(*_GENERIC_BRACE, _message_call("@panic")),
            holes={
                "unwrap": ["Block"],
                # an unused parameter is a compile error: `_ = x;` is how a stub keeps one
                "discard": _ASSIGN_DISCARD + ";",
                "placeholder": [
                    {"pattern": r"(?i)^@panic\(\s*{msg}\s*\);?$"},
                ],
            },
        ),
    )
}

_BY_EXTENSION: dict[str, str] = {
    ext: spec.name for spec in LANGUAGES.values() for ext in spec.extensions
}
_BY_FILENAME: dict[str, str] = {
    fname: spec.name for spec in LANGUAGES.values() for fname in spec.filenames
}


def language_for_path(path: str) -> str | None:
    """The language name for `path`, or None when we do not parse that kind of file.

    `.h` is taken for C: a C++ header with a `.h` name still parses mostly fine as C, and
    guessing from content would cost a read on the hot path.
    """
    pure = PurePath(path)
    by_name = _BY_FILENAME.get(pure.name)
    if by_name is not None:
        return by_name
    return _BY_EXTENSION.get(pure.suffix.lower())


def line_comment_prefix(language: str) -> str:
    """The line-comment token for `language` (for `ananke: ignore[...]` comments)."""
    return LANGUAGES[language].line_comment
