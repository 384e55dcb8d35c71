"""ananke-ci: check that a change provably fits the repository it lands in."""

import sys as _sys

__version__ = "0.1.0"


def _started_as_cli() -> bool:
    """Whether this process is the `ananke-ci` command (the console script or `python -m
    ananke_ci`), not a program importing the package."""
    name = _sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1] if _sys.argv else ""
    name = name.removesuffix(".exe").removesuffix("-script.py")
    return name == "ananke-ci" or _sys.orig_argv[1:3] == ["-m", "ananke_ci"]


def _interrupted(signum: int, frame: object) -> None:
    _sys.stderr.write("ananke-ci: interrupted\n")
    raise SystemExit(130)


if _started_as_cli():
    # Ctrl-C while the command is still importing (before cli.main's handler is in place)
    # exits 130 with one line instead of a KeyboardInterrupt traceback; main() turns it back
    # into KeyboardInterrupt while it runs, so cleanups still happen.
    # the C module: `signal` would first import enum, functools and collections
    import _signal  # type: ignore[import-not-found]

    _signal.signal(_signal.SIGINT, _interrupted)
