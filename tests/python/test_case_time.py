"""CaseStore.time_in_state(), durations(), sla_breaches(), durations_report() and forecast():
time to a decision from Python (docs/workflow.md, "Time to a decision: durations and
forecasts"). Figures counted by hand on the CN calendar (Qingming 2026-04-04..06 off)."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import telecomply
from conftest import ROOT, load

pd = pytest.importorskip("pandas")

APPROVED = {"H1": "2026-04-03", "H2": "2026-04-07", "H3": "2026-04-09", "H4": "2026-04-14",
            "H5": "2026-04-20"}


@pytest.fixture()
def store(tmp_path: Path) -> telecomply.CaseStore:
    """Five Guangdong cases accepted on 2026-04-01, approved 2, 3, 5, 8 and 12 working days
    later; T accepted on 04-21 and under review."""
    s = telecomply.CaseStore(tmp_path / "cases.db")
    app = load("gd-retail-eligible.json")
    for case_id in [*APPROVED, "T"]:
        s.new(app, at="2026-03-16", id=case_id)
        s.event(case_id, "submit", at="2026-03-16")
        s.event(case_id, "accept", at="2026-04-21" if case_id == "T" else "2026-04-01")
        if case_id in APPROVED:
            s.event(case_id, "approve", at=APPROVED[case_id])
    return s


def test_time_in_state_frame(store):
    visits = store.time_in_state(as_of=dt.date(2026, 4, 27))
    assert list(visits.columns) == ["case_id", "region", "state", "entered_on", "left_on",
                                    "working_days", "open", "entered_by", "left_by", "provisional"]
    assert len(visits) == 23  # 6 x (draft, submitted, under_review) + 5 whitelisted
    review = visits[visits.state == "under_review"].set_index("case_id")
    assert review.loc[["H1", "H2", "H3", "H4", "H5", "T"], "working_days"].tolist() == [2, 3, 5, 8, 12, 4]
    assert review.loc["H2", "entered_on"] == pd.Timestamp("2026-04-01")
    assert review.loc["H2", "left_on"] == pd.Timestamp("2026-04-07")
    assert review.loc["H2", "left_by"] == "approve"
    assert bool(review.loc["T", "open"]) and pd.isna(review.loc["T", "left_on"])
    assert str(visits["working_days"].dtype) == "Int64"
    assert not visits["provisional"].any()


def test_durations_frame(store):
    frame = store.durations(as_of="2026-04-27")
    assert list(frame.columns) == ["region", "state", "visits", "open", "counted", "median", "p90", "max"]
    row = frame[(frame.region == "CN-GD") & (frame.state == "under_review")].iloc[0]
    assert (row.visits, row.open, row.counted) == (6, 1, 5)
    assert row["median"] == 5.0
    assert row["p90"] == pytest.approx(10.4)  # numpy's default percentile
    numpy = pytest.importorskip("numpy")
    assert row["p90"] == pytest.approx(numpy.percentile([2, 3, 5, 8, 12], 90))
    assert row["max"] == 12
    whitelisted = frame[frame.state == "whitelisted"].iloc[0]
    assert whitelisted.open == 5 and math.isnan(whitelisted["median"])
    # the states in the workflow's order
    assert frame.state.tolist()[:3] == ["draft", "submitted", "under_review"]


def test_sla_breaches_frame_and_report(store):
    frame = store.sla_breaches(as_of="2026-04-27", region="CN-GD")
    assert frame.to_dict("records") == [
        {"region": "CN-GD", "timer": "review_sla", "kind": "sla", "raises": "REVIEW_OVERDUE",
         "breached": 0, "on_time": 5, "running": 1}]
    report = store.durations_report(as_of="2026-04-27")
    assert report["waiting"] == [{"case_id": "T", "region": "CN-GD", "state": "under_review",
                                  "since": "2026-04-21", "working_days": 4}]
    assert telecomply.waiting_to_frame(report["waiting"]).since.tolist() == [pd.Timestamp("2026-04-21")]
    with pytest.raises(telecomply.UsageError, match="unknown region 'CN-XX'"):
        store.durations(region="CN-XX")


def test_forecast_from_history(store):
    f: telecomply.Forecast = store.forecast("T", as_of="2026-04-22")
    assert f["basis"] == "history" and f["scope"] == "region"
    assert f["similar_cases"] == 5
    assert f["remaining_working_days"] == {"p10": pytest.approx(1.4), "median": 4.0,
                                           "p90": pytest.approx(9.4)}
    assert (f["earliest"], f["likely"], f["latest"]) == ("2026-04-23", "2026-04-28", "2026-05-09")
    assert f["bounded_by"] is None
    assert f["deadlines"] == [{"timer": "review_sla", "kind": "sla", "due": "2026-06-18",
                               "provisional": False, "bounds": True}]
    assert f["explanation"].startswith("From 5 similar cases in CN-GD")


def test_forecast_falls_back_to_the_sla(store):
    f = store.forecast("T", as_of=dt.date(2026, 4, 27))
    assert f["basis"] == "sla" and f["similar_cases"] == 3
    assert f["remaining_working_days"] is None
    assert (f["earliest"], f["likely"], f["latest"]) == ("2026-04-27", "2026-06-18", "2026-06-18")
    assert f["explanation"].startswith("Only 3 similar finished cases (3 in CN-GD; 5 needed)")
    assert store.forecast("T", as_of="2026-04-27", min_similar=3)["basis"] == "history"


def test_forecast_errors(store):
    with pytest.raises(telecomply.NotFoundError):
        store.forecast("NOPE", as_of="2026-04-27")
    with pytest.raises(telecomply.UsageError, match="case H1 was decided on 2026-04-03: whitelisted"):
        store.forecast("H1", as_of="2026-04-27")
    with pytest.raises(telecomply.UsageError):
        store.forecast("T", as_of="not a day")


# ---- the worked example of docs/workflow.md, and the excerpt of docs/rulesets.md, run as written

def _run_cli(argv: list[str], cwd: Path) -> "subprocess.CompletedProcess[str]":
    package = str(Path(telecomply.__file__).resolve().parent.parent)
    env = dict(os.environ, TELECOMPLY_NOW="2026-12-31T12:00:00+08:00",
               PYTHONPATH=os.pathsep.join([package, os.environ.get("PYTHONPATH", "")]))
    argv = [a.replace("examples/", str(ROOT / "examples") + "/") for a in argv]
    return subprocess.run([sys.executable, "-m", "telecomply", *argv], capture_output=True, text=True,
                          cwd=cwd, env=env)


def test_the_worked_example_runs_as_written(tmp_path):
    from test_registry import example_section, sessions

    ran = 0
    for command, expected in sessions(example_section("Time to a decision: durations and forecasts")):
        argv = shlex.split(command, comments=True)
        assert argv[0] == "telecomply", command
        run = _run_cli(argv[1:], tmp_path)
        assert run.returncode == 0 and run.stdout, command + "\n" + run.stderr
        if expected is None:
            continue
        ran += 1
        assert [line for line in run.stdout.splitlines() if line] == [line for line in expected if line], \
            command + "\n" + run.stdout
    assert ran == 3

    # docs/rulesets.md's excerpt, on the same store: the lines shown, in order
    text = (ROOT / "docs" / "rulesets.md").read_text(encoding="utf-8")
    section = text[text.index("\n## Time to a decision\n"):]
    block = re.search(r"```console\n(.*?)```", section, re.S).group(1)
    commands: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            commands[-1][1].append(line)
    for command, shown in commands:
        run = _run_cli(shlex.split(command)[1:], tmp_path)
        assert run.returncode == 0, command + "\n" + run.stderr
        it = iter(run.stdout.splitlines())
        assert all(any(line == got for got in it) for line in shown if line.strip() != "..."), command + "\n" + run.stdout
