"""`ananke-ci validate`: report what the change introduces; exit 1 on errors."""

from __future__ import annotations

import argparse
import os
import sys

from ananke_ci import __version__
from ananke_ci.app.validate import validate
from ananke_ci.cli.common import add_target_options, load
from ananke_ci.core.findings import FilterMode, should_fail
from ananke_ci.core.sanitize import printable
from ananke_ci.report.base import ReportInput
from ananke_ci.report.registry import FORMATS, parse_specs, write_reports

SLOW_S = 1.0  # seconds of mining worth a line even on a clean commit


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "validate",
        help="check a change (default: the staged change)",
        description="Check what a change adds: the staged change (default), a commit range, "
        "or whole files. Exit 1 when the change adds a finding at the fail level.",
    )
    add_target_options(p, default="staged")
    p.add_argument(
        "--filter",
        choices=[m.value for m in FilterMode],
        default=None,
        help="which findings count: on added lines (default), anywhere in a hunk, "
        "anywhere in a touched file, or everything in the files checked (with "
        "--staged/--diff those are the touched files, so nofilter equals file)",
    )
    p.add_argument(
        "--format",
        action="append",
        default=[],
        metavar="FORMAT[:PATH]",
        help=f"output format, repeatable ({', '.join(FORMATS)}); FORMAT:PATH writes to a file",
    )
    p.add_argument(
        "--fail-level",
        choices=["error", "warning", "note"],
        default=None,
        help="lowest severity that makes the exit status 1 (default: error)",
    )
    p.add_argument(
        "--no-baseline",
        action="store_true",
        help="report findings recorded in the baseline file too",
    )
    p.add_argument(
        "--show-source",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="text: quote each finding's line, a caret under its columns, and its "
        "fix hint (default: the config's show-source, false)",
    )
    p.add_argument(
        "--include-outside-diff",
        action="store_true",
        help='json: list the findings outside the change too, each with "in_diff": true or false',
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no notices on stderr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    specs = parse_specs(args.format)  # a bad --format fails before any work
    root, target, judge = load(args)
    config = judge.config
    mode = FilterMode(args.filter) if args.filter else config.filter_mode
    result = validate(root, target, judge, mode, baseline=not args.no_baseline)
    clean = not any(f.in_diff for f in result.findings)
    # under pre-commit a clean change stays quiet, unless mining made the commit slow
    slow = (judge.mining_seconds or 0.0) >= SLOW_S
    notices = (
        (*judge.notices, *result.notices)
        if not (args.hook and clean)
        else judge.notices
        if slow
        else ()
    )
    if not args.quiet:
        for notice in notices:
            print(f"ananke-ci: {printable(notice, newlines=False)}", file=sys.stderr)
    show_source = config.show_source if args.show_source is None else args.show_source
    sources = (
        {c.source.path: c.source.content.decode("utf-8", "replace") for c in result.files}
        if show_source
        else {}
    )
    report = ReportInput(
        findings=result.findings,
        version=__version__,
        root=root,
        notices=result.notices,
        files_checked=len(result.files),
        sources=sources,
        outside_diff=args.include_outside_diff,
    )
    if args.hook and clean:
        # pre-commit shows a passing hook's output (`verbose: true`, for its warnings): a
        # clean change says nothing
        specs = tuple(s for s in specs if s.path is not None)
    write_reports(specs, report, sys.stdout, os.environ)
    return 1 if should_fail(list(result.findings), args.fail_level or config.fail_level) else 0
