"""The project's configuration: parsed and checked from the TOML text (pure; no file access).

Lives in `.ananke.toml` (top level) or `[tool.ananke]` in `pyproject.toml`. Every error names
the file and line so the user can fix it at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast

from ananke_ci.core.config_constraints import (
    ConstraintSettings,
    check_disable,
    parse_constraint_keys,
)
from ananke_ci.core.declared import Declaration
from ananke_ci.core.errors import UserError
from ananke_ci.core.findings import SEVERITY_RANK, FilterMode, Severity
from ananke_ci.core.intensity import Intensity
from ananke_ci.core.nesting import MAX_DEPTH, nested_deeper, too_deep
from ananke_ci.core.records import field, record, record_fields
from ananke_ci.core.rules_catalog import RULES, lookup
from ananke_ci.core.sanitize import check_glob, clean_text, shown

OFF = "off"
DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TIMEOUT = 86_400  # seconds: a longer limit is no limit
BACKENDS = ("local", "openai", "modal", "protocol")  # protocol: an `ananke-ci serve` peer


@record(frozen=True, slots=True)
class Ban:
    name: str  # dotted call or module name, as the user wrote it
    reason: str  # shown in the finding; may be ""


@record(frozen=True, slots=True)
class GenerateConfig:
    """[generate]: how `ananke-ci fix` asks for candidates (flags override it)."""

    backend: str = "local"  # one of BACKENDS
    model: str | None = None  # hub id or local path; None: the backend's default
    endpoint: str | None = None  # URL for the openai and modal backends
    max_tokens: int = 256  # per candidate
    attempts: int = 3  # rounds of refinement per hole
    n: int = 2  # candidates per round
    request_timeout: float = 300.0  # seconds for one request to a remote backend, retries in
    deadline: float = 900.0  # seconds for a whole `fix` run: fits a CI job


@record(frozen=True, slots=True)
class VerifyConfig:
    """[verify]: an optional test command run on each candidate in a temporary worktree."""

    command: str | None = None  # e.g. "pytest -x -q", run by the shell
    timeout: float = 120.0  # seconds


@record(frozen=True, slots=True)
class Config:
    source: str | None = None  # the file it came from, for messages
    fail_level: Severity = "error"
    filter_mode: FilterMode = FilterMode.ADDED
    exclude: tuple[str, ...] = ()
    severities: Mapping[str, str] = field(default_factory=dict)  # rule id -> severity | "off"
    banned_calls: tuple[Ban, ...] = ()
    banned_imports: tuple[Ban, ...] = ()
    intensity_pins: Mapping[str, Intensity] = field(default_factory=dict)  # glob -> intensity
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    show_source: bool = False  # text output quotes each finding's line (ruff's show-source)
    generate: GenerateConfig = field(default_factory=GenerateConfig)
    verify: VerifyConfig = field(default_factory=VerifyConfig)
    constraints: ConstraintSettings = field(default_factory=ConstraintSettings)  # [constraints]
    declared: tuple[Declaration, ...] = ()  # [constraint.NAME] tables
    disable_at: tuple[str, ...] = ()  # "file:line" of each constraints.disable entry

    def severity_for(self, rule_id: str) -> str:
        """The configured severity of a rule, "off", or its default."""
        info = lookup(rule_id)
        default = info.default_severity if info else "warning"
        return self.severities.get(rule_id, default)


_TOP_KEYS = {
    "fail-level",
    "filter",
    "exclude",
    "rules",
    "banned-calls",
    "banned-imports",
    "intensity",
    "max-file-bytes",
    "generate",
    "verify",
    "constraints",
    "constraint",
    "show-source",
}


def parse_config(text: str, source: str, *, table: tuple[str, ...] = ()) -> Config:
    """Parse config TOML; `table` selects a sub-table (("tool", "ananke") for pyproject.toml)."""
    import tomllib  # only when a config file exists

    deep = too_deep(text)
    if deep:  # before tomllib, which recurses once per bracket
        raise UserError(
            f"values nested more than {MAX_DEPTH} deep (column {deep[1]})",
            path=source,
            line=deep[0],
        )
    try:
        doc: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = int(m.group(1)) if m else text.count("\n") + 1  # "at end of document"
        raise UserError(f"invalid TOML: {exc}", path=source, line=line) from None
    except RecursionError:  # pragma: no cover - too_deep is stricter than tomllib
        raise UserError("values nested too deeply", path=source) from None
    for key in table:
        doc = doc.get(key, {})
        if not isinstance(doc, dict):
            raise UserError(
                f"[{'.'.join(table)}] must be a table", path=source, line=_line_of(text, key)
            )
    if nested_deeper(doc):
        raise UserError(
            f"keys nested more than {MAX_DEPTH} deep", path=source, line=_deepest_key_line(text)
        )
    return _build(doc, _only_table(text, table), source)


def _did_you_mean(key: str) -> str:
    import difflib

    names = [r.id for r in RULES] + [r.name for r in RULES]
    close = difflib.get_close_matches(
        key.upper() if key[:3].lower() == "ank" else key.lower(), names, n=1, cutoff=0.8
    )
    return f" (did you mean {close[0]}?)" if close else ""


def _deepest_key_line(text: str) -> int | None:
    """The line whose dotted key has the most parts (what made tables nest deeply)."""
    dots = [line.partition("=")[0].count(".") for line in text.splitlines()]
    return dots.index(max(dots)) + 1 if dots else None


def _only_table(text: str, table: tuple[str, ...]) -> str:
    """The text with everything before the table's first header blanked, lines kept, so
    error lines point into [tool.ananke], not at a same-named key of [tool.ruff]."""
    if not table:
        return text
    m = re.search(r"^\s*\[+\s*" + r"\s*\.\s*".join(map(re.escape, table)), text, re.M)
    if not m:
        return text
    return re.sub(r"[^\n]", " ", text[: m.start()]) + text[m.start() :]


def _build(doc: Mapping[str, Any], text: str, source: str) -> Config:
    def fail(key: str, message: str) -> UserError:
        return UserError(message, path=source, line=_line_of(text, key))

    unknown = sorted(set(doc) - _TOP_KEYS)
    if unknown:
        raise fail(
            unknown[0],
            f"unknown key {shown(unknown[0])} (valid keys: " + ", ".join(sorted(_TOP_KEYS)) + ")",
        )
    fail_level = doc.get("fail-level", "error")
    if not isinstance(fail_level, str) or fail_level not in SEVERITY_RANK:
        raise fail(
            "fail-level", f"fail-level must be one of error, warning, note, not {shown(fail_level)}"
        )
    filter_value = doc.get("filter", "added")
    if not isinstance(filter_value, str) or filter_value not in {m.value for m in FilterMode}:
        raise fail(
            "filter",
            "filter must be one of "
            + ", ".join(m.value for m in FilterMode)
            + f", not {shown(filter_value)}",
        )
    filter_mode = FilterMode(filter_value)
    severities: dict[str, str] = {}
    for key, value in _table(doc, "rules", fail).items():
        info = lookup(key)
        if info is None:
            raise fail(
                key,
                f"unknown rule {shown(key)} in [rules]{_did_you_mean(key)} (known: "
                + ", ".join(f"{r.id}/{r.name}" for r in RULES)
                + ")",
            )
        if not isinstance(value, str) or value not in (*SEVERITY_RANK, OFF):
            raise fail(
                key, f"rule {key}: severity must be error, warning, note or off, not {shown(value)}"
            )
        severities[info.id] = value
    pins: dict[str, Intensity] = {}
    for glob, value in _table(doc, "intensity", fail).items():
        try:
            if not isinstance(value, str):
                raise ValueError(f"intensity of {shown(glob)} must be a string, not {shown(value)}")
            pins[check_glob(glob)] = Intensity.parse(value)
        except ValueError as exc:
            raise fail(glob, str(exc)) from None
        except UserError as exc:
            raise fail(glob, exc.message) from None
    max_bytes = doc.get("max-file-bytes", DEFAULT_MAX_FILE_BYTES)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise fail("max-file-bytes", "max-file-bytes must be a positive integer")
    show_source = doc.get("show-source", False)
    if not isinstance(show_source, bool):
        raise fail("show-source", f"show-source must be true or false, not {shown(show_source)}")
    settings, declared = parse_constraint_keys(doc, fail, lambda k: _line_of(text, k), source)
    disable_at = check_disable(
        settings.disable, source, lambda v: _line_of_string(text, v), lambda k: _line_of(text, k)
    )
    return Config(
        source=source,
        fail_level=cast(Severity, fail_level),
        filter_mode=filter_mode,
        exclude=_strings(doc, "exclude", fail),
        severities=severities,
        banned_calls=_bans(doc, "banned-calls", fail),
        banned_imports=_bans(doc, "banned-imports", fail),
        intensity_pins=pins,
        max_file_bytes=max_bytes,
        show_source=show_source,
        generate=_generate(_section(doc, "generate", record_fields(GenerateConfig), fail), fail),
        verify=_verify(_section(doc, "verify", record_fields(VerifyConfig), fail), fail),
        constraints=settings,
        declared=declared,
        disable_at=disable_at,
    )


def _section(
    doc: Mapping[str, Any],
    key: str,
    fields: tuple[str, ...],
    fail: Any,
) -> dict[str, Any]:
    """A sub-table whose keys (with "-" or "_") are `fields` (`record_fields` of a record)."""
    table = _table(doc, key, fail)
    out: dict[str, Any] = {}
    for name, value in table.items():
        field_name = name.replace("-", "_")
        if field_name not in fields:
            raise fail(
                name,
                f"unknown key {shown(name)} in [{key}] (valid keys: "
                + ", ".join(f.replace("_", "-") for f in fields)
                + ")",
            )
        out[field_name] = value
    return out


def _positive_int(values: dict[str, Any], key: str, section: str, fail: Any) -> None:
    value = values.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
        name = key.replace("_", "-")
        raise fail(name, f"{section}.{name} must be a positive integer")


def _optional_string(values: dict[str, Any], key: str, section: str, fail: Any) -> None:
    value = values.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise fail(key, f"{section}.{key} must be a non-empty string")


def _generate(values: dict[str, Any], fail: Any) -> GenerateConfig:
    backend = values.get("backend", "local")
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise fail(
            "backend",
            f"generate.backend must be one of {', '.join(BACKENDS)}, not {shown(backend)}",
        )
    for key in ("model", "endpoint"):
        _optional_string(values, key, "generate", fail)
    for key in ("max_tokens", "attempts", "n"):
        _positive_int(values, key, "generate", fail)
    for key in ("request_timeout", "deadline"):
        if key in values:
            values[key] = _seconds(
                values[key], f"generate.{key.replace('_', '-')}", key.replace("_", "-"), fail
            )
    return GenerateConfig(**values)


def _seconds(value: Any, what: str, key: str, fail: Any) -> float:
    """A positive, finite number of seconds, at most a day."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value <= MAX_TIMEOUT
    ):  # also refuses nan and inf
        raise fail(
            key,
            f"{what} must be a positive number of seconds, at most "
            f"{MAX_TIMEOUT} (a day), not {shown(value)}",
        )
    return float(value)


def _verify(values: dict[str, Any], fail: Any) -> VerifyConfig:
    _optional_string(values, "command", "verify", fail)
    timeout = _seconds(values.get("timeout", 120.0), "verify.timeout", "timeout", fail)
    return VerifyConfig(command=values.get("command"), timeout=timeout)


def _table(doc: Mapping[str, Any], key: str, fail: Any) -> dict[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise fail(key, f"{key} must be a table, e.g. [{key}]")
    return value


def _strings(doc: Mapping[str, Any], key: str, fail: Any) -> tuple[str, ...]:
    value = doc.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(key, f"{key} must be a list of strings")
    return tuple(value)


_NAME = r"^[A-Za-z_$@\\][\w$@\\-]*((\.|::|/|->)[\w$@\\-]+)*$"  # compiled on use: see sanitize


def _bans(doc: Mapping[str, Any], key: str, fail: Any) -> tuple[Ban, ...]:
    """A ban table maps a name to the reason, or a list of names with no reason."""
    value = doc.get(key, {})
    items: list[tuple[str, Any]]
    if isinstance(value, list):
        items = [(v, "") for v in value]
    elif isinstance(value, dict):
        items = list(value.items())
    else:
        raise fail(key, f'{key} must be a table of name = "reason" or a list of names')
    bans = []
    for name, reason in items:
        if not isinstance(name, str) or not re.match(_NAME, name) or len(name) > 200:
            raise fail(
                str(name) if isinstance(value, dict) else key,
                f'{key}: {shown(name)} is not a dotted identifier (e.g. "os.system")',
            )
        if not isinstance(reason, str):
            raise fail(name, f"{key}.{name}: the reason must be a string")
        bans.append(Ban(name, clean_text(reason)))  # it is printed: no control characters
    return tuple(bans)


def _line_of_string(text: str, value: str) -> int | None:
    """The 1-based line where a string value first appears quoted (a list entry)."""
    m = re.search("[\"']" + re.escape(value) + "[\"']", text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _line_of(text: str, key: str) -> int | None:
    """The 1-based line where a key (bare, quoted, or as a table header) first appears."""
    pattern = re.compile(
        r"^[ \t]*(\[+[ \t]*)?(?:[\w.-]*\.)?[\"']?" + re.escape(key) + r"[\"']?\s*(=|\]|\.)", re.M
    )
    m = pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None
