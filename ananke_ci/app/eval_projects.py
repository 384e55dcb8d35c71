"""The real projects of layer 2: where they come from, how their tests run, which tests are a
function's oracle.

A project is a git mirror cloned into the cache directory (never into this repository). Its
oracle for a function is the project's own tests that name it: for Python the test files
that mention the name (at most two, the most mentions first), narrowed with `-k NAME` when
some test is named after it; for JavaScript (ramda: one test file per function) the test
file of the function, or, for an internal helper, those of the public functions whose
module imports it.
"""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

from ananke_ci.adapters import eval_exec
from ananke_ci.core.records import record

MIRRORS = Path("/work/.mirror")
JS_PACKAGES = (
    "mocha",
    "@babel/register",
    "@babel/core",
    "@babel/preset-env",
    "babel-plugin-annotate-pure-calls",
    "fast-check",
    "sinon",
    "sanctuary",
    "sanctuary-identity",
)


@record(frozen=True, slots=True)
class Project:
    name: str
    language: str
    mirror: str  # a git URL or path, or "sdist:NAME==VERSION" (PyPI, tests included)
    sources: str  # glob of the files whose functions become holes
    oracle: Callable[[Path, str, str], str | None]  # (clone, path, function) -> command
    prepare: Callable[[Path, Path], None]  # (clone, cache) -> None: test dependencies


def _python_oracle_for(
    tests_dir: str,
    pythonpath: str,
) -> Callable[[Path, str, str], str | None]:
    def oracle(root: Path, path: str, name: str) -> str | None:
        return _python_oracle(root, name, tests_dir, pythonpath)

    return oracle


def _python_oracle(root: Path, name: str, tests_dir: str, pythonpath: str) -> str | None:
    word = re.compile(rf"\b{re.escape(name)}\b")
    counts = []
    for test in sorted((root / tests_dir).rglob("test_*.py")):
        text = test.read_text(encoding="utf-8", errors="replace")
        hits = len(word.findall(text))
        if hits:
            counts.append((-hits, test.relative_to(root).as_posix(), text))
    if not counts:
        return None
    chosen = sorted(counts)[:2]
    named = any(re.search(rf"def test\w*{re.escape(name)}", text) for _, _, text in chosen)
    files = " ".join(shlex.quote(f) for _, f, _ in chosen)
    select = f" -k {shlex.quote(name)}" if named else ""
    return (
        f"PYTHONPATH={pythonpath} {shlex.quote(sys.executable)} -m pytest -q -x "
        f"-p no:cacheprovider {files}{select}"
    )


def fetch(project: Project, cache: Path) -> Path:
    """The project's checkout under `cache` (a git repository), its test dependencies set up."""
    root = cache / project.name
    if project.mirror.startswith("sdist:"):
        root = eval_exec.sdist_checkout(project.mirror.removeprefix("sdist:"), root)
    else:
        root = eval_exec.checkout(project.mirror, root)
    eval_exec.restore(root)
    project.prepare(root, cache)
    return root


def _no_setup(_root: Path, _cache: Path) -> None:
    return None


def _js_oracle_for(modules: Callable[[], Path]) -> Callable[[Path, str, str], str | None]:
    def oracle(root: Path, path: str, _name: str) -> str | None:
        stem = Path(path).stem
        tests: list[str] = []
        if (root / "test" / f"{stem}.js").is_file():
            tests.append(f"test/{stem}.js")
        elif "/internal/" in path:
            needle = f"./internal/{stem}.js"
            for src in sorted((root / "source").glob("*.js")):
                if (
                    needle in src.read_text(encoding="utf-8", errors="replace")
                    and (root / "test" / src.name).is_file()
                ):
                    tests.append(f"test/{src.name}")
                if len(tests) == 2:
                    break
        if not tests:
            return None
        return (
            f"ln -sfn {shlex.quote(str(modules()))} node_modules && BABEL_ENV=cjs "
            "node_modules/.bin/mocha --require @babel/register --reporter dot --bail "
            + " ".join(tests)
        )

    return oracle


def projects(cache: Path) -> dict[str, Project]:
    """The projects known to the evaluation, their dependencies under `cache`."""
    deps = cache / "jsdeps"

    def prepare_js(root: Path, _cache: Path) -> None:
        modules = eval_exec.npm_install(deps, JS_PACKAGES)
        eval_exec.link(modules, root / "node_modules")

    return {
        "toolz": Project(
            "toolz",
            "python",
            "sdist:toolz==1.2.0",
            "toolz/*.py",
            _python_oracle_for("toolz/tests", "."),
            _no_setup,
        ),
        "click": Project(
            "click",
            "python",
            str(MIRRORS / "pallets+click" / "repo"),
            "src/click/*.py",
            _python_oracle_for("tests", "src"),
            _no_setup,
        ),
        "ramda": Project(
            "ramda",
            "javascript",
            str(MIRRORS / "ramda+ramda" / "repo"),
            "source/**/*.js",
            _js_oracle_for(lambda: deps / "node_modules"),
            prepare_js,
        ),
    }
