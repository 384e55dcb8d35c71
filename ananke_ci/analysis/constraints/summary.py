"""What mining needs from one file, and nothing else: small, path-free, cached by blob.

Mining a commit adds these up over every source file. A file's summary depends only on its
content (and the tool's code), so a new commit recomputes the summaries of the blobs it
changed and reads the others from the cache: the constraints of each new base cost a
fraction of the first mining (see app/mining.py). Stored as plain tuples (marshal). Made
by summarize.py, read by the miners (naming, annotations, api, habits: summary.py imports
none of them).
"""

from __future__ import annotations

import marshal
from typing import Any, cast

from ananke_ci.core.records import record

VERSION = 2


@record(frozen=True, slots=True)
class FileSummary:
    language: str
    names: tuple[tuple[str, str], ...] = ()  # (kind, name) of functions, methods, classes
    public: int = 0  # public functions (annotation coverage; python and typescript)
    annotated: int = 0  # ... of which fully annotated
    imports: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (module as written, names)
    dangers: tuple[str, ...] = ()  # DangerSpec keys used (each once)
    bare: int = 0  # bare `except:` handlers (python)
    swallowed: int = 0  # handlers whose body does nothing
    handlers: int = 0  # every error handler
    api: tuple[tuple[str, str], ...] = ()  # public top-level functions: (name, shape)
    calls: tuple[tuple[str, tuple[int, ...]], ...] = ()  # callee's last name -> lines

    def encode(self) -> bytes:
        return marshal.dumps(
            cast(
                Any,
                (
                    VERSION,
                    self.language,
                    self.names,
                    self.public,
                    self.annotated,
                    self.imports,
                    self.dangers,
                    self.bare,
                    self.swallowed,
                    self.handlers,
                    self.api,
                    self.calls,
                ),
            )
        )

    @classmethod
    def decode(cls, data: bytes) -> FileSummary | None:
        """The summary, or None when the bytes are of another version or damaged."""
        try:
            row = marshal.loads(data)
            if not isinstance(row, tuple) or len(row) != 12 or row[0] != VERSION:
                return None
            return cls(*row[1:])
        except (ValueError, EOFError, TypeError):
            return None
