"""Calendar, Workflow and CaseStore from Python."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading

import pytest

import telecomply


def test_calendar_spring_festival_2026():
    cal = telecomply.Calendar("CN")
    assert cal.first_day == dt.date(2024, 1, 1) and cal.last_day >= dt.date(2035, 12, 31)
    assert cal.is_working_day("2026-02-14")  # Saturday make-up day
    assert not cal.is_working_day(dt.date(2026, 2, 16))  # Spring Festival
    # Friday 2026-02-13: the next working day is the Saturday make-up day
    assert cal.add_working_days("2026-02-13", 1) == dt.date(2026, 2, 14)
    assert cal.add_working_days("2026-02-13", 2) == dt.date(2026, 2, 24)
    assert cal.working_days_between("2026-02-13", "2026-02-24") == 2
    with pytest.raises(telecomply.CalendarError):
        cal.is_working_day(cal.last_day + dt.timedelta(days=1))  # never a guess


def test_calendar_provisional_years():
    cal = telecomply.Calendar("CN")
    assert cal.status(2026) == "official" and "国务院办公厅" in cal.source(2026)
    assert cal.status(2027) == "provisional"
    assert cal.provisional_years[0] == 2027 and cal.provisional_years[-1] >= 2035
    # 2026-12-28 + 5 working days crosses 元旦 2027, a provisional day off
    r = cal.deadline("2026-12-28", 5)
    assert r.day == dt.date(2027, 1, 5) and r.provisional and r.provisional_years == [2027]
    assert "provisional: 2027" in repr(r)
    assert not cal.deadline("2026-12-01", 5).provisional
    # provisional Spring Festival 2027: Fri 02-05 .. Wed 02-10 off (补假 included)
    assert cal.add_working_days("2027-02-04", 1) == dt.date(2027, 2, 11)
    with pytest.raises(telecomply.CalendarError):
        cal.status(2023)
    assert "provisional from 2027" in repr(cal)


def test_calendar_guangxi_sanyuesan():
    gx = telecomply.Calendar("CN-GX")
    assert gx.name == "CN-GX" and gx.version != telecomply.Calendar("CN").version
    # 2025: 三月三 Mon 03-31 and Tue 04-01 are days off in Guangxi
    assert gx.add_working_days("2025-03-28", 1) == dt.date(2025, 4, 2)
    assert telecomply.Calendar("CN").add_working_days("2025-03-28", 1) == dt.date(2025, 3, 31)
    # 2027 (provisional): Fri 04-09, Sat 04-10 and 补假 Mon 04-12
    r = gx.deadline("2027-04-08", 1)
    assert r.day == dt.date(2027, 4, 13) and r.provisional


def test_cel_working_days_use_the_shipped_calendars():
    from telecomply import cel

    assert cel.evaluate("add_working_days(date('2026-12-28'), 5, 'CN')") == dt.date(2027, 1, 5)
    assert cel.evaluate("is_working_day(date('2025-03-31'), 'CN-GX')") is False
    assert cel.evaluate("working_days_between(date('2027-02-04'), date('2027-02-11'), 'CN')") == 1
    with pytest.raises(telecomply.EvaluationError):
        cel.evaluate("add_working_days(date('2099-01-04'), 1, 'CN')")


def test_accept_today_is_provisional(tmp_path, eligible_app):
    # The reported outage: accept on 2026-11-30 in CN-GD (40 working days) runs into 2027.
    store = telecomply.CaseStore(str(tmp_path / "cases.db"))
    case_id = eligible_app["id"]
    store.new(eligible_app, at="2026-11-30")
    store.event(case_id, "submit", at="2026-11-30")
    s = store.event(case_id, "accept", at="2026-11-30")
    dl = s["deadlines"]["review_sla"]
    assert dl["due"] == "2027-01-26" and dl["provisional"] is True
    assert dl["provisional_years"] == [2027] and dl["working_days"] == 40
    assert dl["calendar"] == "CN@" + telecomply.Calendar("CN-GD").version
    accept = store.history(case_id)[-1]
    assert accept["outcome"]["deadlines"]["review_sla"]["due"] == "2027-01-26"
    assert store.history(case_id)[0]["outcome"] is None


def test_import_official_year_moves_deadlines(tmp_path):
    import shutil

    from conftest import ROOT, load

    rulesets = tmp_path / "rulesets"
    shutil.copytree(ROOT / "rulesets", rulesets)
    fixture = ROOT / "tests" / "data" / "calendars" / "CN-2027-official-fixture.json"
    app = load("sc-finance-site-inspection-eligible.json")
    store = telecomply.CaseStore(str(tmp_path / "cases.db"), rulesets=str(rulesets))
    store.new(app, at="2026-11-30")
    store.event(app["id"], "submit", at="2026-11-30")
    s = store.event(app["id"], "accept", at="2026-11-30")
    assert s["deadlines"]["review_sla"]["due"] == "2027-03-01"  # CN-SC: 60 working days

    dry = telecomply.import_calendar(str(fixture), rulesets=str(rulesets), dry_run=True)
    assert dry["ok"] and dry["written"] is None
    assert dry["changes"][0]["before"] == "provisional" and dry["changes"][0]["after"] == "official"
    assert dry["changes"][0]["now_off"] == [dt.date(2027, 2, 11), dt.date(2027, 2, 12)]
    r = telecomply.import_calendar(str(fixture), rulesets=str(rulesets))
    assert r["ok"] and r["written"].endswith("CN.json")
    assert telecomply.Calendar("CN", rulesets=str(rulesets)).status(2027) == "official"

    store = telecomply.CaseStore(str(tmp_path / "cases.db"), rulesets=str(rulesets))
    dl = store.show(app["id"])["deadlines"]["review_sla"]
    assert dl["due"] == "2027-03-02" and dl["moved_from"] == "2027-03-01"
    assert dl["provisional"] is False
    done = store.recompute(at="2026-12-01")
    assert done[0]["event"] == "recompute_deadlines"
    assert done[0]["deadlines"]["review_sla"]["due"] == "2027-03-02"
    assert store.history(app["id"])[-1]["type"] == "recompute_deadlines"
    assert store.recompute(at="2026-12-01") == []
    assert store.verify()["ok"]

    # other days for the now official 2027 need replace_official
    prov = tmp_path / "prov.json"
    prov.write_text('{"name": "CN", "2027": {"status": "provisional", "source": "statutory", '
                    '"off": ["2027-01-01"]}}', encoding="utf-8")
    r = telecomply.import_calendar(prov, rulesets=rulesets)  # os.PathLike paths too
    assert not r["ok"] and "official already" in r["problems"][0]["message"]
    r = telecomply.import_calendar(prov, rulesets=rulesets, replace_official=True, dry_run=True)
    assert r["ok"] and r["changes"][0]["after"] == "provisional"

    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "CN", "2027": {"off": ["2027-01-01"]}}', encoding="utf-8")
    r = telecomply.import_calendar(str(bad), rulesets=str(rulesets))
    assert not r["ok"] and r["written"] is None
    assert r["problems"][0]["json_path"] == "$.2027" and "source" in r["problems"][0]["message"]


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
    store = telecomply.CaseStore(tmp_path / "cases.db")  # a pathlib.Path, as any path
    case_id = eligible_app["id"]
    s = store.new(eligible_app, at="2026-03-02")
    assert s["state"] == "draft" and s["ruleset_version"] == "2026.1"
    store.event(case_id, "submit", at="2026-03-02T10:00:00+08:00", actor="申请人")
    s = store.event(case_id, "accept", at=dt.date(2026, 3, 3))
    assert s["state"] == "under_review"
    assert s["deadlines"]["review_sla"]["due"] == "2026-04-29"  # 40 working days in CN-GD
    assert s["deadlines"]["review_sla"]["provisional"] is False
    with pytest.raises(telecomply.TransitionRefused) as info:
        store.event(case_id, "resubmit", at="2026-03-04")
    assert "not allowed" in str(info.value)
    # what was refused, as attributes (issue 11)
    refused = info.value
    assert (refused.case_id, refused.state, refused.event) == (case_id, "under_review", "resubmit")
    assert "not allowed" in refused.reason and refused.reason in str(refused)
    assert refused.code == "transition_refused"
    assert store.show(case_id)["state"] == "under_review"  # unchanged
    s = store.event(case_id, "approve", at="2026-03-05")
    assert s["state"] == "whitelisted"
    assert s["deadlines"]["validity"]["due"] == "2027-03-05"
    hist = store.history(case_id)
    assert [e["type"] for e in hist] == ["create", "submit", "accept", "approve"]
    assert [e["state"] for e in hist] == ["draft", "submitted", "under_review", "whitelisted"]
    assert hist[1]["actor"] == "申请人"
    assert hist[1]["verdict"]["decision"] == "eligible"
    assert hist[2]["prev_hash"] == hist[1]["hash"]
    assert store.verify() == {"ok": True, "cases": 1, "events": 4, "problems": [], "drift": []}
    assert store.cases() == [case_id]


def test_supplement_deadline_via_tick(tmp_path, eligible_app):
    store = telecomply.CaseStore(str(tmp_path / "cases.db"))
    case_id = eligible_app["id"]
    store.new(eligible_app, at="2026-03-02")
    store.event(case_id, "submit", at="2026-03-02")
    store.event(case_id, "request_supplement", at="2026-03-04", data={"items": ["industry_license"]})
    assert store.show(case_id)["deadlines"]["supplement_deadline"]["due"] == "2026-03-25"
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


def test_open_store_follows_a_calendar_import(tmp_path):
    # A store kept open (a web handler, a notebook) while an import runs must not count on
    # the days it loaded: it loads the rules again.
    import shutil

    from conftest import ROOT, load

    rulesets = tmp_path / "rulesets"
    shutil.copytree(ROOT / "rulesets", rulesets)
    app = load("sc-finance-site-inspection-eligible.json")
    store = telecomply.CaseStore(str(tmp_path / "cases.db"), rulesets=str(rulesets))
    store.new(app, at="2026-11-30")
    store.event(app["id"], "submit", at="2026-11-30")
    store.event(app["id"], "accept", at="2026-11-30")
    fixture = ROOT / "tests" / "data" / "calendars" / "CN-2027-official-fixture.json"
    assert telecomply.import_calendar(fixture, rulesets=rulesets)["ok"]
    assert store.show(app["id"])["deadlines"]["review_sla"]["due"] == "2027-03-02"
    s = store.event(app["id"], "schedule_inspection", at="2026-12-01")
    assert s["deadlines"]["review_sla"]["due"] == "2027-03-02"
    types = [e["type"] for e in store.history(app["id"])]
    assert types[-2:] == ["recompute_deadlines", "schedule_inspection"]
    assert store.verify()["ok"]


def test_calendar_arguments_are_checked():
    cal = telecomply.Calendar("CN")
    with pytest.raises(telecomply.UsageError, match="not a datetime"):
        cal.deadline(dt.datetime(2026, 12, 28, 9, 0), 5)
    with pytest.raises(telecomply.UsageError, match="must be a path"):
        telecomply.Calendar("CN", rulesets=5)
    with pytest.raises(telecomply.UsageError, match="must be a path"):
        telecomply.import_calendar(None)
    with pytest.raises(telecomply.UsageError, match="NUL"):
        telecomply.import_calendar("a\0b.json")
    assert cal.deadline("2026-12-28", 5) == cal.deadline(dt.date(2026, 12, 28), 5)
    assert len({cal.deadline("2026-12-28", 5), cal.deadline("2026-12-28", 5)}) == 1


def test_case_store_arguments(tmp_path):
    import pathlib

    store = telecomply.CaseStore(pathlib.Path(tmp_path) / "cases.db")  # os.PathLike
    with pytest.raises(TypeError):
        store.verify(123)  # a wrong type is a TypeError, never a crash
    assert store.verify()["ok"]


def _whitelisted_store(path, app):
    store = telecomply.CaseStore(str(path))
    store.new(app, at="2026-03-02")
    for ev, at in [("submit", "2026-03-02"), ("accept", "2026-03-03"), ("approve", "2026-03-05")]:
        store.event(app["id"], ev, at=at)
    return store


def test_one_store_shared_by_threads(tmp_path, eligible_app):
    """Issue 10: 4 threads x 5 complaints on one CaseStore crashed, misused SQLite and lost
    acknowledged events. Now its calls run one at a time: every acknowledged event is in the
    history, refusals are TransitionRefused, and the chains verify. 20 rounds."""
    numbers = [n["number"] for n in eligible_app["numbers"]]
    case_id = eligible_app["id"]
    for round_ in range(20):
        store = _whitelisted_store(tmp_path / f"threads{round_}.db", eligible_app)
        acknowledged: list[str] = []
        refused: list[str] = []
        other: list[BaseException] = []
        lock = threading.Lock()
        barrier = threading.Barrier(4)

        def complain(t: int) -> None:
            barrier.wait()
            for i in range(5):
                number = numbers[t % len(numbers)]
                try:
                    store.event(case_id, "complaint", at="2026-03-10",
                                actor=f"thread{t}", data={"number": number})
                    with lock:
                        acknowledged.append(f"thread{t}")
                except telecomply.TransitionRefused:
                    with lock:
                        refused.append(f"thread{t}")
                except BaseException as e:  # noqa: BLE001 - the test reports any other error
                    with lock:
                        other.append(e)
                store.show(case_id)  # reads interleave with the writes
                store.history(case_id)

        threads = [threading.Thread(target=complain, args=(t,)) for t in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert other == []
        assert len(acknowledged) + len(refused) == 20
        hist = store.history(case_id)
        complaints = [e["actor"] for e in hist if e["type"] == "complaint"]
        assert sorted(complaints) == sorted(acknowledged)
        assert store.verify()["ok"]
        # the file opens again, whole
        again = telecomply.CaseStore(str(tmp_path / f"threads{round_}.db"))
        assert len(again.history(case_id)) == len(hist)


def test_events_out_of_time_are_refused(tmp_path, eligible_app):
    """Issue 10 / policy §8: never before the case's last event, never more than a day after the
    store's clock, which a caller may fix (now=) and move (store.now = ...)."""
    case_id = eligible_app["id"]
    store = telecomply.CaseStore(tmp_path / "time.db", now="2026-03-20T10:00:00+08:00")
    assert store.now == "2026-03-20T10:00:00+08:00"
    store.new(eligible_app, at="2026-03-02")
    for ev, at in [("submit", "2026-03-02"), ("accept", "2026-03-03"), ("approve", "2026-03-18")]:
        store.event(case_id, ev, at=at)
    number = eligible_app["numbers"][0]["number"]
    with pytest.raises(telecomply.TransitionRefused, match="before the case's last event"):
        store.event(case_id, "complaint", at="2025-01-01", data={"number": number})
    with pytest.raises(telecomply.TransitionRefused, match="after the store's clock"):
        store.event(case_id, "complaint", at="2062-03-16", data={"number": number})
    assert len(store.history(case_id)) == 4
    # the default time is the clock's
    store.event(case_id, "complaint", data={"number": number})
    assert store.history(case_id)[-1]["at"] == "2026-03-20T10:00:00+08:00"
    # a simulation moves the clock forward
    store.now = dt.date(2026, 6, 1)
    s = store.event(case_id, "complaint", at="2026-06-02", data={"number": number})
    assert s["state"] == "whitelisted"
    with pytest.raises(telecomply.Error):
        telecomply.CaseStore(tmp_path / "time.db", now="soon")


def test_expect_version(tmp_path, eligible_app):
    """Issue 10: with the version a decision was made on, a case that moved on is a
    ConflictError (nothing written); without it, the event is judged on the fresh case."""
    store = _whitelisted_store(tmp_path / "versions.db", eligible_app)
    case_id = eligible_app["id"]
    number = eligible_app["numbers"][0]["number"]
    other = telecomply.CaseStore(tmp_path / "versions.db")
    other.event(case_id, "complaint", at="2026-03-06", data={"number": number})  # version 5
    with pytest.raises(telecomply.ConflictError, match="version 5, not 4"):
        store.event(case_id, "complaint", at="2026-03-06", data={"number": number},
                    expect_version=4)
    assert len(store.history(case_id)) == 5
    store.event(case_id, "complaint", at="2026-03-06", data={"number": number}, expect_version=5)
    store.event(case_id, "complaint", at="2026-03-06", data={"number": number})
    assert len(store.history(case_id)) == 7


def test_list_cases(tmp_path, eligible_app, example_apps):
    """Issue 10 item 8: the cases of a store by state, region, applicant and deadline."""
    store = telecomply.CaseStore(tmp_path / "list.db", now="2026-03-20")
    store.new(eligible_app, at="2026-03-02")
    store.event(eligible_app["id"], "submit", at="2026-03-02")
    store.event(eligible_app["id"], "accept", at="2026-03-03")  # review_sla 2026-04-29
    other = next(a for a in example_apps if a["region"] == "CN-SD")
    store.new(other, at="2026-03-02")
    assert [c["id"] for c in store.list()] == sorted([eligible_app["id"], other["id"]])
    assert [c["id"] for c in store.list(state="under_review")] == [eligible_app["id"]]
    assert [c["id"] for c in store.list(region="CN-SD")] == [other["id"]]
    uscc = eligible_app["applicant"]["uscc"]
    assert [c["id"] for c in store.list(uscc=uscc)] == [eligible_app["id"]]
    assert store.list(due_before="2026-04-29") == []
    assert [c["id"] for c in store.list(due_before=dt.date(2026, 4, 30))] == [eligible_app["id"]]
    assert store.list(overdue=True) == []
    store.now = "2026-05-01"
    assert [c["id"] for c in store.list(overdue=True)] == [eligible_app["id"]]


def test_event_data_as_json_text(tmp_path, eligible_app):
    """Event data given as JSON text is read as strictly as --data: a key twice is refused."""
    store = _whitelisted_store(tmp_path / "text.db", eligible_app)
    number = eligible_app["numbers"][0]["number"]
    s = store.event(eligible_app["id"], "complaint", at="2026-03-06",
                    data=json.dumps({"number": number}))
    assert s["state"] == "whitelisted"
    with pytest.raises(telecomply.InputError, match="appears twice"):
        store.event(eligible_app["id"], "complaint", at="2026-03-06",
                    data='{"number": "%s", "number": "%s"}' % (number, number))


def test_what_the_store_knows(tmp_path, eligible_app):
    """docs/policy.md §7: a barred company applying again, declaring a clean history."""
    store = telecomply.CaseStore(str(tmp_path / "cases.db"))
    case_id = eligible_app["id"]
    store.new(eligible_app, at="2026-03-02")
    store.event(case_id, "submit", at="2026-03-16")
    store.event(case_id, "accept", at="2026-03-17")
    barred = store.event(case_id, "find_false_information", at="2026-03-18")
    again = dict(eligible_app, id="GD-AGAIN", submitted_on="2026-04-01")
    facts = store.facts(again)
    assert facts["record"]["banned_until"] == barred["banned_until"]
    assert facts["registrations"] == []  # a barred case holds no numbers
    v = store.check(again)
    assert v.decision == "ineligible"
    assert ("HISTORY_MISMATCH", "banned_until", "blocking") in [
        (f.code, f.subject, f.severity) for f in v.findings
    ]
    assert "REAPPLY_BANNED" in [f.code for f in v.findings]
    # the engine alone only sees what the application declares
    assert telecomply.Engine().check(again).decision == "eligible"
    with pytest.raises(telecomply.TransitionRefused, match=r"HISTORY_MISMATCH\[banned_until\]"):
        store.new(again, at="2026-04-01")
    assert store.cases() == [case_id]  # nothing written
    with pytest.raises(telecomply.InputError):
        store.check({"id": "x"})


def test_time_arguments_name_themselves(tmp_path):
    store = telecomply.CaseStore(str(tmp_path / "cases.db"))
    with pytest.raises(telecomply.UsageError, match="^now: a datetime must be timezone-aware"):
        store.now = dt.datetime(2026, 3, 2, 9, 0)
    with pytest.raises(telecomply.UsageError, match="^now: a datetime must be timezone-aware"):
        telecomply.CaseStore(str(tmp_path / "other.db"), now=dt.datetime(2026, 3, 2))
    with pytest.raises(telecomply.UsageError, match="^due_before must be"):
        store.list(due_before=3)
