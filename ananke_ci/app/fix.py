"""fix: for each hole a change adds, generate constrained candidates, verify, refine.

Per hole: a prompt and a grammar go to the backend. The grammar excludes every name the
hole's file may not use: the configured bans, the declared forbids of its path and the
dangerous calls mined for its language (`grammar_bans`, from the same constraints that judge
the change). Each candidate is verified on the patched file (app/verify.py); when none
passes, the next round's prompt says why the last ones failed, up to `attempts` rounds. The
result per hole is the first verified fill, or the reasons every candidate failed. Writing
(diff, working tree, fixup commits) is in app/fix_write.py and only uses verified fills.

Each file is read and parsed once for all its holes (app/validate.analyse).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from ananke_ci.analysis.constraints.compile import grammar_bans, naming_fragments
from ananke_ci.analysis.fill_names import DECIDABLE
from ananke_ci.analysis.grammar import body_constraint
from ananke_ci.analysis.grammar._common import bannable
from ananke_ci.analysis.prompting import build_prompt
from ananke_ci.analysis.rules import local_spellings
from ananke_ci.app.holes import HoleReport, holes_in
from ananke_ci.app.judge import Judge
from ananke_ci.app.mining import repository_names
from ananke_ci.app.targets import Target, range_head
from ananke_ci.app.validate import CheckedFile, analyse
from ananke_ci.app.verify import FillSite, Verdict, Verifier, splice
from ananke_ci.core.deadline import Deadline
from ananke_ci.core.errors import UserError
from ananke_ci.core.facts import FileFacts
from ananke_ci.core.intensity import Intensity
from ananke_ci.core.protocol import Backend, Candidate, GenerationRequest
from ananke_ci.core.records import record
from ananke_ci.report.base import plural

_FENCE = "```"


@record(frozen=True, slots=True)
class FixOptions:
    attempts: int = 3
    n: int = 2
    max_tokens: int = 256
    temperature: float = 0.7  # round 1 is greedy for its first candidate (see _round)
    seed: int = 0
    run_tests: bool = True


@record(frozen=True, slots=True)
class Attempt:
    round: int
    text: str  # the body as verified (fence stripped)
    verdict: Verdict


@record(frozen=True, slots=True)
class HoleFix:
    report: HoleReport
    original: bytes  # the file as analysed
    fill: str | None  # the first verified body, or None
    attempts: tuple[Attempt, ...]

    @property
    def ok(self) -> bool:
        return self.fill is not None

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the candidates failed, each reason once, in order of first appearance."""
        seen: dict[str, None] = {}
        for attempt in self.attempts:
            for reason in attempt.verdict.reasons:
                seen.setdefault(reason, None)
        return tuple(seen)


Progress = Callable[[str], None]


def fix_holes(
    root: Path,
    target: Target,
    judge: Judge,
    backend: Backend,
    options: FixOptions = FixOptions(),
    progress: Progress | None = None,
    *,
    deadline: Deadline | None = None,
) -> list[HoleFix]:
    """Every hole the target adds, each with its best verified fill (or the reasons). After
    `deadline` no hole or round starts: the holes left get the reason "not tried"."""
    files, _notices = analyse(root, target, judge.config)
    holes = holes_in(files, judge)
    base_tree = range_head(target.spec or "") if target.mode == "range" else None
    known = None
    if judge.basis.commit and any(r.language in DECIDABLE for r, _ in holes):
        known = repository_names(root, judge.basis.commit, judge.config)
    verifier = Verifier(
        root, judge, run_command=options.run_tests, base_tree=base_tree, known_names=known
    )
    out = []
    for i, (report, checked) in enumerate(holes, 1):
        if progress:
            progress(
                f"[{i}/{len(holes)}] {report.path}:{report.hole.span.start_line}: "
                f"filling `{report.hole.marker}`"
            )
        out.append(
            fix_one(report, checked, judge, verifier, backend, options, progress, deadline=deadline)
        )
    return out


def hole_bans(
    judge: Judge,
    report: HoleReport,
    facts: FileFacts | None = None,
) -> tuple[str, ...]:
    """What the grammar for this hole excludes: every applicable forbid (the mined
    dangerous calls from `standard` intensity up: at `syntax_only` a file is held to
    syntax, so only what is declared or configured goes in), each also as the file spells
    it (`o.system` after `import os as o`, `s` after `from os import system as s`)."""
    configured = [b.name for b in (*judge.config.banned_calls, *judge.config.banned_imports)]
    mined = judge.intensity(report.path) >= Intensity.STANDARD
    bans = grammar_bans(
        judge.rules, report.path, report.language, configured=configured, mined=mined
    )
    if facts is None:
        return bans
    spelled = local_spellings(facts, bans)
    return tuple(
        dict.fromkeys(n for ban in bans for n in (ban, *spelled.get(ban, ())) if bannable(n))
    )


def hole_fragments(judge: Judge, report: HoleReport) -> tuple[str, ...]:
    """What else no line of the fill may hold: a new function named against the file's
    naming convention (declared ones always, mined ones from `standard` up, as bans)."""
    mined = judge.intensity(report.path) >= Intensity.STANDARD
    return naming_fragments(judge.rules, report.path, report.language, mined=mined)


def fix_one(
    report: HoleReport,
    checked: CheckedFile,
    judge: Judge,
    verifier: Verifier,
    backend: Backend,
    options: FixOptions,
    progress: Progress | None = None,
    *,
    deadline: Deadline | None = None,
) -> HoleFix:
    """Rounds of generate -> verify for one hole until a candidate passes (no round starts
    after `deadline`)."""
    banned = hole_bans(judge, report, checked.facts)
    constraint = body_constraint(
        report.hole, report.language, banned=banned, fragments=hole_fragments(judge, report)
    )
    site = FillSite(checked.source, checked.facts, report.hole, constraint)
    original = checked.source.content
    where = f"{report.path}:{report.hole.span.start_line}"
    attempts: list[Attempt] = []
    feedback: tuple[str, ...] = ()
    for round_no in range(1, options.attempts + 1):
        if deadline is not None and deadline.expired():
            attempts.append(
                Attempt(round_no, "", Verdict(False, (f"not tried: {deadline.label} passed",)))
            )
            break
        prompt = build_prompt(
            report.hole,
            checked.facts,
            original.decode("utf-8", "replace"),
            banned=banned,
            feedback="\n".join(feedback),
        )
        request = GenerationRequest(
            constraint=constraint,
            prompt=prompt.text,
            max_tokens=options.max_tokens,
            temperature=0.0 if round_no == 1 and options.n == 1 else options.temperature,
            n=options.n,
            seed=options.seed + (round_no - 1) * options.n,
            request_id=f"{where}:{round_no}",
        )
        started = time.perf_counter()
        if progress:
            progress(
                f"{where}: round {round_no} of {options.attempts}: asking for "
                f"{plural(options.n, 'candidate')}..."
            )
        try:
            response = backend.generate(request)
        except UserError:
            if deadline is None or not deadline.expired():
                raise  # the endpoint failed: the whole run says so
            # the run's time is up mid-request: the fills made so far stay
            attempts.append(
                Attempt(round_no, "", Verdict(False, (f"not finished: {deadline.label} passed",)))
            )
            break
        generated = time.perf_counter()
        failed: list[str] = []
        for cand in response.candidates:
            body = body_text(cand)
            verdict = _precheck(cand, options) or verifier.verify(site, body, cand.text)
            attempts.append(Attempt(round_no, body, verdict))
            if verdict.ok:
                if progress:
                    progress(
                        f"{where}: verified fill in round {round_no} of "
                        f"{options.attempts} "
                        f"({_tally(response.candidates, started, generated)})"
                    )
                return HoleFix(report, original, body, tuple(attempts))
            failed.extend(verdict.reasons)
        feedback = tuple(dict.fromkeys(failed))
        if progress:
            progress(
                f"{where}: round {round_no} of {options.attempts} failed "
                f"({_tally(response.candidates, started, generated)}): " + "; ".join(feedback)[:200]
            )
    return HoleFix(report, original, None, tuple(attempts))


def _tally(candidates: tuple[Candidate, ...], started: float, generated: float) -> str:
    """'2 candidates, 48 tokens, generated in 3.1 s, checked in 0.4 s'."""
    tokens = sum(c.tokens for c in candidates)
    return (
        f"{plural(len(candidates), 'candidate')}, {plural(tokens, 'token')}, "
        f"generated in {generated - started:.1f} s, checked in "
        f"{time.perf_counter() - generated:.1f} s"
    )


def _precheck(cand: Candidate, options: FixOptions) -> Verdict | None:
    """A candidate the backend did not finish is refused before it is spliced anywhere."""
    if cand.finish_reason == "length":
        return Verdict(
            False, (f"ran out of tokens (max_tokens {options.max_tokens}) before the body ended",)
        )
    if cand.finish_reason in ("grammar_error", "error") or cand.grammar_satisfied is False:
        why = (cand.violation or "the output does not satisfy the grammar").split("\n")[0][:300]
        return Verdict(False, (f"grammar violation: {why}",))
    return None


def body_text(cand: Candidate) -> str:
    """The body the grammar let through, without the closing fence."""
    text = cand.text
    if text.rstrip().endswith(_FENCE):
        text = text.rstrip()[: -len(_FENCE)]
    return text


def patched_content(original: bytes, fixes: list[HoleFix]) -> bytes:
    """The file with every verified fill of `fixes` (one file's), last span first."""
    data = original
    for fix in sorted(fixes, key=lambda f: f.report.hole.span.start_byte, reverse=True):
        if fix.fill is not None:
            data = splice(data, fix.report.hole, fix.fill, fix.report.language).patched
    return data
