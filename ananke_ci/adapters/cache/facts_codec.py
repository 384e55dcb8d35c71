"""FileFacts rows (see analysis/rows.py) as two marshal byte strings, for the facts cache and
the worker processes.

`core` holds what every reader needs (language, size, imports, line count, skip reason,
notices); `rest` the bulky parts (functions, types, calls, comments, syntax issues, holes),
so a reader that wants imports only never unpacks the rest.
marshal, not JSON or pickle: it loads ~3x faster than JSON and builds no objects by itself;
the cache checks a checksum before any byte of it is unmarshalled.
The path is not stored: identical blobs at two paths share an entry (see repo_facts).
"""

from __future__ import annotations

import marshal
from typing import Any, cast

from ananke_ci.analysis import rows
from ananke_ci.analysis.rows import CoreRow, RestRow
from ananke_ci.core.facts import FileFacts


def encode(core: CoreRow, rest: RestRow) -> tuple[bytes, bytes]:
    """(core, rest) as bytes; the rows come from analysis.extract.extract_rows."""
    # marshal takes any nesting of lists and tuples; typeshed knows only concrete types
    return marshal.dumps(cast(Any, core)), marshal.dumps(cast(Any, rest))


def read_core(core: bytes) -> CoreRow:
    """The core row: (language, source size, line count, skip reason, notices, imports)."""
    row: CoreRow = marshal.loads(core)
    return row


def decode(path: str, core: CoreRow, rest: bytes | None) -> FileFacts:
    """FileFacts at `path` from a core row (read_core) and the rest; with rest=None only
    the core fields (imports, ...) are filled.
    """
    return rows.facts(path, core, None if rest is None else read_rest(rest))


def read_rest(rest: bytes) -> RestRow:
    """The rest row: (functions, types, calls, comments, syntax issues, holes)."""
    row: RestRow = marshal.loads(rest)
    return row
