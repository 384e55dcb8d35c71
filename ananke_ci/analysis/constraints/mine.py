"""Every mined constraint of one commit, from its files' summaries, the import graph and the set
of FoundationalStable files."""

from __future__ import annotations

from collections.abc import Mapping

from ananke_ci.analysis.constraints.annotations import mine_annotations
from ananke_ci.analysis.constraints.api import mine_api
from ananke_ci.analysis.constraints.habits import mine_habits
from ananke_ci.analysis.constraints.layering import mine_layering
from ananke_ci.analysis.constraints.naming import mine_naming
from ananke_ci.analysis.constraints.summary import FileSummary
from ananke_ci.core.config_constraints import ConstraintSettings
from ananke_ci.core.constraints import Constraint
from ananke_ci.core.records import record


@record(frozen=True, slots=True)
class MiningInput:
    summaries: Mapping[str, FileSummary]  # path -> summary, every source file of the commit
    edges: frozenset[tuple[str, str]]  # (importer, imported) between repository files
    foundational: frozenset[str]  # FoundationalStable files (salience)


def mine_all(data: MiningInput, settings: ConstraintSettings) -> list[Constraint]:
    files = [(p, data.summaries[p]) for p in sorted(data.summaries)]
    out = mine_naming(files, settings.min_confidence, settings.min_evidence)
    out += mine_annotations(files, settings.min_evidence)
    out += mine_layering(sorted(data.edges))
    out += mine_habits(
        files, min_files=settings.min_evidence, min_confidence=settings.min_confidence
    )
    out += mine_api(data.summaries, sorted(data.edges), set(data.foundational))
    return out
