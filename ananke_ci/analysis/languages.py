"""Which language a path is written in, and the little per-language syntax the rules need.

The table is data: adding a language means one row here, one query file under `queries/`
and (optionally) one section in `placeholders.py`.
"""

from __future__ import annotations

from pathlib import PurePath

from ananke_ci.core.records import dataclass


@dataclass(frozen=True, slots=True)
class LanguageSpec:
    name: str  # our name, also the query file stem (queries/<name>.scm)
    ts_name: str  # the grammar name in tree_sitter_language_pack
    extensions: tuple[str, ...]  # lower-case, with the dot
    line_comment: str  # prefix for inline suppressions: "# ananke: ignore[RULE]"
    filenames: tuple[str, ...] = ()  # exact basenames (no extension to go by)
    query: str = ""  # stem of the query file when another language's serves (tsx -> typescript)

    @property
    def query_name(self) -> str:
        return self.query or self.name


LANGUAGES: dict[str, LanguageSpec] = {
    spec.name: spec
    for spec in (
        LanguageSpec("c", "c", (".c", ".h"), "//"),
        LanguageSpec(
            "cpp", "cpp", (".cpp", ".cc", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp"),
            "//",
        ),
        LanguageSpec("csharp", "csharp", (".cs",), "//"),
        LanguageSpec("go", "go", (".go",), "//"),
        LanguageSpec("java", "java", (".java",), "//"),
        LanguageSpec("javascript", "javascript", (".js", ".mjs", ".cjs", ".jsx"), "//"),
        LanguageSpec("kotlin", "kotlin", (".kt", ".kts"), "//"),
        LanguageSpec("php", "php", (".php", ".phtml"), "//"),
        LanguageSpec("python", "python", (".py", ".pyi", ".pyw"), "#"),
        LanguageSpec(
            "ruby", "ruby", (".rb", ".rake", ".gemspec"), "#",
            ("Rakefile", "Gemfile", "Guardfile", "Vagrantfile"),
        ),
        LanguageSpec("rust", "rust", (".rs",), "//"),
        LanguageSpec("swift", "swift", (".swift",), "//"),
        LanguageSpec("typescript", "typescript", (".ts", ".mts", ".cts"), "//"),
        LanguageSpec("tsx", "tsx", (".tsx",), "//", query="typescript"),
        LanguageSpec("zig", "zig", (".zig", ".zon"), "//"),
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
