"""`ananke-ci baseline`: record every finding of the repository as accepted (the validator
drops them later: app/validate.py, reading the baseline the change's base has)."""

from __future__ import annotations

from pathlib import Path

from ananke_ci.adapters.atomic import inside, write_atomic
from ananke_ci.adapters.git.write import scratch_dir
from ananke_ci.app.judge import Judge
from ananke_ci.app.targets import Target
from ananke_ci.app.validate import validate
from ananke_ci.core.baseline import baseline_json
from ananke_ci.core.findings import FilterMode


def record_baseline(root: Path, judge: Judge, out: Path | None = None) -> tuple[Path, int]:
    """Validate every tracked file and store all its findings as accepted."""
    result = validate(root, Target("repo"), judge, FilterMode.NOFILTER, baseline=False)
    # `--output` goes where the user says; the config's path (a pull request can change
    # it) only inside the repository, through links too
    path = out or inside(root, root / judge.config.constraints.baseline)
    write_atomic(path, baseline_json(result.findings).encode("utf-8"), scratch=scratch_dir(root))
    return path, len(result.findings)
