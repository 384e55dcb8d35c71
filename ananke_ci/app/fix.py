"""fix: for each hole a change adds, generate constrained candidates, verify, refine.

Per hole: a prompt and a grammar (bans from `[banned-calls]`) go to the backend; each
candidate is verified on the patched file (app/verify.py); when none passes, the next round's
prompt says why the last ones failed, up to `attempts` rounds. The result per hole is the
first verified fill, or the reasons every candidate failed. Writing (diff, working tree,
fixup commits) is in app/fix_write.py and only ever uses verified fills.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ananke_ci.analysis.extract import extract_facts
from ananke_ci.app.holes import HoleReport, find_holes
from ananke_ci.app.intensities import intensities_for
from ananke_ci.app.targets import Target, iter_sources, range_head
from ananke_ci.app.verify import Verdict, splice, verify
from ananke_ci.core.config import Config
from ananke_ci.core.errors import UserError
from ananke_ci.core.facts import FileFacts
from ananke_ci.core.intensity import DEFAULT_INTENSITY, Intensity
from ananke_ci.core.protocol import Backend, Candidate, GenerationRequest

_FENCE = "```"


@dataclass(frozen=True, slots=True)
class FixOptions:
    attempts: int = 3
    n: int = 2
    max_tokens: int = 256
    temperature: float = 0.7  # round 1 is greedy for its first candidate (see _round)
    seed: int = 0
    run_tests: bool = True


@dataclass(frozen=True, slots=True)
class Attempt:
    round: int
    text: str  # the body as verified (fence stripped)
    verdict: Verdict


@dataclass(frozen=True, slots=True)
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
    config: Config,
    backend: Backend,
    options: FixOptions = FixOptions(),
    progress: Progress | None = None,
) -> list[HoleFix]:
    """Every hole the target adds, each with its best verified fill (or the reasons)."""
    holes = find_holes(root, target, config)
    if not holes:
        return []
    paths = tuple(dict.fromkeys(h.path for h in holes))
    contents = {s.path: s.content for s in iter_sources(root, _only(target, paths), config, [])}
    intensity = intensities_for(root, list(paths), config)
    base_tree = range_head(target.spec or "") if target.mode == "range" else None
    out = []
    for report in holes:
        where = f"{report.path}:{report.hole.span.start_line}"
        if progress:
            progress(f"{where}: filling `{report.hole.marker}`")
        original = contents.get(report.path)
        if original is None:
            raise UserError("cannot read the file the hole is in", path=report.path)
        fix = fix_one(root, report, original, config, backend, options,
                      intensity.get(report.path, DEFAULT_INTENSITY), base_tree, progress)
        out.append(fix)
    return out


def fix_one(
    root: Path,
    report: HoleReport,
    original: bytes,
    config: Config,
    backend: Backend,
    options: FixOptions,
    intensity: Intensity = DEFAULT_INTENSITY,
    base_tree: str | None = None,
    progress: Progress | None = None,
) -> HoleFix:
    """Rounds of generate -> verify for one hole until a candidate passes."""
    from ananke_ci.analysis.grammar import body_constraint

    # the configured bans, excluded by the grammar (and stated apart, for a backend that
    # masks them per token) and named in the prompt
    banned = tuple(ban.name for ban in config.banned_calls)
    constraint = body_constraint(report.hole, report.language, banned=banned)
    facts = extract_facts(report.path, original, max_bytes=config.max_file_bytes)
    attempts: list[Attempt] = []
    feedback: tuple[str, ...] = ()
    for round_no in range(1, options.attempts + 1):
        request = GenerationRequest(
            constraint=constraint,
            prompt=prompt_for(report, original, facts, banned, feedback),
            max_tokens=options.max_tokens,
            temperature=0.0 if round_no == 1 and options.n == 1 else options.temperature,
            n=options.n,
            seed=options.seed + (round_no - 1) * options.n,
            request_id=f"{report.path}:{report.hole.span.start_line}:{round_no}",
        )
        response = backend.generate(request)
        failed: list[str] = []
        for cand in response.candidates:
            body = body_text(cand)
            verdict = _precheck(cand, options) or verify(
                root, report.path, original, report.hole, body, config,
                intensity=intensity, base_tree=base_tree, run_command=options.run_tests,
            )
            attempts.append(Attempt(round_no, body, verdict))
            if verdict.ok:
                if progress:
                    progress(f"{report.path}:{report.hole.span.start_line}: verified fill "
                             f"in round {round_no}")
                return HoleFix(report, original, body, tuple(attempts))
            failed.extend(verdict.reasons)
        feedback = tuple(dict.fromkeys(failed))
        if progress:
            progress(f"{report.path}:{report.hole.span.start_line}: round {round_no} failed: "
                     + "; ".join(feedback)[:200])
    return HoleFix(report, original, None, tuple(attempts))


def _precheck(cand: Candidate, options: FixOptions) -> Verdict | None:
    """A candidate the backend did not finish is refused before it is spliced anywhere."""
    if cand.finish_reason == "length":
        return Verdict(False, (f"ran out of tokens (max_tokens {options.max_tokens}) before "
                               "the body ended",))
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


def prompt_for(report: HoleReport, original: bytes, facts: FileFacts, banned: tuple[str, ...],
               feedback: tuple[str, ...]) -> str:
    """The chat prompt for this hole, with why the last round failed."""
    from ananke_ci.analysis.prompting import build_prompt

    prompt = build_prompt(report.hole, facts, original.decode("utf-8", "replace"),
                          banned=banned, feedback="\n".join(feedback))
    return prompt.text


def patched_content(original: bytes, fixes: list[HoleFix]) -> bytes:
    """The file with every verified fill of `fixes` (one file's), last span first."""
    data = original
    for fix in sorted(fixes, key=lambda f: f.report.hole.span.start_byte, reverse=True):
        if fix.fill is not None:
            data = splice(data, fix.report.hole, fix.fill, fix.report.language).patched
    return data


def _only(target: Target, paths: tuple[str, ...]) -> Target:
    if target.mode == "repo":
        return Target("files", None, paths)
    return Target(target.mode, target.spec, paths)
