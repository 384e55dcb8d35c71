"""parse_config (pure TOML text -> Config, errors with file and line) and path globs."""

from __future__ import annotations

import json

import pytest

from ananke_ci.core.config import DEFAULT_MAX_FILE_BYTES, Ban, Config, parse_config
from ananke_ci.core.errors import UserError
from ananke_ci.core.findings import FilterMode
from ananke_ci.core.globs import first_match, glob_match
from ananke_ci.core.intensity import Intensity

FULL = """\
fail-level = "warning"
filter = "diff_context"
exclude = ["vendor/**", "*_pb2.py"]
max-file-bytes = 1000

[rules]
todo-comment = "error"
ANK102 = "off"
ank001 = "note"

[banned-calls]
"os.system" = "use subprocess.run"
eval = ""
"std::process::exit" = "return an error"

[banned-imports]
pickle = "use json"
"@angular/core" = "not in this package"

[intensity]
"src/core/**" = "exhaustive"
"docs/**" = "none"
"""


def error_of(text: str, source: str = ".ananke.toml", **kw: tuple[str, ...]) -> UserError:
    with pytest.raises(UserError) as exc:
        parse_config(text, source, **kw)
    return exc.value


# --- what parses ----------------------------------------------------------------------------


def test_empty_config_is_the_defaults() -> None:
    config = parse_config("", ".ananke.toml")
    assert config == Config(source=".ananke.toml")
    assert (config.fail_level, config.filter_mode, config.exclude) == ("error", "added", ())
    assert config.max_file_bytes == DEFAULT_MAX_FILE_BYTES
    assert config.severity_for("ANK101") == "warning"
    assert config.severity_for("ANK201") == "error"


def test_every_key() -> None:
    config = parse_config(FULL, ".ananke.toml")
    assert config.source == ".ananke.toml"
    assert config.fail_level == "warning"
    assert config.filter_mode is FilterMode.DIFF_CONTEXT
    assert config.exclude == ("vendor/**", "*_pb2.py")
    assert config.max_file_bytes == 1000
    # rule names and ids (any case) both land on the id
    assert dict(config.severities) == {"ANK101": "error", "ANK102": "off", "ANK001": "note"}
    assert config.severity_for("ANK101") == "error"
    assert config.severity_for("ANK102") == "off"
    assert config.severity_for("ANK201") == "error"  # untouched default
    assert config.banned_calls == (
        Ban("os.system", "use subprocess.run"),
        Ban("eval", ""),
        Ban("std::process::exit", "return an error"),
    )
    assert config.banned_imports == (
        Ban("pickle", "use json"),
        Ban("@angular/core", "not in this package"),
    )
    assert dict(config.intensity_pins) == {
        "src/core/**": Intensity.EXHAUSTIVE,
        "docs/**": Intensity.NONE,
    }


def test_bans_as_lists() -> None:
    config = parse_config(
        'banned-calls = ["eval", "os.system"]\nbanned-imports = ["pickle"]\n', "c"
    )
    assert config.banned_calls == (Ban("eval", ""), Ban("os.system", ""))
    assert config.banned_imports == (Ban("pickle", ""),)


@pytest.mark.parametrize(
    "name",
    [
        "os.system",
        "eval",
        "std::process::exit",
        "$obj->query",
        "@angular/core",
        "left-pad",
        "lodash/fp",
        "\\App\\Helpers",
        "java.lang.Runtime.exec",
        "_private",
    ],
)
def test_ban_names_of_many_languages_are_accepted(name: str) -> None:
    config = parse_config(f"banned-calls = [{json.dumps(name)}]\n", "c")
    assert config.banned_calls == (Ban(name, ""),)


@pytest.mark.parametrize("name", ["os system", "", "1abc", "a..b", "os.", "x" * 201])
def test_bad_ban_names_are_rejected(name: str) -> None:
    err = error_of(f'[banned-calls]\nok = "fine"\n"{name}" = "why"\n')
    assert err.line == 3
    assert "is not a dotted identifier" in err.message


def test_pyproject_table() -> None:
    text = (
        '[project]\nname = "demo"\n\n[tool.ruff]\nline-length = 100\n\n'
        '[tool.ananke]\nfail-level = "note"\n\n[tool.ananke.banned-calls]\neval = "no"\n'
    )
    config = parse_config(text, "pyproject.toml", table=("tool", "ananke"))
    assert config.fail_level == "note"
    assert config.banned_calls == (Ban("eval", "no"),)
    # no [tool.ananke] at all: the defaults
    assert parse_config(
        '[project]\nname = "demo"\n', "pyproject.toml", table=("tool", "ananke")
    ) == Config(source="pyproject.toml")


def test_pyproject_tool_ananke_must_be_a_table() -> None:
    err = error_of('[tool]\nananke = "yes"\n', "pyproject.toml", table=("tool", "ananke"))
    assert (err.path, err.message) == ("pyproject.toml", "[tool.ananke] must be a table")
    assert err.line == 2


# --- errors: one message, the file and the line ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a = 1\nb = [1,\n", 3, "invalid TOML: "),
        ("a = 1\nb =\n", 2, "invalid TOML: Invalid value"),
        ("[rules]\n[rules]\n", 2, "invalid TOML: "),
        ('fail-level = "error"\n\n# comment\ncolour = "auto"\n', 4, "unknown key 'colour'"),
        ('[rule]\nANK101 = "error"\n', 1, "unknown key 'rule'"),
        ('[rules]\nANK101 = "error"\nno-such-rule = "error"\n', 3, "unknown rule 'no-such-rule'"),
        (
            '[rules]\n\nbanned-call = "fatal"\n',
            3,
            "rule banned-call: severity must be error, warning, note or off, not 'fatal'",
        ),
        ("[rules]\nANK101 = true\n", 2, "rule ANK101: severity must be"),
        ('fail-level = "off"\n', 1, "fail-level must be one of error, warning, note, not 'off'"),
        (
            'exclude = "x"\nfilter = "everything"\n',
            2,
            "filter must be one of added, diff_context, file, nofilter",
        ),
        ('exclude = ["ok", 3]\n', 1, "exclude must be a list of strings"),
        ('max-file-bytes = "2MB"\n', 1, "max-file-bytes must be a positive integer"),
        ("max-file-bytes = -5\n", 1, "max-file-bytes must be a positive integer"),
        ("banned-calls = 5\n", 1, 'banned-calls must be a table of name = "reason" or a list'),
        ('banned-imports = ["pickle", 7]\n', 1, "banned-imports: 7 is not a dotted identifier"),
        (
            'exclude = []\nbanned-calls = [\n  "eval",\n  "os system",\n]\n',
            2,
            "banned-calls: 'os system' is not a dotted identifier",
        ),
        (
            '[banned-imports]\npickle = ["json"]\n',
            2,
            "banned-imports.pickle: the reason must be a string",
        ),
        ('intensity = "full"\n', 1, "intensity must be a table, e.g. [intensity]"),
        ('[intensity]\n"a/**" = "full"\n"b/**" = "maximal"\n', 3, "unknown intensity 'maximal'"),
        ('[rules]\nANK3O5 = "off"\n', 2, "unknown rule 'ANK3O5' in [rules] (did you mean ANK305?)"),
        (
            '[constraints]\ndisable = [\n  "naming/*",\n  "namng/python/class",\n]\n',
            4,
            "constraints.disable: 'namng/python/class' matches no constraint id: 'namng' is not "
            "a kind of constraint (did you mean 'naming/python/class'?); ids start with "
            "annotations/, ",
        ),
        (
            '[constraints]\ndisable = ["ANK305"]\n',
            2,
            "constraints.disable: 'ANK305' is a rule, "
            'not a constraint id; turn the rule off with [rules] ANK305 = "off"',
        ),
        (
            '[constraints]\ndisable = ["dangerous-call"]\n',
            2,
            "constraints.disable: 'dangerous-call' is a rule",
        ),
    ],
)
def test_errors_name_file_and_line(text: str, line: int, message: str) -> None:
    err = error_of(text, "conf/.ananke.toml")
    assert (err.path, err.line) == ("conf/.ananke.toml", line)
    assert err.message.startswith(message), err.message
    assert str(err).startswith(f"conf/.ananke.toml:{line}: {message}")


def test_error_line_in_pyproject() -> None:
    text = '[project]\nname = "demo"\n\n[tool.ananke]\nfilter = "some"\n'
    err = error_of(text, "pyproject.toml", table=("tool", "ananke"))
    assert (err.path, err.line) == ("pyproject.toml", 5)


def test_error_for_a_table_header_points_at_it() -> None:
    err = error_of('fail-level = "error"\n\n[rules]\nANK777 = "off"\n')
    assert err.line == 4
    err = error_of('fail-level = "error"\n\n[unknown-table]\nx = 1\n')
    assert (err.line, err.message[:29]) == (3, "unknown key 'unknown-table' (")


# --- globs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "glob", "expected"),
    [
        ("a.py", "*.py", True),
        ("x/y/a.py", "*.py", True),  # no slash: any depth, as in .gitignore
        ("a.pyc", "*.py", False),
        ("a.py", "*.PY", False),
        ("vendor/a/b.py", "vendor/**", True),
        ("src/vendor/a.py", "vendor/**", False),  # a slash anchors at the root
        ("vendorx/a.py", "vendor/**", False),
        ("src/vendor/a.py", "vendor", True),  # a bare name matches a directory at any depth
        ("vendor/a.py", "vendor", True),
        ("vendor.py", "vendor", False),
        ("src/a.py", "src/*.py", True),
        ("src/sub/a.py", "src/*.py", False),  # * stays within a segment
        ("src/sub/a.py", "src/**/*.py", True),
        ("src/a.py", "src/**/*.py", True),  # **/ may match no directory
        ("test_a.py", "**/test_*.py", True),
        ("a/b/test_a.py", "**/test_*.py", True),
        ("a/b/c", "a/**/c", True),
        ("a/c", "a/**/c", True),
        ("ab.py", "a?.py", True),
        ("a/.py", "a?.py", False),  # ? is not a slash
        ("axpy", "a.py", False),  # . is literal
        ("a+b.py", "a+b.py", True),
        ("a/b.py", "/a/b.py", True),
        ("pkg/gen/x_pb2.py", "**/*_pb2.py", True),
        ("docs/café.py", "docs/*.py", True),
        ("dir with space/x.py", "dir with space/**", True),
    ],
)
def test_glob_match(path: str, glob: str, expected: bool) -> None:
    assert glob_match(path, glob) is expected


def test_glob_with_trailing_slash_names_a_directory() -> None:
    assert glob_match("vendor/x.py", "vendor/")
    assert glob_match("src/vendor/x.py", "vendor/")


def test_glob_with_leading_slash_is_anchored_at_the_root() -> None:
    assert glob_match("build/x.py", "/build")
    assert not glob_match("src/build/x.py", "/build")


def test_first_match_returns_the_first_matching_glob() -> None:
    globs = ["x/**", "*.py", "a/**"]
    assert first_match("a/b.py", globs) == "*.py"
    assert first_match("a/b.rs", globs) == "a/**"
    assert first_match("c/d.rs", globs) is None
    assert first_match("c/d.rs", ()) is None
