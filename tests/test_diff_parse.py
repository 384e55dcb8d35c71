"""The unified diff parser, on diff text as git writes it (pure: no git runs here)."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ananke_ci.core.diff import FileDiff, Hunk, line_in_scope, parse_unified_diff
from ananke_ci.core.findings import FilterMode


def one(data: bytes) -> FileDiff:
    (fd,) = parse_unified_diff(data)
    return fd


MODIFIED = b"""\
diff --git a/src/app.py b/src/app.py
index 1111111..2222222 100644
--- a/src/app.py
+++ b/src/app.py
@@ -1,4 +1,5 @@ def main():
 import os
-import sys
+import sys  # changed
+import re
 y = 0
 x = 1
@@ -10,3 +11,3 @@ class A:
 a
-b
+B
 c
"""


def test_modified_file_lines_and_hunks() -> None:
    fd = one(MODIFIED)
    assert (fd.old_path, fd.new_path, fd.status, fd.binary) == (
        "src/app.py",
        "src/app.py",
        "modified",
        False,
    )
    assert fd.added_lines == {2, 3, 12}
    assert fd.context_lines == {1, 2, 3, 4, 5, 11, 12, 13}
    assert fd.hunks == (Hunk(1, 4, 1, 5), Hunk(10, 3, 11, 3))
    assert fd.path == "src/app.py"


def test_added_file_with_omitted_counts() -> None:
    fd = one(
        b"diff --git a/n.py b/n.py\nnew file mode 100644\nindex 0000000..1\n"
        b"--- /dev/null\n+++ b/n.py\n@@ -0,0 +1 @@\n+x = 1\n"
    )
    assert (fd.old_path, fd.new_path, fd.status, fd.new_mode) == (None, "n.py", "added", "100644")
    assert fd.added_lines == {1}
    assert fd.hunks == (Hunk(0, 0, 1, 1),)


def test_deleted_file() -> None:
    fd = one(
        b"diff --git a/old.py b/old.py\ndeleted file mode 100644\nindex 1..0000000\n"
        b"--- a/old.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n"
    )
    assert (fd.old_path, fd.new_path, fd.status, fd.path) == ("old.py", None, "deleted", "old.py")
    assert fd.added_lines == fd.context_lines == frozenset()
    assert fd.hunks == (Hunk(1, 2, 0, 0),)


def test_empty_file_added_has_no_hunks() -> None:
    fd = one(b"diff --git a/e.txt b/e.txt\nnew file mode 100644\nindex 0000000..e69de29\n")
    assert (fd.new_path, fd.status, fd.hunks) == ("e.txt", "added", ())


def test_pure_rename() -> None:
    fd = one(
        b"diff --git a/a.py b/pkg/b.py\nsimilarity index 100%\n"
        b"rename from a.py\nrename to pkg/b.py\n"
    )
    assert (fd.old_path, fd.new_path, fd.status, fd.similarity) == (
        "a.py",
        "pkg/b.py",
        "renamed",
        100,
    )
    assert fd.added_lines == frozenset()


def test_rename_with_edit_and_spaces_in_names() -> None:
    # git ends a '---'/'+++' name that holds a space with a tab
    fd = one(
        b"diff --git a/my file.txt b/my file 2.txt\nsimilarity index 66%\n"
        b"rename from my file.txt\nrename to my file 2.txt\nindex 1..2 100644\n"
        b"--- a/my file.txt\t\n+++ b/my file 2.txt\t\n@@ -1,2 +1,3 @@\n a\n b\n+c\n"
    )
    assert (fd.old_path, fd.new_path, fd.status, fd.similarity) == (
        "my file.txt",
        "my file 2.txt",
        "renamed",
        66,
    )
    assert fd.added_lines == {3}


def test_copy() -> None:
    fd = one(
        b"diff --git a/a.py b/b.py\nsimilarity index 90%\ncopy from a.py\ncopy to b.py\n"
        b"index 1..2 100644\n--- a/a.py\n+++ b/b.py\n@@ -1 +1,2 @@\n x\n+y\n"
    )
    assert (fd.old_path, fd.new_path, fd.status) == ("a.py", "b.py", "copied")
    assert fd.added_lines == {2}


def test_mode_only_change() -> None:
    fd = one(b"diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n")
    assert (fd.path, fd.status, fd.old_mode, fd.new_mode, fd.hunks) == (
        "run.sh",
        "modified",
        "100644",
        "100755",
        (),
    )


def test_binary_files_differ() -> None:
    fds = parse_unified_diff(
        b"diff --git a/img.png b/img.png\nnew file mode 100644\nindex 0000000..1\n"
        b"Binary files /dev/null and b/img.png differ\n"
        b"diff --git a/x y.bin b/x y.bin\nindex 1..2 100644\n"
        b"Binary files a/x y.bin and b/x y.bin differ\n"
    )
    assert [(f.path, f.status, f.binary) for f in fds] == [
        ("img.png", "added", True),
        ("x y.bin", "modified", True),
    ]


def test_git_binary_patch_is_skipped_and_next_file_parsed() -> None:
    fds = parse_unified_diff(
        b"diff --git a/b.dat b/b.dat\nindex 8352675..1592e5c 100644\nGIT binary patch\n"
        b"literal 3\nKcmZQzWCj2L2ml2D\n\nliteral 3\nKcmZQzWC8#H2LJ>B\n\n"
        b"diff --git a/t.py b/t.py\nindex 1..2 100644\n--- a/t.py\n+++ b/t.py\n"
        b"@@ -1 +1 @@\n-a\n+b\n"
    )
    assert [(f.path, f.binary, f.added_lines) for f in fds] == [
        ("b.dat", True, frozenset()),
        ("t.py", False, frozenset({1})),
    ]


def test_crlf_lines_keep_their_carriage_return_and_count_once() -> None:
    fd = one(
        b"diff --git a/w.txt b/w.txt\nindex 1..2 100644\n--- a/w.txt\n+++ b/w.txt\n"
        b"@@ -1,3 +1,3 @@\n one\r\n-two\r\n+TWO\r\n three\r\n"
    )
    assert fd.added_lines == {2}
    assert fd.context_lines == {1, 2, 3}


def test_no_newline_markers() -> None:
    fds = parse_unified_diff(
        b"diff --git a/n.txt b/n.txt\nindex 1..2 100644\n--- a/n.txt\n+++ b/n.txt\n"
        b"@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
        b"diff --git a/m.txt b/m.txt\nindex 1..2 100644\n--- a/m.txt\n+++ b/m.txt\n"
        b"@@ -1 +1,2 @@\n x\n+y\n"
    )
    assert [(f.path, set(f.added_lines)) for f in fds] == [("n.txt", {2}), ("m.txt", {2})]


@pytest.mark.parametrize(
    ("header", "old", "new"),
    [
        (b'"a/t\\303\\251st.py" "b/t\\303\\251st.py"', "t\u00e9st.py", "t\u00e9st.py"),
        (b'"a/t\\tab.txt" "b/t\\tab.txt"', "t\tab.txt", "t\tab.txt"),
        (b'"a/qu\\"ote\\\\.txt" "b/qu\\"ote\\\\.txt"', 'qu"ote\\.txt', 'qu"ote\\.txt'),
        (b'"a/new\\nline" "b/new\\nline"', "new\nline", "new\nline"),
        (
            "a/t\u00e9st \u00fc.py b/t\u00e9st \u00fc.py".encode(),
            "t\u00e9st \u00fc.py",
            "t\u00e9st \u00fc.py",
        ),
        (b'a/plain.py "b/t\\tx.py"', "plain.py", "t\tx.py"),
        (b"a/a b/c b/a b/c", "a b/c", "a b/c"),
    ],
)
def test_names_from_the_diff_git_line(header: bytes, old: str, new: str) -> None:
    fd = one(b"diff --git " + header + b"\nold mode 100644\nnew mode 100755\n")
    assert (fd.old_path, fd.new_path) == (old, new)


def test_quoted_names_in_headers_and_rename_lines() -> None:
    fd = one(
        b'diff --git a/t\xc3\xa9st.py "b/t\\303\\274\\tst.py"\nsimilarity index 100%\n'
        b'rename from t\xc3\xa9st.py\nrename to "t\xc3\xbc\\tst.py"\n'
    )
    assert (fd.old_path, fd.new_path) == ("t\u00e9st.py", "t\u00fc\tst.py")
    fd = one(
        b'diff --git "a/q\\"x" "b/q\\"x"\nnew file mode 100644\nindex 0..1\n'
        b'--- /dev/null\n+++ "b/q\\"x"\n@@ -0,0 +1 @@\n+q\n'
    )
    assert (fd.new_path, fd.added_lines) == ('q"x', frozenset({1}))


def test_non_utf8_name_and_content() -> None:
    fd = one(
        b'diff --git "a/\\377.txt" "b/\\377.txt"\nindex 1..2 100644\n'
        b'--- "a/\\377.txt"\n+++ "b/\\377.txt"\n@@ -1 +1 @@\n-\xff\xfe\n+\x80abc\r\n'
    )
    assert fd.path == "\udcff.txt"  # surrogateescape: os.fsencode gives the bytes back
    assert fd.added_lines == {1}


def test_content_that_looks_like_headers_stays_content() -> None:
    # removed "-- a/x" prints as "--- a/x"; added "++ b/x" as "+++ b/x"
    fd = one(
        b"diff --git a/f b/f\nindex 1..2 100644\n--- a/f\n+++ b/f\n"
        b"@@ -1,3 +1,3 @@\n--- a/x\n+++ b/x\n diff --git a/q b/q\n+@@ -1 +1 @@\n-z\n"
    )
    assert fd.added_lines == {1, 3}
    assert fd.context_lines == {1, 2, 3}


def test_blank_context_line_trimmed_by_suppress_blank_empty() -> None:
    fd = one(
        b"diff --git a/f b/f\nindex 1..2 100644\n--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n"
    )
    assert (fd.added_lines, fd.context_lines) == (frozenset({3}), frozenset({1, 2, 3}))


def test_empty_input_and_preamble() -> None:
    assert parse_unified_diff(b"") == ()
    fds = parse_unified_diff(b"commit abc\nAuthor: x\n\n    msg\n\n" + MODIFIED)
    assert [f.path for f in fds] == ["src/app.py"]


def test_plain_unified_diff_without_git_headers() -> None:
    fds = parse_unified_diff(
        b"--- a/x.py\t2024-01-01\n+++ b/x.py\t2024-01-02\n@@ -1 +1,2 @@\n a\n+b\n"
        b"--- /dev/null\n+++ b/y.py\n@@ -0,0 +1 @@\n+c\n"
        b"--- a/z.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-d\n"
    )
    assert [(f.old_path, f.new_path, f.status, f.added_lines) for f in fds] == [
        ("x.py", "x.py", "modified", {2}),
        (None, "y.py", "added", {1}),
        ("z.py", None, "deleted", frozenset()),
    ]


# --- line_in_scope ---------------------------------------------------------------------

FD = FileDiff("f.py", "f.py", "modified", False, frozenset({5, 6}), frozenset(range(2, 10)))
UNTOUCHED = FileDiff("g.py", "g.py", "modified", False, frozenset(), frozenset())


@pytest.mark.parametrize(
    ("fd", "line", "end", "mode", "expected"),
    [
        (FD, 5, None, "added", True),
        (FD, 4, None, "added", False),
        (FD, 1, 5, "added", True),
        (FD, 7, 100, "added", False),
        (FD, 3, 2, "added", False),  # end before start: just the start line
        (FD, 4, None, "diff_context", True),
        (FD, 10, 20, "diff_context", False),
        (FD, 1, 10**9, "diff_context", True),
        (FD, 500, None, "file", True),
        (FD, 500, None, "nofilter", True),
        (FD, 0, None, "added", True),  # a whole-file finding in a file with additions
        (UNTOUCHED, 0, None, "added", False),
        (UNTOUCHED, 0, None, "diff_context", False),
        (UNTOUCHED, 3, None, "file", True),
    ],
)
def test_line_in_scope(fd: FileDiff, line: int, end: int | None, mode: str, expected: bool) -> None:
    assert line_in_scope(fd, line, end, mode) is expected


def test_line_in_scope_takes_the_filter_mode_enum() -> None:
    assert line_in_scope(FD, 5, None, FilterMode.ADDED)
    assert not line_in_scope(FD, 4, None, FilterMode.ADDED)
    assert line_in_scope(FD, 4, None, FilterMode.DIFF_CONTEXT)
    with pytest.raises(ValueError, match="unknown filter mode"):
        line_in_scope(FD, 1, None, "everything")


# --- property: against difflib's own notion of which lines changed ---------------------

LINES = st.sampled_from(
    [
        b"a\n",
        b"b\n",
        b"x = 1\n",
        b"\n",
        b"crlf\r\n",
        b"\xff\xfe latin\n",
        b"-- a/f\n",
        b"++ b/f\n",
        b"@@ -1 +1 @@\n",
        b"diff --git a/q b/q\n",
        b"\\ No newline\n",
        b"  \tindent\n",
    ]
)
FILES = st.lists(
    st.tuples(st.lists(LINES, max_size=30), st.lists(LINES, max_size=30)), min_size=1, max_size=3
)


@settings(max_examples=300)
@given(files=FILES, context=st.integers(0, 4))
def test_added_and_context_lines_match_difflib(
    files: list[tuple[list[bytes], list[bytes]]], context: int
) -> None:
    data = b""
    expected: dict[str, tuple[set[int], set[int]]] = {}
    for k, (old, new) in enumerate(files):
        name = f"dir/f {k}.py".encode()
        data += b"".join(
            difflib.diff_bytes(
                difflib.unified_diff, old, new, b"a/" + name, b"b/" + name, n=context
            )
        )
        added: set[int] = set()
        shown: set[int] = set()
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        for group in matcher.get_grouped_opcodes(context):
            for tag, _i1, _i2, j1, j2 in group:
                shown.update(range(j1 + 1, j2 + 1))
                if tag in ("insert", "replace"):
                    added.update(range(j1 + 1, j2 + 1))
        if old != new:
            expected[name.decode()] = (added, shown)
    got = {fd.path: (set(fd.added_lines), set(fd.context_lines)) for fd in parse_unified_diff(data)}
    assert got == expected
