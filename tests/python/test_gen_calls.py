"""bench/gen_calls.py, the call-record generator of the screening tests and benchmarks: what it
writes, that a seed gives the same bytes, that every kind of violation is in its data, and that
screening finds exactly what it planted."""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import gen_calls  # noqa: E402

CODES = ["CALLEE_REFUSED", "CALLER_NOT_WHITELISTED", "DAILY_CALL_CAP_EXCEEDED", "OUTSIDE_CALLING_WINDOW"]


@pytest.fixture(scope="module")
def week():
    return gen_calls.generate(4000, 11, bad_share=0.01)


def test_a_seed_gives_the_same_data_and_another_seed_other_data(tmp_path):
    a = gen_calls.write(gen_calls.generate(3000, 5, unsorted=True, bad_share=0.01), tmp_path / "a")
    b = gen_calls.write(gen_calls.generate(3000, 5, unsorted=True, bad_share=0.01), tmp_path / "b")
    c = gen_calls.write(gen_calls.generate(3000, 6, unsorted=True, bad_share=0.01), tmp_path / "c")
    for name in ("calls", "registry", "refusals", "manifest"):
        assert a[name].read_bytes() == b[name].read_bytes(), name
    assert a["calls"].read_bytes() != c["calls"].read_bytes()


def test_the_files_are_an_export_a_registry_and_refusals(week, tmp_path):
    paths = gen_calls.write(week, tmp_path, expected_column=True)
    lines = paths["calls"].read_text(encoding="utf-8").splitlines()
    assert lines[0] == "caller,callee,start,duration_s,expected"
    assert len(lines) == 4001
    calls = pacsv.read_csv(paths["calls"], convert_options=pacsv.ConvertOptions(
        column_types={"caller": pa.string(), "callee": pa.string(), "start": pa.string()}))
    assert calls.num_rows == 4000
    registry = [json.loads(line) for line in paths["registry"].read_text(encoding="utf-8").splitlines()]
    assert {"number", "region", "case", "whitelisted"} == set(registry[0])
    assert {e["region"] for e in registry} >= {"CN-GD", "CN-BJ", "CN-SH"}
    assert paths["refusals"].read_text(encoding="utf-8").splitlines()[0] == "callee,refused_at"
    manifest = json.loads(paths["manifest"].read_text(encoding="utf-8"))
    assert manifest["calls"] == 4000 and manifest["seed"] == 11


def test_numbers_are_written_in_varied_forms(week):
    callers = week.calls.column("caller").to_pylist() + week.calls.column("callee").to_pylist()
    assert any(c.startswith("+86 ") for c in callers)
    assert any(c.startswith("0086") for c in callers)
    assert any("-" in c and c[:3].isdigit() and c[0] == "1" for c in callers)  # 138-0013-8000
    assert any(c.startswith("0") and "-" in c for c in callers)  # 0757-12345678
    mobiles = {c[:3] for c in callers if len(c) == 11 and c.isdigit() and c[0] == "1"}
    assert len(mobiles) > 10


def test_every_kind_of_violation_is_planted(week):
    m = week.manifest
    assert all(m["expected"]["by_code"][c] > 0 for c in CODES), m["expected"]
    changes = m["callers"]["whitelisting_changes"]
    assert all(changes[k] >= 1 for k in ("ends", "ends_and_resumes", "starts", "never_whitelisted")), changes
    over = m["expected"]["number_days"]
    assert len(over) >= len(m["planted_over_cap_number_days"]) >= 2
    assert {d["region"] == "CN-GD" for d in over} == {True, False}  # GD's cap of 150 and another's
    assert all(d["count"] > d["cap"] for d in over)
    assert {d["cap"] for d in over if d["region"] == "CN-GD"} == {150}
    assert m["expected"]["bad_rows"] > 0
    share = m["expected"]["by_code"]["OUTSIDE_CALLING_WINDOW"] / m["calls"]
    assert 0.005 < share < 0.04


def test_an_export_is_in_start_order_unless_unsorted():
    starts = gen_calls.generate(3000, 3).calls.column("start").to_pylist()
    assert starts == sorted(starts)
    shuffled = gen_calls.generate(3000, 3, unsorted=True).calls.column("start").to_pylist()
    assert shuffled != sorted(shuffled) and sorted(shuffled) == starts


def test_the_command_line_writes_the_files(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "gen_calls.py"), "--calls", "1500", "--seed", "2",
                          "--out", str(tmp_path), "--parquet"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("1500 calls (")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calls.csv", "calls.parquet", "manifest.json",
                                                         "refusals.csv", "registry.jsonl"]
    bad = subprocess.run([sys.executable, str(ROOT / "bench" / "gen_calls.py"), "--calls", "0", "--out",
                          str(tmp_path / "x")], capture_output=True, text=True)
    assert bad.returncode == 2 and "calls must be at least 1" in bad.stderr


@pytest.mark.parametrize("unsorted", [False, True], ids=["export", "unsorted"])
def test_screening_finds_exactly_what_was_planted(tmp_path, unsorted):
    import telecomply

    # more rows than two of the readers' 65,536-row batches: rows cut by a batch's end count too
    n = 150_000
    g = gen_calls.generate(n, 21, unsorted=unsorted, bad_share=0.01)
    paths = gen_calls.write(g, tmp_path)
    for calls in (str(paths["calls"]), g.calls):
        result = telecomply.screen_calls(calls, registry=str(paths["registry"]), refusals=str(paths["refusals"]))
        rows = result.rows.to_pydict()
        assert rows["row"] == list(range(1, n + 1))
        assert rows["codes"] == g.expected_codes()
        assert [c or "" for c in rows["column"]] == list(g.expected_error)
    assert result.summary["by_code"] == {k: v for k, v in g.manifest["expected"]["by_code"].items() if v}
    days = sorted((d["number"], d["date"].isoformat(), d["region"], d["count"], d["cap"])
                  for d in result.number_days.to_pylist())
    assert days == [tuple(d.values()) for d in g.manifest["expected"]["number_days"]]


def test_a_week_across_new_year_screens_with_each_years_rules(tmp_path):
    import telecomply

    g = gen_calls.generate(3000, 4, start="2025-12-29", days=6)
    paths = gen_calls.write(g, tmp_path)
    result = telecomply.screen_calls(str(paths["calls"]), registry=str(paths["registry"]),
                                     refusals=str(paths["refusals"]))
    assert result.rows.column("codes").to_pylist() == g.expected_codes()
    caps = {(str(d["date"]) < "2026-01-01", d["region"] == "CN-GD", d["cap"]) for d in result.number_days.to_pylist()}
    assert caps <= {(True, True, 150), (True, False, 300), (False, True, 150), (False, False, 200)}


def test_the_screening_benchmark_runs_small():
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_screen.py"), "--calls", "20000", "--repeat",
                          "1", "--no-spark"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout.splitlines()[-1])
    assert figures["calls"] == 20000 and figures["passes"] == 1
    for name in ("screen_calls, pyarrow Table", "screen_calls, CSV file", "pyarrow scan: every value touched"):
        assert figures[name]["rows"] == 20000
