"""Salience mining against PyDriller and bare `git log`, on a real repository.

    .venv/bin/python benchmarks/bench_salience.py /path/to/clone [--skip-pydriller] [--runs 3]

The repository is cloned into a temp dir first (a new commit is made there for the
incremental run; the original is never touched). Each measured stage runs in a fresh
process so peak memory and import costs are its own. Targets (issue 3): mining >= 15x faster
than PyDriller, within 1.2x of bare `git log -M --numstat`, graph stage < half the mining
time, incremental update after 1 commit < 0.5 s, peak memory < 200 MiB. Mining runs
concurrent git logs on a long history ("mine_s"; "mine_serial_s" is the same with one);
"tree_peak" is the peak of the process and its git children together, sampled (RSS counts
the pack both gits map twice, PSS shares it out). The incremental
run finds the facts of the other files in the facts cache the full run filled; its
"seconds" include the imports, "wall_process" the interpreter's start too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOG_FORMAT = "--format=%x1e%H%x1f%P%x1f%at%x1f%aE%x1f%aN"
ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import json, resource, sys, time, tracemalloc
from pathlib import Path
mode, repo, jobs = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]) or None
t0 = time.perf_counter()
if mode == "pydriller":
    from pydriller import Repository
    n = files = churn = 0
    for c in Repository(str(repo)).traverse_commits():
        n += 1
        for m in c.modified_files:
            files += 1
            churn += m.added_lines + m.deleted_lines
    out = {"commits": n, "files": files, "churn": churn}
elif mode in ("mine", "mine-mem"):
    from ananke_ci.adapters.history import head_commit, mine
    from ananke_ci.analysis.salience.aggregate import HistoryState
    if mode == "mine-mem":  # tracemalloc slows allocation: never on a timed run
        tracemalloc.start()
    state = HistoryState()
    for c in mine(repo, head_commit(repo), jobs=jobs):
        state.add(c)
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if tracemalloc.is_tracing() else None
    out = {"commits": state.commits, "tracemalloc_peak_mib": peak}
else:
    from ananke_ci.app.salience import Timings, compute_salience
    timings = Timings()
    r = compute_salience(repo, use_cache=(mode == "incremental"), timings=timings)
    out = {"commits": r.commits, "files": len(r.files), "graph": r.graph,
           "edges_graph": r.graph, "stages": dict(timings)}
out["seconds"] = time.perf_counter() - t0
out["rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def child(mode: str, repo: Path, *, jobs: int = 0, sample: bool = False) -> dict[str, object]:
    """One stage in a fresh process (jobs=0: mine's default); `sample` polls the memory of
    it and its children every 50 ms (not on timed runs)."""
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, mode, str(repo), str(jobs)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = {"rss_mib": 0.0, "pss_mib": 0.0}
    while sample and proc.poll() is None:
        for key, value in tree_memory(proc.pid).items():
            peak[key] = max(peak[key], value)
        time.sleep(0.05)
    stdout, stderr = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"{mode} failed:\n{stderr}")
    result: dict[str, object] = json.loads(stdout.strip().splitlines()[-1])
    result["wall_process"] = time.perf_counter() - t0  # including interpreter start, imports
    if sample:
        result["tree_peak"] = peak
    # children's peak covers git subprocesses too (when larger than earlier children)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["children_rss_mib"] = max(before, after) / 1024
    return result


def tree_memory(pid: int) -> dict[str, float]:
    """RSS and PSS (MiB) of `pid` and its descendants now, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:  # "pid (comm) state ppid ...": comm may hold spaces, so split after ")"
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, IndexError, ValueError):  # exited meanwhile
                continue
    tree, grew = {pid}, True
    while grew:
        more = {p for p, pp in parents.items() if pp in tree} - tree
        tree |= more
        grew = bool(more)
    total = {"rss_mib": 0.0, "pss_mib": 0.0}
    for p in tree:
        try:
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            key, _, value = line.partition(":")
            if key in ("Rss", "Pss"):
                total[f"{key.lower()}_mib"] += int(value.split()[0]) / 1024
    return total


def bare_git_log(repo: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        ["git", "log", "-M", "--numstat", "-z", LOG_FORMAT, "HEAD", "--"],
        cwd=repo,
        check=True,
        stdout=subprocess.PIPE,
    )
    return time.perf_counter() - t0


def git_rss(repo: Path) -> float:
    out = subprocess.run(
        [
            "/usr/bin/time",
            "-f",
            "%M",
            "git",
            "log",
            "-M",
            "--numstat",
            "-z",
            LOG_FORMAT,
            "HEAD",
            "--",
        ],
        cwd=repo,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return int(out.stderr.strip().splitlines()[-1]) / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("repo", type=Path)
    ap.add_argument("--skip-pydriller", action="store_true")
    ap.add_argument("--runs", type=int, default=3, help="best of N for git log and mining")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-salience-") as tmp:
        repo = Path(tmp) / "repo"
        subprocess.run(["git", "clone", "-q", str(args.repo.resolve()), str(repo)], check=True)
        commits = int(
            subprocess.run(
                ["git", "rev-list", "--count", "HEAD"],
                cwd=repo,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True, text=True
        ).stdout.strip()
        res: dict[str, object] = {
            "repo": str(args.repo),
            "head": head,
            "commits": commits,
            "loadavg_before": os.getloadavg(),
        }
        bare, mine, serial = [], [], []
        for _ in range(args.runs):  # interleaved, best of N: the machine may be shared
            bare.append(bare_git_log(repo))
            m = child("mine", repo)
            mine.append(float(m["seconds"]))  # type: ignore[arg-type]
            serial.append(float(child("mine", repo, jobs=1)["seconds"]))  # type: ignore[arg-type]
        res["bare_git_log_s"] = min(bare)
        res["mine_s"] = min(mine)
        res["mine_serial_s"] = min(serial)
        res["mine_vs_git_log"] = min(mine) / min(bare)
        res["mine_detail"] = m
        res["mine_memory"] = child("mine-mem", repo, sample=True)
        res["git_log_rss_mib_default_config"] = git_rss(repo)
        full = child("full", repo)  # timed: no sampling beside it
        res["full"] = full
        res["full_memory"] = child("full", repo, sample=True)["tree_peak"]
        stages = full["stages"]
        assert isinstance(stages, dict)
        res["graph_vs_mining"] = stages["graph"] / stages["mine"]
        # one new commit editing a source file (its imports are re-extracted)
        sources = subprocess.run(
            ["git", "ls-files", "*.py", "*.ts", "*.go", "*.rs", "*.java"],
            cwd=repo,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        target = repo / (sources.split() or ["README.md"])[0]
        target.write_text(target.read_text() + "\n# benchmark edit\n")
        subprocess.run(
            [
                "git",
                "-c",
                "user.name=b",
                "-c",
                "user.email=b@b",
                "commit",
                "-qam",
                "bench",
                "--allow-empty",
            ],
            cwd=repo,
            check=True,
        )
        res["incremental_1_commit"] = child("incremental", repo)
        if not args.skip_pydriller:
            pyd = child("pydriller", repo)
            res["pydriller"] = pyd
            res["pydriller_vs_mine"] = float(pyd["seconds"]) / min(mine)  # type: ignore[arg-type]
            res["pydriller_vs_git_log"] = float(pyd["seconds"]) / min(bare)  # type: ignore[arg-type]
    res["loadavg_after"] = os.getloadavg()  # a shared machine: compare runs at a low one
    print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
