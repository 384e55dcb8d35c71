"""`ananke-ci ci`: the pull-request bot (what the composite Action runs).

Reads the event from $GITHUB_EVENT_PATH (or --event FILE), the API from $GITHUB_API_URL and
$GITHUB_GRAPHQL_URL (GitHub Enterprise works), the token from $GITHUB_TOKEN (or the variable
--token-env names). `--dry-run` reads the pull request but writes nothing: it prints what it
would post. Exit status: 0 clean, 1 findings at the fail level, 2 user error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ananke_ci.adapters.git import read as git
from ananke_ci.adapters.github_api import GitHubClient
from ananke_ci.app.ci import run_ci
from ananke_ci.app.ci_context import FIX_MODES, CiSettings, read_event, secret_values, truthy
from ananke_ci.core.errors import UserError
from ananke_ci.core.findings import FilterMode
from ananke_ci.report.base import plural

if TYPE_CHECKING:
    from ananke_ci.app.ci_context import CiSettings

SECRET_VARS = ("ANANKE_TOKEN", "MODAL_KEY", "MODAL_SECRET", "ANANKE_ENDPOINT")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "ci",
        help="the pull-request bot: validate, review, annotate, propose fills",
        description="Validate a pull request's change (merge base..head), write SARIF and a "
        "job summary, reconcile review comments, annotate, and propose fills for the holes "
        "it adds. Reads the GitHub event and API from the environment.",
    )
    p.add_argument(
        "--event",
        type=Path,
        metavar="FILE",
        help="the pull_request event (default: $GITHUB_EVENT_PATH)",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="post nothing: print what would be posted"
    )
    p.add_argument(
        "--fix",
        choices=["off", "suggest", "commit"],
        default=None,
        help="fills for added holes: none, suggestion blocks, or fixup! commits "
        "on a bot branch (default: $INPUT_FIX, else off)",
    )
    p.add_argument(
        "--endpoint",
        metavar="URL",
        help="generation endpoint (default: $ANANKE_ENDPOINT; none: the local CPU model)",
    )
    p.add_argument(
        "--backend",
        choices=["openai", "modal", "protocol"],
        help="the endpoint's kind (default: [generate] backend, else protocol)",
    )
    p.add_argument("--model", help="model id or path for the backend")
    p.add_argument(
        "--run-tests",
        action="store_true",
        default=None,
        help="run the base's [verify] command on candidates (sandboxed; never for forks)",
    )
    p.add_argument("--fail-level", choices=["error", "warning", "note"], default=None)
    p.add_argument("--filter", choices=[m.value for m in FilterMode], default=None)
    p.add_argument(
        "--sarif",
        type=Path,
        default=None,
        metavar="PATH",
        help="where the SARIF goes (default: ananke-ci.sarif)",
    )
    p.add_argument(
        "--summary",
        type=Path,
        default=None,
        metavar="PATH",
        help="append the job summary here (default: $GITHUB_STEP_SUMMARY)",
    )
    p.add_argument(
        "--plot", type=Path, default=None, metavar="PNG", help="draw the base's hotspot map here"
    )
    p.add_argument(
        "--no-salience", action="store_true", help="skip the salience picture (and its mining)"
    )
    p.add_argument(
        "--annotations",
        choices=["auto", "check-run", "commands"],
        default="auto",
        help="check-run annotations (auto: when the token may) or workflow commands",
    )
    p.add_argument("--remote", default="origin", help="where `--fix commit` pushes")
    p.add_argument(
        "--fix-timeout",
        type=float,
        default=600.0,
        metavar="S",
        help="seconds the fix step may take (default 600)",
    )
    p.add_argument(
        "--token-env",
        default="GITHUB_TOKEN",
        metavar="VAR",
        help="environment variable holding the GitHub token",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> int:
    event_path = args.event or (
        Path(environ["GITHUB_EVENT_PATH"]) if environ.get("GITHUB_EVENT_PATH") else None
    )
    if event_path is None:
        raise UserError("no event: run it in GitHub Actions or give --event FILE")
    event = read_event(event_path)
    settings = settings_from(args, environ)
    root = git.repo_root(Path.cwd())
    token = environ.get(args.token_env, "")
    api = None
    if token and not event.fork:
        api_url = environ.get("GITHUB_API_URL", "https://api.github.com")
        api = GitHubClient(
            api_url,
            environ.get("GITHUB_GRAPHQL_URL"),
            token,
            event.repository or environ.get("GITHUB_REPOSITORY", ""),
            write_interval=_seconds(environ.get("ANANKE_CI_WRITE_INTERVAL"), 1.0),
        )
    result = run_ci(root, event, settings, environ, api)
    print(
        f"ananke-ci: {plural(result.findings, 'finding')}, {plural(result.holes, 'hole')} "
        "in the change; "
        f"SARIF in {result.sarif}",
        file=sys.stderr,
    )
    return result.exit_code


def _seconds(text: str | None, default: float) -> float:
    try:
        return max(0.0, float(text)) if text else default
    except ValueError:
        raise UserError(f"not a number of seconds: {text!r}") from None


def settings_from(args: argparse.Namespace, environ: Mapping[str, str]) -> CiSettings:
    fix = args.fix or environ.get("INPUT_FIX") or "off"
    if fix not in FIX_MODES:
        raise UserError(f"fix must be one of {', '.join(FIX_MODES)}, not {fix!r}")
    run_tests = (
        args.run_tests if args.run_tests is not None else truthy(environ.get("INPUT_RUN_TESTS"))
    )
    secrets = secret_values(environ, (*SECRET_VARS, args.token_env))
    summary = args.summary or (
        Path(environ["GITHUB_STEP_SUMMARY"]) if environ.get("GITHUB_STEP_SUMMARY") else None
    )
    outputs = Path(environ["GITHUB_OUTPUT"]) if environ.get("GITHUB_OUTPUT") else None
    return CiSettings(
        fix=fix,
        dry_run=args.dry_run,
        endpoint=args.endpoint or environ.get("ANANKE_ENDPOINT") or None,
        backend=args.backend,
        model=args.model,
        run_tests=run_tests,
        fail_level=args.fail_level,
        filter_mode=FilterMode(args.filter) if args.filter else None,
        sarif=args.sarif or Path("ananke-ci.sarif"),
        summary=summary,
        outputs=outputs,
        plot=args.plot,
        remote=args.remote,
        fix_timeout=args.fix_timeout,
        salience=not args.no_salience,
        annotations=args.annotations,
        secrets=secrets,
    )
