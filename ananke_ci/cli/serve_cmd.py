"""`ananke-ci serve`: the generation protocol over HTTP with the local backend.

Binds 127.0.0.1 by default; put a reverse proxy with TLS in front to share it. The bearer
token comes from an environment variable (`--token-env`), never from the command line,
where `ps` would show it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping

from ananke_ci.adapters.backends.model_files import load_lltokenizer
from ananke_ci.adapters.backends.registry import BackendSettings, make_backend
from ananke_ci.adapters.backends.server import GenerationServer
from ananke_ci.core.errors import UserError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the generation protocol over HTTP (local model)",
        description="Run the generation protocol (POST /v1/generate, POST "
        "/v1/grammar/validate, GET /health) with the embedded CPU backend.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks one)")
    p.add_argument(
        "--backend", choices=("local",), default="local", help="what generates (default local)"
    )
    p.add_argument("--model", help="model id or local path (default: the packaged model)")
    p.add_argument(
        "--token-env", metavar="VAR", help="require `Authorization: Bearer $VAR` on POST routes"
    )
    p.add_argument(
        "--workers",
        type=_count,
        default=8,
        help="connections served at once (default 8); more wait in a queue",
    )
    p.add_argument(
        "--read-timeout",
        type=_seconds,
        default=30.0,
        metavar="SECONDS",
        help="time a client has to send a whole request (default 30)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log request lines to stderr")
    p.set_defaults(func=run)


def _count(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 256:
        raise argparse.ArgumentTypeError("must be a whole number from 1 to 256")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 < value <= 3600:  # also refuses nan and inf
        raise argparse.ArgumentTypeError("must be a positive number of seconds, at most 3600")
    return value


def run(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> int:
    token = None
    if args.token_env:
        token = environ.get(args.token_env)
        if not token:
            raise UserError(f"--token-env {args.token_env}: that variable is not set or empty")
    backend = make_backend(args.backend, BackendSettings(model=args.model), environ)
    try:
        server = GenerationServer(
            (args.host, args.port),
            backend,
            token=token,
            tokenizer=load_lltokenizer(environ),
            verbose=args.verbose,
            workers=args.workers,
            read_timeout=args.read_timeout,
        )
    except OSError as e:
        raise UserError(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}") from None
    auth = "bearer token required" if token else "no authentication"
    print(
        f"ananke-ci serve: {server.url} ({backend.name} backend, {auth})",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
