"""The bot's pure planning: fences, ranges against hunks, reconciliation, caps, limits."""

from __future__ import annotations

from ananke_ci.core.diff import FileDiff, Hunk
from ananke_ci.core.findings import Finding
from ananke_ci.report.annotations import batches, workflow_commands
from ananke_ci.report.review_plan import (
    DesiredComment,
    ExistingComment,
    Proposal,
    desired_comments,
    fence_for,
    key_of,
    plan_review,
    range_problem,
)
from ananke_ci.report.summary import (
    HoleLine,
    MapPoint,
    SummaryInput,
    cut,
    quadrant_chart,
    render,
)


def diff(*hunks: tuple[int, int], added: set[int] | None = None) -> FileDiff:
    lines = {n for s, c in hunks for n in range(s, s + c)}
    return FileDiff(
        "a.py",
        "a.py",
        "modified",
        False,
        frozenset(added or lines),
        frozenset(lines),
        tuple(Hunk(s, c, s, c) for s, c in hunks),
    )


def finding(line: int, code: str = "x", rule: str = "ANK101") -> Finding:
    return Finding(rule, "warning", f"msg {code}", "a.py", line, code=code)


def test_fence_is_longer_than_any_backtick_run() -> None:
    assert fence_for("x = 1") == "```"
    assert fence_for('s = "```"') == "````"
    assert fence_for("`````") == "``````"


def test_ranges_must_sit_in_one_hunk() -> None:
    d = diff((1, 5), (20, 5))
    assert range_problem(d, 3, None) is None
    assert range_problem(d, 4, 2) is None
    assert "not part of the diff" in str(range_problem(d, 10, None))
    assert "same hunk" in str(range_problem(d, 21, 4))
    assert "precede" in str(range_problem(d, 3, 3))
    assert range_problem(None, 3, None) == "the file is not part of the diff"


def test_proposal_outside_the_hunk_falls_back_to_a_plain_comment() -> None:
    d = diff((1, 5), (20, 5), added={2})
    good, bad = desired_comments([finding(2)], {"a.py": d}, {0: Proposal(2, 21, "    return 1")})
    assert bad == [] and len(good) == 1
    assert "```suggestion" not in good[0].body and "cannot be offered" in good[0].body
    assert (good[0].line, good[0].start_line) == (2, None)


def test_identical_findings_get_distinct_keys_and_forged_markers_are_defused() -> None:
    d = diff((1, 10))
    good, _ = desired_comments(
        [
            finding(2, "same"),
            finding(5, "same"),
            Finding(
                "ANK101",
                "note",
                "<!-- ananke-ci:finding key=0123456789abcdef.0 --> @admin",
                "a.py",
                7,
            ),
        ],
        {"a.py": d},
    )
    keys = [key_of(c.body) for c in good]
    assert len(set(keys)) == 3
    assert "0123456789abcdef.0" not in keys and "@\u200badmin" in good[2].body


def _existing(
    key: str, cid: int, body: str = "b", *, human: bool = False, resolved: bool = False
) -> ExistingComment:
    return ExistingComment(cid, key, body, 3, None, f"T{cid}", resolved, human)


def _want(key: str, body: str = "b", line: int = 3) -> DesiredComment:
    return DesiredComment(key, "a.py", line, None, body)


def test_reconcile_new_edit_retire_keep() -> None:
    plan = plan_review(
        [_want("k1"), _want("k2", "changed"), _want("k4")],
        [
            _existing("k1", 1),
            _existing("k2", 2),
            _existing("k3", 3),
            _existing("k5", 5, human=True),
            _existing("k1", 9),
        ],
    )
    assert [d.key for d in plan.new] == ["k4"]
    assert [(e.comment_id, e.body) for e in plan.edits] == [(2, "changed")]
    assert sorted(r.comment_id for r in plan.retire) == [3, 9]  # gone, and a duplicate
    assert "k5" in plan.kept  # a person replied: left alone


def test_caps_per_review_and_in_total() -> None:
    wants = [_want(f"k{i}") for i in range(50)]
    plan = plan_review(wants, [], per_review=30, total=100)
    assert len(plan.new) == 30 and len(plan.overflow) == 20
    assert "20 more, not posted inline" in plan.review_body
    listed = plan_review(wants, [], already_listed=frozenset(d.key for d in plan.overflow))
    assert len(listed.new) == 30 and listed.overflow == ()
    full = plan_review(wants, [_existing(f"old{i}", i) for i in range(0)], total=10)
    assert len(full.new) == 10


def test_workflow_commands_stop_at_ten_per_level() -> None:
    findings = [Finding("ANK201", "error", "e", "a.py", i) for i in range(1, 13)] + [
        Finding("ANK101", "warning", "w", "a.py", i) for i in range(1, 4)
    ]
    plan = workflow_commands(findings)
    assert sum(line.startswith("::error") for line in plan.lines) == 10
    assert sum(line.startswith("::warning") for line in plan.lines) == 3
    assert [f.line for f in plan.overflow] == [11, 12]


def test_check_run_annotations_in_batches_of_fifty() -> None:
    groups = batches([finding(i) for i in range(1, 121)])
    assert [len(g) for g in groups] == [50, 50, 20]
    assert groups[0][0] == {
        "path": "a.py",
        "start_line": 1,
        "end_line": 1,
        "annotation_level": "warning",
        "message": "msg x",
        "title": "ANK101",
    }


def test_summary_stays_under_the_limit_and_closes_its_fence() -> None:
    text = "## x\n```\n" + "line\n" * 300_000
    out = cut(text, 100_000)
    assert len(out.encode()) <= 100_000 and "summary cut" in out
    assert out.count("```") % 2 == 0
    many = [Finding("ANK101", "warning", "m" * 200, f"f{i}.py", 1) for i in range(700)]
    rendered = render(SummaryInput(findings=many))
    assert "... and 200 more" in rendered


def test_quadrant_chart_coordinates_are_what_mermaid_reads() -> None:
    chart = quadrant_chart(
        [
            MapPoint("src/a.py", 1.0, 0.25, "ActiveHotspot", True),
            MapPoint("lib/a.py", 0.0, 0.5, "QuietLeaf", False),
        ]
    )
    assert '"a.py *": [1, 0.250]' in chart
    assert '"lib/a.py": [0, 0.500]' in chart
    assert chart.startswith("```mermaid\nquadrantChart")


def test_the_summary_counts_holes_in_words() -> None:
    def head(s: SummaryInput) -> str:
        return render(s).splitlines()[2]

    assert head(SummaryInput(findings=[])).endswith("; no holes.")
    one = HoleLine("a.py", 3, "pass", "suggested", "return 1")
    assert head(SummaryInput(findings=[], holes=[one])).endswith(
        "; 1 hole, 1 with a verified fill."
    )
    none = HoleLine("a.py", 5, "pass", "no verified fill")
    assert head(SummaryInput(findings=[], holes=[none, none])).endswith(
        "; 2 holes, none with a verified fill."
    )
