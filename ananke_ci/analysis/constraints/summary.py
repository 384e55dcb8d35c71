"""What mining needs from one file, and nothing else: small, path-free, cached by blob.

Mining a commit adds these up over every source file. A file's summary depends only on its
content (and the tool's code), so a new commit recomputes the summaries of the blobs it
changed and reads the others from the cache: the constraints of each new base cost a
fraction of the first mining (see app/mining.py). Stored as plain tuples (marshal).
"""

from __future__ import annotations

import marshal
from collections import defaultdict
from typing import Any, cast

from ananke_ci.analysis.constraints.annotations import missing, public_functions
from ananke_ci.analysis.constraints.api import shape
from ananke_ci.analysis.constraints.naming import named_things
from ananke_ci.analysis.constraints.scan import FileScan
from ananke_ci.analysis.salience.imports import import_spec
from ananke_ci.core.records import dataclass

VERSION = 2


@dataclass(frozen=True, slots=True)
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
        return marshal.dumps(cast(Any, (
            VERSION, self.language, self.names, self.public, self.annotated, self.imports,
            self.dangers, self.bare, self.swallowed, self.handlers, self.api, self.calls)))

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


def summarize(scan: FileScan) -> FileSummary:
    """The summary of one scanned file (the test-path and directory rules that depend on
    where the file lies are applied when the summaries are added up)."""
    facts = scan.facts
    if facts.skipped:
        return FileSummary(facts.language)
    public = public_functions(facts, tests_too=True)
    api: dict[str, str] = {}
    for fn in public:
        if fn.container is None:
            # TypeScript overloads repeat a name: the implementation (the last) speaks
            api[fn.name] = shape(fn)
    calls: dict[str, list[int]] = defaultdict(list)
    for call in facts.calls:
        calls[call.name.rsplit(".", 1)[-1]].append(call.span.start_line)
    return FileSummary(
        language=facts.language,
        names=tuple((kind, name) for kind, name, _, _ in named_things(scan)),
        public=len(public),
        annotated=sum(not missing(fn, facts.language) for fn in public),
        imports=tuple(import_spec(i, facts.language) for i in facts.imports),
        dangers=tuple(dict.fromkeys(d.key for d in scan.dangers)),
        bare=sum(h.caught is None for h in scan.handlers) if facts.language == "python" else 0,
        swallowed=sum(h.swallowed for h in scan.handlers),
        handlers=len(scan.handlers),
        api=tuple(sorted(api.items())),
        calls=tuple(sorted((name, tuple(lines)) for name, lines in calls.items())),
    )
