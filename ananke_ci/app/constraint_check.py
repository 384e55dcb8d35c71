"""The validator's side of the constraints: the compiled IR (mined + Ariadne) with the
config's own declarations read fresh on top, and the per-file checks.

Hot path: reads JSON and imports only the checks. An edit to `[constraint.*]` or
`[constraints] disable` in the config takes effect at once; mined and Ariadne constraints
change when `ananke-ci compile` (or extract/init) runs again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fnmatch import fnmatchcase
from pathlib import Path

from ananke_ci.adapters.ir_cache import load_ir
from ananke_ci.analysis.constraints.check import check_constraints, needs_imports
from ananke_ci.analysis.constraints.common import CheckContext, ImportSpec
from ananke_ci.analysis.constraints.declared import to_constraints
from ananke_ci.analysis.constraints.scan import scan_file
from ananke_ci.app.targets import SourceFile
from ananke_ci.core.config import Config
from ananke_ci.core.constraints import ConstraintIR
from ananke_ci.core.facts import FileFacts
from ananke_ci.core.findings import Finding
from ananke_ci.core.records import dataclass, field, replace


def current_ir(root: Path, config: Config) -> ConstraintIR | None:
    """The cached IR with the config's declarations replaced by what the config says now."""
    ir = load_ir(root)
    fresh = to_constraints(config.declared) if config.declared else []
    if ir is None and not fresh:
        return None
    prefix = f"{config.source}:" if config.source else "\0"
    kept = [c for c in (ir.constraints if ir else ()) if not c.source.startswith(prefix)]
    rows = tuple(c for c in (*kept, *fresh)
                 if not any(fnmatchcase(c.id, p) for p in config.constraints.disable))
    return replace(ir, constraints=rows) if ir else ConstraintIR("config", None, rows)


@dataclass
class ConstraintChecker:
    """Checks files against one IR; lists the repository once, only if layering needs it."""

    root: Path
    ir: ConstraintIR
    _resolve: Callable[[str, Sequence[ImportSpec]], set[str]] | None = field(default=None)

    def resolver(self) -> Callable[[str, Sequence[ImportSpec]], set[str]] | None:
        if self._resolve is None and needs_imports(self.ir):
            from ananke_ci.adapters import git
            from ananke_ci.analysis.salience.imports import Resolver, go_module_path

            paths = git.ls_files(self.root)
            modules = {}
            for mod in (p for p in paths if p == "go.mod" or p.endswith("/go.mod")):
                try:
                    found = go_module_path((self.root / mod).read_bytes())
                except OSError:
                    continue
                if found:
                    modules[mod.rpartition("/")[0]] = found
            self._resolve = Resolver(paths, modules).resolve
        return self._resolve

    def check(self, source: SourceFile, facts: FileFacts) -> list[Finding]:
        if facts.skipped:
            return []
        is_new = source.diff is None or source.diff.status == "added"
        ctx = CheckContext(scan_file(facts, source.content), is_new, self.resolver())
        return list(check_constraints(self.ir, ctx))
