"""Engine, Verdict and the check pipeline from Python."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import telecomply


def test_eligible_application(engine, eligible_app):
    v = engine.check(eligible_app)
    assert isinstance(v, telecomply.Verdict)
    assert v.decision == "eligible"
    assert v.eligible
    assert v.application == eligible_app["id"]
    assert v.region == "CN-GD"
    assert v.as_of == dt.date.fromisoformat(eligible_app["submitted_on"])
    assert v.ruleset["id"] == "CN-GD"
    assert v.ruleset["chain"] == ["CN@2026.1", "CN-GD@2026.1"]
    assert v.ruleset["digest"].startswith("sha256:")
    assert v.findings == []
    assert repr(v).startswith("<Verdict ")


def test_findings_and_frames(engine, eligible_app):
    app = dict(eligible_app)
    app["materials"] = dict(app["materials"])
    del app["materials"]["data_security_pledge"]
    app["numbers"] = app["numbers"] + app["numbers"][:1]
    v = engine.check(json.dumps(app, ensure_ascii=False))
    assert v.decision == "ineligible"
    codes = [(f.code, f.subject, f.severity) for f in v.findings]
    assert ("MATERIAL_MISSING", "data_security_pledge", "blocking") in codes
    assert ("NUMBER_DUPLICATE", app["numbers"][0]["number"], "warning") in codes
    # blocking findings come first
    severities = [f.severity for f in v.findings]
    assert severities == sorted(severities, key=["blocking", "warning", "info"].index)
    f = v.findings[0]
    assert f.message["zh"] and f.message["en"] and f.remedy["en"] and f.rule and f.reference
    d = v.to_dict()
    assert d["decision"] == "ineligible"
    assert {x["code"] for x in d["findings"]} >= {"MATERIAL_MISSING", "NUMBER_DUPLICATE"}
    assert json.loads(v.to_json())["application"] == app["id"]
    assert "remedy" in v.to_text("en")


def test_as_of_picks_the_version(engine, eligible_app):
    v = engine.check(eligible_app, as_of="2025-06-01")
    assert v.ruleset["version"] == "2025.1"
    assert v.as_of == dt.date(2025, 6, 1)
    with pytest.raises(telecomply.NotFoundError):
        engine.check(eligible_app, as_of=dt.date(2019, 1, 1))
    with pytest.raises(telecomply.UsageError):
        engine.check(eligible_app, as_of="yesterday")


def test_needs_evidence_names_missing_inputs(engine, eligible_app):
    app = json.loads(json.dumps(eligible_app))
    del app["applicant"]["history"]
    v = engine.check(app)
    assert v.decision == "needs_evidence"
    missing = {m for u in v.unknowns for m in u.missing}
    assert "applicant.history" in missing


def test_trace(engine, eligible_app):
    v = engine.check(eligible_app, trace=True)
    assert v.trace and all("rule" in t and "outcome" in t for t in v.trace)
    assert engine.check(eligible_app).trace is None


def test_bad_applications_raise_input_errors(engine, eligible_app):
    bad = dict(eligible_app, numbers="13800138000")
    with pytest.raises(telecomply.InputError) as info:
        engine.check(bad)
    assert info.value.json_path == "$.numbers"
    assert isinstance(info.value, telecomply.DataError)
    with pytest.raises(telecomply.InputError) as info:
        engine.check('{"id": "x",\n "region": ')
    assert info.value.line == 2
    with pytest.raises(telecomply.InputError):
        engine.check(dict(eligible_app, submitted_on="2026-02-30"))
    with pytest.raises(telecomply.UsageError):
        engine.check(42)


def test_check_many_keeps_order_and_matches_check(engine, example_apps):
    many = example_apps * 20
    verdicts = engine.check_many(many, threads=2)
    assert [v.application for v in verdicts] == [a["id"] for a in many]
    singles = [engine.check(a).decision for a in example_apps]
    assert [v.decision for v in verdicts[: len(example_apps)]] == singles
    assert [v.decision for v in engine.check_many(iter(example_apps), threads=1)] == singles
    texts = [json.dumps(a, ensure_ascii=False) for a in example_apps]
    assert [v.decision for v in engine.check_many(texts)] == singles
    assert engine.check_many([]) == []


def test_check_many_reports_the_bad_item(engine, example_apps):
    apps = list(example_apps)
    apps[3] = dict(apps[3], channel="fax")
    with pytest.raises(telecomply.InputError) as info:
        engine.check_many(apps, errors="raise")
    assert "apps[3]" in str(info.value)
    assert info.value.json_path == "$.channel"


def test_check_many_returns_each_error_in_place(engine, example_apps):
    """One bad application loses nothing: as `telecomply check` does with a bad file, every
    other application gets its verdict and the bad one its error, in its place (issue 11)."""
    apps = list(example_apps[:4])
    apps[1] = dict(apps[1], channel="fax")  # schema
    apps[2] = dict(apps[2], region="CN-XX")  # no rules
    apps.append("{not json")  # syntax
    apps.append(7)  # not an application
    apps.append(dict(apps[0], bad={1, 2}))  # a value JSON cannot hold
    out = engine.check_many(apps, threads=2)
    assert len(out) == len(apps)
    singles = [engine.check(a) for a in (apps[0], apps[3])]
    assert [out[0].decision, out[3].decision] == [v.decision for v in singles]
    assert isinstance(out[1], telecomply.InputError)
    assert out[1].json_path == "$.channel" and out[1].file == "apps[1]"
    assert isinstance(out[2], telecomply.NotFoundError) and "CN-XX" in str(out[2])
    assert isinstance(out[4], telecomply.InputError) and out[4].file == "apps[4]"
    assert isinstance(out[5], telecomply.InputError) and "apps[5]" in str(out[5])
    assert isinstance(out[6], telecomply.InputError) and out[6].json_path == "$.bad"
    # every error is an instance, not raised, of the package's hierarchy
    assert all(isinstance(x, telecomply.Error) for x in out[1:3] + out[4:])
    # "raise" checks every one, then raises the first failing one's error
    with pytest.raises(telecomply.InputError) as info:
        engine.check_many(apps, errors="raise")
    assert info.value.file == "apps[1]"
    with pytest.raises(telecomply.UsageError):
        engine.check_many(apps, errors="ignore")


def test_integers_written_as_floats_are_integers(engine, example_apps):
    """JSON Schema draft-07: 100.0 is an integer. A pandas row of an integer column with a
    missing value elsewhere is float; such rows check as their integer form does."""
    pd = pytest.importorskip("pandas")
    app = next(a for a in example_apps if a["region"] == "CN-GD")
    plan = app["materials"]["marketing_plan"]
    as_float = json.loads(json.dumps(app))
    as_float["materials"]["marketing_plan"]["daily_calls_per_number"] = float(
        plan["daily_calls_per_number"])
    assert engine.check(as_float).to_dict() == engine.check(app).to_dict()
    assert engine.check(json.dumps(as_float).replace(
        f'"daily_calls_per_number": {float(plan["daily_calls_per_number"])}',
        f'"daily_calls_per_number": {plan["daily_calls_per_number"] / 100}e2',
    )).to_dict() == engine.check(app).to_dict()
    frame = pd.DataFrame({"daily": [plan["daily_calls_per_number"], None]})
    row = frame.to_dict("records")[0]
    assert isinstance(row["daily"], float)
    as_row = json.loads(json.dumps(app))
    as_row["materials"]["marketing_plan"]["daily_calls_per_number"] = row["daily"]
    [v] = engine.check_many([as_row])
    assert v.to_dict() == engine.check(app).to_dict()
    with pytest.raises(telecomply.InputError) as info:
        as_row["materials"]["marketing_plan"]["daily_calls_per_number"] = 100.5
        engine.check(as_row)
    assert info.value.json_path == "$.materials.marketing_plan.daily_calls_per_number"


def test_check_version_and_policy_diff(engine, example_apps):
    app = next(a for a in example_apps if a["id"].startswith("HN-"))
    old, new = engine.check_version(app, "2025.1"), engine.check_version(app, "2026.1")
    assert old.ruleset["version"] == "2025.1" and new.ruleset["version"] == "2026.1"
    d = engine.diff(app, "2025.1", "2026.1")
    assert d["application"] == app["id"] and d["region"] == app["region"]
    assert (d["from"], d["to"]) == (old.decision, new.decision)
    assert d["changed"] is True
    assert set(d["added"]) == {f.code + (f"[{f.subject}]" if f.subject else "")
                              for f in new.findings} - {
        f.code + (f"[{f.subject}]" if f.subject else "") for f in old.findings}
    assert engine.diff(app, "2026.1", "2026.1")["changed"] is False
    with pytest.raises(telecomply.NotFoundError):
        engine.check_version(app, "1999.1")


def test_engine_on_another_folder(tmp_path):
    with pytest.raises(telecomply.RulesetError):
        telecomply.Engine(tmp_path)
    engine = telecomply.Engine()
    assert telecomply.Engine(rulesets_dir=engine.rulesets_dir).rulesets() == engine.rulesets()
    with pytest.raises(telecomply.UsageError):
        telecomply.Engine(engine.rulesets_dir, rulesets_dir=engine.rulesets_dir)
    assert ("CN", "2026.1") in engine.rulesets()
    assert len(engine.rulesets()) == 64
    assert engine.lint() == []


def test_frames(engine, example_apps):
    pd = pytest.importorskip("pandas")
    verdicts = engine.check_many(example_apps)
    frame = telecomply.verdicts_to_frame(verdicts)
    assert len(frame) == len(example_apps)
    assert list(frame.columns[:4]) == ["application", "region", "as_of", "decision"]
    assert str(frame["decision"].dtype) == "category"
    assert pd.api.types.is_datetime64_any_dtype(frame["as_of"])
    assert (frame["blocking"] > 0).sum() == sum(v.decision == "ineligible" for v in verdicts)
    findings = telecomply.findings_to_frame(verdicts, lang="zh")
    assert len(findings) == sum(len(v.findings) for v in verdicts)
    assert set(findings["severity"].cat.categories) == {"blocking", "warning", "info"}
    empty = telecomply.verdicts_to_frame([])
    assert len(empty) == 0 and "decision" in empty.columns


def test_deeply_nested_input_is_refused_not_a_crash(engine, eligible_app):
    deep = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(telecomply.InputError) as info:
        engine.check(dict(eligible_app, extra=deep))
    assert "deeper than" in str(info.value)
    with pytest.raises(telecomply.InputError):
        telecomply.cel.evaluate("size(x)", {"x": deep})
    text = '{"id": "x", "region": "CN-GD", "submitted_on": "2026-03-02", "channel": "online", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(telecomply.InputError):
        engine.check(text)


def test_the_native_library_finds_the_rulesets_relative_to_itself(monkeypatch):
    """The installed wheel's module finds the rulesets beside it (telecomply/rulesets); the build
    tree's reads the source tree's (docs/rulesets.md, "Where telecomply finds its rulesets")."""
    from pathlib import Path

    from conftest import ROOT

    monkeypatch.delenv("TELECOMPLY_RULESETS", raising=False)
    packaged = Path(telecomply.__file__).resolve().parent / "rulesets"
    expected = packaged if packaged.is_dir() else ROOT / "rulesets"
    assert Path(telecomply._core.default_rulesets_dir()).resolve() == expected.resolve()
    monkeypatch.setenv("TELECOMPLY_RULESETS", "/nowhere")
    assert telecomply._core.default_rulesets_dir() == "/nowhere"
