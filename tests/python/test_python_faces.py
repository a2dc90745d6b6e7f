"""The Python faces taken as a new user takes them (issue 11, fault 5, its kind): check_many's
default results fed to the pandas helpers, one application passed where many are expected, data
JSON cannot hold named by its path (never a Python traceback inside the message), and a path
(pathlib) wherever a file is meant."""

from __future__ import annotations

import json
import math
import pathlib

import pytest

import telecomply


def test_frames_take_what_check_many_returns(engine, example_apps):
    """README: verdicts = engine.check_many(apps); verdicts_to_frame(verdicts). With one bad
    application among them (an Error in its place, the default) the frame keeps every row."""
    pd = pytest.importorskip("pandas")
    apps = list(example_apps[:3]) + [dict(example_apps[0], channel="fax")]
    out = engine.check_many(apps)
    assert isinstance(out[-1], telecomply.InputError)
    frame = telecomply.verdicts_to_frame(out)
    assert len(frame) == len(apps)
    assert frame["error"].iloc[:3].isna().all()
    assert "$.channel" in frame["error"].iloc[3]
    assert pd.isna(frame["decision"].iloc[3]) and pd.isna(frame["application"].iloc[3])
    assert list(frame["decision"].iloc[:3]) == [v.decision for v in out[:3]]
    findings = telecomply.findings_to_frame(out)
    assert len(findings) == sum(len(v.findings) for v in out[:3])
    # and without errors, the frame is as before, with an empty error column
    frame = telecomply.verdicts_to_frame(engine.check_many(apps[:3]))
    assert frame["error"].isna().all() and str(frame["decision"].dtype) == "category"


@pytest.mark.parametrize("one", ["text", "bytes", "dict"])
def test_check_many_refuses_one_application(engine, eligible_app, one):
    """A str would be checked character by character, a dict key by key: each an 'application'
    of its own, each an error. Refused, saying what to do instead."""
    apps = {"text": json.dumps(eligible_app), "bytes": json.dumps(eligible_app).encode(),
            "dict": eligible_app}[one]
    with pytest.raises(telecomply.UsageError) as info:
        engine.check_many(apps)
    assert "check(app)" in str(info.value)
    lines = json.dumps(eligible_app) + "\n" + json.dumps(eligible_app) + "\n"
    assert [v.decision for v in engine.check_many(lines.splitlines())] == ["eligible"] * 2


def test_data_json_cannot_hold_is_named_by_path(tmp_path, eligible_app):
    """NaN (a pandas row with a missing value), infinities, sets, objects: the value's JSON path
    and why, the same way for an application and for event data; no traceback in the message."""
    store = telecomply.CaseStore(tmp_path / "cases.db", now="2026-03-02")
    app = json.loads(json.dumps(eligible_app))
    app["materials"]["marketing_plan"]["daily_calls_per_number"] = math.nan
    for call in (lambda: store.new(app), lambda: store.check(app)):
        with pytest.raises(telecomply.InputError) as info:
            call()
        assert info.value.json_path == "$.materials.marketing_plan.daily_calls_per_number"
        assert "nan is not a JSON number" in str(info.value)
        assert "At:" not in str(info.value) and "encoder.py" not in str(info.value)
    store.new(eligible_app)
    for data, path in [({"x": {1, 2}}, "$.x"), ({"a": [1, {"b": math.inf}]}, "$.a[1].b"),
                       ({"k": {("t",): 1}}, "$.k"), ({"o": object()}, "$.o")]:
        with pytest.raises(telecomply.InputError) as info:
            store.event(eligible_app["id"], "submit", data=data)
        assert info.value.json_path == path, info.value
        assert "At:" not in str(info.value) and "Traceback" not in str(info.value)


def test_seals_and_bundles_from_their_files(tmp_path, eligible_app):
    """`telecomply case verify --seal FILE` / `--bundle FILE`: Python takes the same files as
    paths (os.PathLike), besides the dict and its JSON text."""
    private, public = telecomply.generate_seal_key(tmp_path / "k")
    store = telecomply.CaseStore(tmp_path / "cases.db", now="2026-03-02")
    store.new(eligible_app)
    seal_file = tmp_path / "seal.json"
    seal_file.write_text(json.dumps(store.seal(private)), encoding="utf-8")
    assert store.verify_seal(seal_file, pathlib.Path(public))["ok"]
    bundle_file = tmp_path / "bundle.json"
    bundle_file.write_text(json.dumps(store.export_bundle(seal_file)), encoding="utf-8")
    assert telecomply.verify_bundle(bundle_file, pathlib.Path(public))["ok"]
    with pytest.raises(telecomply.InputError) as info:
        telecomply.verify_bundle(tmp_path / "missing.json", public)
    assert "missing.json" in str(info.value)


def test_engine_and_store_refuse_the_same_non_json_values(tmp_path, engine, eligible_app):
    """A dict from a pandas row: NaN for a missing value, a date or a Timestamp for a date
    column. Engine.check, check_many and CaseStore all refuse them by path, the same way (the
    engine judged a NaN as a number of the wrong type and a date as no submitted_on at all)."""
    import datetime

    store = telecomply.CaseStore(tmp_path / "cases.db", now="2026-03-02")
    plan = "$.materials.marketing_plan.daily_calls_per_number"
    cases = [(plan, math.nan, "nan is not a JSON number"),
             (plan, math.inf, "inf is not a JSON number"),
             ("$.submitted_on", datetime.date(2026, 3, 16), "is not JSON data (write a date"),
             ("$.submitted_on", datetime.datetime(2026, 3, 16), "is not JSON data (write a date"),
             ("$.extra", b"bytes", "is not JSON data")]
    for path, bad, why in cases:
        app = json.loads(json.dumps(eligible_app))
        if path == plan:
            app["materials"]["marketing_plan"]["daily_calls_per_number"] = bad
        else:
            app[path[2:]] = bad
        errors = []
        for call in (lambda: engine.check(app), lambda: engine.check_many([app], errors="raise"),
                     lambda: store.check(app), lambda: store.new(app)):
            with pytest.raises(telecomply.InputError) as info:
                call()
            errors.append(info.value)
        for e in errors:
            assert e.json_path == path, (bad, e)
            assert why in str(e), (bad, e)
    # a NaN where nothing is judged is refused too: it is not JSON, wherever it is
    with pytest.raises(telecomply.InputError) as info:
        engine.check(dict(eligible_app, extra={"n": math.nan}))
    assert info.value.json_path == "$.extra.n"
