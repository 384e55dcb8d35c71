"""Spans and text of tree-sitter nodes over the raw source bytes.

Kept apart from extract.py so that holes.py can use it without an import cycle.
"""

from __future__ import annotations

from tree_sitter import Node

from ananke_ci.core.facts import Span

_new_span = object.__new__
# slot descriptors set a frozen dataclass's fields directly (what its __init__ does, minus
# the per-field object.__setattr__ dispatch)
_set_start_line = Span.__dict__["start_line"].__set__
_set_start_col = Span.__dict__["start_col"].__set__
_set_end_line = Span.__dict__["end_line"].__set__
_set_end_col = Span.__dict__["end_col"].__set__
_set_start_byte = Span.__dict__["start_byte"].__set__
_set_end_byte = Span.__dict__["end_byte"].__set__


def fold(text: str) -> str:
    """Collapse every run of whitespace to one space."""
    return " ".join(text.split())


class SourceText:
    """The source bytes of one file, with node -> Span / text helpers.

    Columns are 1-based and count characters; end columns are exclusive (as in SARIF).
    For pure-ASCII files (the common case) a byte column is a character column, so no
    decoding is done at all.
    """

    __slots__ = ("ascii", "src")

    def __init__(self, src: bytes) -> None:
        self.src = src
        self.ascii = src.isascii()

    def span(self, node: Node) -> Span:
        return self.span_of(node.start_byte, node.end_byte, node.start_point, node.end_point)

    def span_of(
        self, start: int, end: int, start_point: tuple[int, int], end_point: tuple[int, int]
    ) -> Span:
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
        # the frozen dataclass __init__ costs ~2x this on a hot path (one Span per call)
        span = _new_span(Span)
        _set_start_line(span, srow + 1)
        _set_start_col(span, scol + 1)
        _set_end_line(span, erow + 1)
        _set_end_col(span, ecol + 1)
        _set_start_byte(span, start)
        _set_end_byte(span, end)
        return span

    def text(self, node: Node) -> str:
        return self.src[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def slice(self, start: int, end: int) -> str:
        return self.src[start:end].decode("utf-8", "replace")
