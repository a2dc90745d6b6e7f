"""telecomply.screen_calls: every kind of input gives the same rows as the command line."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest

import telecomply

pa = pytest.importorskip("pyarrow")

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "calls"
CALLS = SAMPLE / "calls.csv"
REGISTRY = SAMPLE / "registry.jsonl"
REFUSALS = SAMPLE / "refusals.csv"
EXPECTED = [[], ["OUTSIDE_CALLING_WINDOW"], ["CALLER_NOT_WHITELISTED"], ["CALLEE_REFUSED"]]


def codes(result: telecomply.Screening) -> list:
    return result.rows.column("codes").to_pylist()


def test_csv_path_gives_the_documented_rows() -> None:
    result = telecomply.screen_calls(CALLS, registry=REGISTRY, refusals=REFUSALS)
    assert codes(result) == EXPECTED
    assert result.rows.column("row").to_pylist() == [1, 2, 3, 4]
    assert result.rows.column("error").null_count == 4
    assert result.summary["flagged_rows"] == 3
    assert result.flagged == 3
    assert result.summary["by_code"] == {
        "CALLEE_REFUSED": 1,
        "CALLER_NOT_WHITELISTED": 1,
        "OUTSIDE_CALLING_WINDOW": 1,
    }
    assert result.number_days.num_rows == 0
    assert result.number_days.schema.field("date").type == pa.date32()


def test_every_kind_of_calls_input_agrees() -> None:
    import pandas as pd

    frame = pd.read_csv(CALLS, dtype=str)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    inputs = [
        str(CALLS),
        frame,
        table,
        table.to_reader(),
        pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=1)),
    ]
    polars = pytest.importorskip("polars")
    inputs.append(polars.from_pandas(frame))
    for calls in inputs:
        result = telecomply.screen_calls(calls, registry=REGISTRY, refusals=REFUSALS)
        assert codes(result) == EXPECTED, type(calls)


def test_parquet_and_timestamps(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    frame = pa.table(
        {
            "caller": ["13800138000", "13800138000"],
            "callee": ["13912345678", "13611112222"],
            # naive timestamps are China Standard Time; an aware one is an instant
            "start": pa.array(
                [datetime.datetime(2026, 3, 18, 8, 59, 59), datetime.datetime(2026, 3, 18, 10, 0)],
                type=pa.timestamp("ms"),
            ),
            "duration_s": pa.array([30, 60], type=pa.int32()),
        }
    )
    pq.write_table(frame, tmp_path / "calls.parquet")
    result = telecomply.screen_calls(tmp_path / "calls.parquet", registry=REGISTRY, refusals=REFUSALS)
    assert codes(result) == [["OUTSIDE_CALLING_WINDOW"], ["CALLEE_REFUSED"]]
    utc = frame.set_column(
        2, "start", pa.array([datetime.datetime(2026, 3, 18, 2, 0, tzinfo=datetime.timezone.utc)] * 2,
                             type=pa.timestamp("s", tz="UTC"))
    )
    assert codes(telecomply.screen_calls(utc, registry=REGISTRY)) == [[], []]


def test_registry_and_refusals_as_tables() -> None:
    registry = [
        {
            "number": "+86 138 0013 8000",
            "region": "CN-GD",
            "case": "GD-1",
            "whitelisted": [[datetime.datetime(2026, 3, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8))), None]],
        }
    ]
    refusals = pa.table({"callee": ["13611112222"], "refused_at": [datetime.date(2026, 3, 1)]})
    result = telecomply.screen_calls(CALLS, registry=registry, refusals=refusals)
    assert codes(result) == EXPECTED


def test_the_cap_and_number_days() -> None:
    starts = [f"2026-03-18 10:{i // 60:02d}:{i % 60:02d}" for i in range(151)]
    calls = pa.table(
        {
            "caller": ["13800138000"] * 151,
            "callee": ["13912345678"] * 151,
            "start": list(reversed(starts)),  # out of start order: ranked in a second pass
            "duration_s": [10] * 151,
        }
    )
    result = telecomply.screen_calls(calls, registry=REGISTRY)
    flagged = [i for i, c in enumerate(codes(result)) if "DAILY_CALL_CAP_EXCEEDED" in c]
    assert flagged == [0]  # the latest call, which came first
    assert result.summary["passes"] == 2
    assert result.number_days.to_pylist() == [
        {"number": "13800138000", "date": datetime.date(2026, 3, 18), "region": "CN-GD", "count": 151, "cap": 150}
    ]


def test_bad_rows_are_named_and_the_rest_screened() -> None:
    calls = pa.table(
        {
            "caller": ["13800138000", "x", None],
            "callee": ["13912345678"] * 3,
            "start": ["2026-03-18 10:00:00"] * 3,
            "duration_s": [10, 10, 10],
        }
    )
    result = telecomply.screen_calls(calls, registry=REGISTRY)
    assert result.rows.to_pylist() == [
        {"row": 1, "codes": [], "error": None, "column": None},
        {"row": 2, "codes": [], "error": "caller: 'x' is not a phone number", "column": "caller"},
        {"row": 3, "codes": [], "error": "caller: missing", "column": "caller"},
    ]
    assert result.summary["bad_rows"] == 2


def test_unusable_input_raises(tmp_path: Path) -> None:
    with pytest.raises(telecomply.InputError, match="no column 'duration_s'"):
        telecomply.screen_calls(pa.table({"caller": ["1"], "callee": ["2"], "start": ["x"]}), registry=REGISTRY)
    with pytest.raises(telecomply.InputError, match="Arrow type"):
        telecomply.screen_calls(
            pa.table({"caller": [1.5], "callee": ["2"], "start": ["x"], "duration_s": [1]}), registry=REGISTRY
        )
    with pytest.raises(telecomply.NotFoundError):
        telecomply.screen_calls(tmp_path / "none.csv", registry=REGISTRY)
    with pytest.raises(telecomply.NotFoundError):
        telecomply.screen_calls(CALLS, store=tmp_path / "none.db")
    assert not (tmp_path / "none.db").exists()
    with pytest.raises(telecomply.UsageError, match="registry=... or store="):
        telecomply.screen_calls(CALLS)
    with pytest.raises(telecomply.UsageError, match="not int"):
        telecomply.screen_calls(3, registry=REGISTRY)
    bad = tmp_path / "registry.jsonl"
    bad.write_text('{"number": "13800138000", "region": "CN-GD", "case": "X", "whitelisted": "always"}\n')
    with pytest.raises(telecomply.InputError, match="registry.jsonl:1"):
        telecomply.screen_calls(CALLS, registry=bad)


def test_store_registry(tmp_path: Path) -> None:
    store = telecomply.CaseStore(tmp_path / "cases.db")
    result = telecomply.screen_calls(CALLS, store=tmp_path / "cases.db")
    # an empty store lists no number: every caller is not whitelisted
    assert all("CALLER_NOT_WHITELISTED" in c for c in codes(result))
    del store


def test_same_rows_as_the_command_line() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "telecomply", "screen", str(CALLS), "--registry", str(REGISTRY),
         "--refusals", str(REFUSALS), "--format", "jsonl"],
        capture_output=True, text=True, check=False,
    )
    assert out.returncode == 1, out.stderr
    assert [json.loads(line)["codes"] for line in out.stdout.splitlines()] == EXPECTED


def test_a_bad_rows_message_is_text_whatever_its_bytes(tmp_path: Path) -> None:
    # a long value is quoted cut between characters, a non-UTF-8 byte replaced: the run gives
    # its rows instead of failing to make a Python str of the message
    calls = pa.table(
        {
            "caller": ["未知号码" * 5, "13800138000"],
            "callee": ["13912345678"] * 2,
            "start": ["2026-03-18 10:00:00"] * 2,
            "duration_s": [10, 10],
        }
    )
    result = telecomply.screen_calls(calls, registry=REGISTRY)
    assert result.rows.column("error").to_pylist() == ["caller: '未知号码未知号码未知号码未...' is not a phone number", None]
    csv = tmp_path / "calls.csv"
    csv.write_bytes(b"caller,callee,start,duration_s\n138\xff00138000,13912345678,2026-03-18 10:00:00,60\n")
    result = telecomply.screen_calls(csv, registry=REGISTRY)
    assert result.rows.column("error").to_pylist() == ["caller: '138\ufffd00138000' is not a phone number"]


def test_a_column_given_twice_is_refused() -> None:
    table = pa.Table.from_arrays(
        [pa.array(["13800138000"]), pa.array(["13912345678"]), pa.array(["2026-03-18 10:00:00"]),
         pa.array([60]), pa.array(["2026-03-18 22:00:00"])],
        names=["caller", "callee", "start", "duration_s", "start"],
    )
    with pytest.raises(telecomply.InputError, match="the column 'start' twice"):
        telecomply.screen_calls(table, registry=REGISTRY)


def test_timestamps_without_a_date_are_bad_rows() -> None:
    # beyond the years 1 to 9999 a timestamp has no date to screen it on (and its arithmetic
    # would overflow): a bad row, not a call on some other day
    calls = pa.table(
        {
            "caller": ["13800138000", "13700000000", "13800138000"],
            "callee": ["13912345678"] * 3,
            "start": pa.array([10**15, -(2**63) + 1, 1773799200], pa.timestamp("s", "UTC")),
            "duration_s": pa.array([10, 10, 10], pa.uint64()),
        }
    )
    result = telecomply.screen_calls(calls, registry=REGISTRY)
    assert result.rows.column("column").to_pylist() == ["start", "start", None]
    assert result.rows.column("error").to_pylist()[0] == (
        "start: the timestamp 1000000000000000 (s since 1970-01-01) is not a date-time of the years 1 to 9999")
    assert result.summary["by_day"] == []
    huge = pa.table({"caller": pa.array([2**64 - 1], pa.uint64()), "callee": ["1"], "start": ["2026-03-18 10:00:00"],
                     "duration_s": pa.array([2**64 - 1], pa.uint64())})
    assert telecomply.screen_calls(huge, registry=REGISTRY).rows.column("error").to_pylist() == [
        "caller: 18446744073709551615 is not a phone number"]


def test_no_refusals_is_an_empty_list() -> None:
    empty = pa.table({"callee": pa.array([], pa.string()), "refused_at": pa.array([], pa.string())})
    assert codes(telecomply.screen_calls(CALLS, registry=REGISTRY, refusals=empty)) == [
        [], ["OUTSIDE_CALLING_WINDOW"], ["CALLER_NOT_WHITELISTED"], []]


def test_registry_and_refusal_files_are_read_as_the_command_line_reads_them(tmp_path: Path) -> None:
    registry = tmp_path / "registry.jsonl"
    registry.write_bytes(b'{"number": "13800138000", "region": "CN-GD\xff", "case": "X", "whitelisted": []}\n')
    with pytest.raises(telecomply.InputError, match=r"registry.jsonl:1: \$.region"):
        telecomply.screen_calls(CALLS, registry=registry)
    refusals = tmp_path / "refusals.csv"
    refusals.write_bytes(b"callee,refused_at\n136\xff11112222,2026-03-01\n")
    with pytest.raises(telecomply.InputError, match=r"refusals.csv:2: callee: '136\ufffd11112222'"):
        telecomply.screen_calls(CALLS, registry=REGISTRY, refusals=refusals)
    for kwargs in (
        {"registry": tmp_path / "none.jsonl"},
        {"registry": REGISTRY, "refusals": tmp_path / "none.csv"},
    ):
        with pytest.raises(telecomply.NotFoundError, match="none.*: no such file"):
            telecomply.screen_calls(CALLS, **kwargs)
    with pytest.raises(telecomply.NotFoundError, match="none.arrow: no such file"):
        telecomply.screen_calls(tmp_path / "none.arrow", registry=REGISTRY)
    with pytest.raises(telecomply.InputError, match="is a folder"):
        telecomply.screen_calls(CALLS, registry=tmp_path)


def test_frames_that_are_not_arrow_data_are_said_so() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"caller": [13800138000, "13800138000"], "callee": ["1", "2"],
                          "start": ["2026-03-18 10:00:00"] * 2, "duration_s": [1, 2]})
    with pytest.raises(telecomply.InputError, match="calls: cannot be turned into Arrow columns.*caller"):
        telecomply.screen_calls(frame, registry=REGISTRY)
    pl = pytest.importorskip("polars")
    with pytest.raises(telecomply.UsageError, match="LazyFrame.*collect"):
        telecomply.screen_calls(pl.DataFrame({"caller": ["1"]}).lazy(), registry=REGISTRY)
