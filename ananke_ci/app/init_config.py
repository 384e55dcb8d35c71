"""`ananke-ci init`: a commented `.ananke.toml` seeded from the constraints mined at HEAD."""

from __future__ import annotations

import json
from pathlib import Path

from ananke_ci.adapters.atomic import inside, write_atomic
from ananke_ci.adapters.git.write import scratch_dir
from ananke_ci.analysis.constraints.dangers import BY_KEY
from ananke_ci.core.config import Config, parse_config
from ananke_ci.core.constraints import Constraint, Kind
from ananke_ci.core.errors import UserError
from ananke_ci.core.sanitize import clean_text, is_name

HEADER = """\
# ananke-ci configuration, seeded by `ananke-ci init` from what this repository does at
# {rev}. Mined constraints are checked without being listed here (`ananke-ci extract`
# shows them with their evidence); this file is where you keep, relax or forbid them.
# Reference: docs/constraints.md (and docs/configuration.md for every key).

fail-level = "error"        # error | warning | note
filter = "added"            # findings count on the lines a change adds

[constraints]
min-confidence = {conf}      # a mined convention must hold this often...
min-evidence = {evidence}          # ...over at least this many cases
# baseline = ".ananke-baseline.json"   # `ananke-ci baseline` records accepted findings here
# ariadne = ["**/*.ariadne"]           # where Ariadne constraint files live
# Uncomment an id to stop checking that mined constraint (globs work: "layering/*").
disable = [
{disable}]
"""

FOOTER = """
# Make a habit the repository already has a hard rule everywhere:
# [banned-calls]
{bans}
# Declare constraints of your own (the same fields as the Ariadne language):
# [constraint.api]
# applies-to = ["src/api/**"]
# forbid = ["eval", "exec"]
# requires = ["type_annotations", "handled_errors"]
# max-complexity = 10
# naming = {{ function = "snake_case", class = "PascalCase" }}
"""


def render_init(mined: list[Constraint], config: Config, rev: str) -> str:
    rows = "".join(f"  # {json.dumps(c.id)},  # {clean_text(c.evidence, 90)}\n" for c in mined)
    bans = "".join(
        f"# {json.dumps(name)} = {json.dumps(clean_text(why, 90))}\n"
        for name, why in _ban_lines(mined).items()
    )
    text = HEADER.format(
        rev=rev[:12],
        conf=config.constraints.min_confidence,
        evidence=config.constraints.min_evidence,
        disable=rows,
    )
    text += FOOTER.format(bans=bans or "# (no dangerous call is absent from this repository)\n")
    parse_config(text, ".ananke.toml")  # what we write must load
    return text


def _ban_lines(mined: list[Constraint]) -> dict[str, str]:
    """One line per call name, with the evidence of that name: a constraint's evidence
    speaks of its key (`pickle.loads`), so the other calls it counts (`marshal.load`) say
    whose count they share, and a name mined in two languages keeps both counts."""
    out: dict[str, list[str]] = {}
    for c in mined:
        for name in _bannable(c):
            why = c.evidence if name == c.subject else f"counted with `{c.subject}`: {c.evidence}"
            out.setdefault(name, []).append(why)
    return {name: "; ".join(whys) for name, whys in out.items()}


def _bannable(c: Constraint) -> tuple[str, ...]:
    """The calls of a mined dangerous-call constraint a plain ban can express (not the ones
    that are only dangerous with some arguments, such as shell=True)."""
    spec = BY_KEY.get(c.subject) if c.kind == Kind.DANGEROUS_CALL else None
    if spec is None or spec.args is not None or spec.unless is not None:
        return ()
    return tuple(n for n in spec.calls if is_name(n))


def write_init(root: Path, text: str, force: bool) -> Path:
    target = root / ".ananke.toml"
    if (target.exists() or target.is_symlink()) and not force:
        raise UserError("already exists; `ananke-ci init --force` replaces it", path=".ananke.toml")
    # through a link only while it stays in the repository; the temp file in the git dir,
    # so a kill leaves nothing in the work tree
    write_atomic(inside(root, target), text.encode("utf-8"), scratch=scratch_dir(root))
    return target
