"""Does the fill verifier accept a real project's own function bodies?

Every function of REPO's files of LANGUAGE (a git clone: the constraints are those mined at
its HEAD, as `fix` would judge) has its body replaced by a placeholder, and the real body is
then offered as the fill of that hole, with the grammar `fix` would ask for (the hole's bans
included) and every static check of `fix` (app/verify.py; the [verify] command is not run).
A verifier that refuses what the project itself wrote would refuse good fills.

Bodies that are themselves placeholders or hold a TODO are refused by design and counted
apart; every other refusal is printed with its reasons.

    python benchmarks/eval_verifier.py REPO python --glob 'src/**/*.py'
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from pathlib import Path

from ananke_ci.analysis.extract import extract_facts
from ananke_ci.analysis.fill_names import DECIDABLE
from ananke_ci.analysis.grammar import body_constraint
from ananke_ci.analysis.grammar.braces import spec_for
from ananke_ci.analysis.holes import TODO_RE
from ananke_ci.app.fix import hole_bans
from ananke_ci.app.holes import HoleReport
from ananke_ci.app.judge import open_judge
from ananke_ci.app.mining import repository_names
from ananke_ci.app.targets import SourceFile, Target
from ananke_ci.app.verify import FillSite, Verifier
from ananke_ci.core.facts import FileFacts, Function, Hole

PLACEHOLDER = {
    "python": "pass",
    "rust": "todo!()",
    "go": 'panic("not implemented")',
    "java": "throw new UnsupportedOperationException();",
    "typescript": 'throw new Error("not implemented");',
    "tsx": 'throw new Error("not implemented");',
    "javascript": 'throw new Error("not implemented");',
    "csharp": "throw new NotImplementedException();",
    "kotlin": "TODO()",
}
BY_DESIGN = ("itself a hole", "leaves a TODO")
_DOCSTRING = re.compile(r"[ \t]*[rRbBuU]?(\"\"\"|\'\'\'|\"|\')[\s\S]*?\1[ \t]*\n")


def holed(source: bytes, fn: Function, language: str) -> tuple[bytes, str, int] | None:
    """(the file with `fn`'s body replaced by a placeholder line, the real body as a fill,
    the placeholder's line), or None for a body that is not on lines of its own."""
    body = fn.body_span
    if body is None or (body.start_line == fn.span.start_line and language == "python"):
        return None
    lines = source.decode("utf-8").splitlines(keepends=True)
    if language == "python":
        first, last = body.start_line, fn.span.end_line  # the body's lines, to the end
        head = "".join(lines[first - 1 : last])
        doc = _DOCSTRING.match(head)
        if doc:  # a docstring stays, as the spec of the hole
            first += head[: doc.end()].count("\n")
            while first <= last and not lines[first - 1].strip():
                first += 1
            if first > last:
                return None
        indent = lines[first - 1][: len(lines[first - 1]) - len(lines[first - 1].lstrip())]
        fill = "".join(lines[first - 1 : last])
        new = [*lines[: first - 1], indent + PLACEHOLDER[language] + "\n", *lines[last:]]
        return "".join(new).encode(), fill, first
    if not spec_for(language).braced or body.end_line - body.start_line < 2:
        return None
    opening, closing = body.start_line, body.end_line  # the `{` and `}` lines
    if lines[opening - 1].rstrip().endswith("{") is False or lines[closing - 1].strip() != "}":
        return None
    inner = lines[opening : closing - 1]
    indent = next((x[: len(x) - len(x.lstrip())] for x in inner if x.strip()), "    ")
    fill = "".join(lines[opening:closing])  # the inner lines and the closing `}` line
    new = [*lines[:opening], indent + PLACEHOLDER[language] + "\n", *lines[closing - 1 :]]
    return "".join(new).encode(), fill, opening + 1


def hole_at(facts: FileFacts, fn: Function, line: int) -> Hole | None:
    """The placeholder hole the finder reports in the holed file, in `fn`."""
    for hole in facts.holes:
        if (
            hole.kind == "typed"
            and hole.span.start_line == line
            and hole.function
            and hole.function.name == fn.name
        ):
            return hole
    return None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("repo", type=Path)
    parser.add_argument("language")
    parser.add_argument("--glob", default="**/*", help="files to read, under REPO")
    parser.add_argument("--show", type=int, default=40, help="refusals to print")
    args = parser.parse_args()
    repo = args.repo.resolve()
    judge = open_judge(repo, Target("files", None, ()))
    known = None
    if judge.basis.commit and args.language in DECIDABLE:
        known = repository_names(repo, judge.basis.commit, judge.config)
    verifier = Verifier(repo, judge, run_command=False, known_names=known)
    counts: Counter[str] = Counter()
    refused: list[str] = []
    started = time.perf_counter()
    for path in sorted(repo.glob(args.glob)):
        rel = path.relative_to(repo).as_posix()
        source = path.read_bytes()
        original = extract_facts(rel, source, args.language)
        placeholders = {
            h.function.span.start_byte
            for h in original.holes
            if h.kind == "typed" and h.function is not None
        }
        for fn in original.functions:
            made = holed(source, fn, args.language)
            if made is None:
                continue
            if fn.span.start_byte in placeholders:  # the real body is a placeholder
                counts["refused by design"] += 1
                continue
            data, fill, line = made
            facts = extract_facts(rel, data, args.language)
            hole = hole_at(facts, fn, line)
            if hole is None:
                counts["no hole found in the holed file"] += 1
                continue
            report = HoleReport(rel, facts.language, hole)
            constraint = body_constraint(hole, facts.language, banned=hole_bans(judge, report))
            site = FillSite(SourceFile(rel, data, None), facts, hole, constraint)
            verdict = verifier.verify(site, fill)
            if verdict.ok:
                counts["accepted"] += 1
            elif TODO_RE.search(fill) or any(m in r for r in verdict.reasons for m in BY_DESIGN):
                counts["refused by design"] += 1  # a fill may not leave a TODO
            else:
                counts["refused"] += 1
                refused.append(
                    f"{rel}:{fn.span.start_line} {fn.name}: " + " | ".join(verdict.reasons)[:300]
                )
    fills = counts["accepted"] + counts["refused"]
    print(
        f"{args.language} in {repo.name}: {counts['accepted']} of {fills} real bodies "
        f"accepted as fills ({100 * counts['accepted'] / max(fills, 1):.1f}%); "
        f"{counts['refused by design']} placeholder/TODO bodies refused by design; "
        f"{counts['no hole found in the holed file']} skipped; "
        f"{time.perf_counter() - started:.0f} s"
    )
    for entry in refused[: args.show]:
        print("  " + entry)


if __name__ == "__main__":
    main()
