"""Each mined constraint, present by construction: a change that breaks it is caught, a
change that keeps it is not (both directions for every rule)."""

from __future__ import annotations

import pytest

from tests.constraint_repos import SMALL, Checker, rules_of, snake_module
from tests.gitrepo import GitRepo


def _python_repo(repo: GitRepo) -> None:
    repo.write(".ananke.toml", SMALL)
    for i in range(6):
        repo.write(
            f"pkg/mod_{i}.py",
            snake_module(3, f"m{i}")
            + f"class Widget{i}:\n    def get_value(self) -> int:\n        return {i}\n",
        )
    repo.commit("init")


def test_function_naming(repo: GitRepo, check: Checker) -> None:
    _python_repo(repo)
    out = check.compile()
    assert "naming/python/function" in out
    bad = check.staged({"pkg/new.py": "def getValue(x: int) -> int:\n    return x\n"})
    assert rules_of(bad) == ["ANK301"]
    assert "getValue" in bad[0]["message"] and "snake_case" in bad[0]["message"]
    assert "of 18 functions" in bad[0]["message"]  # the evidence travels with the finding
    assert check.staged({"pkg/new.py": "def get_value(x: int) -> int:\n    return x\n"}) == []


def test_class_and_file_naming(repo: GitRepo, check: Checker) -> None:
    _python_repo(repo)
    check.compile()
    bad = check.staged({"pkg/mod_0.py": "class my_widget:\n    pass\n"})
    assert rules_of(bad) == ["ANK301"] and "PascalCase" in bad[0]["message"]
    assert check.staged({"pkg/mod_0.py": "class MyWidget:\n    pass\n"}) == []
    bad = check.staged({"pkg/BadName.py": "X = 1\n"})
    assert rules_of(bad) == ["ANK301"] and "file name" in bad[0]["message"]
    assert check.staged({"pkg/good_name.py": "X = 1\n"}) == []


def test_python_annotations(repo: GitRepo, check: Checker) -> None:
    _python_repo(repo)
    check.compile()
    bad = check.staged({"pkg/new_mod.py": "def add_one(value):\n    return value + 1\n"})
    assert rules_of(bad) == ["ANK302"]
    assert "value, return" in bad[0]["message"]
    ok = (
        "def add_one(value: int) -> int:\n    return value + 1\n\n\ndef _helper(x):\n    return x\n"
    )
    assert check.staged({"pkg/new_mod.py": ok}) == []


def test_typescript_annotations(repo: GitRepo, check: Checker) -> None:
    repo.write(".ananke.toml", SMALL)
    for i in range(6):
        repo.write(
            f"src/util{i}.ts",
            f"export function scale{i}(x: number, k: number) {{\n  return x * k;\n}}\n",
        )
    repo.commit("init")
    assert "annotations/typescript" in check.compile()
    bad = check.staged({"src/more.ts": "export function twice(x) {\n  return x * 2;\n}\n"})
    assert rules_of(bad) == ["ANK302"]
    ok = "export function twice(x: number) {\n  return x * 2;\n}\n"
    assert check.staged({"src/more.ts": ok}) == []


def _layered_repo(repo: GitRepo) -> None:
    repo.write(".ananke.toml", SMALL)
    repo.write("core/__init__.py", "")
    repo.write("core/model.py", "def load_model() -> int:\n    return 1\n")
    repo.write("cli/__init__.py", "")
    for i in range(3):
        repo.write(
            f"cli/cmd_{i}.py",
            "from core.model import load_model\n\n\n"
            f"def run_{i}() -> int:\n    return load_model()\n",
        )
    repo.commit("init")


def test_layering_direction(repo: GitRepo, check: Checker) -> None:
    _layered_repo(repo)
    assert "layering/core -> cli" in check.compile()
    bad = check.staged(
        {
            "core/model.py": "from cli.cmd_0 import run_0\n\n\n"
            "def load_model() -> int:\n    return 1\n"
        }
    )
    assert rules_of(bad) == ["ANK303"]
    assert "0 of 3 imports" in bad[0]["message"]
    # the accepted way out: a lazy import inside the function
    lazy = "def load_model() -> int:\n    from cli.cmd_0 import run_0\n    return 1\n"
    assert check.staged({"core/model.py": lazy}) == []
    assert check.staged({"cli/cmd_9.py": "from core.model import load_model\n"}) == []


def test_no_new_cycle(repo: GitRepo, check: Checker) -> None:
    repo.write(".ananke.toml", SMALL)
    repo.write("a/__init__.py", "")
    repo.write("b/__init__.py", "")
    repo.write("c/__init__.py", "")
    repo.write("a/x.py", "from b.y import Y\n")
    repo.write("b/y.py", "from c.z import Z\nY = Z\n")
    repo.write("c/z.py", "Z = 1\n")
    repo.write("c/w.py", "W = 2\n")
    repo.commit("init")
    assert "no_cycles/packages" in check.compile()
    bad = check.staged({"c/w.py": "from a.x import Y\nW = Y\n"})
    assert rules_of(bad) == ["ANK304"] and "closes a cycle" in bad[0]["message"]
    assert check.staged({"a/v.py": "from c.w import W\n"}) == []


def _plain_repo(repo: GitRepo, body: str = "") -> None:
    repo.write(".ananke.toml", SMALL)
    for i in range(6):
        repo.write(
            f"app/part_{i}.py",
            "import json\n\n\n"
            f"def read_{i}(text: str) -> object:\n{body or '    return json.loads(text)'}\n",
        )
    repo.commit("init")


def test_dangerous_calls(repo: GitRepo, check: Checker) -> None:
    _plain_repo(repo)
    out = check.compile()
    assert "dangerous/python/eval" in out
    bad = check.staged(
        {"app/part_0.py": "def read_0(text: str) -> object:\n    return eval(text)\n"}
    )
    assert rules_of(bad) == ["ANK305"] and "used nowhere in 6 python files" in bad[0]["message"]
    shell = check.staged(
        {
            "app/part_1.py": "import subprocess\n\n\ndef read_1(text: str) -> "
            "object:\n    return subprocess.run(text, shell=True)\n"
        }
    )
    assert rules_of(shell) == ["ANK305"]
    ok = (
        "import ast\nimport subprocess\n\n\ndef read_0(text: str) -> object:\n"
        "    subprocess.run([text], shell=False)\n    return ast.literal_eval(text)\n"
    )
    assert check.staged({"app/part_0.py": ok}) == []


def test_dangerous_call_used_by_the_repo_is_no_constraint(repo: GitRepo, check: Checker) -> None:
    _plain_repo(repo, "    return eval(text)")
    assert "dangerous/python/eval" not in check.compile()
    assert (
        check.staged({"app/part_9.py": "def read_9(text: str) -> object:\n    return eval(text)\n"})
        == []
    )


HANDLED = (
    "    try:\n        return int(text)\n    except ValueError as exc:\n"
    "        raise RuntimeError(text) from exc\n"
)


def test_error_handling(repo: GitRepo, check: Checker) -> None:
    repo.write(".ananke.toml", SMALL)
    for i in range(10):
        repo.write(f"app/part_{i}.py", f"def parse_{i}(text: str) -> int:\n{HANDLED}")
    repo.commit("init")
    out = check.compile()
    assert "errors/python/bare" in out and "errors/python/swallowed" in out
    bare = check.staged(
        {
            "app/part_0.py": "def parse_0(text: str) -> int:\n    try:\n"
            "        return int(text)\n    except:\n        return 0\n"
        }
    )
    assert rules_of(bare) == ["ANK306"] and "bare" in bare[0]["message"]
    swallowed = check.staged(
        {
            "app/part_0.py": "def parse_0(text: str) -> int:\n    try:\n"
            "        return int(text)\n    except ValueError:\n"
            "        pass\n    return 0\n"
        }
    )
    assert rules_of(swallowed) == ["ANK306"] and "swallows" in swallowed[0]["message"]
    ok = (
        "def parse_0(text: str) -> int:\n    try:\n        return int(text)\n"
        "    except ValueError:\n        return -1\n"
    )
    assert check.staged({"app/part_0.py": ok}) == []


def test_api_stability_lists_only_the_call_sites_that_break(
    repo: GitRepo,
    check: Checker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ananke_ci.app.intensities import Salience

    # what `ananke-ci salience` would say of a file that three others import
    monkeypatch.setattr(
        "ananke_ci.app.constraints.foundational_files", lambda root: frozenset({"core/net.py"})
    )
    monkeypatch.setattr(
        "ananke_ci.app.judge.load_salience", lambda root: Salience({}, frozenset({"core/net.py"}))
    )
    repo.write("core/__init__.py", "")
    api = "def fetch(url: str, timeout: int = 3) -> bytes:\n    return url.encode()\n"
    repo.write("core/net.py", api)
    calls = ["fetch('http://x/0')", "fetch(url='http://x/1')", "fetch('http://x/2', 5)"]
    for i, call in enumerate(calls):
        repo.write(
            f"users/u{i}.py",
            f"from core.net import fetch\n\n\ndef get_{i}() -> bytes:\n    return {call}\n",
        )
    repo.commit("init")
    assert "api/core/net.py::fetch" in check.compile()

    def broken(new_api: str) -> str:
        (found,) = check.staged({"core/net.py": new_api})
        assert found["rule"] == "ANK307" and found["severity"] == "error", found
        return str(found["message"]).split("call sites that break: ", 1)[1]

    # a rename breaks only the callers that pass it by keyword
    assert broken(api.replace("url: str", "uri: str")).startswith("users/u1.py:5 [")
    # a reorder, those that pass the moved ones by position
    swapped = api.replace("url: str, timeout: int = 3", "timeout: int = 3, url: str = ''")
    assert broken(swapped).startswith("users/u0.py:5, users/u2.py:5 [")
    # removing the optional one breaks who passes it; a new required one breaks everyone
    assert broken(api.replace(", timeout: int = 3", "")).startswith("users/u2.py:5 [")
    no_default = broken(api.replace("timeout: int = 3", "timeout: int"))
    assert no_default.startswith("users/u0.py:5, users/u1.py:5 [")  # u2 passes it already
    assert broken(api.replace("timeout: int = 3", "timeout: int = 3, *, retry: int")).startswith(
        "users/u0.py:5, users/u1.py:5, users/u2.py:5 ["
    )
    compatible = api.replace("timeout: int = 3", "timeout: int = 3, retries: int = 0")
    assert check.staged({"core/net.py": compatible}) == []
    # a rename that no caller notices is no break
    assert check.staged({"core/net.py": api.replace("timeout: int", "limit: int")}) == []


@pytest.mark.parametrize(
    ("level", "naming", "annotations"),
    [
        ("syntax_only", "note", "warning"),
        ("standard", "warning", "warning"),
        ("full_hard", "warning", "error"),  # FoundationalStable: at least as strict as...
        ("full", "warning", "error"),  # ... ActiveHotspot, for every rule
        ("exhaustive", "error", "error"),
    ],
)
def test_intensity_sets_severity_never_visibility(
    repo: GitRepo, check: Checker, level: str, naming: str, annotations: str
) -> None:
    _python_repo(repo)
    repo.write(".ananke.toml", SMALL + f'\n[intensity]\n"**" = "{level}"\n')
    repo.commit("pin")
    found = check.staged(
        {
            "pkg/new.py": "def getValue(x):\n    return eval(x)  # TODO\n\n\n"
            "def later_0(y: int) -> int:\n    raise NotImplementedError\n"
        }
    )
    # every rule runs at every intensity above `none`; holes keep their severity
    assert sorted((f["rule"], f["severity"]) for f in found) == [
        ("ANK101", "warning"),
        ("ANK102", "warning"),
        ("ANK301", naming),
        ("ANK302", annotations),
        ("ANK305", naming),
    ]


def test_nothing_is_checked_at_intensity_none(repo: GitRepo, check: Checker) -> None:
    _python_repo(repo)
    repo.write(".ananke.toml", SMALL + '\n[intensity]\n"pkg/new.py" = "none"\n')
    repo.commit("pin")
    assert check.staged({"pkg/new.py": "def getValue(x):\n    return eval(x)  # TODO\n"}) == []


def test_typescript_type_only_import_is_no_layering_edge(repo: GitRepo, check: Checker) -> None:
    repo.write(".ananke.toml", SMALL)
    repo.write("src/errors/base.ts", "export class BaseError extends Error {}\n")
    for i in range(3):
        repo.write(
            f"src/core/k{i}.ts",
            "import {BaseError} from '../errors/base.js';\n"
            f"export const make{i} = (): Error => new BaseError();\n",
        )
    repo.commit("init")
    assert "layering/src/errors -> src/core" in check.compile()
    value = check.staged(
        {
            "src/errors/base.ts": "import {make0} from '../core/k0.js';\n"
            "export class BaseError extends Error {}\n"
        }
    )
    assert rules_of(value) == ["ANK303"]
    typed = check.staged(
        {
            "src/errors/base.ts": "import type {make0} from '../core/k0.js';\n"
            "export class BaseError extends Error {}\n"
        }
    )
    assert typed == []


def test_naming_picks_the_specific_style_and_mixed_case_only_when_none_holds() -> None:
    from ananke_ci.analysis.constraints.naming import _convention

    classes = [f"Widget{i}Box" for i in range(40)] + ["newcls"]
    c = _convention("python", "class", classes, 0.95, 20)
    assert c is not None and c.value == "PascalCase" and c.items == ("newcls",)
    go = [f"handle{i}Req" for i in range(20)] + [f"Serve{i}HTTP" for i in range(20)]
    c = _convention("go", "function", go, 0.95, 20)
    assert c is not None and c.value == "mixedCase"
    assert _convention("go", "function", [*go, *(f"do_{i}_x" for i in range(10))], 0.95, 20) is None
    one_word = [f"run{chr(97 + i % 26)}" for i in range(30)]  # no snake/camel evidence
    assert _convention("python", "function", one_word, 0.95, 20) is None
