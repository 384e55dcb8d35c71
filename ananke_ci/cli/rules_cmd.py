"""`ananke-ci rules`: the rule list, with ids, names, domains and default severities."""

from __future__ import annotations

import argparse
import json
import textwrap

from ananke_ci.core.intensity import Intensity
from ananke_ci.core.rules_catalog import RULES, RuleInfo, severity_at

WIDTH = 80


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("rules", help="list the rules")
    p.add_argument("--json", action="store_true", help="as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "name": r.name,
                        "domain": r.domain,
                        "severity": r.default_severity,
                        "tier": r.tier,
                        "summary": r.summary,
                        "severity_by_intensity": {
                            i.name.lower(): severity_at(r, i)
                            for i in Intensity
                            if i is not Intensity.NONE
                        },
                        "help": r.help,
                    }
                    for r in RULES
                ],
                indent=2,
            )
        )
        return 0
    for r in RULES:
        print(rule_line(r))
    return 0


def rule_line(r: RuleInfo, width: int = WIDTH) -> str:
    """One rule: id, name, domain and severity, then its summary indented under them,
    wrapped so the list fits `width`."""
    head = f"{r.id}  {r.name:<19} {r.domain:<9} {r.default_severity}"
    indent = " " * (len(r.id) + 2)
    return (
        head
        + "\n"
        + textwrap.fill(r.summary, width, initial_indent=indent, subsequent_indent=indent)
    )
