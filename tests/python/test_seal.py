"""Seals and bundles from Python: signed checkpoints of a case store, kept outside it."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading

import pytest

import telecomply


@pytest.fixture()
def keys(tmp_path):
    private, public = telecomply.generate_seal_key(tmp_path / "seal")
    return private, public


def _store(path, app, actor="python"):
    store = telecomply.CaseStore(path)
    store.new(app, at="2026-03-02", actor=actor)
    store.event(app["id"], "submit", at="2026-03-16", actor=actor)
    return store


def test_seal_key_files(tmp_path, keys):
    private, public = keys
    assert private == str(tmp_path / "seal.pem") and public == str(tmp_path / "seal.pub.pem")
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    assert open(public, encoding="ascii").read().startswith("-----BEGIN PUBLIC KEY-----")
    with pytest.raises(telecomply.SealError, match="exists already") as e:
        telecomply.generate_seal_key(str(tmp_path / "seal"))
    assert e.value.code == "seal_error" and e.value.file == private
    assert isinstance(e.value, telecomply.DataError)


def test_seal_verify_appended_added(tmp_path, keys, eligible_app, example_apps):
    private, public = keys
    store = _store(tmp_path / "cases.db", eligible_app)
    seal = store.seal(private, sealed_at="2026-04-01T18:00:00+08:00")
    assert seal["format"] == "telecomply-seal/1"
    assert seal["sealed_at"] == "2026-04-01T18:00:00+08:00"
    assert seal["cases"][eligible_app["id"]] == {
        "version": 2, "head": store.history(eligible_app["id"])[-1]["hash"]}
    assert store.seal(private)["sealed_at"] == "2030-12-31T12:00:00+08:00"  # the store's clock

    r = store.verify_seal(seal, public)
    assert r["ok"] and r["cases"] == 1 and r["events"] == 2 and r["problems"] == []
    assert r["appended"] == [] and r["added"] == []
    assert store.verify_seal(json.dumps(seal), public)["ok"]  # JSON text too

    store.event(eligible_app["id"], "accept", at="2026-03-17")
    other = next(a for a in example_apps if a["id"] != eligible_app["id"])
    store.new(other, at="2026-03-18")
    r = store.verify_seal(seal, public)
    assert r["ok"]
    assert r["appended"] == [{"case_id": eligible_app["id"], "sealed_version": 2, "version": 3}]
    assert r["added"] == [other["id"]]


def test_seal_catches_a_rebuilt_store(tmp_path, keys, eligible_app):
    private, public = keys
    seal = _store(tmp_path / "cases.db", eligible_app).seal(private)
    rebuilt = _store(tmp_path / "rebuilt.db", eligible_app, actor="someone else")
    assert rebuilt.verify()["ok"]  # its chains are valid
    r = rebuilt.verify_seal(seal, public)
    assert not r["ok"]
    assert [(p["case_id"], p["seq"]) for p in r["problems"]] == [(eligible_app["id"], 2)]
    assert "is not the sealed one" in r["problems"][0]["message"]


def test_seal_catches_edits_and_other_keys(tmp_path, keys, eligible_app):
    private, public = keys
    path = tmp_path / "cases.db"
    store = _store(path, eligible_app)
    seal = store.seal(private)

    _, other_public = telecomply.generate_seal_key(tmp_path / "other")
    r = store.verify_seal(seal, other_public)
    assert not r["ok"] and any("signature does not verify" in p["message"] for p in r["problems"])

    edited = json.loads(json.dumps(seal))
    edited["sealed_at"] = "2026-01-01T00:00:00+08:00"
    assert not store.verify_seal(edited, public)["ok"]
    edited["cases"] = {"X": {"version": "one", "head": "?"}}
    r = store.verify_seal(edited, public)
    assert any(p["message"].startswith("$.cases.X.version:") for p in r["problems"])

    db = sqlite3.connect(path)
    db.executescript("DROP TRIGGER events_no_update; "
                     "UPDATE events SET actor = 'x' WHERE seq = 1;")
    db.close()
    r = store.verify_seal(seal, public)
    assert not r["ok"] and r["problems"][0]["case_id"] == eligible_app["id"]
    with pytest.raises(telecomply.IntegrityError):
        store.seal(private)


def test_bundle_round_trip(tmp_path, keys, eligible_app):
    private, public = keys
    store = _store(tmp_path / "cases.db", eligible_app)
    seal = store.seal(private)
    store.event(eligible_app["id"], "accept", at="2026-03-17")
    bundle = store.export_bundle(seal)
    assert bundle["format"] == "telecomply-bundle/1" and bundle["seal"] == seal
    events = bundle["cases"][eligible_app["id"]]["events"]
    assert [e["seq"] for e in events] == [1, 2]  # up to the seal only
    assert bundle["pinned_rulesets"][0]["id"] == "CN-GD"
    del store

    r = telecomply.verify_bundle(bundle, public)
    assert r["ok"] and r["events"] == 2, r
    assert telecomply.verify_bundle(json.dumps(bundle), public)["ok"]

    events[1]["actor"] = "someone else"
    r = telecomply.verify_bundle(bundle, public)
    assert not r["ok"] and r["problems"][0]["seq"] == 2
    events[1]["actor"] = "python"
    bundle["pinned_rulesets"][0]["content"][-1]["json"]["parameters"]["min_company_age_days"] = 1
    r = telecomply.verify_bundle(bundle, public)
    assert not r["ok"] and "$.pinned_rulesets[0]" in r["problems"][0]["message"]


def test_seal_bad_keys_and_arguments(tmp_path, keys, eligible_app):
    private, public = keys
    store = _store(tmp_path / "cases.db", eligible_app)
    seal = store.seal(private)
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    with pytest.raises(telecomply.SealError, match="bad.pem"):
        store.verify_seal(seal, bad)
    with pytest.raises(telecomply.SealError):
        store.seal(public)  # a public key where the private one goes
    with pytest.raises(telecomply.SealError):
        telecomply.verify_bundle({}, private)
    with pytest.raises(telecomply.SealError, match="missing.pem: no such file"):
        store.seal(tmp_path / "missing.pem")
    with pytest.raises(telecomply.UsageError):
        store.seal(private, sealed_at="2026-04-01")  # a day, not a time
    with pytest.raises(telecomply.UsageError):
        store.verify_seal(None, public)
    with pytest.raises(telecomply.InputError):
        store.verify_seal("{not json", public)
    with pytest.raises(telecomply.SealError, match="malformed"):
        store.export_bundle({"format": "telecomply-seal/1"})
    assert not telecomply.verify_bundle([], public)["ok"]


def test_seal_from_threads(tmp_path, keys, eligible_app):
    private, public = keys
    store = _store(tmp_path / "cases.db", eligible_app)
    results = []

    def work():
        results.append(store.verify_seal(store.seal(private), public)["ok"])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 4
