"""`ananke-ci eval`: does generating under the constraints, and verifying, make fills better?

Layer 1 runs one small task per constraint domain (the constraint must bite); layer 2
removes the bodies of real functions of real projects and fills them in four modes, the
projects' own tests as the oracle. Results: benchmarks/results/eval-DATE.json and .md.
Exit status 0 when the run finished (whatever it measured), 2 for a user error.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from ananke_ci.cli.fix_cmd import _positive, _seconds, _seed, _temperature
from ananke_ci.core.config import BACKENDS, Config
from ananke_ci.core.errors import UserError
from ananke_ci.core.sanitize import printable

FAST_MECHANISMS = ("banned call", "return path")
FAST_PROJECTS = ("toolz",)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "eval",
        help="measure constrained, verified fills against free ones",
        description="Layer 1: per constraint domain, the share of outputs that satisfy it, "
        "free and constrained. Layer 2: holes made in real functions of real projects "
        "(their own tests as the oracle), filled free, constrained, constrained + verified, "
        "constrained + verified with tests; pass@k, wrong proposals, paired tests.",
    )
    p.add_argument(
        "--fast",
        action="store_true",
        help="a handful of tasks (2 domains, 2 holes of toolz, 2 samples): minutes, for CI",
    )
    p.add_argument(
        "--layer", choices=("1", "2", "all"), default="all", help="which layer to run (default all)"
    )
    p.add_argument(
        "--projects",
        metavar="NAMES",
        help="comma-separated layer-2 projects (default toolz,click,ramda)",
    )
    p.add_argument("--holes", type=_positive, help="holes per project (default 25)")
    p.add_argument(
        "--samples", type=_positive, help="samples per mode and hole, n of pass@k (default 3)"
    )
    p.add_argument(
        "--mechanism-samples",
        type=_positive,
        help="samples per mode of each layer-1 task (default 10)",
    )
    p.add_argument(
        "--temperature", type=_temperature, default=0.7, help="sampling temperature (default 0.7)"
    )
    p.add_argument("--seed", type=_seed, default=0, help="first sampling seed (default 0)")
    p.add_argument("--max-tokens", type=_positive, help="token budget per candidate (default 128)")
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        default="local",
        help="where candidates come from (default local)",
    )
    p.add_argument(
        "--endpoint", metavar="URL", help="server of the openai, modal or protocol backend"
    )
    p.add_argument("--model", help="model id or local path (default: the backend's)")
    p.add_argument(
        "--request-timeout",
        type=_seconds,
        metavar="SECONDS",
        help="a remote backend's time for one request (default 300)",
    )
    p.add_argument(
        "--journal",
        type=Path,
        metavar="PATH",
        help="append each finished task to this JSON-lines file",
    )
    p.add_argument(
        "--from-journal",
        type=Path,
        metavar="PATH",
        help="resume: the tasks in this journal are done (it is appended to, "
        "unless --journal names another)",
    )
    p.add_argument(
        "--deadline",
        type=_seconds,
        metavar="SECONDS",
        help="start no task after this many seconds (the results say partial)",
    )
    p.add_argument(
        "--report",
        action="store_true",
        help="only write the results of --from-journal: start no task",
    )
    p.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="where the projects are cloned (default ~/.cache/ananke-ci/eval)",
    )
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        default=Path("benchmarks/results"),
        help="where the JSON and Markdown results go (default benchmarks/results)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ananke_ci.adapters import eval_exec
    from ananke_ci.app import eval_report
    from ananke_ci.app.eval_projects import projects
    from ananke_ci.app.eval_run import EvalOptions, Store, run_eval
    from ananke_ci.cli.fix_cmd import make_backend

    fast = args.fast
    names = tuple(n for n in (args.projects or "").split(",") if n) or (
        FAST_PROJECTS if fast else ("toolz", "click", "ramda")
    )
    cache = (
        args.cache
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ananke-ci" / "eval"
    )
    known = projects(cache)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UserError(f"unknown project(s) {', '.join(unknown)}; known: {', '.join(known)}")
    options = EvalOptions(
        samples=args.samples or (2 if fast else 3),
        mechanism_samples=args.mechanism_samples or (2 if fast else 10),
        temperature=args.temperature,
        seed=args.seed,
        max_tokens=args.max_tokens or (48 if fast else 128),
        layer=args.layer,
        holes=args.holes or (2 if fast else 25),
        mechanisms=FAST_MECHANISMS if fast else (),
    )

    def progress(line: str) -> None:
        if not args.quiet:
            print(f"ananke-ci eval: {printable(line, newlines=False)}", file=sys.stderr, flush=True)

    if args.report and not args.from_journal:
        raise UserError("--report writes the results of a journal: give --from-journal PATH")
    journal = args.journal or args.from_journal
    store = Store(
        eval_exec.Journal(journal) if journal else None,
        options,
        eval_exec.Journal(args.from_journal) if args.from_journal else None,
    )
    backend = make_backend(args, Config())
    deadline = time.monotonic() + args.deadline if args.deadline else None
    if args.report:
        deadline = float("-inf")  # every task not in the journal is left undone
    result = run_eval(
        backend, {n: known[n] for n in names}, cache, options, store, progress, deadline
    )
    doc = eval_report.document(result, options, eval_report.environment())
    stem = "eval-" + datetime.now(UTC).strftime("%Y-%m-%d") + ("-fast" if fast else "")
    json_path, md_path = eval_report.write(args.out, doc, stem)
    progress(
        f"results: {json_path} and {md_path}"
        + ("" if result.complete else " (PARTIAL: the deadline passed)")
    )
    sys.stdout.write(eval_report.markdown(doc))
    return 0
