"""One hole as `fix` sees it, and one candidate judged by the product's own checks.

`open_site` finds the hole with the product's extractor (app/validate.analyse, then
app/holes.holes_in) in a file of a real git repository, judged by `open_judge` with the
evaluation's bans and test command on top of the repository's own config; the grammar is
`body_constraint` with `hole_bans`, the prompt `build_prompt`: what `fix_one` sends.
`assess` runs the Verifier on a candidate twice: without the grammar (so a free output's
syntax, bans and findings are all seen) and as `fix` does (grammar, precheck).
"""

from __future__ import annotations

from pathlib import Path

from ananke_ci.analysis.fill_names import DECIDABLE
from ananke_ci.analysis.grammar import body_constraint
from ananke_ci.analysis.prompting import build_prompt
from ananke_ci.app.fix import FixOptions, _precheck, body_text, hole_bans, hole_fragments
from ananke_ci.app.holes import HoleReport, holes_in
from ananke_ci.app.judge import Judge, open_judge
from ananke_ci.app.mining import repository_names
from ananke_ci.app.targets import Target
from ananke_ci.app.validate import CheckedFile, analyse
from ananke_ci.app.verify import FillSite, Verdict, Verifier, banned_in
from ananke_ci.core.config import Ban, VerifyConfig
from ananke_ci.core.errors import UserError
from ananke_ci.core.protocol import Candidate, Constraint, GenerationRequest
from ananke_ci.core.records import record, replace

BANS = {
    "python": ("eval", "exec", "os.system", "print", "pickle.loads", "subprocess.call"),
    "javascript": ("eval", "console.log"),
}
_FENCE = "```"


@record(frozen=True, slots=True)
class Site:
    root: Path
    judge: Judge
    report: HoleReport
    checked: CheckedFile
    banned: tuple[str, ...]
    constraint: Constraint
    prompt: str
    static: Verifier  # the Verifier without the test command
    tested: Verifier  # with it (when the config has one)

    def fill_site(self, constrained: bool) -> FillSite:
        return FillSite(
            self.checked.source,
            self.checked.facts,
            self.report.hole,
            self.constraint if constrained else None,
        )


def open_site(
    root: Path,
    path: str,
    line: int,
    *,
    bans: tuple[str, ...] = (),
    command: str | None = None,
    timeout: float = 120.0,
) -> Site:
    """The hole of `path` (as it is in the work tree) nearest `line`, ready to fill."""
    judge = open_judge(root, Target("files", None, (path,)))
    config = judge.config
    extra = tuple(
        Ban(b, "banned in this evaluation")
        for b in bans
        if b not in {x.name for x in config.banned_calls}
    )
    config = replace(
        config,
        banned_calls=(*config.banned_calls, *extra),
        verify=VerifyConfig(command, timeout) if command else config.verify,
    )
    judge = replace(judge, config=config)
    files, _notices = analyse(root, Target("files", None, (path,)), config)
    found = holes_in(files, judge)
    if not found:
        raise UserError(f"no hole found in {path}", path=path)
    report, checked = min(
        found, key=lambda rc: (abs(rc[0].hole.span.start_line - line), rc[0].hole.kind != "typed")
    )
    banned = hole_bans(judge, report, checked.facts)
    constraint = body_constraint(
        report.hole, report.language, banned=banned, fragments=hole_fragments(judge, report)
    )
    prompt = build_prompt(
        report.hole, checked.facts, checked.source.content.decode("utf-8", "replace"), banned=banned
    )
    known = None
    if judge.basis.commit and report.language in DECIDABLE:
        known = repository_names(root, judge.basis.commit, config)
    static = Verifier(root, judge, run_command=False, known_names=known)
    tested = Verifier(root, judge, run_command=True, known_names=known)
    return Site(root, judge, report, checked, banned, constraint, prompt.text, static, tested)


def request(
    site: Site, constrained: bool, *, n: int, temperature: float, seed: int, max_tokens: int
) -> GenerationRequest:
    """What `fix_one` sends for the hole (constrained), or the same prompt without the
    grammar, stopped at the closing fence (free)."""
    return GenerationRequest(
        constraint=site.constraint if constrained else None,
        prompt=site.prompt,
        max_tokens=max_tokens,
        temperature=temperature,
        n=n,
        seed=seed,
        stop=() if constrained else (_FENCE,),
        request_id=f"eval:{site.report.path}:{site.report.hole.span.start_line}",
    )


@record(frozen=True, slots=True)
class Assessment:
    body: str
    reasons: tuple[str, ...]  # the Verifier's, without the grammar and the test command
    parsed: bool
    banned: bool
    static_ok: bool  # what `fix` proposes (grammar re-checked, precheck, all static checks)
    patched: bytes


def assess(site: Site, cand: Candidate, constrained: bool, max_tokens: int) -> Assessment:
    body = body_text(cand)
    plain = site.static.verify(site.fill_site(False), body, cand.text)
    parsed = bool(body.strip()) and not any(
        r.startswith(("syntax error", "the patched file cannot")) for r in plain.reasons
    )
    banned = bool(list(banned_in(body, site.judge.config)))
    static_ok = False
    if constrained:
        verdict: Verdict | None = _precheck(cand, FixOptions(max_tokens=max_tokens))
        if verdict is None:
            verdict = site.static.verify(site.fill_site(True), body, cand.text)
        static_ok = verdict.ok
    from ananke_ci.app.verify import splice

    patched = splice(
        site.checked.source.content, site.report.hole, body, site.report.language
    ).patched
    return Assessment(body, plain.reasons, parsed, banned, static_ok, patched)


def tests_accept(site: Site, cand: Candidate, max_tokens: int) -> bool:
    """The Verifier with the test command as its [verify] command (the product's
    verify.run_tests path, in a temporary worktree): what `fix` proposes with tests on."""
    if _precheck(cand, FixOptions(max_tokens=max_tokens)) is not None:
        return False
    return site.tested.verify(site.fill_site(True), body_text(cand), cand.text).ok
