"""[generate] and [verify]: the keys `ananke-ci fix` reads, with file:line errors."""

from __future__ import annotations

import pytest

from ananke_ci.core.config import GenerateConfig, VerifyConfig, parse_config
from ananke_ci.core.errors import UserError


def test_defaults() -> None:
    config = parse_config("", ".ananke.toml")
    assert config.generate == GenerateConfig()
    assert config.generate.backend == "local" and config.generate.attempts == 3
    assert config.verify == VerifyConfig() and config.verify.command is None


def test_every_key() -> None:
    config = parse_config(
        '[generate]\nbackend = "openai"\nmodel = "Qwen/Qwen2.5-Coder-7B-Instruct"\n'
        'endpoint = "http://127.0.0.1:8000"\nmax-tokens = 64\nattempts = 2\nn = 4\n'
        '[verify]\ncommand = "pytest -x -q"\ntimeout = 30\n',
        ".ananke.toml",
    )
    assert config.generate == GenerateConfig(
        "openai", "Qwen/Qwen2.5-Coder-7B-Instruct", "http://127.0.0.1:8000", 64, 2, 4
    )
    assert config.verify == VerifyConfig("pytest -x -q", 30.0)


def test_in_pyproject() -> None:
    config = parse_config(
        "[tool.ruff]\nn = 1\n[tool.ananke.generate]\nn = 5\n",
        "pyproject.toml",
        table=("tool", "ananke"),
    )
    assert config.generate.n == 5


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            '[generate]\nbackend = "gpu"\n',
            2,
            "generate.backend must be one of local, openai, modal, protocol",
        ),
        ("[generate]\ntemperature = 1\n", 2, "unknown key 'temperature' in [generate]"),
        ("[generate]\nn = 0\n", 2, "generate.n must be a positive integer"),
        ("[generate]\nmax-tokens = true\n", 2, "generate.max-tokens must be a positive integer"),
        ("[generate]\nattempts = 1.5\n", 2, "generate.attempts must be a positive integer"),
        ('[generate]\nmodel = ""\n', 2, "generate.model must be a non-empty string"),
        ("[generate]\nendpoint = 3\n", 2, "generate.endpoint must be a non-empty string"),
        ('[verify]\ncommand = ["pytest"]\n', 2, "verify.command must be a non-empty string"),
        ("[verify]\ntimeout = 0\n", 2, "verify.timeout must be a positive number"),
        ('[verify]\ntimeout = "1m"\n', 2, "verify.timeout must be a positive number"),
        ('generate = "local"\n', 1, "generate must be a table"),
    ],
)
def test_errors_name_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(UserError) as exc:
        parse_config(text, ".ananke.toml")
    assert exc.value.path == ".ananke.toml"
    assert exc.value.line == line
    assert message in str(exc.value)
