"""The docs against the code they describe.

- every relative link resolves to a file of the repository, and every `#anchor` to a heading of
  its page (GitHub's slugs); external URLs are only checked to be well formed, never fetched;
- every `ananke-ci ...` line of a shell block parses with the real argument parser
  (`ananke_ci.cli.build_parser`), unless its comment says it `needs a server` or `needs
  network`; docs/cli.md lists every option and the usage of every command, as `--help` does;
- docs/configuration.md names every config key and parses as config; docs/rules.md holds the
  rule catalog; benchmarks/README.md has every benchmark;
- every module path (`ananke_ci/x/y.py`, `ananke_ci/x/y.py::Name.attr`) named in the docs
  exists, and the modules the validate walk of docs/architecture.md names are imported by a
  real `ananke-ci validate --staged`.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import re
import shlex
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.gitrepo import GitRepo, probe_run

ROOT = Path(__file__).resolve().parent.parent
DOCS = (ROOT / "docs").resolve()
PAGES = sorted(
    [
        ROOT / "README.md",
        *DOCS.glob("*.md"),
        ROOT / "modal_app" / "README.md",
        ROOT / "benchmarks" / "README.md",
    ]
)
SHELL = {"sh", "bash", "shell", "console"}
NEEDS_SERVER = re.compile(r"#.*\bneeds (a server|network)\b")
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# a path into the repository as the docs write it, optionally `::Name.attr`
_MODULE = re.compile(
    r"(?<![\w./-])((?:ananke_ci|modal_app|tests|benchmarks|hooks)/[\w./-]*"
    r"[\w/])(?:::([A-Za-z_][\w.]*))?"
)


class Block(NamedTuple):
    page: Path
    lang: str
    line: int  # 1-based line of the first line inside the fence
    text: str


class Page(NamedTuple):
    prose: list[tuple[int, str]]  # (line number, text) outside fences
    blocks: list[Block]


@cache
def parse_page(path: Path) -> Page:
    prose: list[tuple[int, str]] = []
    blocks: list[Block] = []
    fence: tuple[str, str, int] | None = None  # (fence chars, language, first line)
    body: list[str] = []
    in_comment = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = _FENCE.match(line)
        if fence is None:
            if m and not in_comment:
                fence = (m.group(2), m.group(3).lower(), number + 1)
                body = []
                continue
            in_comment = _in_html_comment(line, in_comment)
            prose.append((number, line))
        elif (
            m
            and m.group(2)[0] == fence[0][0]
            and len(m.group(2)) >= len(fence[0])
            and not line.strip().strip(fence[0][0])
        ):
            blocks.append(Block(path, fence[1], fence[2], "\n".join(body)))
            fence = None
        else:
            body.append(line)
    assert fence is None, f"{path.name}: a fence opened at line {fence[2] - 1} never closes"
    return Page(prose, blocks)


def _in_html_comment(line: str, inside: bool) -> bool:
    for part in re.findall(r"<!--|-->", line):
        inside = part == "<!--"
    return inside


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: the rendered text, lower case, punctuation dropped,
    spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>", "", text).replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    seen: dict[str, int] = {}
    out = set()
    for _, line in parse_page(path).prose:
        m = _HEADING.match(line)
        if not m:
            continue
        base = slug(m.group(2))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return frozenset(out)


def links(path: Path) -> Iterator[tuple[int, str]]:
    for number, line in parse_page(path).prose:
        for m in _LINK.finditer(_CODE_SPAN.sub("", line)):
            yield number, m.group(2)


def section(path: Path, title: str) -> str:
    """The text under `## title` (or `### title`) up to the next heading of that level or
    above, fences included."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        m = _HEADING.match(line)
        if m and m.group(2) == title:
            level = len(m.group(1))
            out = []
            fenced = False
            for rest in lines[i + 1 :]:
                if _FENCE.match(rest):
                    fenced = not fenced
                h = _HEADING.match(rest)
                if h and not fenced and len(h.group(1)) <= level:
                    break
                out.append(rest)
            return "\n".join(out)
    raise AssertionError(f"{path.relative_to(ROOT)} has no section {title!r}")


def test_the_pages_exist_and_the_readme_reaches_them() -> None:
    names = {p.name for p in DOCS.glob("*.md")}
    assert {
        "cli.md",
        "rules.md",
        "configuration.md",
        "constraints.md",
        "salience.md",
        "fix.md",
        "bot.md",
        "grammars.md",
        "protocol.md",
        "architecture.md",
    } <= names
    linked = {target.split("#")[0] for _, target in links(ROOT / "README.md")}
    for page in PAGES:
        if page.name != "README.md" or page.parent != ROOT:
            assert str(page.relative_to(ROOT)) in linked, f"README.md does not link {page}"


def test_links_resolve() -> None:
    problems = []
    count = 0
    for page in PAGES:
        for number, target in links(page):
            count += 1
            where = f"{page.relative_to(ROOT)}:{number}: {target}"
            if _SCHEME.match(target):
                if not re.match(r"^(https?://[\w.-]+\.[a-z]{2,}(/\S*)?|mailto:\S+@\S+)$", target):
                    problems.append(f"{where}: not a well-formed URL")
                continue  # never fetched: the tests run offline
            rel, _, anchor = target.partition("#")
            dest = (page.parent / rel).resolve() if rel else page
            if ROOT not in (dest, *dest.parents):
                problems.append(f"{where}: leads out of the repository")
            elif not dest.exists():
                problems.append(f"{where}: no such file")
            elif anchor:
                if dest.suffix != ".md":
                    problems.append(f"{where}: an anchor into a file that is not a page")
                elif anchor not in anchors(dest):
                    problems.append(
                        f"{where}: no heading with anchor #{anchor} in "
                        f"{dest.relative_to(ROOT)} (has: "
                        f"{', '.join(sorted(anchors(dest)))})"
                    )
    assert count > 50  # the pages do link to each other
    assert not problems, "\n".join(problems)


def test_slugs_are_githubs() -> None:
    assert slug("One `ananke-ci fix`") == "one-ananke-ci-fix"
    assert slug("What runs where, and forks") == "what-runs-where-and-forks"
    assert slug("constraint.NAME") == "constraintname"
    assert slug("banned-calls and banned-imports") == "banned-calls-and-banned-imports"


# --- commands ---------------------------------------------------------------------------


class Command(NamedTuple):
    where: str
    argv: list[str]


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    held, start = "", 0
    for offset, line in enumerate(text.splitlines()):
        if not held:
            start = offset
        if line.rstrip().endswith("\\") and not line.lstrip().startswith("#"):
            held += line.rstrip()[:-1] + " "
            continue
        yield start, held + line
        held = ""
    if held:
        yield start, held


def _segments(line: str) -> Iterator[list[str]]:
    """The simple commands of a shell line: split at `&&`, `||`, `|`, `;`, `&`, parentheses;
    comments, redirections and leading `VAR=value` words dropped."""
    lex = shlex.shlex(line.removeprefix("$ "), posix=True, punctuation_chars="();|&")
    lex.whitespace_split = True
    words: list[str] = []
    for token in lex:
        if token and set(token) <= set("();|&"):
            yield words
            words = []
        else:
            words.append(token)
    yield words


def _invocation(words: list[str]) -> list[str] | None:
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        words = words[1:]
    if not words:
        return None
    if Path(words[0]).name == "ananke-ci":
        rest = words[1:]
    elif Path(words[0]).name.startswith("python") and words[1:3] == ["-m", "ananke_ci"]:
        rest = words[3:]
    else:
        return None
    cut = next((i for i, w in enumerate(rest) if re.match(r"^(\d*|&)>|^<", w)), len(rest))
    return rest[:cut]


def doc_commands() -> list[Command]:
    out = []
    for page in PAGES:
        for block in parse_page(page).blocks:
            if block.lang not in SHELL:
                continue
            for offset, line in _logical_lines(block.text):
                if NEEDS_SERVER.search(line):
                    continue
                for words in _segments(line):
                    argv = _invocation(words)
                    if argv is not None:
                        where = f"{page.relative_to(ROOT)}:{block.line + offset}"
                        out.append(Command(where, argv))
    return out


def parse_error(argv: list[str]) -> str | None:
    """argparse's complaint about `ananke-ci ARGV`, or None when it parses."""
    from ananke_ci.cli import build_parser

    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return err.getvalue().strip().splitlines()[-1] if exc.code else None
    if not getattr(args, "func", None):
        return "no command"
    return None


def test_the_parser_check_can_fail() -> None:
    assert parse_error(["validate", "--staged"]) is None
    assert "unrecognized arguments: --bogus" in (parse_error(["validate", "--bogus"]) or "")
    assert parse_error(["fix", "--backend", "gpu"]) is not None
    assert parse_error([]) == "no command"


def test_segments_split_shell_lines() -> None:
    assert [
        _invocation(w)
        for w in _segments(
            "A=1 ananke-ci validate --all 2>/dev/null && .venv/bin/ananke-ci holes | head  # x"
        )
    ] == [["validate", "--all"], ["holes"], None]
    assert _invocation(next(_segments("ananke-ci fix --endpoint https://<ws>--x.modal.run"))) == [
        "fix",
        "--endpoint",
        "https://<ws>--x.modal.run",
    ]


def test_every_documented_command_parses() -> None:
    from ananke_ci.cli import COMMANDS

    commands = doc_commands()
    failures = [
        f"{c.where}: ananke-ci {shlex.join(c.argv)}: {error}"
        for c in commands
        if (error := parse_error(c.argv)) is not None
    ]
    assert not failures, "\n".join(failures)
    shown = {c.argv[0] for c in commands if c.argv}
    missing = sorted({*COMMANDS, "version"} - shown)
    assert not missing, f"no shell example runs: {', '.join(missing)}"


def subcommands() -> dict[str, argparse.ArgumentParser]:
    from ananke_ci.cli import build_parser

    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _options(sub: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.Action]]:
    for action in sub._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._HelpAction):
            continue
        for option in action.option_strings:
            yield option, action
        if not action.option_strings:
            yield str(action.metavar or action.dest), action


def test_cli_page_agrees_with_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")  # the width the usage blocks were taken at
    page = DOCS / "cli.md"
    problems = []
    for name, sub in subcommands().items():
        text = section(page, name)
        described = re.sub(r"```\nusage: .*?```", "", text, flags=re.S)  # not the usage
        for option, _ in _options(sub):
            if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", described):
                problems.append(f"{name}: {option} is not on the page")
        table_options = {
            o
            for row in re.findall(r"^\| `([^|]*)` \|", text, re.M)
            for o in re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", row)
        }
        known = {o for o, _ in _options(sub)}
        problems += [
            f"{name}: the page lists {o}, which the parser does not have"
            for o in sorted(table_options - known)
        ]
        usage = re.search(r"```\n(usage: .*?)```", text, re.S)
        if usage is None:
            problems.append(f"{name}: no usage block")
        elif usage.group(1).split() != sub.format_usage().split():
            problems.append(f"{name}: the usage block differs from --help:\n{sub.format_usage()}")
    assert not problems, "\n".join(problems)


# --- configuration, rules, benchmarks ---------------------------------------------------


def test_configuration_page_names_every_key() -> None:
    from ananke_ci.core import config as config_module
    from ananke_ci.core.config import GenerateConfig, VerifyConfig
    from ananke_ci.core.config_constraints import ConstraintSettings
    from ananke_ci.core.declared import FIELDS

    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    keys = {
        "top": sorted(config_module._TOP_KEYS),
        "generate": list(GenerateConfig.__match_args__),
        "verify": list(VerifyConfig.__match_args__),
        "constraints": [k.replace("_", "-") for k in ConstraintSettings.__match_args__],
        "constraint.NAME": list(FIELDS),
    }
    missing = [
        f"{where}: {key}"
        for where, names in keys.items()
        for key in names
        if f"`{key}`" not in text
    ]
    assert not missing, "not on docs/configuration.md: " + ", ".join(missing)


def _default_cells(title: str) -> dict[str, str]:
    text = section(DOCS / "configuration.md", title)
    return {
        key: default
        for key, default in re.findall(r"^\| `([\w-]+)` \| [^|]* \| `([^`|]*)`[^|]* \|", text, re.M)
    }


def _literal(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, tuple):
        return json.dumps(list(value))
    return str(value).lower() if isinstance(value, bool) else str(value)


def test_configuration_defaults_are_the_codes() -> None:
    from ananke_ci.core.config import Config, GenerateConfig, VerifyConfig
    from ananke_ci.core.config_constraints import ConstraintSettings

    for title, record in (
        ("generate", GenerateConfig()),
        ("verify", VerifyConfig()),
        ("constraints", ConstraintSettings()),
    ):
        cells = _default_cells(title)
        assert cells, title
        for key, shown in cells.items():
            assert _literal(getattr(record, key.replace("-", "_"))) == shown, (title, key)
    top = _default_cells("Top-level keys")
    config = Config()
    assert top["fail-level"] == config.fail_level
    assert top["filter"] == config.filter_mode.value
    assert top["max-file-bytes"] == str(config.max_file_bytes)


def test_config_examples_are_valid_config() -> None:
    from ananke_ci.core.config import parse_config

    blocks = [
        b
        for page in (DOCS / "configuration.md", DOCS / "constraints.md")
        for b in parse_page(page).blocks
        if b.lang == "toml"
    ]
    assert len(blocks) >= 2
    for block in blocks:
        parse_config(block.text, f"{block.page.name}:{block.line}")


def test_ariadne_example_parses() -> None:
    from ananke_ci.analysis.constraints.ariadne import parse_ariadne

    block = next(
        b
        for b in parse_page(DOCS / "constraints.md").blocks
        if b.text.lstrip().startswith("// comments")
    )
    names = {d.name for d in parse_ariadne(block.text, "docs/constraints.md")}
    assert names == {"base_security", "secure_api"}


def test_rules_page_holds_the_catalog() -> None:
    from ananke_ci.core.rules_catalog import RULES

    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    rows = {
        m[0]: m[1:]
        for m in re.findall(r"^\| (ANK\d{3}) \| ([\w-]+) \| (\w+)[^|]* \| (\w+) \|", text, re.M)
    }
    assert rows == {r.id: (r.name, r.domain, r.default_severity) for r in RULES}


def test_benchmarks_page_has_every_benchmark() -> None:
    text = (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8")
    commands = "\n".join(b.text for b in parse_page(ROOT / "benchmarks" / "README.md").blocks)
    for script in sorted((ROOT / "benchmarks").glob("*.py")):
        assert f"benchmarks/{script.name}" in commands, script.name
    assert re.search(r"\(20\d\d-\d\d-\d\d", text), "the figures carry their date"


def test_benchmarks_name_no_machine_path() -> None:
    """A repository to measure is the user's argument, never a path of one machine."""
    for script in sorted((ROOT / "benchmarks").glob("*.py")):
        found = re.findall(
            r"""["'\s](/(?:work|home|tmp|Users|root)/[\w.+/-]+)""",
            script.read_text(encoding="utf-8"),
        )
        assert not found, f"{script.name}: {found}"


def test_readme_starts_with_the_install_and_the_test_command() -> None:
    first = parse_page(ROOT / "README.md").blocks[0]
    lines = first.text.splitlines()
    assert first.lang == "sh" and len(lines) == 2
    assert lines[0].startswith("python3 -m venv .venv && ")
    assert lines[1] == ".venv/bin/python -m pytest -q"
    assert lines[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_the_bot_page_shows_the_readmes_workflow() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("<!-- ci-example:start -->", 1)[1].split("<!-- ci-example:end -->")[0]
    flows = [b.text for b in parse_page(DOCS / "bot.md").blocks if b.lang == "yaml"]
    assert example.strip().removeprefix("```yaml").removesuffix("```").strip() == flows[0].strip()


# --- module paths -----------------------------------------------------------------------


def module_refs(text: str) -> Iterator[tuple[int, str, str | None]]:
    """(line, path, name after `::` or None) of every repository path in `text`."""
    for number, line in enumerate(text.splitlines(), 1):
        for m in _MODULE.finditer(line):
            yield number, m.group(1).rstrip("."), m.group(2)


def _names(node: ast.stmt) -> set[str]:
    """The names a module- or class-level statement defines."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    targets = (
        node.targets
        if isinstance(node, ast.Assign)
        else [node.target]
        if isinstance(node, ast.AnnAssign)
        else []
    )
    return {t.id for t in targets if isinstance(t, ast.Name)}


def _defines(file: Path, dotted: str) -> bool:
    """Whether `file` defines `A` or `A.b` at module level (def, class, assignment)."""
    body: list[ast.stmt] = ast.parse(file.read_text(encoding="utf-8")).body
    for part in dotted.split("."):
        found = next((node for node in body if part in _names(node)), None)
        if found is None:
            return False
        body = found.body if isinstance(found, ast.ClassDef) else []
    return True


def test_every_module_path_exists() -> None:
    problems = []
    count = 0
    for page in PAGES:
        for number, rel, name in module_refs(page.read_text(encoding="utf-8")):
            count += 1
            where = f"{page.relative_to(ROOT)}:{number}: {rel}"
            file = ROOT / rel
            if not file.exists():
                problems.append(f"{where}: no such file or directory")
            elif name is not None and not (file.suffix == ".py" and _defines(file, name)):
                problems.append(f"{where}: defines no {name}")
    assert count > 100
    assert not problems, "\n".join(problems)


def _module_name(rel: str) -> str:
    return rel.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


PROBE = """
import os, sys
del os.fork  # adapters/bounded.py then works in this process: the worker's imports count
from ananke_ci.cli import main
status = main(["validate", "--staged"])
print("STATUS", status)
print("MODULES", " ".join(sorted(sys.modules)))
"""


def test_the_validate_walk_names_what_a_run_imports(repo: GitRepo) -> None:
    """Each module the validate walk of docs/architecture.md names is imported by a real
    `validate --staged`: its first run at a commit (mining) or the cached one after."""
    text = section(DOCS / "architecture.md", "One `ananke-ci validate --staged`")
    named = {
        _module_name(rel)
        for _, rel, _ in module_refs(text)
        if rel.startswith("ananke_ci/") and rel.endswith(".py")
    }
    assert len(named) > 40
    repo.write(".ananke.toml", '[constraint.api]\nforbid = ["exec"]\n')
    repo.write("rules.ariadne", 'constraint base { forbid: ["eval"]; }\n')
    repo.write(
        "app/main.py", "from lib.util import helper\n\n\ndef run() -> int:\n    return helper()\n"
    )
    repo.write("lib/util.py", "def helper() -> int:\n    return 1\n")
    repo.write(".ananke-baseline.json", '{"version": 1, "findings": []}\n')
    repo.commit("init")
    repo.write(
        "app/main.py",
        "from lib.util import helper\n\n\ndef run() -> int:\n"
        "    return helper()\n\n\ndef later() -> int:\n    pass\n",
    )
    repo.stage("app/main.py")
    imported: set[str] = set()
    for _ in range(2):  # the first run mines HEAD's constraints, the second reads them
        out, modules = probe_run(repo, PROBE)
        assert "STATUS 0" in out and "ANK102" in out, out  # the hole was found
        imported |= modules
    assert not named - imported, sorted(named - imported)
