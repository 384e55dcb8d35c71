"""Layer 1's tasks: each domain's check, as the product's Verifier makes it, tells an output
that breaks the constraint from one that keeps it (real git repositories, real checks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ananke_ci.adapters import eval_exec
from ananke_ci.app.eval_mechanisms import MECHANISMS, satisfied
from ananke_ci.app.eval_site import assess, open_site
from ananke_ci.core.protocol import Candidate

# (an output breaking the domain's constraint, one keeping it)
CASES = {
    "banned call": ("    return eval(expression)\n", "    return float(expression)\n"),
    "python indentation": (
        "    return sum(c for r in self.rows for c in r if c >= 0)\n",
        "            return sum(c for r in self.rows for c in r if c >= 0)\n",
    ),
    "hole re-emitted": (
        "    pass\n",
        "    name, _, value = line.partition(':')\n    return name.strip(), value.strip()\n",
    ),
    "layering import": (
        "    import app.prices\n    return sum(app.prices.lookup(n) for n in names)\n",
        "    return float(len(names))\n",
    ),
    "declared forbid": ("    return requests.get(url).text\n", "    return url\n"),
    "return path": (
        "    if x < low:\n        print('low')\n    else:\n        return x\n",
        "    return max(low, min(x, high))\n",
    ),
    "naming convention": (
        "    def isWord(token):\n        return token.isalpha()\n"
        "    return len([t for t in text.split() if isWord(t)])\n",
        "    def is_word(token):\n        return token.isalpha()\n"
        "    return len([t for t in text.split() if is_word(t)])\n",
    ),
}


def test_every_domain_has_a_case() -> None:
    assert {m.domain for m in MECHANISMS} == set(CASES)


@pytest.mark.parametrize("task", MECHANISMS, ids=lambda m: m.domain.replace(" ", "-"))
def test_the_check_bites(task: object, tmp_path: Path) -> None:
    from ananke_ci.app.eval_mechanisms import Mechanism

    assert isinstance(task, Mechanism)
    root = eval_exec.make_repo(tmp_path / "repo", task.files)
    site = open_site(root, task.path, 1)
    bad, good = CASES[task.domain]
    broken = assess(site, Candidate(bad + "```", 9, "stop", True), True, 64)
    kept = assess(site, Candidate(good + "```", 9, "stop", True), True, 64)
    assert not satisfied(task, broken.parsed, broken.reasons), broken.reasons
    assert satisfied(task, kept.parsed, kept.reasons), kept.reasons
    assert not broken.static_ok  # `fix` would not propose it either
    assert kept.static_ok, kept.reasons
