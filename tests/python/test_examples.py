"""The Python examples run, and say what they should."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

EXAMPLES = ROOT / "examples" / "python"


def run(script, *args, cwd):
    # the scripts run elsewhere: hand them this interpreter's import path, made absolute
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(os.path.abspath(p) for p in sys.path if p))
    return subprocess.run([sys.executable, str(EXAMPLES / script), *args], capture_output=True, text=True,
                          cwd=cwd, env=env)


def test_analyst_writes_a_chart(tmp_path):
    out = tmp_path / "rejections.png"
    r = run("analyst.py", "--out", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Decisions by region:" in r.stdout
    assert "Blocking findings by code and region:" in r.stdout
    assert "COMPANY_TOO_NEW" in r.stdout  # the Guangdong example that is too new
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 10_000


def test_analyst_reads_json_lines(tmp_path):
    r = run("analyst.py", str(ROOT / "examples" / "applications" / "batch.jsonl"), "--out", str(tmp_path / "x.png"),
            cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("8 applications")


def test_what_if_covers_every_region(tmp_path):
    r = run("whatif.py", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rows = [line for line in r.stdout.splitlines() if line.strip().startswith("CN-")]
    assert len(rows) == 31
    bj = next(line for line in rows if line.strip().startswith("CN-BJ"))
    assert "CHANNEL_NOT_ACCEPTED" in bj or "SITE_INSPECTION_REQUIRED" in bj


def test_screen_calls_screens_a_generated_week_and_charts_it(tmp_path):
    out = tmp_path / "findings.png"
    r = run("screen_calls.py", "--calls", "6000", "--out", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("6000 calls, ")
    for code in ("CALLEE_REFUSED", "CALLER_NOT_WHITELISTED", "DAILY_CALL_CAP_EXCEEDED", "OUTSIDE_CALLING_WINDOW"):
        assert f"  {code}" in r.stdout
    assert "Number-days over their cap: " in r.stdout and "cap 150" in r.stdout  # Guangdong's
    assert "Every row as the generator planted it: yes" in r.stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 10_000


def test_screen_calls_screens_a_given_file(tmp_path):
    calls = ROOT / "examples" / "calls"
    r = run("screen_calls.py", str(calls / "calls.csv"), "--registry", str(calls / "registry.jsonl"),
            "--refusals", str(calls / "refusals.csv"), "--out", str(tmp_path / "x.png"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("4 calls, 3 with findings, 0 bad rows")
    assert "generator" not in r.stdout


def test_time_in_state_builds_a_store_forecasts_and_charts_it(tmp_path):
    out = tmp_path / "time_in_state.png"
    r = run("time_in_state.py", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Time in state (working days; median and p90 of closed visits):")
    # Guangdong's six reviews took 2, 3, 5, 8, 12 and 15 working days
    assert any(line.split()[:5] == ["CN-GD", "under_review", "7", "1", "6"] and line.split()[5:7] == ["6.5", "13.5"]
               for line in r.stdout.splitlines()), r.stdout
    assert "  GD-open (CN-GD, under_review): likely " in r.stdout
    assert "  SD-open (CN-SD, under_review): likely " in r.stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 10_000
