"""`ananke-ci rules`: the rule list, with ids, names, domains and default severities."""

from __future__ import annotations

import argparse
import json

from ananke_ci.core.intensity import Intensity
from ananke_ci.core.rules_catalog import RULES, severity_at


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("rules", help="list the rules")
    p.add_argument("--json", action="store_true", help="as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.json:
        print(json.dumps([
            {"id": r.id, "name": r.name, "domain": r.domain, "severity": r.default_severity,
             "tier": r.tier, "summary": r.summary,
             "severity_by_intensity": {i.name.lower(): severity_at(r, i)
                                       for i in Intensity if i is not Intensity.NONE},
             "help": r.help} for r in RULES], indent=2))
        return 0
    for r in RULES:
        print(f"{r.id}  {r.name:<14} {r.domain:<10} {r.default_severity:<8} {r.summary}")
    return 0
