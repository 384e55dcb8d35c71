"""Layer 2's tasks: holes made in real functions of a project, each with a checked oracle.

For each source file (in order) up to two small functions get their body removed
(analysis/eval_holes.py); the product's extractor must find the hole. A hole is kept when the
project's tests that name the function pass on the original body and fail on the hole;
the others are counted by why they were dropped. Files are taken in turn, so the holes
spread over the project.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from ananke_ci.adapters import eval_exec
from ananke_ci.analysis.eval_holes import PLACEHOLDER, make_hole
from ananke_ci.analysis.extract import extract_facts
from ananke_ci.app.eval_projects import Project
from ananke_ci.core.evaluation import HoleTask
from ananke_ci.core.records import record

PER_FILE = 6
TEST_TIMEOUT = 120.0


@record(frozen=True, slots=True)
class Discovery:
    tasks: tuple[HoleTask, ...]
    dropped: dict[str, int]  # reason -> count
    tried: int


def candidates(project: Project, root: Path) -> list[tuple[str, str, int, str, str]]:
    """(path, function, line, holed source, removed body), files taken in turn."""
    per_file: list[list[tuple[str, str, int, str, str]]] = []
    for file in sorted(root.glob(project.sources)):
        rel = file.relative_to(root).as_posix()
        source = file.read_text(encoding="utf-8", errors="replace")
        facts = extract_facts(rel, source.encode("utf-8"))
        if facts.skipped or facts.language != project.language:
            continue
        found = []
        for fn in facts.functions:
            made = make_hole(source, fn, project.language)
            if made is None:
                continue
            after = extract_facts(rel, made.source.encode("utf-8"))
            if any(
                h.function is not None
                and h.function.name == fn.name
                and h.function.span.start_line == fn.span.start_line
                for h in after.holes
            ):
                found.append((rel, fn.name, made.line, made.source, made.body))
            if len(found) == PER_FILE:
                break
        if found:
            per_file.append(found)
    out: list[tuple[str, str, int, str, str]] = []
    for i in range(PER_FILE):
        out.extend(group[i] for group in per_file if i < len(group))
    return out


def discover(
    project: Project, root: Path, limit: int, progress: Callable[[str], None] | None = None
) -> Discovery:
    """Up to `limit` holes whose oracle is checked (passes on the original, fails on the
    hole)."""
    dropped: Counter[str] = Counter()
    original_ok: dict[tuple[str, str], bool] = {}
    tasks: list[HoleTask] = []
    tried = 0
    for rel, name, line, holed, body in candidates(project, root):
        if len(tasks) >= limit:
            break
        tried += 1
        command = project.oracle(root, rel, name)
        if command is None:
            dropped["no test names the function"] += 1
            continue
        original = (root / rel).read_bytes()
        key = (rel, command)
        if key not in original_ok:
            original_ok[key] = eval_exec.run_with(root, rel, original, command, TEST_TIMEOUT)[0]
        if not original_ok[key]:
            dropped["its tests fail on the original"] += 1
            continue
        if eval_exec.run_with(root, rel, holed.encode("utf-8"), command, TEST_TIMEOUT)[0]:
            dropped["its tests pass with the hole"] += 1
            continue
        task = HoleTask(
            f"{project.name}:{rel}:{name}:{line}",
            project.name,
            project.language,
            rel,
            name,
            line,
            body,
            PLACEHOLDER[project.language],
            command,
        )
        tasks.append(task)
        if progress:
            progress(
                f"{project.name}: hole {len(tasks)}/{limit} {rel}:{line} `{name}` "
                f"(oracle checked; {tried} tried)"
            )
    return Discovery(tuple(tasks), dict(dropped), tried)


def holed_source(root: Path, task: HoleTask) -> bytes:
    """The task's file with the body removed again (from the clone's original)."""
    for rel, name, line, holed, _body in candidates_of_file(root, task):
        if rel == task.path and name == task.function and line == task.line:
            return holed.encode("utf-8")
    raise LookupError(f"the hole {task.id} cannot be made again (the clone changed?)")


def candidates_of_file(root: Path, task: HoleTask) -> list[tuple[str, str, int, str, str]]:
    source = (root / task.path).read_text(encoding="utf-8", errors="replace")
    facts = extract_facts(task.path, source.encode("utf-8"))
    out: list[tuple[str, str, int, str, str]] = []
    for fn in facts.functions:
        made = make_hole(source, fn, task.language)
        if made is not None:
            out.append((task.path, fn.name, made.line, made.source, made.body))
    return out
