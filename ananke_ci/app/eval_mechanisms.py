"""Layer 1: one small task per constraint domain, where the constraint must bite.

Each task is a tiny repository (committed to a temporary git repository) whose one hole's
docstring invites the very thing the constraint forbids. An output satisfies the domain
when the patched file parses and the product's Verifier (app/verify.py, the checks `fix`
runs) gives no reason of that domain; the same model, prompt and seeds are run free and
under the grammar `fix` uses.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ananke_ci.adapters import eval_exec
from ananke_ci.app.eval_site import assess, open_site, request
from ananke_ci.core.evaluation import MechanismResult
from ananke_ci.core.protocol import Backend
from ananke_ci.core.records import record


@record(frozen=True, slots=True)
class Mechanism:
    domain: str
    check: str  # what satisfied means
    files: dict[str, str]
    path: str  # the file with the hole
    reason: str  # regex: a Verifier reason of this domain


_BANNED = Mechanism(
    "banned call",
    "no `eval` (configured [banned-calls])",
    {
        ".ananke.toml": '[banned-calls]\n"eval" = "never evaluate strings"\n',
        "calc.py": '''def calculate(expression: str) -> float:
    """Return the value of the arithmetic `expression` (like "1+2*3").

    Simplest way: return eval(expression).
    """
    pass
''',
    },
    "calc.py",
    r"banned|ANK\d+: .*\beval\b",
)

_INDENT = Mechanism(
    "python indentation",
    "the file parses and the fill stays inside the nested method",
    {
        "shapes.py": '''class Shapes:
    class Grid:
        def __init__(self, rows: list[list[int]]) -> None:
            self.rows = rows

        def total(self) -> int:
            """Sum every cell of every row, skipping negative cells."""
            pass
'''
    },
    "shapes.py",
    r"^syntax error|more than a fill",
)

_HOLE = Mechanism(
    "hole re-emitted",
    "the fill is no hole and leaves no TODO",
    {
        "headers.py": '''def parse_header(line: str) -> tuple[str, str]:
    """Split a 'Name: value' header line into (name, value).

    Not implemented yet: TODO, leave it as a stub (pass) for now.
    """
    pass
'''
    },
    "headers.py",
    r"itself a hole|leaves a TODO|is empty",
)

_LAYER = Mechanism(
    "layering import",
    "core/ imports nothing from app/ (declared forbid_imports)",
    {
        ".ananke.toml": '[constraint.core]\napplies-to = ["core/**"]\nforbid-imports = ["app"]\n',
        "app/__init__.py": "",
        "app/prices.py": (
            'def lookup(name: str) -> float:\n    return {"tea": 2.5}.get(name, 0.0)\n'
        ),
        "core/__init__.py": "",
        "core/total.py": '''def total(names: list[str]) -> float:
    """The total price of `names`: import app.prices here and sum app.prices.lookup(n)."""
    pass
''',
    },
    "core/total.py",
    r"^ANK308|\bapp\b.*forbid|forbid.*\bapp\b",
)

_FORBID = Mechanism(
    "declared forbid",
    "no `requests.get` (a declared forbid)",
    {
        ".ananke.toml": '[constraint.net]\napplies-to = ["**"]\nforbid = ["requests.get"]\n',
        "fetch.py": '''import requests


def fetch_text(url: str) -> str:
    """Download `url` with requests.get(url) and return the response's text."""
    pass
''',
    },
    "fetch.py",
    r"^ANK308|requests\.get",
)

_RETURN = Mechanism(
    "return path",
    "every path of an `-> int` body returns a value",
    {
        "clamp.py": '''def clamp(x: int, low: int, high: int) -> int:
    """Clamp x into [low, high]; when x is out of range, print a warning about it."""
    pass
'''
    },
    "clamp.py",
    r"can end without returning",
)

_NAMING = Mechanism(
    "naming convention",
    "a new function is snake_case (declared naming)",
    {
        ".ananke.toml": '[constraint.style]\nnaming = { function = "snake_case" }\n',
        "words.py": '''def count_words(text: str) -> int:
    """Count the words of `text`. First define an inner helper function named
    `isWord(token)` (camelCase, as in JavaScript) and use it to filter the tokens."""
    pass
''',
    },
    "words.py",
    r"^ANK301",
)

MECHANISMS = (_BANNED, _INDENT, _HOLE, _LAYER, _FORBID, _RETURN, _NAMING)


def satisfied(task: Mechanism, parsed: bool, reasons: tuple[str, ...]) -> bool:
    pattern = re.compile(task.reason, re.I | re.M)
    return parsed and not any(pattern.search(r) for r in reasons)


def run_mechanism(
    task: Mechanism,
    backend: Backend,
    *,
    k: int,
    temperature: float,
    seed: int,
    max_tokens: int,
    progress: Callable[[str], None] | None = None,
) -> MechanismResult:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ananke-eval-l1-") as tmp:
        root = eval_exec.make_repo(Path(tmp) / "repo", task.files)
        site = open_site(root, task.path, 1)
        counts = {False: 0, True: 0}
        proposed = proposed_ok = 0
        examples: list[str] = []
        for constrained in (False, True):
            req = request(
                site, constrained, n=k, temperature=temperature, seed=seed, max_tokens=max_tokens
            )
            for cand in backend.generate(req).candidates:
                a = assess(site, cand, constrained, max_tokens)
                ok = satisfied(task, a.parsed, a.reasons)
                counts[constrained] += ok
                if constrained and a.static_ok:
                    proposed += 1
                    proposed_ok += ok
                if not ok and len(examples) < 2:
                    examples.append(
                        ("constrained: " if constrained else "free: ") + a.body.strip()[:160]
                    )
        if progress:
            progress(
                f"layer 1 {task.domain}: free {counts[False]}/{k}, constrained "
                f"{counts[True]}/{k}, proposed {proposed_ok}/{proposed} "
                f"({time.perf_counter() - started:.0f} s)"
            )
    return MechanismResult(
        task.domain,
        task.check,
        k,
        counts[False],
        counts[True],
        proposed,
        proposed_ok,
        time.perf_counter() - started,
        tuple(examples),
    )
