"""Dangerous constructs per language: the data the dangerous-call constraint mines and checks.

A construct is a call (by normalised callee name, or a prefix of it), optionally only when
the call's text matches `args` and not `unless` (`subprocess.run(..., shell=True)`,
`yaml.load` without a safe loader), or a textual construct that is not a call (`innerHTML =`,
Rust `unsafe { }`), matched on code with comments blanked out. Which of them apply to a
language is its row's `dangers` (languages.py).
"""

from __future__ import annotations

from ananke_ci.analysis.languages import LANGUAGES
from ananke_ci.core.records import record


@record(frozen=True, slots=True)
class DangerSpec:
    key: str  # stable id part and the name shown: "eval", "subprocess-shell"
    alternative: str  # what to do instead: an imperative sentence, no full stop
    calls: tuple[str, ...] = ()  # exact normalised callee names
    prefixes: tuple[str, ...] = ()  # callee name prefixes ("subprocess.")
    args: str | None = None  # regex the call's text must match
    unless: str | None = None  # regex that makes the call safe
    text: str | None = None  # regex for a construct that is not a call


DANGERS: tuple[DangerSpec, ...] = (
    DangerSpec("eval", "Parse the data instead (json, ast.literal_eval)", calls=("eval",)),
    DangerSpec("exec", "Call the code directly instead", calls=("exec",)),
    DangerSpec(
        "os.system", "Use subprocess.run([...]) without a shell", calls=("os.system", "os.popen")
    ),
    DangerSpec(
        "subprocess-shell",
        "Pass an argument list and shell=False instead",
        prefixes=("subprocess.",),
        args=r"\bshell\s*=\s*True\b",
    ),
    DangerSpec(
        "pickle.loads",
        "Use a data format (json) for untrusted input",
        calls=(
            "pickle.loads",
            "pickle.load",
            "marshal.loads",
            "marshal.load",
            "cPickle.loads",
            "dill.loads",
        ),
    ),
    DangerSpec(
        "yaml.load",
        "Use yaml.safe_load",
        calls=("yaml.load", "yaml.unsafe_load"),
        unless=r"Loader\s*=\s*(yaml\.)?C?(Safe|Base)Loader",
    ),
    DangerSpec("new-Function", "Use a plain function", calls=("Function",)),
    DangerSpec(
        "innerHTML",
        "Use textContent, or a sanitiser",
        text=r"\.(inner|outer)HTML\s*(\+?=)(?!=)|dangerouslySetInnerHTML",
    ),
    DangerSpec("document.write", "Use DOM methods", calls=("document.write",)),
    DangerSpec(
        "child_process.exec",
        "Use execFile / spawn with an argument list",
        calls=("child_process.exec", "child_process.execSync"),
    ),
    DangerSpec("unsafe", "Use a safe abstraction", text=r"\bunsafe\s*\{"),
    DangerSpec("unsafe.Pointer", "Use typed code", calls=("unsafe.Pointer",)),
    DangerSpec(
        "shell-exec",
        "Use exec.Command with separate arguments",
        calls=("exec.Command", "exec.CommandContext"),
        args=r"\"(ba|z)?sh\"\s*,\s*\"-c\"",
    ),
    DangerSpec(
        "system",
        "Use exec*/posix_spawn with an argument vector",
        calls=("system", "popen", "shell_exec", "passthru"),
    ),
    DangerSpec("gets", "Use fgets", calls=("gets",)),
    DangerSpec("unserialize", "Use json_decode", calls=("unserialize",)),
    DangerSpec("Marshal.load", "Use JSON.parse", calls=("Marshal.load", "YAML.load")),
    DangerSpec(
        "Runtime.exec",
        "Use ProcessBuilder with arguments",
        calls=("Runtime.getRuntime().exec", "Runtime.getRuntime.exec"),
    ),
    DangerSpec("BinaryFormatter", "Use System.Text.Json", calls=("BinaryFormatter",)),
)

BY_KEY: dict[str, DangerSpec] = {d.key: d for d in DANGERS}


def for_language(language: str) -> list[DangerSpec]:
    """The constructs `language`'s row names (languages.py), in the order of DANGERS."""
    spec = LANGUAGES.get(language)
    keys = frozenset(spec.dangers if spec is not None else ())
    return [d for d in DANGERS if d.key in keys]
