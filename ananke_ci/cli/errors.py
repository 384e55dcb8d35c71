"""The one top-level handler: user errors are one line (exit 2), crashes a short report (3)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from ananke_ci import __version__
from ananke_ci.core.errors import UserError
from ananke_ci.core.records import record
from ananke_ci.core.sanitize import printable

EXIT_USER_ERROR = 2
EXIT_CRASH = 3
EXIT_INTERRUPTED = 130
ISSUES_URL = "https://github.com/ananke-ci/ananke-ci/issues"


@record
class Status:
    code: int = 0


@contextmanager
def error_handler() -> Iterator[Status]:
    status = Status()
    try:
        yield status
    except UserError as exc:
        print(f"ananke-ci: error: {printable(str(exc))}", file=sys.stderr)
        status.code = EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("ananke-ci: interrupted", file=sys.stderr)
        status.code = EXIT_INTERRUPTED
    except BrokenPipeError:
        status.code = 0  # `ananke-ci ... | head` is not a crash
    except Exception as exc:
        if _is_protocol_error(exc):  # a request or reply out of the protocol: say which
            print(
                f"ananke-ci: error: {printable(str(getattr(exc, 'message', exc)))}", file=sys.stderr
            )
            status.code = EXIT_USER_ERROR
            return
        import traceback  # the crash path only: it pulls in linecache and tokenize

        frame = traceback.extract_tb(exc.__traceback__)[-1]
        print(
            f"ananke-ci: internal error ({type(exc).__name__}: {printable(str(exc)[:500])}) at "
            f"{frame.filename}:{frame.lineno}\n"
            f"ananke-ci {__version__}, Python {sys.version.split()[0]}. This is a bug: please "
            f"report it with this message at {ISSUES_URL}\n"
            "(set ANANKE_DEBUG=1 for the full traceback)",
            file=sys.stderr,
        )
        if _debug():
            traceback.print_exc()
        status.code = EXIT_CRASH


def _is_protocol_error(exc: Exception) -> bool:
    """A ProtocolError (a peer's refusal, a malformed reply, a request out of range), told
    without importing the protocol module on the hook's path, where it is never loaded."""
    protocol = sys.modules.get("ananke_ci.core.protocol")
    return protocol is not None and isinstance(exc, protocol.ProtocolError)


def _debug() -> bool:
    import os

    return os.environ.get("ANANKE_DEBUG", "") not in ("", "0")
