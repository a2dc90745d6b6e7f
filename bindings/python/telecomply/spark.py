"""Screening call records on Spark: :func:`telecomply.screen_calls` over a PySpark DataFrame,
giving exactly the rows the single-machine run gives (docs/screening.md, "Spark").

    import telecomply.spark

    rows = telecomply.spark.screen(calls_df, "registry.jsonl", "refusals.csv")
    rows.orderBy("row").show()          # row, codes, error, column

    result = telecomply.spark.screen_all(calls_df, "registry.jsonl")   # one pass, both tables
    result.rows, result.number_days     # number, date, region, count, cap
    result.unpersist()

How. Every finding but the daily cap is decided from the call alone; the cap needs every call
of a caller's local day, ranked by start (ties by input row). So:

1. Each input row gets its global row number: the DataFrame's ``row`` column when it has one,
   else 1, 2, ... in the DataFrame's order (its partitions in order, each partition's rows in
   order).
2. The rows are repartitioned by a key of the caller's canonical number, so all calls of a
   caller, on every day, land in one partition: the last nine ASCII digits of ``caller`` as
   written. Every writing of a number ends with the same digits as its canonical form
   (``+86 138-0013-8000``, ``0086 13800138000``, ``13800138000``; ``+86 757 1234 5678`` and
   ``0757-12345678``): a country code goes in front and separators in between, and every
   canonical number has at least ten digits. Equal numbers therefore always share a key (unequal
   ones may too, which only puts them in the same partition).
3. Within each partition the rows are sorted by row number, and ``mapInArrow`` runs
   :func:`telecomply.screen_calls` on the partition's calls (a pyarrow Table), in the same
   relative order as in the whole input: the ranking of calls that start at the same time
   follows input order, as it does on one machine.
4. Each partition's results are given back with their global row numbers; its number-day
   findings are complete, since a caller's calls are all in it.

The registry, the refusals and the rulesets are read on the driver and shipped to the executors
as content (a broadcast variable), never as paths an executor may not see; each Python worker
writes them once to a private temporary folder and screens against the same bytes the driver
read. The rulesets are those given, else the ones :func:`telecomply.screen_calls` would use on
the driver.

Memory: an executor holds one partition's calls at a time (a pyarrow Table: a second pass may
read it again, docs/screening.md). Choose ``partitions`` so that a partition fits comfortably.

Thread safety: the functions only build Spark plans on the driver and may be called from
several threads at once; the work on the executors shares nothing between tasks but the
read-only files of the broadcast content.

Needs pyspark (``pip install 'telecomply[spark]'``) and a Java runtime for Spark.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from .errors import InputError, NotFoundError, UsageError

if TYPE_CHECKING:
    import pyarrow  # type: ignore[import-untyped, unused-ignore]
    from pyspark.sql import DataFrame

__all__ = ["screen", "screen_number_days", "screen_all", "SparkScreening", "caller_key",
           "ROW_SCHEMA", "NUMBER_DAY_SCHEMA"]

#: The DataFrame :func:`screen` returns: one row per input row.
ROW_SCHEMA = "row long, codes array<string>, error string, column string"
#: The DataFrame :func:`screen_number_days` returns: one row per number-day over its cap.
NUMBER_DAY_SCHEMA = "number string, date date, region string, count long, cap long"

# what mapInArrow returns: a row's result (codes set: a list, empty when it has none), or a
# number-day finding (codes null). Not told apart by `row`: a row numbered null by the
# DataFrame's own `row` column is still a row, and its result is kept.
_COMBINED_SCHEMA = ROW_SCHEMA + ", " + NUMBER_DAY_SCHEMA
_ROW_COLUMNS = ["row", "codes", "error", "column"]
_NUMBER_DAY_COLUMNS = ["number", "date", "region", "count", "cap"]
_CALL_COLUMNS = ("caller", "callee", "start", "duration_s")
_ROW = "__telecomply_row"
_KEY = "__telecomply_key"
_BATCH_ROWS = 65_536

#: registry and refusals: a path (str or os.PathLike, read on the driver), a pyarrow Table, a
#: pandas or polars DataFrame, or a sequence of dicts
Source = Any


@dataclass(frozen=True)
class SparkScreening:
    """Both results of one screening pass (:func:`screen_all`).

    ``rows``: ``row long, codes array<string>, error string, column string``, one per input
    row (order by ``row`` for input order). ``number_days``: ``number string, date date, region
    string, count long, cap long``, one per number-day over its cap. Both are views of one
    persisted DataFrame: the first action computes it, the second reads it;
    :meth:`unpersist` frees it."""

    rows: DataFrame
    number_days: DataFrame
    combined: DataFrame

    def unpersist(self) -> None:
        """Frees the persisted results (the DataFrames can still be computed again)."""
        self.combined.unpersist()


def screen(df: DataFrame, registry: Source = None, refusals: Source | None = None, *,
           store: str | os.PathLike[str] | None = None, rulesets: str | os.PathLike[str] | None = None,
           partitions: int | None = None) -> DataFrame:
    """Screens the call records of ``df`` (columns ``caller``, ``callee``, ``start``,
    ``duration_s`` as for :func:`telecomply.screen_calls`; other columns are ignored, an
    integer ``row`` column numbers the rows).

    ``registry``: a JSON Lines file of the registry (path), or a table / list of its entries; or
    ``store``: a case store (path on the driver) whose registry is read there;
    ``refusals``: a CSV or JSON Lines file, or a table with ``callee`` and ``refused_at``;
    ``rulesets``: a rulesets folder (default: the driver's); ``partitions``: how many partitions
    to screen in (default ``spark.sql.shuffle.partitions``).

    Returns a DataFrame ``row long, codes array<string>, error string, column string``: one row
    per input row, ``codes`` sorted, ``error`` and ``column`` set for a bad row, exactly as
    :func:`telecomply.screen_calls` gives them for the same rows in the same order. Lazy: nothing
    runs until an action. Raises InputError when ``df`` lacks a column or has one of a type
    call records cannot use, NotFoundError when a file given does not exist, UsageError for an
    argument of the wrong kind."""
    return _combined(df, registry, refusals, store, rulesets, partitions) \
        .where(_col("codes").isNotNull()).select(*_ROW_COLUMNS)


def screen_number_days(df: DataFrame, registry: Source = None, refusals: Source | None = None, *,
                       store: str | os.PathLike[str] | None = None, rulesets: str | os.PathLike[str] | None = None,
                       partitions: int | None = None) -> DataFrame:
    """The number-days over their cap of the same screening as :func:`screen` (the same
    arguments): ``number string, date date, region string, count long, cap long``, as
    ``telecomply.screen_calls(...).number_days`` gives them (order by number and date for its
    order). Runs the whole screening: use :func:`screen_all` for both results from one pass."""
    return _combined(df, registry, refusals, store, rulesets, partitions) \
        .where(_col("codes").isNull()).select(*_NUMBER_DAY_COLUMNS)


def screen_all(df: DataFrame, registry: Source = None, refusals: Source | None = None, *,
               store: str | os.PathLike[str] | None = None, rulesets: str | os.PathLike[str] | None = None,
               partitions: int | None = None) -> SparkScreening:
    """:func:`screen` and :func:`screen_number_days` from one pass: the results are persisted
    (memory and disk) when first computed, and both DataFrames read them."""
    from pyspark import StorageLevel

    combined = _combined(df, registry, refusals, store, rulesets, partitions).persist(StorageLevel.MEMORY_AND_DISK)
    return SparkScreening(
        rows=combined.where(_col("codes").isNotNull()).select(*_ROW_COLUMNS),
        number_days=combined.where(_col("codes").isNull()).select(*_NUMBER_DAY_COLUMNS),
        combined=combined,
    )


def caller_key(column: Any) -> Any:
    """The partitioning key of a caller column (a pyspark Column or a column name): its last nine
    ASCII digits. Equal numbers in any writing get equal keys (see the module's docstring)."""
    from pyspark.sql import functions as F

    c = F.col(column) if isinstance(column, str) else column
    return F.substring(F.regexp_replace(c.cast("string"), "[^0-9]", ""), -9, 9)


# ---- the driver ----


def _col(name: str) -> Any:
    from pyspark.sql import functions as F

    return F.col(name)


def _combined(df: DataFrame, registry: Source, refusals: Source | None, store: str | os.PathLike[str] | None,
              rulesets: str | os.PathLike[str] | None, partitions: int | None) -> DataFrame:
    from pyspark.sql import DataFrame as SparkDataFrame
    from pyspark.sql import functions as F

    if not isinstance(df, SparkDataFrame):
        raise UsageError(f"telecomply.spark.screen needs a pyspark DataFrame, not {type(df).__name__}"
                         " (telecomply.screen_calls screens pandas, polars and pyarrow data)")
    if (registry is None) == (store is None):
        raise UsageError("telecomply.spark.screen needs the whitelisted numbers: registry=... (a JSON Lines file "
                         "or a table of entries) or store=... (a case store), not both")
    if store is not None:
        registry = _store_registry(store, rulesets)
    if partitions is not None and (not isinstance(partitions, int) or partitions < 1):
        raise UsageError(f"partitions must be a positive integer, not {partitions!r}")
    _check_columns(df)
    shipped = _Shipment(
        registry=_payload(registry, "registry"),
        refusals=None if refusals is None else _payload(refusals, "refusals"),
        rulesets=_rulesets_payload(rulesets),
    )
    handle = _ship(df, shipped)

    calls = _with_row_numbers(df).select(
        _ROW, *(F.col(c) for c in _CALL_COLUMNS)).withColumn(_KEY, caller_key("caller"))
    n = partitions or int(df.sparkSession.conf.get("spark.sql.shuffle.partitions") or "200")
    arranged = calls.repartition(n, _KEY).sortWithinPartitions(_ROW).drop(_KEY)

    def run(batches: Iterator[pyarrow.RecordBatch]) -> Iterator[pyarrow.RecordBatch]:
        return _screen_partition(batches, handle)

    return arranged.mapInArrow(run, _COMBINED_SCHEMA)


def _store_registry(store: str | os.PathLike[str], rulesets: str | os.PathLike[str] | None) -> list[Any]:
    """The registry of a case store (read on the driver, never created), as screen_calls reads it."""
    path = Path(os.fspath(store))
    if not path.is_file():
        raise NotFoundError(f"no case store '{path}'")
    from . import _core

    opened: Any = _core.CaseStore(path, rulesets)
    return list(opened.registry())


def _check_columns(df: DataFrame) -> None:
    from pyspark.sql import types as T

    fields = {f.name: f.dataType for f in df.schema.fields}
    missing = [c for c in _CALL_COLUMNS if c not in fields]
    if missing:
        raise InputError(f"the DataFrame has no column {', '.join(repr(c) for c in missing)} (call records need "
                         f"caller, callee, start, duration_s; it has {', '.join(df.columns) or 'none'})")
    integers = (T.ByteType, T.ShortType, T.IntegerType, T.LongType)
    for name in ("caller", "callee"):
        if not isinstance(fields[name], (T.StringType, *integers)):
            raise InputError(f"column '{name}' is {fields[name].simpleString()}, which call records cannot use "
                             "(text, or an integer)")
    if not isinstance(fields["start"], (T.StringType, T.TimestampType, T.TimestampNTZType)):
        raise InputError(f"column 'start' is {fields['start'].simpleString()}, which call records cannot use "
                         "(a timestamp, or text)")
    if not isinstance(fields["duration_s"], (*integers, T.FloatType, T.DoubleType, T.DayTimeIntervalType)):
        hint = (": cast it, e.g. df.withColumn('duration_s', df.duration_s.cast('long'))"
                if isinstance(fields["duration_s"], T.StringType) else "")
        raise InputError(f"column 'duration_s' is {fields['duration_s'].simpleString()}, which call records cannot "
                         f"use (an integer, a float of whole seconds, or a duration){hint}")
    if "row" in fields and not isinstance(fields["row"], integers):
        raise InputError(f"column 'row' is {fields['row'].simpleString()}: a row number must be an integer")


def _with_row_numbers(df: DataFrame) -> DataFrame:
    """``df`` with its global row numbers in _ROW: its ``row`` column, else 1, 2, ... in the
    DataFrame's order (a job counts each partition's rows; a row's number is the rows of the
    partitions before it plus its place in its own)."""
    from pyspark.sql import functions as F

    if "row" in df.columns:
        return df.withColumn(_ROW, F.col("row").cast("long"))
    pid, mid = "__telecomply_pid", "__telecomply_mid"
    tagged = df.withColumn(pid, F.spark_partition_id()).withColumn(mid, F.monotonically_increasing_id())
    counts = {r[0]: r[1] for r in tagged.groupBy(pid).count().collect()}
    offsets: list[Any] = []
    total = 0
    for p in range(max(counts, default=-1) + 1):
        offsets += [F.lit(p), F.lit(total).cast("long")]
        total += counts.get(p, 0)
    if not offsets:
        return df.withColumn(_ROW, F.lit(None).cast("long"))
    # monotonically_increasing_id(): the partition id in the upper 31 bits, the row's place in
    # its partition in the lower 33
    place = F.col(mid).bitwiseAND(F.lit((1 << 33) - 1))
    return tagged.withColumn(_ROW, F.create_map(*offsets)[F.col(pid)] + place + F.lit(1)).drop(pid, mid)


@dataclass(frozen=True)
class _Payload:
    """What an executor needs to rebuild an argument of screen_calls: ``kind`` "file" (``data``
    the file's bytes, ``name`` its name: the suffix decides the reader), "arrow" (an Arrow IPC
    stream) or "records" (``records`` the list of dicts)."""

    kind: str
    name: str = ""
    data: bytes = b""
    records: tuple[Mapping[str, Any], ...] = ()

    def digest(self) -> str:
        h = hashlib.sha256(self.kind.encode() + b"\0" + self.name.encode() + b"\0" + self.data)
        return h.hexdigest()[:32]


@dataclass(frozen=True)
class _Shipment:
    registry: _Payload
    refusals: _Payload | None
    rulesets: dict[str, bytes]  # relative path -> content


def _payload(source: Source, what: str) -> _Payload:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise NotFoundError(f"the {what} file {str(path)!r} does not exist (or is not a file)")
        return _Payload("file", name=path.name, data=path.read_bytes())
    table = _as_arrow(source)
    if table is not None:
        import pyarrow as pa

        sink = io.BytesIO()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        return _Payload("arrow", data=sink.getvalue())
    if isinstance(source, Sequence) and not isinstance(source, (bytes, bytearray)) \
            and all(isinstance(r, Mapping) for r in source):
        return _Payload("records", records=tuple(dict(r) for r in source))
    raise UsageError(f"the {what} must be a path, a pyarrow Table, a pandas or polars DataFrame or a list of "
                     f"dicts, not {type(source).__name__}")


def _as_arrow(source: Any) -> pyarrow.Table | None:
    """A pyarrow Table of a pyarrow, pandas or polars table; None for anything else."""
    module = type(source).__module__.split(".")[0]
    if module not in ("pyarrow", "pandas", "polars"):
        return None
    import pyarrow as pa

    if isinstance(source, pa.Table):
        return source
    if isinstance(source, pa.RecordBatch):
        return pa.Table.from_batches([source])
    if module == "pandas" and hasattr(source, "columns"):
        return pa.Table.from_pandas(source, preserve_index=False)
    if module == "polars" and hasattr(source, "to_arrow"):
        table: pa.Table = source.to_arrow()
        return table
    return None


def _rulesets_payload(rulesets: str | os.PathLike[str] | None) -> dict[str, bytes]:
    if rulesets is None:
        from ._paths import default_rulesets

        rulesets = default_rulesets()
    root = Path(rulesets)
    if not root.is_dir():
        raise NotFoundError(f"the rulesets folder {str(root)!r} does not exist")
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@dataclass(frozen=True)
class _Handle:
    """How an executor gets the shipment: a broadcast variable (classic Spark), or the shipment
    itself inside the function (Spark Connect has no broadcast variables); and its digest."""

    digest: str
    broadcast: Any = None
    shipment: _Shipment | None = None

    def get(self) -> _Shipment:
        if self.shipment is not None:
            return self.shipment
        value: _Shipment = self.broadcast.value
        return value


def _ship(df: DataFrame, shipment: _Shipment) -> _Handle:
    h = hashlib.sha256()
    for p in (shipment.registry, shipment.refusals):
        h.update(b"-" if p is None else p.digest().encode())
        if p is not None and p.kind == "records":
            h.update(repr(p.records).encode())
    for name, data in shipment.rulesets.items():
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    digest = h.hexdigest()[:32]
    try:
        context = df.sparkSession.sparkContext
    except Exception:  # Spark Connect: no SparkContext on the client
        return _Handle(digest, shipment=shipment)
    return _Handle(digest, broadcast=context.broadcast(shipment))


# ---- the executors ----

_LOCK = threading.Lock()
_MATERIALIZED: dict[str, dict[str, Any]] = {}
_SCRATCH: list[Path] = []


def _scratch_dir() -> Path:
    """This worker's folder for the shipment: inside Spark's folder of files for the executor
    (removed when Spark stops, even when the worker is killed), else the system's temporary one."""
    if not _SCRATCH:
        base: str | None = None
        try:
            from pyspark import SparkFiles

            base = SparkFiles.getRootDirectory()
        except Exception:  # not in a Spark worker
            base = None
        d = Path(tempfile.mkdtemp(prefix="telecomply-spark-", dir=base if base and os.path.isdir(base) else None))
        _SCRATCH.append(d)
        atexit.register(shutil.rmtree, d, True)
    return _SCRATCH[0]


def _rebuild(p: _Payload, where: Path) -> Any:
    if p.kind == "file":
        where.mkdir(parents=True, exist_ok=True)
        path = where / p.name
        path.write_bytes(p.data)
        return str(path)
    if p.kind == "arrow":
        import pyarrow as pa

        return pa.ipc.open_stream(p.data).read_all()
    return [dict(r) for r in p.records]


def _arguments(handle: _Handle) -> dict[str, Any]:
    """screen_calls' keyword arguments, the shipment written out once per Python worker."""
    with _LOCK:
        args = _MATERIALIZED.get(handle.digest)
        if args is None:
            shipment = handle.get()
            where = _scratch_dir() / handle.digest
            rulesets = where / "rulesets"
            for name, data in shipment.rulesets.items():
                target = rulesets / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            args = {
                "registry": _rebuild(shipment.registry, where / "registry"),
                "refusals": None if shipment.refusals is None else _rebuild(shipment.refusals, where / "refusals"),
                "rulesets": str(rulesets),
            }
            _MATERIALIZED[handle.digest] = args
        return args


def _screen_partition(batches: Iterator[pyarrow.RecordBatch], handle: _Handle) -> Iterator[pyarrow.RecordBatch]:
    """One partition: its calls (sorted by global row) through screen_calls, each result with
    its global row, then the partition's number-days."""
    import pyarrow as pa
    import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

    import telecomply

    received = [b for b in batches if b.num_rows]
    if not received:
        return
    table = pa.Table.from_batches(received)
    rows = table.column(_ROW).combine_chunks()
    result = telecomply.screen_calls(table.select(list(_CALL_COLUMNS)), **_arguments(handle))
    out = result.rows
    if out.num_rows != table.num_rows:
        raise RuntimeError(f"screen_calls gave {out.num_rows} results for {table.num_rows} rows")
    schema = _arrow_schema()
    n = out.num_rows
    # result.rows is in input order: its row i is the partition's row i, whose global row is rows[i]
    columns = {
        "row": rows.cast(pa.int64()),
        "codes": out.column("codes").cast(pa.list_(pa.string())),
        "error": out.column("error").cast(pa.string()),
        "column": out.column("column").cast(pa.string()),
        "number": pa.nulls(n, pa.string()),
        "date": pa.nulls(n, pa.date32()),
        "region": pa.nulls(n, pa.string()),
        "count": pa.nulls(n, pa.int64()),
        "cap": pa.nulls(n, pa.int64()),
    }
    yield from pa.table(columns, schema=schema).to_batches(max_chunksize=_BATCH_ROWS)
    days = result.number_days
    if days.num_rows:
        m = days.num_rows
        found = {
            "row": pa.nulls(m, pa.int64()),
            "codes": pa.nulls(m, pa.list_(pa.string())),
            "error": pa.nulls(m, pa.string()),
            "column": pa.nulls(m, pa.string()),
            "number": days.column("number").cast(pa.string()),
            "date": pc.cast(days.column("date"), pa.date32()),
            "region": days.column("region").cast(pa.string()),
            "count": days.column("count").cast(pa.int64()),
            "cap": days.column("cap").cast(pa.int64()),
        }
        yield from pa.table(found, schema=schema).to_batches(max_chunksize=_BATCH_ROWS)


def _arrow_schema() -> pyarrow.Schema:
    import pyarrow as pa

    return pa.schema([
        ("row", pa.int64()), ("codes", pa.list_(pa.string())), ("error", pa.string()),
        ("column", pa.string()), ("number", pa.string()), ("date", pa.date32()),
        ("region", pa.string()), ("count", pa.int64()), ("cap", pa.int64()),
    ])
