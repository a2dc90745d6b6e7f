#!/usr/bin/env python3
"""Screening from Python and Spark: calls per second (docs/performance.md, "Screening").

    python bench/bench_screen.py [--calls 2000000] [--seed 1] [--repeat 3] [--unsorted]
                                 [--spark-calls 1000000] [--spark-partitions 8] [--no-spark]

Generates the calls with bench/gen_calls.py (not timed), then measures, best of --repeat:

- ``screen_calls`` on an in-memory pyarrow Table (the calls handed to the C++ kernel through the
  Arrow C Stream Interface), and the same from the CSV file (the C++ reader) and from a polars
  DataFrame;
- plain pyarrow scans of the same four columns, for comparison: one that touches every value
  (string lengths, the durations' sum) and one that also parses every start (strptime), which
  is the least any screening must do;
- ``telecomply.spark.screen`` on a local SparkSession (``local[2]``; the session's start is not
  counted), on a DataFrame of --spark-calls rows made from the same Arrow data, forced by an
  aggregate over its results; and the same Spark plan with an identity mapInArrow instead of
  screening (the cost of moving the data through Python workers and the shuffle).

Prints one line per measure and a JSON object of every figure last.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import pyarrow as pa
import pyarrow.compute as pc

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_calls  # noqa: E402

import telecomply  # noqa: E402


def best(repeat: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def report(figures: dict[str, Any], name: str, rows: int, seconds: float) -> None:
    rate = rows / seconds
    figures[name] = {"rows": rows, "seconds": round(seconds, 4), "rows_per_s": round(rate)}
    print(f"{name:<44}{rows:>11,} rows  {seconds:8.3f} s  {rate / 1e6:8.2f} M rows/s", flush=True)


def scan(table: pa.Table) -> int:
    total = 0
    for name in ("caller", "callee", "start"):
        total += pc.sum(pc.utf8_length(table.column(name))).as_py() or 0
    return total + (pc.sum(table.column("duration_s")).as_py() or 0)


def scan_parsing(table: pa.Table) -> int:
    starts = pc.strptime(table.column("start"), format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True)
    return scan(table) + (pc.count(starts).as_py() or 0)


def spark_figures(figures: dict[str, Any], table: pa.Table, paths: dict[str, Path], partitions: int,
                  repeat: int) -> None:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    package_parent = str(Path(telecomply.__file__).resolve().parents[1])
    os.environ["PYTHONPATH"] = os.pathsep.join([package_parent, *filter(None, [os.environ.get("PYTHONPATH")])])
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    import telecomply.spark as tspark

    t = time.perf_counter()
    spark = (SparkSession.builder.master("local[2]").appName("bench_screen")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", str(partitions))
             .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.driver.memory", "4g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    print(f"{'Spark session start (not counted)':<44}{'':>11}       {time.perf_counter() - t:8.3f} s", flush=True)
    try:
        df = spark.createDataFrame(table.append_column("row", pa.array(range(1, table.num_rows + 1), pa.int64())))
        df = df.persist()
        df.count()
        n = table.num_rows

        def screened() -> None:
            rows = tspark.screen(df, paths["registry"], paths["refusals"], partitions=partitions)
            rows.agg(F.count("*"), F.sum(F.size("codes"))).collect()

        def identity() -> None:
            keyed = df.withColumn("_k", tspark.caller_key("caller")).repartition(partitions, "_k") \
                .sortWithinPartitions("row").drop("_k")
            keyed.mapInArrow(lambda batches: batches, keyed.schema).agg(F.count("*")).collect()

        screened()  # warm the Python workers
        report(figures, f"spark local[2] screen ({partitions} partitions)", n, best(repeat, screened))
        report(figures, "spark local[2] same plan, identity mapInArrow", n, best(repeat, identity))
        df.unpersist()
    finally:
        spark.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").strip().splitlines()[0])
    ap.add_argument("--calls", type=int, default=2_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--unsorted", action="store_true", help="calls shuffled (the kernel's second pass)")
    ap.add_argument("--spark-calls", type=int, default=1_000_000)
    ap.add_argument("--spark-partitions", type=int, default=8)
    ap.add_argument("--no-spark", action="store_true")
    args = ap.parse_args(argv)

    figures: dict[str, Any] = {"calls": args.calls, "unsorted": args.unsorted, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as scratch:
        t = time.perf_counter()
        g = gen_calls.generate(args.calls, args.seed, unsorted=args.unsorted)
        paths = gen_calls.write(g, scratch)
        print(f"generated {args.calls:,} calls in {time.perf_counter() - t:.1f} s "
              f"({g.manifest['expected']['flagged_rows']:,} with findings)", flush=True)
        table = g.calls.combine_chunks()
        registry, refusals = str(paths["registry"]), str(paths["refusals"])

        result = telecomply.screen_calls(table, registry=registry, refusals=refusals)
        figures["passes"] = result.summary.get("passes")
        assert result.rows.column("codes").to_pylist() == g.expected_codes(), "screening disagrees with the generator"

        report(figures, "screen_calls, pyarrow Table", table.num_rows,
               best(args.repeat, lambda: telecomply.screen_calls(table, registry=registry, refusals=refusals)))
        report(figures, "screen_calls, CSV file", table.num_rows,
               best(args.repeat, lambda: telecomply.screen_calls(str(paths["calls"]), registry=registry,
                                                                 refusals=refusals)))
        try:
            import polars as pl

            frame = pl.from_arrow(table)
            report(figures, "screen_calls, polars DataFrame", table.num_rows,
                   best(args.repeat, lambda: telecomply.screen_calls(frame, registry=registry, refusals=refusals)))
        except ImportError:
            print("(polars not installed: its figure skipped)")
        report(figures, "pyarrow scan: every value touched", table.num_rows, best(args.repeat, lambda: scan(table)))
        report(figures, "pyarrow scan: and every start parsed", table.num_rows,
               best(args.repeat, lambda: scan_parsing(table)))

        if not args.no_spark:
            spark_figures(figures, table.slice(0, min(args.spark_calls, table.num_rows)), paths,
                          args.spark_partitions, max(1, min(args.repeat, 2)))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
