"""python -m telecomply: the same command line as the telecomply executable."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import EXAMPLES


def run(*args):
    return subprocess.run([sys.executable, "-m", "telecomply", *args], capture_output=True, text=True)


def test_check_examples():
    files = sorted(str(p) for p in EXAMPLES.glob("*.json"))
    r = run("check", *files)
    assert r.returncode == 1, r.stderr  # some examples are ineligible
    assert "applications:" in r.stdout
    r = run("check", "--format", "jsonl", str(EXAMPLES / "batch.jsonl"))
    assert r.returncode == 1
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    ids = [json.loads(x)["id"] for x in (EXAMPLES / "batch.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    assert [v["application"] for v in lines] == ids


def test_bad_usage_and_input(tmp_path):
    assert run("check", "--format", "yaml", "x.json").returncode == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x"', encoding="utf-8")
    r = run("check", str(bad))
    assert r.returncode == 2 and "bad.json:1" in r.stderr
    assert run("--version").returncode == 0


def test_lint_and_graph():
    assert run("lint").returncode == 0
    r = run("graph", "--format", "mermaid", "--region", "CN-BJ")
    assert r.returncode == 0 and "stateDiagram-v2" in r.stdout
