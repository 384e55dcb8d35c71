"""Spans and text of tree-sitter nodes over the raw source bytes.

Kept apart from extract.py so that holes.py can use it without an import cycle.
"""

from __future__ import annotations

from tree_sitter import Node

from ananke_ci.analysis.rows import SpanRow


def fold(text: str) -> str:
    """Collapse every run of whitespace to one space."""
    return " ".join(text.split())


class SourceText:
    """The source bytes of one file, with node -> span row (see rows.py) / text helpers.

    Columns are 1-based and count characters; end columns are exclusive (as in SARIF).
    For pure-ASCII files (the common case) a byte column is a character column, so no
    decoding is done at all.
    """

    __slots__ = ("ascii", "src")

    def __init__(self, src: bytes) -> None:
        self.src = src
        self.ascii = src.isascii()

    def span(self, node: Node) -> SpanRow:
        if self.ascii:  # span_of inlined: this runs for every fact
            (srow, scol), (erow, ecol) = node.start_point, node.end_point
            return (srow + 1, scol + 1, erow + 1, ecol + 1, node.start_byte, node.end_byte)
        return self.span_of(node.start_byte, node.end_byte, node.start_point, node.end_point)

    def span_of(
        self, start: int, end: int, start_point: tuple[int, int], end_point: tuple[int, int]
    ) -> SpanRow:
        (srow, scol), (erow, ecol) = start_point, end_point
        if not self.ascii:
            src = self.src
            # only a line with non-ASCII text before the column needs decoding
            head = src[start - scol : start]
            if not head.isascii():
                scol = len(head.decode("utf-8", "replace"))
            head = src[end - ecol : end]
            if not head.isascii():
                ecol = len(head.decode("utf-8", "replace"))
        return (srow + 1, scol + 1, erow + 1, ecol + 1, start, end)

    def text(self, node: Node) -> str:
        return self.src[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def slice(self, start: int, end: int) -> str:
        return self.src[start:end].decode("utf-8", "replace")
