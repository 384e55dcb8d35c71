"""What the pre-commit hook (`ananke-ci validate --hook`, .pre-commit-hooks.yaml) may import.

The hook's time is mostly imports, so they are an allow-list (click's tests/test_imports.py):
a fresh interpreter runs the hook on a real repository with a staged change and lists
`sys.modules`; a top-level package outside ALLOWED, or a module of ours outside HOOK_MODULES
once the constraints are cached, fails here. A module that is imported at the top of a
module on this path lands in the list: that is the check that keeps the hook light, rather
than imports scattered inside functions.
"""

from __future__ import annotations

import subprocess
import sys

from tests.gitrepo import GitRepo, probe_run

PROBE = """
import sys
from ananke_ci.cli import main
status = main(["validate", "--hook"])
print("STATUS", status)
print("MODULES", " ".join(sorted(sys.modules)))
"""

# never on the hook's path: the model, the bot, graphs, plots, grammars, HTTP clients
FORBIDDEN = {
    "torch",
    "transformers",
    "numpy",
    "llguidance",
    "github",
    "networkx",
    "matplotlib",
    "lark",
    "rich",
    "git",
    "pydriller",
    "http",
    "email",
    "ssl",
    "socket",
    "urllib3",
    "requests",
    "pyflakes",
    "multiprocessing",
    "concurrent",
    "asyncio",
    "logging",
}

# the first run at a commit parses the Ariadne files with Lark (cached after), and what
# Lark imports
ARIADNE = {
    "lark",
    "logging",
    "regex",
    "atexit",
    "getpass",
    "pickle",
    "pkgutil",
    "termios",
    "textwrap",
    "traceback",
    "unicodedata",
}

# the public top-level names a cached hook run imports (the interpreter's start-up included)
ALLOWED = {
    "abc",
    "ananke_ci",
    "argparse",
    "builtins",
    "codecs",
    "collections",
    "contextlib",
    "copyreg",
    "encodings",
    "enum",
    "errno",
    "fcntl",
    "fnmatch",
    "functools",
    "gc",
    "genericpath",
    "gettext",
    "importlib",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "locale",
    "marshal",
    "math",
    "ntpath",
    "operator",
    "os",
    "pathlib",
    "posix",
    "posixpath",
    "re",
    "reprlib",
    "select",
    "selectors",
    "shlex",
    "signal",
    "site",
    "stat",
    "struct",
    "subprocess",
    "sys",
    "threading",
    "time",
    "tree_sitter",
    "tree_sitter_language_pack",
    "types",
    "typing",
    "urllib",
    "warnings",
    "zipimport",
    "zlib",
    # the repository's .ananke.toml, read at the base; the constraint checks' scan
    "tomllib",
    "datetime",
    "string",
    "bisect",
}
# what the first run at a commit adds to mine HEAD's constraints (hashing blobs, the
# bounded workers' temp files) and to read the base's config (TOML, cached after);
# still nothing of FORBIDDEN
MINING_ALLOWED = {
    "ast",
    "bisect",
    "bz2",
    "copy",
    "dataclasses",
    "datetime",
    "decimal",
    "dis",
    "fractions",
    "hashlib",
    "inspect",
    "linecache",
    "lzma",
    "numbers",
    "opcode",
    "random",
    "shutil",
    "statistics",
    "string",
    "tempfile",
    "token",
    "tokenize",
    "tomllib",
    "weakref",
    *ARIADNE,
}

HOOK_MODULES = {
    "ananke_ci",
    "ananke_ci.adapters",
    "ananke_ci.adapters.bounded",
    "ananke_ci.adapters.cache",
    "ananke_ci.adapters.cache.cache_paths",
    "ananke_ci.adapters.cache.facts_codec",
    "ananke_ci.adapters.cache.ir_cache",
    "ananke_ci.adapters.cache.salience_cache",
    "ananke_ci.adapters.config_file",
    "ananke_ci.adapters.git",
    "ananke_ci.adapters.git.read",
    "ananke_ci.adapters.proc",
    "ananke_ci.analysis",
    "ananke_ci.analysis._collect",
    "ananke_ci.analysis._text",
    "ananke_ci.analysis.constraints",
    "ananke_ci.analysis.constraints.annotations",
    "ananke_ci.analysis.constraints.api",
    "ananke_ci.analysis.constraints.check",
    "ananke_ci.analysis.constraints.common",
    "ananke_ci.analysis.constraints.dangers",
    "ananke_ci.analysis.constraints.declared",
    "ananke_ci.analysis.constraints.habits",
    "ananke_ci.analysis.constraints.layering",
    "ananke_ci.analysis.constraints.naming",
    "ananke_ci.analysis.constraints.scan",
    "ananke_ci.analysis.extract",
    "ananke_ci.analysis.holes",
    "ananke_ci.analysis.languages",
    "ananke_ci.analysis.rows",
    "ananke_ci.analysis.rules",
    "ananke_ci.analysis.salience",
    "ananke_ci.analysis.salience.imports",
    "ananke_ci.analysis.salience.pins",
    "ananke_ci.app",
    "ananke_ci.app.declared",
    "ananke_ci.app.extraction",
    "ananke_ci.app.intensities",
    "ananke_ci.app.judge",
    "ananke_ci.app.targets",
    "ananke_ci.app.validate",
    "ananke_ci.cli",
    "ananke_ci.cli.common",
    "ananke_ci.cli.errors",
    "ananke_ci.cli.validate_cmd",
    "ananke_ci.core",
    "ananke_ci.core.baseline",
    "ananke_ci.core.config",
    "ananke_ci.core.config_constraints",
    "ananke_ci.core.constraints",
    "ananke_ci.core.declared",
    "ananke_ci.core.declared_codec",
    "ananke_ci.core.diff",
    "ananke_ci.core.errors",
    "ananke_ci.core.facts",
    "ananke_ci.core.findings",
    "ananke_ci.core.globs",
    "ananke_ci.core.intensity",
    "ananke_ci.core.nesting",
    "ananke_ci.core.records",
    "ananke_ci.core.rules_catalog",
    "ananke_ci.core.sanitize",
    "ananke_ci.core.suppress",
    "ananke_ci.core.testfiles",
    "ananke_ci.report",
    "ananke_ci.report.base",
    "ananke_ci.report.registry",
    "ananke_ci.report.text",
}


def _hook(repo: GitRepo) -> set[str]:
    """One hook run in a fresh interpreter: the modules it imported."""
    out, modules = probe_run(repo, PROBE)
    assert "STATUS 1" in out and "ANK201" in out, out  # it really checked the change
    return modules


def test_the_hook_imports_only_the_allow_list(repo: GitRepo) -> None:
    """With a config, mined and declared constraints to check (the checks' modules load)."""
    repo.write(
        ".ananke.toml",
        '[banned-calls]\neval = "no"\n\n[constraints]\n'
        'min-evidence = 1\n\n[constraint.safe]\nforbid = ["exec"]\n',
    )
    repo.write("rules.ariadne", 'constraint base { forbid: ["pickle.loads"]; }\n')
    repo.write("pkg/__init__.py", "")
    repo.write("pkg/a.py", "import os\n\n\ndef f() -> int:\n    return len(os.sep)\n")
    repo.commit("init")
    repo.write("pkg/a.py", "import os\n\n\ndef f() -> int:\n    return eval('1')\n")
    repo.stage("pkg/a.py")
    first = _hook(repo)  # mines HEAD's constraints
    cached = _hook(repo)  # reads them
    for modules, allowed, forbidden in (
        (first, ALLOWED | MINING_ALLOWED, FORBIDDEN - ARIADNE),
        (cached, ALLOWED, FORBIDDEN),
    ):
        # the interpreter's private accelerators (`_json`, `_sre`) follow their modules
        top = {name.split(".")[0] for name in modules} - {"__main__"}
        top = {name for name in top if not name.startswith("_")}
        assert not top & forbidden, sorted(top & forbidden)
        assert not top - allowed, sorted(top - allowed)
    ours = {name for name in cached if name.split(".")[0] == "ananke_ci"}
    assert not ours - HOOK_MODULES, sorted(ours - HOOK_MODULES)
    # the list is what a run really imports: parsing and checking constraints included
    assert {"ananke_ci.analysis.extract", "ananke_ci.analysis.constraints.check"} <= ours


def test_the_allow_list_check_can_fail(repo: GitRepo) -> None:
    """The probe sees an import: the same run with a forbidden module imported first."""
    repo.write(".ananke.toml", '[banned-calls]\neval = "no"\n')
    repo.write("a.py", "x = eval('1')\n")
    repo.commit("init")
    repo.write("a.py", "x = eval('2')\n")
    repo.stage("a.py")
    probe = "import http.client\n" + PROBE
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=repo.root,
        env=repo.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "http.client" in out.split("MODULES", 1)[1].split()
