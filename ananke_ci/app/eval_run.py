"""`ananke-ci eval`'s run: layer 1's mechanisms, layer 2's holes, each result journaled.

Every finished task is one journal line (adapters/eval_exec.Journal); a run given the
journal of an interrupted one (`--from-journal`) takes the tasks found there as done, with
the same settings (a journal written with other settings is refused). Per hole: the same
prompt is sent free and under the grammar (n samples each, seeds seed..seed+n-1); every
candidate is judged by the Verifier (with and without the test command) and by the oracle.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ananke_ci.adapters import eval_exec
from ananke_ci.app.eval_mechanisms import MECHANISMS, run_mechanism
from ananke_ci.app.eval_projects import Project, fetch
from ananke_ci.app.eval_site import BANS, assess, open_site, request, tests_accept
from ananke_ci.app.eval_tasks import TEST_TIMEOUT, Discovery, discover, holed_source
from ananke_ci.core.errors import UserError
from ananke_ci.core.evaluation import HoleResult, HoleTask, MechanismResult, Outcome
from ananke_ci.core.protocol import Backend, GenerationRequest, GenerationResponse
from ananke_ci.core.records import record

Progress = Callable[[str], None]


@record(frozen=True, slots=True)
class EvalOptions:
    samples: int = 3  # n per mode and hole (layer 2)
    mechanism_samples: int = 10  # k per mode (layer 1)
    temperature: float = 0.7
    seed: int = 0
    max_tokens: int = 128
    layer: str = "all"  # "1", "2" or "all"
    holes: int = 25  # per project
    mechanisms: tuple[str, ...] = ()  # domains to run (default: all)

    def settings(self) -> dict[str, Any]:
        """What a journal's results depend on."""
        return {
            "samples": self.samples,
            "mechanism_samples": self.mechanism_samples,
            "temperature": self.temperature,
            "seed": self.seed,
            "max_tokens": self.max_tokens,
        }


@record(frozen=True, slots=True)
class EvalRun:
    mechanisms: tuple[MechanismResult, ...]
    holes: tuple[HoleResult, ...]
    discoveries: dict[str, Discovery]
    model: str
    backend: str
    seconds: float
    complete: bool  # every task asked for has a result


class Store:
    """The journal of one run: settings, discoveries and finished tasks."""

    def __init__(
        self,
        journal: eval_exec.Journal | None,
        options: EvalOptions,
        resume: eval_exec.Journal | None = None,
    ) -> None:
        self.journal = journal
        self.done: dict[tuple[str, str], Any] = {}
        if resume is not None:
            for entry in resume.entries():
                self.done[(entry["kind"], entry["key"])] = entry["data"]
            found = self.done.get(("settings", "run"))
            if found is not None and found != options.settings():
                if any(kind in ("hole", "mechanism") for kind, _ in self.done):
                    raise UserError(
                        f"the journal {resume.path} was written with other "
                        f"settings ({found}); give it the same, or another "
                        "--journal"
                    )
                # only discoveries so far: they do not depend on the settings
                del self.done[("settings", "run")]
        if journal is not None and (resume is None or resume.path != journal.path):
            for (kind, key), data in list(self.done.items()):
                journal.append(kind, key, data)  # the new journal holds all it stands for
        if ("settings", "run") not in self.done:
            self.put("settings", "run", options.settings())

    def discovery(self, project: str, limit: int) -> Any:
        """A journaled discovery that answers for `limit` holes: one made for as many or
        more (cut to `limit`), or one that ran out of candidates before its limit."""
        for (kind, key), data in self.done.items():
            name, _, made_for = key.rpartition(":")
            if kind != "discovery" or name != project:
                continue
            if int(made_for) >= limit or len(data["tasks"]) < int(made_for):
                return {**data, "tasks": data["tasks"][:limit]}
        return None

    def get(self, kind: str, key: str) -> Any:
        return self.done.get((kind, key))

    def put(self, kind: str, key: str, data: Any) -> None:
        self.done[(kind, key)] = data
        if self.journal is not None:
            self.journal.append(kind, key, data)


def to_json(record: Any) -> Any:
    return dataclasses.asdict(record)


def hole_from(data: dict[str, Any]) -> HoleResult:
    def outcome(o: dict[str, Any]) -> Outcome:
        return Outcome(**{**o, "reasons": tuple(o.get("reasons", ()))})

    return HoleResult(
        HoleTask(**data["task"]),
        tuple(outcome(o) for o in data["free"]),
        tuple(outcome(o) for o in data["constrained"]),
        data["seconds"],
        data.get("free_seconds", 0.0),
        data.get("constrained_seconds", 0.0),
        data.get("tests_seconds", 0.0),
    )


def mechanism_from(data: dict[str, Any]) -> MechanismResult:
    return MechanismResult(**{**data, "examples": tuple(data.get("examples", ()))})


def discovery_from(data: dict[str, Any]) -> Discovery:
    return Discovery(
        tuple(HoleTask(**t) for t in data["tasks"]), dict(data["dropped"]), data["tried"]
    )


def run_eval(
    backend: Backend,
    projects: dict[str, Project],
    cache: Path,
    options: EvalOptions,
    store: Store,
    progress: Progress,
    deadline: float | None = None,
) -> EvalRun:
    """Layer 1 then layer 2, skipping what the journal has; stops starting tasks after
    `deadline` (time.monotonic), the run then marked incomplete."""
    started = time.perf_counter()
    backend = _Recording(backend)
    complete = True
    mechanisms: list[MechanismResult] = []
    if options.layer in ("1", "all"):
        chosen = [m for m in MECHANISMS if not options.mechanisms or m.domain in options.mechanisms]
        for i, mech in enumerate(chosen, 1):
            found = store.get("mechanism", mech.domain)
            if found is not None:
                mechanisms.append(mechanism_from(found))
                continue
            if deadline is not None and time.monotonic() > deadline:
                complete = False
                break
            progress(
                f"[layer 1 {i}/{len(chosen)}] {mech.domain}: "
                f"{options.mechanism_samples} samples per mode"
            )
            result = run_mechanism(
                mech,
                backend,
                k=options.mechanism_samples,
                temperature=options.temperature,
                seed=options.seed,
                max_tokens=min(options.max_tokens, 96),
                progress=progress,
            )
            store.put("mechanism", mech.domain, to_json(result))
            mechanisms.append(result)
    holes: list[HoleResult] = []
    discoveries: dict[str, Discovery] = {}
    if options.layer in ("2", "all"):
        tasks: list[HoleTask] = []
        roots: dict[str, Path] = {}
        for name, project in projects.items():
            roots[name] = fetch(project, cache)
            found = store.discovery(name, options.holes)
            if found is None:
                progress(
                    f"{name}: making up to {options.holes} holes and checking their "
                    "oracles (the tests must pass on the original, fail on the hole)"
                )
                d = discover(project, roots[name], options.holes, progress)
                store.put("discovery", f"{name}:{options.holes}", to_json(d))
            else:
                d = discovery_from(found)
            discoveries[name] = d
            tasks.extend(d.tasks)
        order = _interleave(tasks)
        for i, task in enumerate(order, 1):
            found = store.get("hole", task.id)
            if found is not None:
                holes.append(hole_from(found))
                continue
            if deadline is not None and time.monotonic() > deadline:
                complete = False
                break
            progress(
                f"[layer 2 {i}/{len(order)}] {task.project} {task.path}:{task.line} "
                f"`{task.function}`"
            )
            hole = run_hole(roots[task.project], task, backend, options)
            store.put("hole", task.id, to_json(hole))
            holes.append(hole)
            progress(f"  {_summary(hole)} ({hole.seconds:.0f} s)")
    model = backend.model
    if model == _NO_REQUEST:  # everything came from the journal: the model it names
        model = store.get("meta", f"model:{backend.name}") or model
    if model == _NO_REQUEST:  # a journal from before models were journaled: ask the backend
        provenance = getattr(backend.inner, "provenance", None)
        if callable(provenance):
            model = str(provenance().model)
            store.put("meta", f"model:{backend.name}", model)
    elif store.get("meta", f"model:{backend.name}") != model:
        store.put("meta", f"model:{backend.name}", model)
    return EvalRun(
        tuple(mechanisms),
        tuple(holes),
        discoveries,
        model,
        backend.name,
        time.perf_counter() - started,
        complete,
    )


_NO_REQUEST = "(no request made)"


class _Recording:
    """The backend, remembering the model its responses name (a remote one says which)."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = _NO_REQUEST

    def generate(self, request: GenerationRequest) -> GenerationResponse:
        response = self.inner.generate(request)
        self.model = response.provenance.model
        return response


def _interleave(tasks: list[HoleTask]) -> list[HoleTask]:
    """Projects taken in turn, so that a partial run covers every language."""
    by: dict[str, list[HoleTask]] = {}
    for t in tasks:
        by.setdefault(t.project, []).append(t)
    out: list[HoleTask] = []
    for i in range(max((len(v) for v in by.values()), default=0)):
        out.extend(v[i] for v in by.values() if i < len(v))
    return out


def _summary(result: HoleResult) -> str:
    def marks(outcomes: tuple[Outcome, ...]) -> str:
        return "".join("P" if o.correct else ("p" if o.parsed else "x") for o in outcomes)

    tested = "".join(
        "T" if o.tested_ok else ("v" if o.static_ok else "-") for o in result.constrained
    )
    return f"free {marks(result.free)}  constrained {marks(result.constrained)}  verified {tested}"


def run_hole(root: Path, task: HoleTask, backend: Backend, options: EvalOptions) -> HoleResult:
    """One hole in both generation modes, every candidate judged by the product's checks
    (without and with the test command) and by the oracle."""
    started = time.perf_counter()
    original = (root / task.path).read_bytes()
    eval_exec.put(root, task.path, holed_source(root, task))
    oracle: dict[str, bool] = {}
    tested: dict[str, bool] = {}
    try:
        site = open_site(
            root,
            task.path,
            task.line,
            bans=BANS.get(task.language, ()),
            command=task.command,
            timeout=TEST_TIMEOUT,
        )
        modes: dict[bool, tuple[Outcome, ...]] = {}
        spent = {False: 0.0, True: 0.0}
        in_tests = 0.0
        for constrained in (False, True):
            clock = time.perf_counter()
            in_oracle = in_tests_before = 0.0
            req = request(
                site,
                constrained,
                n=options.samples,
                temperature=options.temperature,
                seed=options.seed,
                max_tokens=options.max_tokens,
            )
            outcomes = []
            in_tests_before = in_tests
            for cand in backend.generate(req).candidates:
                a = assess(site, cand, constrained, options.max_tokens)
                key = hashlib.sha256(a.patched).hexdigest()
                if not a.parsed:
                    correct = False  # a file that does not parse fails its tests
                elif key not in oracle:
                    t0 = time.perf_counter()
                    oracle[key] = eval_exec.run_with(
                        root, task.path, a.patched, task.command, TEST_TIMEOUT
                    )[0]
                    in_oracle += time.perf_counter() - t0
                    correct = oracle[key]
                else:
                    correct = oracle[key]
                ok_tests = False
                if constrained and a.static_ok:
                    if key not in tested:
                        t0 = time.perf_counter()
                        tested[key] = tests_accept(site, cand, options.max_tokens)
                        in_tests += time.perf_counter() - t0
                    ok_tests = tested[key]
                outcomes.append(
                    Outcome(
                        cand.text,
                        cand.tokens,
                        cand.finish_reason,
                        a.parsed,
                        a.banned,
                        a.static_ok,
                        ok_tests,
                        correct,
                        tuple(r[:200] for r in a.reasons[:3]),
                    )
                )
            modes[constrained] = tuple(outcomes)
            spent[constrained] = (
                time.perf_counter() - clock - in_oracle - (in_tests - in_tests_before)
            )
    finally:
        eval_exec.put(root, task.path, original)
    return HoleResult(
        task,
        modes[False],
        modes[True],
        time.perf_counter() - started,
        spent[False],
        spent[True],
        in_tests,
    )
