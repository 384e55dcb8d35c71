"""The baseline: findings accepted on the day it was recorded, by fingerprint (rule + path +
normalised code, never the line), so later runs report only new ones even after lines move.

Fingerprints are counted: a file that had two identical accepted findings and now has three
reports one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from ananke_ci.core.errors import UserError
from ananke_ci.core.findings import Finding
from ananke_ci.core.records import field, record
from ananke_ci.core.sanitize import shown

BASELINE_VERSION = 1


@record(frozen=True, slots=True)
class Baseline:
    counts: Mapping[str, int] = field(default_factory=dict)  # fingerprint -> accepted


def baseline_json(findings: Iterable[Finding]) -> str:
    rows = sorted(
        (
            {"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path, "message": f.message}
            for f in findings
        ),
        key=lambda r: (r["path"], r["rule"], r["fingerprint"], r["message"]),
    )
    body = {"version": BASELINE_VERSION, "tool": "ananke-ci", "findings": rows}
    import json  # here and in parse_baseline: the hook of a repo without a baseline never needs it

    text = json.dumps(body, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    # a file name that is not UTF-8 holds lone surrogates: written as JSON escapes
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)


def parse_baseline(text: str, source: str) -> Baseline:
    import json

    try:
        body = json.loads(text)
        if body.get("version") != BASELINE_VERSION:
            raise UserError(
                f"baseline version {shown(body.get('version'))}, expected "
                f"{BASELINE_VERSION} (re-record it with `ananke-ci baseline`)",
                path=source,
            )
        counts = Counter(str(row["fingerprint"]) for row in body["findings"])
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise UserError(
            "not an ananke-ci baseline file (re-record it with `ananke-ci baseline`)", path=source
        ) from None
    return Baseline(dict(counts))


def split_new(findings: Iterable[Finding], baseline: Baseline) -> tuple[list[Finding], int]:
    """(findings not in the baseline, how many were hidden by it)."""
    left = Counter(baseline.counts)
    new: list[Finding] = []
    hidden = 0
    for f in findings:
        fp = f.fingerprint
        if left[fp] > 0:
            left[fp] -= 1
            hidden += 1
        else:
            new.append(f)
    return new, hidden
