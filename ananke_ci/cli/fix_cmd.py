"""`ananke-ci fix`: fill the holes a change adds with verified, grammar-constrained code.

Exit status: 0 when every hole got a verified fill, and always for `--dry-run` (the default:
a preview); 1 with `--apply` / `--fixup` when some hole has no verified fill (its reasons are
printed); 2 for a user error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ananke_ci.adapters.backends import registry
from ananke_ci.adapters.backends.registry import BackendSettings
from ananke_ci.adapters.git.txn import recover
from ananke_ci.app.fix import FixOptions, fix_holes
from ananke_ci.app.fix_write import apply_fixes, fixup_commits, unified_diff, write_report
from ananke_ci.cli.common import add_target_options, load
from ananke_ci.core.config import BACKENDS, Config
from ananke_ci.core.deadline import Deadline
from ananke_ci.core.sanitize import printable
from ananke_ci.report.base import filled_line, plural

if TYPE_CHECKING:
    from ananke_ci.core.protocol import Backend


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "fix",
        help="fill the holes a change adds (verified, grammar-constrained)",
        description="For each TODO / typed hole the change adds (default: the staged change), "
        "generate candidates under a grammar, verify them (parse, validator, optional "
        "[verify] command in a temporary worktree) and show, apply or commit the first "
        "verified one. Exit 1 with --apply/--fixup when some hole has no verified fill.",
    )
    add_target_options(p, default="staged")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--dry-run",
        dest="mode",
        action="store_const",
        const="dry-run",
        help="print a unified diff (default)",
    )
    mode.add_argument(
        "--apply",
        dest="mode",
        action="store_const",
        const="apply",
        help="write the fills into the working tree",
    )
    mode.add_argument(
        "--fixup",
        dest="mode",
        action="store_const",
        const="fixup",
        help="one `fixup!` commit per hole, aimed at the commit that added it",
    )
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        help="where candidates come from (default: [generate] backend, else local)",
    )
    p.add_argument(
        "--endpoint",
        metavar="URL",
        help="server of the openai, modal or protocol (ananke-ci serve) backend",
    )
    p.add_argument("--model", help="model id or local path (default: the backend's)")
    p.add_argument("--attempts", type=_positive, help="rounds of refinement per hole")
    p.add_argument("-n", type=_positive, dest="n", help="candidates per round")
    p.add_argument("--max-tokens", type=_positive, help="token budget per candidate")
    p.add_argument(
        "--temperature",
        type=_temperature,
        default=0.7,
        help="sampling temperature (default 0.7; 0 is greedy)",
    )
    p.add_argument("--seed", type=_seed, default=0, help="first sampling seed (default 0)")
    p.add_argument(
        "--request-timeout",
        type=_seconds,
        metavar="SECONDS",
        help="a remote backend's time for one request, retries included "
        "(default: [generate] request_timeout, else 300)",
    )
    p.add_argument(
        "--deadline",
        type=_seconds,
        metavar="SECONDS",
        help="time for the whole run (default: [generate] deadline, else 900)",
    )
    p.add_argument("--no-tests", action="store_true", help="skip the [verify] command")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=run, mode="dry-run")


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return value


def _temperature(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 2.0:  # also refuses nan
        raise argparse.ArgumentTypeError("must be a number from 0 to 2")
    return value


def _seed(text: str) -> int:
    value = int(text)
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError("must be a whole number from 0 to 2**63 - 1")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not 0.0 < value <= 86_400:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(
            "must be a positive number of seconds, at most 86400 (a day)"
        )
    return value


def run(args: argparse.Namespace) -> int:
    root, target, judge = load(args)
    config = judge.config
    for line in recover(root):  # a run killed while it moved HEAD: finish or undo it first
        print(f"ananke-ci: {printable(line)}", file=sys.stderr)
    gen = config.generate
    options = FixOptions(
        attempts=args.attempts or gen.attempts,
        n=args.n or gen.n,
        max_tokens=args.max_tokens or gen.max_tokens,
        temperature=args.temperature,
        seed=args.seed,
        run_tests=not args.no_tests,
    )

    def progress(line: str) -> None:
        if not args.quiet:
            print(f"ananke-ci: {printable(line, newlines=False)}", file=sys.stderr, flush=True)

    # the run's deadline: every request a remote backend makes ends by it, and no hole
    # or round starts after it (the holes left are reported as not tried)
    seconds = args.deadline or gen.deadline
    deadline = Deadline.after(seconds, f"the run's deadline ({seconds:g} s, --deadline)")
    backend = make_backend(args, config, deadline=deadline, progress=progress)
    for notice in judge.notices:
        progress(notice)
    fixes = fix_holes(root, target, judge, backend, options, progress, deadline=deadline)
    for fix in fixes:
        if not fix.ok:
            hole = fix.report.hole
            print(
                printable(
                    f"{fix.report.path}:{hole.span.start_line}:{hole.span.start_col}: "
                    f"no verified fill for `{hole.marker}` after "
                    f"{plural(len(fix.attempts), 'candidate')}:",
                    newlines=False,
                ),
                file=sys.stderr,
            )
            for reason in fix.reasons:  # they quote candidates and test output
                print(f"    {printable(reason, newlines=False)}", file=sys.stderr)
    filled = sum(f.ok for f in fixes)
    progress(filled_line(filled, len(fixes)))
    if args.mode == "dry-run":
        diff = unified_diff(fixes)
        # for `git apply` as it is; on a terminal, what the files hold is shown escaped
        sys.stdout.write(printable(diff) if sys.stdout.isatty() else diff)
        return 0
    written = apply_fixes(root, fixes) if args.mode == "apply" else fixup_commits(root, fixes)
    for line in write_report(root, written):
        print(printable(line, newlines=False))
    incomplete = filled < len(fixes) or any(w.note and not w.holes for w in written)
    return 1 if incomplete else 0


def make_backend(
    args: argparse.Namespace,
    config: Config,
    environ: Mapping[str, str] = os.environ,
    deadline: Deadline | None = None,
    progress: Callable[[str], None] | None = None,
) -> Backend:
    """The backend the flags, then [generate], ask for; secrets only from the environment."""
    gen = config.generate
    settings = BackendSettings(
        model=args.model or gen.model,
        endpoint=args.endpoint or gen.endpoint,
        request_timeout=getattr(args, "request_timeout", None) or gen.request_timeout,
        deadline=deadline,
        progress=progress,
    )
    return registry.make_backend(args.backend or gen.backend, settings, environ)
