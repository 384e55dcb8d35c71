"""What judges a change, fixed at its base, and the one per-file check everything uses.

A change is judged by what was there before it: the constraints mined at its base commit,
the declarations and the baseline. So a change cannot erode the conventions it breaks, nor
switch off its own checks by editing `.ananke.toml` or committing a baseline:

| target                        | mined at       | config, Ariadne files, baseline |
|-------------------------------|----------------|---------------------------------|
| staged change (the hook)      | HEAD           | work tree (the committer's own) |
| `--diff A..B`                 | A              | A                               |
| `--diff A...B`, `--diff REV`  | the merge base | the merge base                  |
| files, `--all`                | HEAD           | work tree                       |

(`--config PATH` reads that file instead.) The mined constraints of a base are cached by
key under `.git/ananke/ir/`; on a miss they are mined there and then, incrementally (one
line on stderr says so and how long it took). validate, baseline, holes and the fill
verifier all call `Judge.check`, with the same constraints and intensities.

On the pre-commit hook's path: with the base's constraints cached this reads two small JSON
files and imports no mining, graph or Lark code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ananke_ci.adapters.cache import ir_cache
from ananke_ci.adapters.cache.cache_paths import cache_notices
from ananke_ci.adapters.config_file import load_config, load_config_at
from ananke_ci.adapters.git import read as git
from ananke_ci.analysis.rules import check_file
from ananke_ci.analysis.salience.pins import apply_pins
from ananke_ci.app.declared import ariadne_sources, declared_constraints
from ananke_ci.app.intensities import Salience, load_salience
from ananke_ci.app.targets import SourceFile, Target
from ananke_ci.core.baseline import Baseline, parse_baseline
from ananke_ci.core.config import Config
from ananke_ci.core.constraints import Constraint, ConstraintIR
from ananke_ci.core.errors import UserError
from ananke_ci.core.facts import FileFacts
from ananke_ci.core.findings import Finding
from ananke_ci.core.intensity import DEFAULT_INTENSITY, Intensity
from ananke_ci.core.records import field, record

Progress = Callable[[str], None]
Resolve = Callable[[str, Sequence[tuple[str, tuple[str, ...]]]], set[str]]


@record(frozen=True, slots=True)
class Basis:
    """Where what judges a change comes from."""

    commit: str | None  # the base commit; None in a repository without commits
    label: str  # how messages name it: "HEAD", "the merge base 1a2b3c4d5e6f"
    committed: bool  # config, Ariadne files and baseline read from the commit
    tree: str | None = None  # the commit's tree, when known already


def basis_of(root: Path, target: Target) -> Basis:
    if target.mode == "range":
        base, _head = git.range_ends(root, target.spec or "")
        if base == git.EMPTY_TREE:  # a root commit: nothing came before it to judge by
            return Basis(None, "the empty tree", False)
        merge = "..." in (target.spec or "") or ".." not in (target.spec or "")
        return Basis(base, f"the {'merge base' if merge else 'base'} {base[:12]}", True)
    head = git.head_and_tree(root)
    return Basis(head[0], "HEAD", False, head[1]) if head else Basis(None, "HEAD", False)


@record
class Judge:
    """The config, constraints, intensities and baseline a change is judged by."""

    root: Path
    config: Config
    basis: Basis
    rules: tuple[Constraint, ...] = ()  # mined at the base + declared, disabled ones dropped
    salience: Salience = field(default_factory=Salience)
    baseline: Baseline | None = None
    notices: tuple[str, ...] = ()
    mining_seconds: float | None = None  # set when the base's constraints were mined now
    _resolve: Resolve | None = None
    _paths: list[str] | None = None
    _checked: dict[tuple[str, bytes, bool], list[Finding]] = field(default_factory=dict)

    def intensity(self, path: str) -> Intensity:
        """The salience cache's intensity (DEFAULT_INTENSITY for a file it has not seen, or
        before the first run), the config's `[intensity]` pins on top."""
        mined = {path: self.salience.intensities.get(path, DEFAULT_INTENSITY)}
        return apply_pins(mined, self.config.intensity_pins)[path]

    def check(self, source: SourceFile, facts: FileFacts) -> list[Finding]:
        """Every finding of one file: the rules and the constraints, at the file's
        intensity, suppressions applied (not yet marked against the diff). A file checked
        before (holes, then the verifier's "before") is not checked again."""
        is_new = source.diff is None or source.diff.status == "added"
        key = (source.path, source.content, is_new)
        if key not in self._checked:
            self._checked[key] = self._check(source, facts, is_new)
        return list(self._checked[key])

    def _check(self, source: SourceFile, facts: FileFacts, is_new: bool) -> list[Finding]:
        extra: list[Finding] = []
        if self.rules and not facts.skipped:
            # the hook's path: the checks load only when there are constraints to check
            from ananke_ci.analysis.constraints.check import check_constraints
            from ananke_ci.analysis.constraints.common import CheckContext
            from ananke_ci.analysis.constraints.scan import scan_file

            ctx = CheckContext(
                scan_file(facts, source.content), is_new, self.resolver(), self.read_base
            )
            extra = list(check_constraints(self.ir(), ctx))
        return check_file(facts, self.config, self.intensity(source.path), extra)

    def ir(self) -> ConstraintIR:
        return ConstraintIR(self.basis.commit or "", self.basis.commit, self.rules)

    def resolver(self) -> Resolve | None:
        """Imports -> repository files, for layering; the tree is listed once, if needed."""
        from ananke_ci.core.constraints import Kind  # the hook's path: only with constraints

        if self._resolve is None and any(
            c.kind in (Kind.LAYERING, Kind.NO_CYCLES) for c in self.rules
        ):
            # the hook's path: the resolver loads only for a layering constraint
            from ananke_ci.analysis.salience.imports import Resolver, go_module_path

            paths = self.paths()
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

    def read_base(self, paths: Sequence[str]) -> dict[str, bytes]:
        """Files as they are at the base (the work tree's, without one)."""
        if self.basis.commit is not None:
            return git.read_at(self.root, self.basis.commit, paths)
        out = {}
        for path in paths:
            try:
                out[path] = (self.root / path).read_bytes()
            except OSError:
                continue
        return out

    def paths(self) -> list[str]:
        if self._paths is None:
            self._paths = git.ls_files(self.root)
        return self._paths


def open_judge(
    root: Path,
    target: Target,
    *,
    config_path: Path | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
) -> Judge:
    """What judges `target`: its basis, that basis's config, constraints and baseline."""
    basis = basis_of(root, target)
    if config_path is not None:
        config = load_config(root, config_path)
    elif basis.committed and basis.commit:
        config = load_config_at(root, basis.commit)
    else:
        config = load_config(root)
    notices: list[str] = []
    salience = load_salience(root)
    mined: tuple[Constraint, ...] = ()
    seconds = None
    if config.constraints.mine and basis.commit is not None:
        mined, seconds = _mined(root, basis, config, salience, notices, progress, use_cache)
    commit = basis.commit if basis.committed else None
    declared = declared_constraints(root, config, ariadne_sources(root, config, commit))
    rows = tuple(c for c in (*mined, *declared) if not _disabled(c.id, config))
    if mined or declared:
        notices += _disable_typos(config, [c.id for c in (*mined, *declared)])
    baseline = _baseline(root, config, commit)
    notices += cache_notices()
    return Judge(root, config, basis, rows, salience, baseline, tuple(notices), seconds)


def _disable_typos(config: Config, ids: list[str]) -> list[str]:
    """A `disable` entry that matches no constraint but is one letter or so from one is a
    typo: say so, with the id it probably meant (an entry for a constraint that is simply
    not mined here, far from every id, stays quiet)."""
    from fnmatch import fnmatchcase

    out = []
    settings = config.constraints
    for i, pattern in enumerate(settings.disable):
        if any(fnmatchcase(cid, pattern) for cid in ids):
            continue
        from difflib import get_close_matches  # only for an entry that matches nothing

        close = get_close_matches(pattern, ids, n=1, cutoff=0.85)
        if close:
            where = (
                config.disable_at[i]
                if i < len(config.disable_at)
                else config.source or "the config"
            )
            out.append(
                f"{where}: constraints.disable entry {pattern!r} matches no constraint "
                f"here; did you mean {close[0]!r}?"
            )
    return out


def _disabled(cid: str, config: Config) -> bool:
    from fnmatch import fnmatchcase

    return any(fnmatchcase(cid, pattern) for pattern in config.constraints.disable)


def _mined(
    root: Path,
    basis: Basis,
    config: Config,
    salience: Salience,
    notices: list[str],
    progress: Progress | None,
    use_cache: bool,
) -> tuple[tuple[Constraint, ...], float | None]:
    """The base's mined constraints: cached, or mined now with a notice of how long (and
    the seconds it took)."""
    assert basis.commit is not None
    tree = basis.tree or git.tree_of(root, basis.commit)
    key = ir_cache.mined_key(tree, config, salience.foundational)
    cached = ir_cache.read_mined(root, key) if use_cache else None
    if cached is not None:
        return cached.constraints, None
    from ananke_ci.app.constraints import mined_ir  # the slow side: only on a miss

    where = f"{basis.label}" + (f" ({basis.commit[:12]})" if basis.label == "HEAD" else "")
    if progress:
        progress(f"mining the constraints of {where} (first time for this commit)...")
    result = mined_ir(root, basis.commit, tree, config, salience.foundational, use_cache=use_cache)
    if result.files:  # a base without source files has nothing to mine: nothing to say
        notices.append(
            f"mined the constraints of {where} in {result.seconds:.1f} s "
            f"({_files(result.files)}, {result.parsed} parsed; cached for later "
            "runs)"
        )
    return result.ir.constraints, result.seconds


def _files(n: int) -> str:
    return "1 file" if n == 1 else f"{n} files"


def _baseline(root: Path, config: Config, commit: str | None) -> Baseline | None:
    """The baseline file: the work tree's, or as committed at the base."""
    name = config.constraints.baseline
    if commit is not None:
        data = git.read_at(root, commit, [name]).get(name)
        if data is None:
            return None
        try:
            return parse_baseline(data.decode("utf-8"), f"{name} (at {commit[:12]})")
        except UnicodeDecodeError:
            raise UserError("not an ananke-ci baseline file", path=name) from None
    path = root / name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read baseline: {exc}", path=name) from None
    return parse_baseline(text, name)


def tty_progress(line: str) -> None:
    """Progress for a person at a terminal (pre-commit and CI logs get the notice only)."""
    if sys.stderr.isatty():
        print(f"ananke-ci: {line}", file=sys.stderr, flush=True)
