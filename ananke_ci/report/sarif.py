"""SARIF 2.1.0 for GitHub code scanning (upload with github/codeql-action/upload-sarif).

Valid against the OASIS 2.1.0 (errata01) schema. Paths become repo-relative, percent-encoded
URI references under %SRCROOT%, so GitHub can map them onto the checkout; the stable
`Finding.fingerprint` goes in partialFingerprints so alerts survive line moves. GitHub accepts
at most 25,000 results per run: past that the run is cut and says so in a notification and in
its property bag rather than being rejected whole.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from ananke_ci.core.findings import Finding
from ananke_ci.core.rules_catalog import RULES, RuleInfo, lookup
from ananke_ci.report.base import INFORMATION_URI, TOOL_NAME, ReportInput, json_text

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "ananke/v1"
MAX_RESULTS = 25_000


def rule_descriptor(info: RuleInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.summary},
        "help": {"text": info.help},
        "defaultConfiguration": {"level": info.default_severity},
        "properties": {"tags": [info.domain]},
    }


def unknown_rule_descriptor(rule: str) -> dict[str, Any]:
    # A rule missing from the catalogue (a plugin, a newer core) still needs a descriptor for
    # ruleIndex to point at.
    return {"id": rule, "shortDescription": {"text": rule}}


def artifact_location(path: str, root: Path) -> dict[str, Any]:
    """Repo-relative URI under %SRCROOT%; absolute paths outside the repo stay file: URIs."""
    p = PurePath(path)
    if p.is_absolute():
        try:
            p = Path(p).relative_to(root.resolve())
        except ValueError:
            return {"uri": Path(p).as_uri()}
    rel = str(p).replace(os.sep, "/")
    # quote() percent-encodes spaces and UTF-8 bytes of non-ASCII: uri-reference demands both.
    return {"uri": quote(_bytes(rel), safe="/"), "uriBaseId": SRCROOT}


def _bytes(path: str) -> bytes:
    """A path's bytes: a name that is not UTF-8 (surrogateescape'd) gets its own back."""
    try:
        return path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no byte stands for
        return path.encode("utf-8", "surrogatepass")


def region(f: Finding) -> dict[str, int]:
    # The schema's minimum for every line/column is 1; a rule reporting 0 must not void the log.
    out = {"startLine": max(1, f.line), "startColumn": max(1, f.col)}
    if f.end_line is not None:
        out["endLine"] = max(out["startLine"], f.end_line)
    if f.end_col is not None:
        out["endColumn"] = max(1, f.end_col)
    return out


def result(f: Finding, rule_id: str, index: int, root: Path) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": index,
        "level": f.severity,
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(f.path, root),
                    "region": region(f),
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
    }
    if f.fix_hint:
        out["properties"] = {"fixHint": f.fix_hint}
    return out


def canonical_id(rule: str) -> str:
    """ruleId must equal rules[ruleIndex].id, so a rule given by name maps onto its id."""
    info = lookup(rule)
    return info.id if info else rule


def root_uri(root: Path) -> str:
    uri = root.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"  # SARIF §3.14.14: a base URI ends with "/"


def to_log(report: ReportInput, max_results: int = MAX_RESULTS) -> dict[str, Any]:
    rules = [rule_descriptor(r) for r in RULES]
    index = {r.id: i for i, r in enumerate(RULES)}
    shown = report.shown
    kept = shown[:max_results]
    ids = [canonical_id(f.rule) for f in kept]
    for rid in ids:
        if rid not in index:
            index[rid] = len(rules)
            rules.append(unknown_rule_descriptor(rid))
    notes = [{"level": "note", "message": {"text": n}} for n in report.notices]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": report.version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri(report.root)}},
        "results": [
            result(f, rid, index[rid], report.root) for f, rid in zip(kept, ids, strict=True)
        ],
    }
    if len(shown) > max_results:
        text = f"results truncated: {len(shown)} found, the first {max_results} reported"
        notes.append({"level": "warning", "message": {"text": text}})
        run["properties"] = {"truncated": True, "totalResults": len(shown)}
    run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": notes}]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


class SarifReporter:
    name = "sarif"

    def render(self, report: ReportInput) -> str:
        return json_text(to_log(report)) + "\n"
