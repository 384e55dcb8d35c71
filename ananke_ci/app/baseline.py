"""`ananke-ci baseline`: record every finding of the repository as accepted; and the
validator's filter that drops them later."""

from __future__ import annotations

from pathlib import Path

from ananke_ci.core.baseline import Baseline, baseline_json, parse_baseline, split_new
from ananke_ci.core.config import Config
from ananke_ci.core.errors import UserError
from ananke_ci.core.findings import FilterMode, Finding


def baseline_path(root: Path, config: Config) -> Path:
    return root / config.constraints.baseline


def load_baseline(root: Path, config: Config) -> Baseline | None:
    path = baseline_path(root, config)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read baseline: {exc}", path=str(path)) from None
    return parse_baseline(text, config.constraints.baseline)


def apply_baseline(root: Path, config: Config, findings: list[Finding],
                   notices: list[str]) -> list[Finding]:
    known = load_baseline(root, config)
    if known is None:
        return findings
    new, hidden = split_new(findings, known)
    if hidden:
        notices.append(f"{hidden} finding(s) accepted in {config.constraints.baseline} "
                       "not shown (--no-baseline shows them)")
    return new


def record_baseline(root: Path, config: Config, out: Path | None = None) -> tuple[Path, int]:
    """Validate every tracked file and store all its findings as accepted."""
    from ananke_ci.app.targets import Target
    from ananke_ci.app.validate import validate

    result = validate(root, Target("repo"), config, FilterMode.NOFILTER, baseline=False)
    # tempfile: only when writing one
    from ananke_ci.adapters.atomic import inside, write_atomic
    from ananke_ci.adapters.git_write import scratch_dir

    # `--output` goes where the user says; the config's path (a pull request can change
    # it) only inside the repository, through links too
    path = out or inside(root, baseline_path(root, config))
    write_atomic(path, baseline_json(result.findings).encode("utf-8"), scratch=scratch_dir(root))
    return path, len(result.findings)
