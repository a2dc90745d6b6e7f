"""telecomply.spark on a local SparkSession: the rows and number-days that screen_calls gives on
one machine, row for row, whatever the partitioning and the input's order (docs/screening.md,
"Spark"). Needs pyspark (the test extra) and a Java runtime (Debian's openjdk-17-jre-headless,
scripts/packages.sh); skipped only where no Java runtime can be found."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pyarrow as pa
import pytest

import telecomply
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import gen_calls  # noqa: E402


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and Path(home, "bin", "java").is_file():
        return str(Path(home, "bin", "java"))
    return shutil.which("java")


if _java() is None:
    pytest.skip("no Java runtime found (java on PATH or JAVA_HOME): Spark needs one; on Debian "
                "apt-get install openjdk-17-jre-headless (scripts/packages.sh lists it)", allow_module_level=True)

pyspark = pytest.importorskip("pyspark", reason="pyspark is in the test extra: pip install 'telecomply[test]'")
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

import telecomply.spark as tspark  # noqa: E402

CALLS = 3000


@pytest.fixture(scope="module")
def spark():
    # the Python workers: this interpreter, importing the telecomply under test
    os.environ["PYSPARK_PYTHON"] = sys.executable
    package_parent = str(Path(telecomply.__file__).resolve().parents[1])
    os.environ["PYTHONPATH"] = os.pathsep.join([package_parent, *filter(None, [os.environ.get("PYTHONPATH")])])
    session = (
        SparkSession.builder.master("local[2]").appName("telecomply-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.memory", "1g")
        .config("spark.python.worker.reuse", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Generated calls with every kind of violation and bad rows, as an export (start order) and
    shuffled, with their files."""
    out = {}
    for name, unsorted in (("export", False), ("unsorted", True)):
        g = gen_calls.generate(CALLS, 31, unsorted=unsorted, bad_share=0.01)
        out[name] = (g, gen_calls.write(g, tmp_path_factory.mktemp(name)))
    return out


def single_machine(calls, paths):
    return telecomply.screen_calls(calls, registry=str(paths["registry"]), refusals=str(paths["refusals"]))


def rows_of(df) -> list[tuple]:
    return [(r["row"], list(r["codes"]), r["error"], r["column"]) for r in df.orderBy("row").collect()]


def expected_rows(result) -> list[tuple]:
    t = result.rows.to_pydict()
    return list(zip(t["row"], t["codes"], t["error"], t["column"]))


def number_days_of(df) -> list[tuple]:
    return [(r["number"], r["date"], r["region"], r["count"], r["cap"])
            for r in df.orderBy("number", "date").collect()]


def expected_number_days(result) -> list[tuple]:
    t = result.number_days.to_pylist()
    return sorted((d["number"], d["date"], d["region"], d["count"], d["cap"]) for d in t)


@pytest.mark.parametrize("order", ["export", "unsorted"])
def test_rows_and_number_days_are_those_of_one_machine(spark, data, order):
    g, paths = data[order]
    expected = single_machine(g.calls, paths)
    assert expected.number_days.num_rows >= 2  # GD's cap and another's are exceeded
    # repartition(3) deals the rows out round-robin: the DataFrame's order is no longer the
    # table's, so the rows carry their numbers
    df = spark.createDataFrame(g.calls.append_column("row", pa.array(range(1, CALLS + 1), pa.int64()))).repartition(3)
    result = tspark.screen_all(df, paths["registry"], paths["refusals"], partitions=5)
    try:
        assert rows_of(result.rows) == expected_rows(expected)
        assert number_days_of(result.number_days) == expected_number_days(expected)
    finally:
        result.unpersist()


def test_rows_are_numbered_in_the_dataframes_order(spark, data):
    g, paths = data["unsorted"]
    expected = single_machine(g.calls, paths)
    df = spark.createDataFrame(g.calls)  # slices of the table, in order, over the partitions
    assert df.rdd.getNumPartitions() > 1
    assert rows_of(tspark.screen(df, str(paths["registry"]), str(paths["refusals"]), partitions=3)) == \
        expected_rows(expected)


def test_a_csv_read_by_spark_screens_as_the_file_does(spark, data):
    g, paths = data["export"]
    expected = single_machine(str(paths["calls"]), paths)
    # a small split size: the file is read by several tasks, numbered in file order
    spark.conf.set("spark.sql.files.maxPartitionBytes", "40000")
    try:
        df = spark.read.csv(str(paths["calls"]), header=True,
                            schema="caller string, callee string, start string, duration_s long")
        assert df.rdd.getNumPartitions() > 1
        rows = tspark.screen(df, paths["registry"], paths["refusals"])
        assert rows_of(rows) == expected_rows(expected)
        days = tspark.screen_number_days(df, paths["registry"], paths["refusals"])
        assert number_days_of(days) == expected_number_days(expected)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")


def test_registry_and_refusals_as_tables(spark, data):
    g, paths = data["export"]
    expected = single_machine(g.calls, paths)
    df = spark.createDataFrame(g.calls)
    rows = tspark.screen(df, g.registry, g.refusals, partitions=2)  # a list of dicts, a pyarrow Table
    assert rows_of(rows) == expected_rows(expected)


def test_timestamps_screen_as_their_text(spark, data):
    g, paths = data["export"]
    good = g.calls.filter(pa.array(g.expected_error == ""))
    expected = single_machine(good, paths)
    df = spark.createDataFrame(good).withColumn("start", F.to_timestamp_ntz("start"))  # CST wall clock
    assert rows_of(tspark.screen(df, paths["registry"], paths["refusals"])) == expected_rows(expected)


def test_every_writing_of_a_number_has_one_partitioning_key(spark):
    writings = {
        "13800138000": ["13800138000", "+86 138 0013 8000", "+86-138-0013-8000", "138-0013-8000",
                        "0086 13800138000", "8613800138000", "86 138 0013 8000"],
        "075712345678": ["075712345678", "0757-12345678", "0757 1234 5678", "+86 757 1234 5678",
                         "+86-757-12345678", "0086 757 12345678"],
        "01012345678": ["010-12345678", "+86 10 1234 5678", "01012345678"],
        "4001234567": ["4001234567", "400-123-4567", "+86 400 123 4567"],
    }
    df = spark.createDataFrame([(k, w) for k, ws in writings.items() for w in ws], "number string, caller string")
    keys = df.select("number", tspark.caller_key("caller").alias("key")).distinct().collect()
    assert sorted((r["number"], r["key"]) for r in keys) == sorted(
        (k, k[-9:]) for k in writings)
    assert spark.createDataFrame([(13800138000,)], "caller long") \
        .select(tspark.caller_key("caller").alias("k")).first()["k"] == "800138000"


def test_clear_errors(spark, data, tmp_path):
    g, paths = data["export"]
    df = spark.createDataFrame(g.calls)
    with pytest.raises(telecomply.InputError, match="no column 'duration_s'"):
        tspark.screen(df.drop("duration_s"), paths["registry"])
    with pytest.raises(telecomply.InputError, match=r"duration_s.*is string.*cast\('long'\)"):
        tspark.screen(df.withColumn("duration_s", F.col("duration_s").cast("string")), paths["registry"])
    with pytest.raises(telecomply.NotFoundError, match="registry file .*nowhere.jsonl"):
        tspark.screen(df, tmp_path / "nowhere.jsonl")
    with pytest.raises(telecomply.UsageError, match="pyspark DataFrame"):
        tspark.screen(g.calls, paths["registry"])  # type: ignore[arg-type]
    with pytest.raises(telecomply.UsageError, match="registry must be"):
        tspark.screen(df, 42)


def test_the_worked_example_of_the_documentation(spark, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    # the JVM keeps the folder it started in: Spark's reader gets the whole path
    calls = spark.read.csv(str(ROOT / "examples" / "calls" / "calls.csv"), header=True,
                           schema="caller string, callee string, start string, duration_s long")
    rows = tspark.screen(calls, "examples/calls/registry.jsonl", "examples/calls/refusals.csv")
    capsys.readouterr()
    rows.orderBy("row").show(truncate=False)
    shown = capsys.readouterr().out
    assert "|2  |[OUTSIDE_CALLING_WINDOW]|NULL |NULL  |" in shown
    doc = (ROOT / "docs" / "screening.md").read_text(encoding="utf-8")
    assert shown.strip() in doc


def test_calls_at_the_same_second_are_ranked_in_input_order(spark):
    # 152 calls of a Guangdong number (cap 150) all at one second: the two after the cap-th in
    # input order are over it, however the DataFrame's partitions hold the rows
    n = 152
    registry = [{"number": "13800138000", "region": "CN-GD", "case": "GD-2026-0001",
                 "whitelisted": [["2026-03-01T00:00:00+08:00", None]]}]
    calls = pa.table({
        "row": pa.array(range(1, n + 1), pa.int64()),
        "caller": ["+86 138 0013 8000" if i % 2 else "13800138000" for i in range(n)],
        "callee": [f"139{i:08d}" for i in range(n)],
        "start": ["2026-03-18 10:00:00"] * n,
        "duration_s": pa.array([60] * n, pa.int64()),
    })
    expected = telecomply.screen_calls(calls, registry=registry)
    flagged = [r for r, c in zip(expected.rows.column("row").to_pylist(), expected.rows.column("codes").to_pylist()) if c]
    assert flagged == [151, 152]
    backwards = spark.createDataFrame(calls.take(pa.array(range(n - 1, -1, -1)))).repartition(3)
    assert rows_of(tspark.screen(backwards, registry, partitions=2)) == expected_rows(expected)


def test_the_registry_of_a_case_store(spark, data, tmp_path):
    g, paths = data["export"]
    telecomply.CaseStore(tmp_path / "cases.db")  # an empty store: no number is whitelisted
    expected = telecomply.screen_calls(g.calls, store=tmp_path / "cases.db", refusals=str(paths["refusals"]))
    rows = tspark.screen(spark.createDataFrame(g.calls), refusals=paths["refusals"], store=tmp_path / "cases.db")
    assert rows_of(rows) == expected_rows(expected)
    assert any("CALLER_NOT_WHITELISTED" in codes for _, codes, _, _ in rows_of(rows))
    with pytest.raises(telecomply.UsageError, match="registry=... .* or store=..."):
        tspark.screen(spark.createDataFrame(g.calls), paths["registry"], store=tmp_path / "cases.db")
    with pytest.raises(telecomply.NotFoundError, match="no case store"):
        tspark.screen(spark.createDataFrame(g.calls), store=tmp_path / "none.db")


def test_no_refusals_is_no_refusal(spark):
    registry = [{"number": "13800138000", "region": "CN-GD", "case": "GD-2026-0001",
                 "whitelisted": [["2026-03-01T00:00:00+08:00", None]]}]
    df = spark.createDataFrame([("13800138000", "13912345678", "2026-03-18 10:00:00", 60)],
                               "caller string, callee string, start string, duration_s long")
    empty = pa.table({"callee": pa.array([], pa.string()), "refused_at": pa.array([], pa.string())})
    assert rows_of(tspark.screen(df, registry, empty)) == [(1, [], None, None)]


def test_a_row_numbered_null_keeps_its_result(spark):
    # the results and the number-days travel in one DataFrame: a row whose own `row` is null is
    # still a row, neither dropped from screen() nor passed off as a number-day
    registry = [{"number": "13800138000", "region": "CN-GD", "case": "GD-2026-0001",
                 "whitelisted": [["2026-03-01T00:00:00+08:00", None]]}]
    calls = pa.table({
        "row": pa.array([1, None, 3], pa.int64()),
        "caller": ["13800138000"] * 3,
        "callee": ["13912345678"] * 3,
        "start": ["2026-03-18 10:00:00", "2026-03-18 21:00:00", "2026-03-18 11:00:00"],
        "duration_s": pa.array([60] * 3, pa.int64()),
    })
    df = spark.createDataFrame(calls)
    rows = sorted(((r["row"] or 0), list(r["codes"])) for r in tspark.screen(df, registry, partitions=2).collect())
    assert rows == [(0, ["OUTSIDE_CALLING_WINDOW"]), (1, []), (3, [])]
    assert tspark.screen_number_days(df, registry, partitions=2).count() == 0
