"""The rule-writer tools from Python: overlays, lint notes, leaf traces with parameters, fixes."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

import telecomply

from conftest import ROOT, load

OVERLAY = ROOT / "examples" / "overlays" / "gd-2026.2"
RULESETS = ROOT / "rulesets"
AUTHORING = ROOT / "tests" / "data" / "authoring"


def merge_patch(target, patch):
    """RFC 7386, as simply as it is written."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


@pytest.fixture(scope="module")
def gd_engine():
    return telecomply.Engine(overlays=[str(OVERLAY)])


@pytest.fixture()
def july_app(eligible_app):
    app = copy.deepcopy(eligible_app)
    app["submitted_on"] = "2026-07-06"
    app["materials"]["marketing_plan"]["daily_calls_per_number"] = 140
    return app


def trace_entry(verdict, rule, outcome=None):
    for t in verdict.trace:
        if t["rule"] == rule and (outcome is None or t["outcome"] == outcome):
            return t
    raise AssertionError(f"no trace of {rule}")


def test_overlays_property(gd_engine, engine):
    assert gd_engine.overlays == [str(OVERLAY)]
    assert engine.overlays == []
    assert ("CN-GD", "2026.2") in gd_engine.rulesets()
    assert ("CN-GD", "2026.2") not in engine.rulesets()
    assert len(gd_engine.rulesets()) == len(engine.rulesets()) + 1
    # a path-like works as well as a string
    assert telecomply.Engine(overlays=[OVERLAY]).overlays == [str(OVERLAY)]
    assert telecomply.Engine(overlays=[]).overlays == []


def test_overlays_as_one_string_is_a_usage_error():
    with pytest.raises(telecomply.UsageError, match="overlays is a list of folders, not one"):
        telecomply.Engine(overlays=str(OVERLAY))
    with pytest.raises(telecomply.UsageError):
        telecomply.Engine(overlays=str(OVERLAY).encode())


def test_overlay_that_is_no_folder(tmp_path):
    with pytest.raises(telecomply.Error, match="not a folder of rulesets"):
        telecomply.Engine(overlays=[str(tmp_path / "missing")])


def test_overlay_restating_a_version(tmp_path):
    (tmp_path / "CN-GD").mkdir()
    text = (RULESETS / "CN-GD" / "2026.1.json").read_text(encoding="utf-8")
    (tmp_path / "CN-GD" / "2026.1.json").write_text(text, encoding="utf-8")
    with pytest.raises(telecomply.Error, match=r"version 2026\.1 of CN-GD is also defined in .*CN-GD"):
        telecomply.Engine(overlays=[str(tmp_path)])


def test_the_revision_judges_from_its_start(gd_engine, engine, july_app, eligible_app):
    before = gd_engine.check(eligible_app)
    assert before.ruleset["version"] == "2026.1"
    v = gd_engine.check(july_app)
    assert v.ruleset["version"] == "2026.2"
    assert v.ruleset["chain"] == ["CN@2026.1", "CN-GD@2026.1", "CN-GD@2026.2"]
    assert v.decision == "ineligible"
    assert [f.code for f in v.findings] == ["DAILY_CALL_CAP_EXCEEDED"]
    assert engine.check(july_app).decision == "eligible"  # 140 <= 150 without the overlay


def test_lint_notes(gd_engine, engine):
    assert gd_engine.lint() == []
    notes = gd_engine.lint(notes=True)
    assert {n["severity"] for n in notes} == {"note"}
    assert len(notes) == 2
    ended, defines = notes
    # the base is the engine's own folder: the source tree's, or the installed package's
    base = Path(gd_engine.rulesets_dir)
    assert ended["file"] == str(base / "CN-GD" / "2026.1.json")
    assert ended["json_path"] == "$.effective_from"
    assert ended["line"] == 4
    assert ended["message"].endswith(
        "starts on 2026-07-01, so CN-GD@2026.1 is in force to 2026-06-30"
    )
    assert defines["file"] == str(OVERLAY / "CN-GD" / "2026.2.json")
    assert defines["message"] == (
        "defines CN-GD@2026.2 (in force 2026-07-01 to open), extending CN-GD@2026.1 of "
        + str(base / "CN-GD" / "2026.1.json")
    )
    assert engine.lint(notes=True) == []


def test_lint_typos_and_relaxed_parameters():
    typos = telecomply.Engine(overlays=[str(AUTHORING / "typos")]).lint()
    assert [(p["severity"], p["json_path"]) for p in typos] == [
        ("error", "$.rules[0].require"),
        ("warning", "$.rules[1].require"),
    ]
    assert "did you mean 'purpose'?" in typos[0]["message"]
    relaxed = telecomply.Engine(overlays=[str(AUTHORING / "relaxed")]).lint()
    relaxes = sorted(p["message"] for p in relaxed if "relaxes" in p["message"])
    assert relaxes == [
        "CN-GD@2026.2 relaxes the national parameter 'calling_window': 08:00-20:00 where the "
        "national rules have 09:00-20:00 (a narrower window is stricter)",
        "CN-GD@2026.2 relaxes the national parameter 'daily_call_cap': 250 where the national "
        "rules have 200 (a lower value is stricter)",
    ]
    assert all(p["severity"] == "warning" for p in relaxed)


def test_trace_leaves_and_params(engine):
    app = load("gd-new-company-ineligible.json")
    v = engine.check(app, trace=True)
    cap = trace_entry(v, "plan.daily_calls")
    assert cap["outcome"] == "fail"
    assert cap["inputs"] == {"materials.marketing_plan.daily_calls_per_number": 180}
    assert cap["params"] == {"params.daily_call_cap": 150}
    assert "remedy" in cap
    assert trace_entry(v, "company.too_new")["params"] == {"params.min_company_age_days": 180}
    passed = trace_entry(v, "license.uscc_match")
    assert passed["outcome"] == "pass"
    assert "remedy" not in passed
    assert "params" not in passed  # a rule that reads no parameter
    for t in v.trace:
        paths = list(t["inputs"])
        assert not any(o.startswith(p + ".") for p in paths for o in paths), t
        assert "materials" not in paths

    full = engine.check(app, trace=True, full=True)
    whole = trace_entry(full, "plan.daily_calls")
    assert whole["inputs"]["materials"] == app["materials"]
    assert whole["params"] == {"params.daily_call_cap": 150}
    assert all("remedy" in t for t in full.trace)
    assert engine.check(app).trace is None


def test_trace_of_an_each_rule(engine):
    app = load("hb-numbers-without-purpose-ineligible.json")
    v = engine.check(app, trace=True)
    failed = [t for t in v.trace if t["rule"] == "number.purpose" and t["outcome"] == "fail"]
    assert failed
    for t in failed:
        assert t["inputs"]["n.purpose"] == "(absent)"
        assert t["inputs"]["n.number"] == t["subject"]


def test_fixes_of_a_verdict_and_of_the_engine(engine):
    app = load("bj-online-too-many-numbers-ineligible.json")
    plan = engine.fixes(app)
    assert plan == engine.check(app).fixes()
    assert plan["application"] == app["id"]
    assert (plan["before"], plan["after"], plan["complete"]) == ("ineligible", "eligible", True)
    assert [(f["code"], f["kind"]) for f in plan["fixes"]] == [
        ("NUMBER_COUNT_EXCEEDED", "truncate"),
        ("CHANNEL_NOT_ACCEPTED", "set"),
    ]
    assert plan["fixes"][1]["text"] == "channel online → one of in_person"
    assert plan["patch"]["channel"] == "in_person"
    assert plan["patch"]["numbers"] == app["numbers"][:30]
    fixed = merge_patch(app, plan["patch"])
    assert engine.check(fixed).decision == "eligible"
    # each fix's own patch is verified
    for f in plan["fixes"]:
        assert f["verified"] is True
        assert "patch" in f


@pytest.mark.parametrize(
    "name, after, complete, kinds",
    [
        ("js-mvno-number-ineligible.json", "eligible", True, ["remove"]),
        ("gd-new-company-ineligible.json", "ineligible", False, ["set", "none"]),
        ("fj-logistics-details-missing-needs-evidence.json", "needs_evidence", False, ["add", "add"]),
        ("gd-retail-eligible.json", "eligible", True, []),
    ],
)
def test_fix_plans(engine, name, after, complete, kinds):
    app = load(name)
    plan = engine.fixes(app)
    assert plan["after"] == after
    assert plan["complete"] is complete
    assert [f["kind"] for f in plan["fixes"]] == kinds
    patched = merge_patch(app, plan["patch"])
    assert engine.check(patched).decision == after
    for f in plan["fixes"]:
        if f["kind"] in ("add", "none"):
            assert "patch" not in f
            assert f["verified"] is False
    # readOnly facts are never patched
    assert "applicant" not in plan["patch"]
    assert "submitted_on" not in plan["patch"]


def test_fixes_follow_the_verdicts_rules(gd_engine, july_app):
    v = gd_engine.check(july_app)
    plan = v.fixes()
    assert [f["text"] for f in plan["fixes"]] == [
        "materials.marketing_plan.daily_calls_per_number 140 → at most 120"
    ]
    assert plan["complete"] is True
    assert gd_engine.check(merge_patch(july_app, plan["patch"])).decision == "eligible"
    # a what-if verdict of the older version: nothing to fix there
    older = gd_engine.check_version(july_app, "2026.1")
    assert older.decision == "eligible"
    assert older.fixes()["fixes"] == []
    assert gd_engine.fixes(july_app) == plan


def test_fixes_of_a_batch_verdict_is_a_usage_error(engine, eligible_app):
    (v,) = engine.check_many([eligible_app])
    with pytest.raises(telecomply.UsageError, match=r"call Engine\.fixes\(app\)"):
        v.fixes()


def test_fixes_of_an_invalid_application(engine, eligible_app):
    app = copy.deepcopy(eligible_app)
    app["numbers"] = "not a list"
    with pytest.raises(telecomply.InputError):
        engine.fixes(app)


def test_fixes_of_a_json_text(engine):
    text = (ROOT / "examples" / "applications" / "js-mvno-number-ineligible.json").read_text(
        encoding="utf-8"
    )
    plan = engine.fixes(text)
    assert plan["fixes"][0]["text"] == "remove 17051236789 from numbers"
    assert json.loads(json.dumps(plan)) == plan


def test_a_case_store_with_an_overlay_pins_the_revision(tmp_path, july_app):
    store = telecomply.CaseStore(tmp_path / "cases.db", now="2026-07-06", overlays=[OVERLAY])
    case = store.new(july_app, at="2026-07-06")
    assert case["region"] == "CN-GD" and case["ruleset_version"] == "2026.2"
    with pytest.raises(telecomply.UsageError):
        telecomply.CaseStore(tmp_path / "other.db", overlays=str(OVERLAY))


def test_durations_take_a_region_by_either_code(tmp_path):
    store = telecomply.CaseStore(tmp_path / "cases.db", now="2026-07-06")
    assert store.durations_report(region=44) == store.durations_report(region="CN-GD")
    with pytest.raises(telecomply.UsageError, match="region must be a region code"):
        store.durations_report(region=4.4)
