"""One scanned file's FileSummary: what each miner reads of it, computed once per blob."""

from __future__ import annotations

from collections import defaultdict

from ananke_ci.analysis.constraints.annotations import missing, public_functions
from ananke_ci.analysis.constraints.api import shape
from ananke_ci.analysis.constraints.naming import named_things
from ananke_ci.analysis.constraints.scan import FileScan
from ananke_ci.analysis.constraints.summary import FileSummary
from ananke_ci.analysis.salience.imports import import_spec


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
