"""`ananke-ci eval`'s results: one JSON document and a Markdown report (80 columns).

Both carry the date, the machine (CPUs, platform, Python), the model and backend, the
versions of the packages that generate and check, the settings, and whether the run is
complete (a partial run says how many tasks it has).
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from ananke_ci.analysis.eval_score import PAIRS, compare, scores
from ananke_ci.app.eval_run import EvalOptions, EvalRun
from ananke_ci.core.evaluation import MODE_TITLES, HoleResult

_VERSIONED = ("ananke-ci", "torch", "transformers", "llguidance", "tree-sitter")


def environment() -> dict[str, Any]:
    versions = {}
    for dist in _VERSIONED:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


def _languages(holes: Sequence[HoleResult]) -> dict[str, list[HoleResult]]:
    out: dict[str, list[HoleResult]] = {}
    for h in holes:
        out.setdefault(h.task.language, []).append(h)
    return dict(sorted(out.items()))


def document(run: EvalRun, options: EvalOptions, env: dict[str, Any]) -> dict[str, Any]:
    """Everything, as JSON-ready data."""
    groups = {"all": list(run.holes), **_languages(run.holes)}
    return {
        "environment": env,
        "model": run.model,
        "backend": run.backend,
        "settings": {**options.settings(), "layer": options.layer, "holes": options.holes},
        "complete": run.complete,
        "seconds": run.seconds,
        "task_seconds": sum(m.seconds for m in run.mechanisms) + sum(h.seconds for h in run.holes),
        "layer1": [dataclasses.asdict(m) for m in run.mechanisms],
        "discovery": {
            k: {"holes": len(d.tasks), "tried": d.tried, "dropped": d.dropped}
            for k, d in run.discoveries.items()
        },
        "layer2": {
            name: [dataclasses.asdict(s) | {"wrong_share": s.wrong_share} for s in scores(hs)]
            for name, hs in groups.items()
            if hs
        },
        "paired": {
            name: [
                {"first": a, "second": b, **dataclasses.asdict(compare(hs, a, b))} for a, b in PAIRS
            ]
            for name, hs in groups.items()
            if hs
        },
        "holes": [_published(dataclasses.asdict(h)) for h in run.holes],
    }


_SHORT = {
    "free": "(a) free",
    "constrained": "(b) constrained",
    "verified": "(c) + verified",
    "tested": "(d) + tests",
}
_LANG = {"javascript": "js", "typescript": "ts", "python": "py"}


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def markdown(doc: dict[str, Any]) -> str:
    env = doc["environment"]
    s = doc["settings"]
    versions = ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    holes = doc["holes"]
    lines = [
        f"# ananke-ci eval, {env['date']}",
        "",
        f"- machine: {env['cpus']} CPUs, {env['platform']}, Python {env['python']}",
        f"- model: {doc['model']} (backend {doc['backend']})",
        f"- versions: {versions}",
        f"- settings: n={s['samples']} samples per mode and hole, layer 1 k="
        f"{s['mechanism_samples']}, T={s['temperature']}, seed {s['seed']}, max_tokens "
        f"{s['max_tokens']}",
        f"- status: {'complete' if doc['complete'] else 'PARTIAL'}: {len(doc['layer1'])} "
        f"layer-1 tasks, {len(holes)} holes, {doc['task_seconds'] / 60:.0f} min of tasks",
    ]
    if doc["layer1"]:
        lines += [
            "",
            "## Layer 1: the constraint must bite (outputs satisfying it)",
            "",
            "| domain             | free   | constrained | proposed by fix |",
            "|--------------------|--------|-------------|-----------------|",
        ]
        for m in doc["layer1"]:
            lines.append(
                f"| {m['domain']:<18} | {m['free_ok']:>2}/{m['k']:<3} | "
                f"{m['constrained_ok']:>5}/{m['k']:<5} | "
                f"{m['proposed_ok']:>7}/{m['proposed']:<7} |"
            )
    if doc["discovery"]:
        lines += ["", "## Layer 2: real holes, the projects' own tests as the oracle", ""]
        for name, d in doc["discovery"].items():
            dropped = "; ".join(f"{v} {k}" for k, v in sorted(d["dropped"].items()))
            lines.append(
                f"- {name}: {d['holes']} holes kept of {d['tried']} tried"
                + (f" (dropped: {dropped})" if dropped else "")
            )
    for name, rows in doc["layer2"].items():
        n = len(rows[0]["pass_at"]) if rows else 0
        count = rows[0]["holes"] if rows else 0
        head = " | ".join(f"pass@{k}" for k in range(1, n + 1))
        lines += [
            "",
            f"### {name} ({count} holes)",
            "",
            f"| mode              | {head} | wrong/prop | parse | banned | s/hole |",
            "|-------------------|"
            + "|".join("-" * 8 for _ in range(n))
            + "|------------|-------|--------|--------|",
        ]
        for r in rows:
            cells = " | ".join(f"{_pct(v):>6}" for v in r["pass_at"])
            parse = r["parsed"] / r["samples"] if r["samples"] else 0.0
            banned = r["banned_samples"] / r["samples"] if r["samples"] else 0.0
            lines.append(
                f"| {_SHORT[r['mode']]:<17} | {cells} | "
                f"{r['wrong']:>3}/{r['proposals']:<3}    | {_pct(parse):>5} | "
                f"{_pct(banned):>6} | {r['seconds']:>6.1f} |"
            )
        bad = [r for r in rows if r["unparsable"] or r["banned"]]
        if bad:
            lines.append("")
            lines += [
                f"- {MODE_TITLES[r['mode']]}: {r['unparsable']} unparsable and "
                f"{r['banned']} banned proposal(s)"
                for r in bad
            ]
    if doc["paired"]:
        lines += [
            "",
            "## Paired: the proposal passes the oracle (exact McNemar, Newcombe CI)",
            "",
            "| pair                   | holes | +   | -   | diff  | 95% CI         | p     |",
            "|------------------------|-------|-----|-----|-------|----------------|-------|",
        ]
        for name, pairs in doc["paired"].items():
            for p in pairs:
                label = f"{_LANG.get(name, name)}: {p['first'][0:4]} - {p['second'][0:4]}"
                lines.append(
                    f"| {label:<22} | {p['n']:>5} | {p['only_first']:>3} | "
                    f"{p['only_second']:>3} | {p['difference']:+.2f} | "
                    f"[{p['low']:+.2f}, {p['high']:+.2f}] | {p['p_value']:.3f} |"
                )
    lines += [
        "",
        "Modes: (a) free generation; (b) under the grammar `fix` uses; (c) the first",
        "constrained candidate the Verifier accepts without tests (what `fix` proposes",
        "today); (d) the first it accepts with the oracle's tests as its [verify]",
        "command (the product's verify.run_tests path). pass@k: Chen et al.'s",
        "estimator for (a)/(b); for (c)/(d) the procedure run on the first k",
        "candidates. wrong/prop: proposals failing the oracle, of all proposals.",
        "",
    ]
    return "\n".join(lines)


def write(out: Path, doc: dict[str, Any], stem: str) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / f"{stem}.json", out / f"{stem}.md"
    json_path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    md_path.write_text(markdown(doc), encoding="utf-8")
    return json_path, md_path


def _published(hole: dict[str, Any]) -> dict[str, Any]:
    """A hole's record as results publish it: without the project's original body (their
    code, not ours to commit) and the local test command (a machine path); the journal keeps
    both for resuming."""
    task = {k: v for k, v in hole["task"].items() if k not in ("body", "command")}
    return {**hole, "task": task}
