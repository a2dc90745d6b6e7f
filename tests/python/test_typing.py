"""The package as a type checker sees it: `mypy --strict` on a user's script finds every public
name re-exported (the exceptions too) and the stubs consistent (issue 11)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import telecomply

USER_SCRIPT = textwrap.dedent(
    """
    import pathlib

    import pyspark.sql

    import telecomply
    from telecomply import (CaseStore, Engine, Error, InputError, NotFoundError,
                            TransitionRefused, Verdict)



    def engine_dir() -> str:
        return "rulesets"


    engine: Engine = telecomply.Engine(pathlib.Path(engine_dir()))
    results = engine.check_many([{"id": "x"}], threads=1)
    for r in results:
        if isinstance(r, Verdict):
            print(r.decision, r.findings[0].code if r.findings else "")
        else:
            print(r.code, isinstance(r, (InputError, NotFoundError)))
    verdicts: list[Verdict] = engine.check_many([], errors="raise")
    change = engine.diff({}, "2025.1", "2026.1")
    print(change["changed"], engine.check_version({}, "2026.1").eligible)
    store = CaseStore(pathlib.Path("cases.db"))
    try:
        store.event("X", "approve", at="2026-03-10")
    except TransitionRefused as refused:
        print(refused.case_id, refused.state, refused.event, refused.reason)
    except Error as other:
        print(other.code)
    registry: list[telecomply.RegistryEntry] = store.registry()
    for entry in registry:
        print(entry["number"], entry["case"], entry["whitelisted"][0][1] is None)
    report: telecomply.ComplaintReport = store.import_complaints(
        [{"number": "13866751415", "received_at": "2026-04-01"}], actor="analyst")
    for applied in report["applied"]:
        print(applied.get("case"), applied.get("seq"), applied["line"])
    print(len(store.import_complaints(pathlib.Path("complaints.csv"))["errors"]))
    forecast: telecomply.Forecast = store.forecast("X", as_of="2026-04-22", min_similar=3)
    print(forecast["likely"], forecast["remaining_working_days"] is None, forecast["basis"])
    durations: telecomply.DurationsReport = store.durations_report(region="CN-GD")
    print(durations["states"][0]["median"], durations["waiting"][0]["working_days"])
    print(store.time_in_state().shape, store.durations().shape, store.sla_breaches(as_of="2026-04-27").shape)
    print(telecomply.visits_to_frame(durations["visits"]).shape)
    print(telecomply.cel.evaluate("1 + 1", rulesets=pathlib.Path(".")))
    print(telecomply.verdicts_to_frame(verdicts).shape)
    # what check_many returns by default (errors in place) goes to the frames as it is
    print(telecomply.verdicts_to_frame(results).shape, len(telecomply.findings_to_frame(results)))
    print(store.verify_seal(pathlib.Path("seal.json"), pathlib.Path("seal.pub.pem"))["ok"])
    fig = telecomply.plot_findings({"by_day": []}, code="CALLEE_REFUSED")
    fig.savefig("findings.png")


    def screen_on_spark(df: pyspark.sql.DataFrame) -> int:
        rows = telecomply.spark.screen(df, pathlib.Path("registry.jsonl"), partitions=4)
        both = telecomply.spark.screen_all(df, [{"number": "13800138000"}], rulesets="rulesets")
        both.unpersist()
        return rows.count() + both.number_days.count()
    """
)


def test_mypy_strict_on_a_users_script(tmp_path: Path) -> None:
    pytest.importorskip("mypy", reason="mypy is in the test extra: pip install 'telecomply[test]'")
    script = tmp_path / "user.py"
    script.write_text(USER_SCRIPT, encoding="utf-8")
    env = dict(os.environ)
    # the package under test: an installed wheel mypy finds by itself in the interpreter's
    # site-packages (which it refuses in MYPYPATH); the build tree's copy through MYPYPATH
    where = Path(telecomply.__file__).resolve().parent.parent
    if where.name != "site-packages":
        env["MYPYPATH"] = str(where)
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--cache-dir", str(tmp_path / ".mypy_cache"), str(script)],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_package_reexports_every_error() -> None:
    for name in telecomply.errors.__all__:
        assert name in telecomply.__all__
        assert getattr(telecomply, name) is getattr(telecomply.errors, name)
