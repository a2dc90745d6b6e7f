"""Calendar, Workflow and CaseStore from Python."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

import telecomply


def test_calendar_spring_festival_2026():
    cal = telecomply.Calendar("CN")
    assert cal.first_day == dt.date(2024, 1, 1) and cal.last_day == dt.date(2026, 12, 31)
    assert cal.is_working_day("2026-02-14")  # Saturday make-up day
    assert not cal.is_working_day(dt.date(2026, 2, 16))  # Spring Festival
    # Friday 2026-02-13: the next working day is the Saturday make-up day
    assert cal.add_working_days("2026-02-13", 1) == dt.date(2026, 2, 14)
    assert cal.add_working_days("2026-02-13", 2) == dt.date(2026, 2, 24)
    assert cal.working_days_between("2026-02-13", "2026-02-24") == 2
    with pytest.raises(telecomply.CalendarError):
        cal.is_working_day("2027-01-04")


def test_workflow_graph():
    wf = telecomply.Workflow()
    assert wf.initial == "draft"
    assert set(wf.finals) == {"withdrawn", "barred", "revoked", "expired"}
    assert wf.shortest_path("draft", "whitelisted") == ["submit", "accept", "approve"]
    assert telecomply.Workflow("CN-BJ").shortest_path("draft", "whitelisted") == [
        "submit", "accept", "inspection_passed", "approve"]
    a = wf.analyse()
    assert a["unreachable"] == [] and a["cannot_finish"] == [] and a["problems"] == []
    assert wf.to_dot().startswith("digraph")
    assert "stateDiagram-v2" in wf.to_mermaid()
    assert any(t["event"] == "approve" and t["guard"] == "approval" for t in wf.transitions)


def test_case_lifecycle(tmp_path, eligible_app):
    store = telecomply.CaseStore(str(tmp_path / "cases.db"))
    case_id = eligible_app["id"]
    s = store.new(eligible_app, at="2026-03-02")
    assert s["state"] == "draft" and s["ruleset_version"] == "2026.1"
    store.event(case_id, "submit", at="2026-03-02T10:00:00+08:00", actor="申请人")
    s = store.event(case_id, "accept", at=dt.date(2026, 3, 3))
    assert s["state"] == "under_review"
    assert s["deadlines"]["review_sla"] == "2026-04-29"  # 40 working days in CN-GD
    with pytest.raises(telecomply.TransitionRefused) as info:
        store.event(case_id, "resubmit", at="2026-03-04")
    assert "not allowed" in str(info.value)
    assert store.show(case_id)["state"] == "under_review"  # unchanged
    s = store.event(case_id, "approve", at="2026-03-05")
    assert s["state"] == "whitelisted"
    assert s["deadlines"]["validity"] == "2027-03-05"
    hist = store.history(case_id)
    assert [e["type"] for e in hist] == ["create", "submit", "accept", "approve"]
    assert hist[1]["actor"] == "申请人"
    assert hist[1]["verdict"]["decision"] == "eligible"
    assert hist[2]["prev_hash"] == hist[1]["hash"]
    assert store.verify() == {"ok": True, "cases": 1, "events": 4, "problems": []}
    assert store.cases() == [case_id]


def test_supplement_deadline_via_tick(tmp_path, eligible_app):
    store = telecomply.CaseStore(str(tmp_path / "cases.db"))
    case_id = eligible_app["id"]
    store.new(eligible_app, at="2026-03-02")
    store.event(case_id, "submit", at="2026-03-02")
    store.event(case_id, "request_supplement", at="2026-03-04", data={"items": ["industry_license"]})
    assert store.show(case_id)["deadlines"]["supplement_deadline"] == "2026-03-25"
    assert store.tick(now="2026-03-25") == []  # the last day itself: still in time
    done = store.tick(now="2026-03-26")
    assert done == [{"case_id": case_id, "timer": "supplement_deadline", "last_day": "2026-03-25"}]
    assert store.show(case_id)["state"] == "rejected"
    assert store.case(case_id)["rejection_reasons"] == ["SUPPLEMENT_DEADLINE_MISSED"]


def test_tampering_is_detected(tmp_path, eligible_app):
    path = tmp_path / "cases.db"
    store = telecomply.CaseStore(str(path))
    store.new(eligible_app, at="2026-03-02")
    store.event(eligible_app["id"], "submit", at="2026-03-02")
    del store
    db = sqlite3.connect(path)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    db.execute("UPDATE events SET actor = 'mallory' WHERE seq = 2")
    db.commit()
    db.close()
    report = telecomply.CaseStore(str(path)).verify()
    assert not report["ok"]
    assert report["problems"][0]["seq"] == 2


def test_case_errors(tmp_path, eligible_app):
    store = telecomply.CaseStore(str(tmp_path / "cases.db"))
    with pytest.raises(telecomply.NotFoundError):
        store.show("nope")
    store.new(eligible_app, at="2026-03-02")
    with pytest.raises(telecomply.ConflictError):
        store.new(eligible_app, at="2026-03-02")
    with pytest.raises(telecomply.UsageError):
        store.event(eligible_app["id"], "submit", at="not a time")
    bad = dict(eligible_app, id="BAD-1", channel="fax")
    with pytest.raises(telecomply.InputError):
        store.new(bad, at="2026-03-02")
    assert issubclass(telecomply.ConflictError, telecomply.StoreError)
    assert json.loads(json.dumps(store.show(eligible_app["id"])))["state"] == "draft"


def test_odd_event_data_is_refused_cleanly(tmp_path, eligible_app):
    store = telecomply.CaseStore(str(tmp_path / "cases.db"))
    case_id = eligible_app["id"]
    store.new(eligible_app, at="2026-03-02")
    with pytest.raises(telecomply.InputError):
        store.event(case_id, "submit", at="2026-03-02", data={"x": float("inf")})
    with pytest.raises(telecomply.TransitionRefused):
        store.event(case_id, "submit", at="2026-03-02", data=[1, 2])
    for ev in ["submit", "accept", "approve"]:
        store.event(case_id, ev, at="2026-03-05")
    with pytest.raises(telecomply.TransitionRefused) as info:
        store.event(case_id, "complaint", at="2026-03-06", data={"number": {"not": "a string"}})
    assert "data.number" in str(info.value)
    with pytest.raises(telecomply.TransitionRefused):
        store.event(case_id, "timer", at="2026-03-06", data={"timer": ["validity"]})
    assert store.verify()["ok"]
    assert store.show(case_id)["state"] == "whitelisted"
