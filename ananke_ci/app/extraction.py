"""Facts of many files, each within a time budget (adapters/bounded.py): what validate,
holes, fix and mining parse with. A file that overruns its budget is skipped with a notice
("took longer than 2.1 s to analyse"), never a hang of the hook or of CI.

The budget is generous for real code (which parses at about 0.3 ms per KB here): a base
plus a per-KB allowance, so a large file gets room in proportion.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence

from ananke_ci.adapters.bounded import run_bounded
from ananke_ci.adapters.cache import facts_codec
from ananke_ci.analysis import rows
from ananke_ci.analysis.languages import language_for_path
from ananke_ci.analysis.rows import CoreRow, RestRow

BUDGET_BASE_S = 2.0
BUDGET_PER_KB_S = 0.005
OVERRUN = "took longer than"  # the start of an overrun's skip reason

Item = tuple[str, str | None, bytes]  # (path, language or None: from the path, content)


def budget_s(size: int) -> float:
    return BUDGET_BASE_S + BUDGET_PER_KB_S * size / 1024


def overrun_row(path: str, language: str | None, size: int) -> CoreRow:
    """The core row of a file that overran its budget: skipped, with the reason."""
    lang = language or language_for_path(path) or "unknown"
    return (
        lang,
        size,
        0,
        f"{OVERRUN} {budget_s(size):.1f} s to analyse (a pathological file?)",
        (),
        (),
    )


def is_overrun(core: CoreRow) -> bool:
    skipped = core[3]
    return isinstance(skipped, str) and skipped.startswith(OVERRUN)


def extract_encoded(
    items: Sequence[Item],
    max_bytes: int,
    jobs: int = 1,
) -> Iterator[tuple[int, bytes, bytes]]:
    """(index, core, rest) of every item as facts_codec encodes them, in completion order
    (bytes travel back from the workers far cheaper than objects)."""
    # tree-sitter and the queries: only when there is a file to parse (the hook's path)
    from ananke_ci.analysis.extract import extract_rows, load_parser

    # the grammars are loaded here, before the workers fork: a worker then only parses
    # (no import in a forked child, where another thread may have held the import lock)
    for language in {item[1] or language_for_path(item[0]) for item in items}:
        if language is not None:
            load_parser(language)

    def work(item: Item) -> bytes:
        core, rest = facts_codec.encode(
            *extract_rows(item[0], item[2], item[1], max_bytes=max_bytes)
        )
        return struct.pack("<I", len(core)) + core + rest

    for index, payload in run_bounded(work, items, lambda item: budget_s(len(item[2])), jobs):
        if payload is None:
            path, language, data = items[index]
            yield (
                index,
                *facts_codec.encode(overrun_row(path, language, len(data)), rows.EMPTY_REST),
            )
            continue
        (size,) = struct.unpack_from("<I", payload)
        yield index, payload[4 : 4 + size], payload[4 + size :]


def extract_bounded(
    items: Sequence[Item],
    max_bytes: int,
    jobs: int = 1,
) -> Iterator[tuple[int, CoreRow, RestRow]]:
    """(index, core row, rest row) of every item, in completion order."""
    for index, core, rest in extract_encoded(items, max_bytes, jobs):
        yield index, facts_codec.read_core(core), facts_codec.read_rest(rest)
