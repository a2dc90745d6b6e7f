"""Screening call records against the registry of whitelisted numbers (docs/screening.md).

`screen_calls()` hands the calls to the C++ kernel through the Arrow C Stream Interface (no
copy of a pyarrow table's columns; pandas and polars frames are converted to Arrow first) and
returns pyarrow tables. pyarrow is needed for everything but a CSV path given with
``as_arrow=False``.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional, Union

from . import _core
from ._paths import default_rulesets
from .errors import InputError, NotFoundError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    # some pyarrow releases ship no type information: mypy --strict must pass with either
    import pyarrow  # type: ignore[import-untyped, unused-ignore]

PathLike = Union[str, "os.PathLike[str]"]

#: The finding codes a call can have (docs/policy.md §6).
CALL_FINDING_CODES = (
    "CALLEE_REFUSED",
    "CALLER_NOT_WHITELISTED",
    "DAILY_CALL_CAP_EXCEEDED",
    "OUTSIDE_CALLING_WINDOW",
)


@dataclass(frozen=True)
class Screening:
    """What `screen_calls()` found. Immutable; may be shared across threads.

    - ``rows``: one row per input row, in input order: ``row`` (int64, 1-based data row),
      ``codes`` (list<string>, the call's finding codes, sorted; empty when it has none),
      ``error`` and ``column`` (string: what is wrong with a bad row and in which column; null
      for a good row).
    - ``number_days``: the number-days over their daily cap: ``number`` (canonical form),
      ``date`` (date32, local), ``region``, ``count`` (its calls that day), ``cap``.
    - ``summary``: the totals as a dict: ``rows``, ``bad_rows``, ``flagged_rows``, ``by_code``
      {code: calls}, ``by_code_region`` [{code, region, calls}], ``by_day`` [{date, region,
      code, calls}], ``worst_numbers`` [{number, calls}], ``examples`` {code: [...]},
      ``number_days`` [...], ``passes``.
    """

    rows: "pyarrow.Table"
    number_days: "pyarrow.Table"
    summary: Dict[str, Any]

    @property
    def flagged(self) -> int:
        """Calls with at least one finding."""
        return int(self.summary["flagged_rows"])


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError as e:  # pragma: no cover - pyarrow is a dependency of screening
        raise UsageError("screen_calls needs pyarrow: pip install pyarrow") from e
    return pyarrow


def _as_table(data: Any, what: str) -> "pyarrow.Table":
    """A pandas or polars DataFrame, a pyarrow Table or RecordBatchReader, a list of dicts, or
    anything with __arrow_c_stream__, as a pyarrow Table."""
    pa = _pyarrow()
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatchReader):
        return data.read_all()
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    module = type(data).__module__.split(".")[0]
    if module == "polars" and not hasattr(data, "to_arrow"):
        raise UsageError(f"{what}: a polars {type(data).__name__} is not data yet: collect() it first")
    try:
        # a column pyarrow cannot type (an object column of numbers and text) is bad input, said
        # as such, not a pyarrow exception
        if module == "pandas":
            return pa.Table.from_pandas(data, preserve_index=False)
        if module == "polars":
            return data.to_arrow()
        if isinstance(data, list):
            return pa.Table.from_pylist(data)
        if hasattr(data, "__arrow_c_stream__"):
            return pa.table(data)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as e:
        raise InputError(f"{what}: cannot be turned into Arrow columns: {e}") from e
    raise UsageError(
        f"{what}: expected a path, a pandas or polars DataFrame, a pyarrow Table or "
        f"RecordBatchReader, not {type(data).__name__}"
    )


def _is_path(data: Any) -> bool:
    return isinstance(data, (str, os.PathLike))


def _read_bytes(path: Path) -> bytes:
    """A file's bytes, for the C++ readers (which name a bad line, non-UTF-8 text included);
    a missing file is NotFoundError, as the command line says it."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    if not path.is_file():
        raise NotFoundError(f"{path}: no such file")
    return path.read_bytes()


def _registry_text(
    registry: Any, store: Optional[PathLike], rulesets: Optional[PathLike]
) -> "tuple[Union[str, bytes], str]":
    """The registry as JSON Lines text (a file's bytes as they are), and its name for messages."""
    if (registry is None) == (store is None):
        raise UsageError("screen_calls needs the whitelisted numbers: registry=... or store=...")
    if store is not None:
        path = Path(os.fspath(store))
        if not path.is_file():
            raise NotFoundError(f"no case store '{path}'")
        from ._core import CaseStore

        entries: Iterable[Mapping[str, Any]] = CaseStore(path, rulesets).registry()
        name = str(path)
    elif _is_path(registry):
        path = Path(os.fspath(registry))
        return _read_bytes(path), str(path)
    else:
        table = _as_table(registry, "registry")
        entries = table.to_pylist()
        name = "registry"
    return "".join(json.dumps(_plain(e), ensure_ascii=False) + "\n" for e in entries), name


def _plain(entry: Mapping[str, Any]) -> Dict[str, Any]:
    """A registry row as JSON: dates and datetimes as ISO text, intervals as lists."""
    out: Dict[str, Any] = {}
    for k, v in entry.items():
        if k == "whitelisted" and v is not None:
            out[k] = [[_iso(b) for b in interval] for interval in v]
        else:
            out[k] = v
    return out


def _iso(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v


def _refusals_text(refusals: Any) -> "tuple[Optional[Union[str, bytes]], str]":
    if refusals is None:
        return None, ""
    if _is_path(refusals):
        path = Path(os.fspath(refusals))
        return _read_bytes(path), str(path)
    table = _as_table(refusals, "refusals")
    lines = []
    for r in table.select(["callee", "refused_at"]).to_pylist():
        lines.append(json.dumps({"callee": _text(r["callee"]), "refused_at": _iso(r["refused_at"])}))
    return "\n".join(lines) + "\n", "refusals"


def _text(v: Any) -> Any:
    return str(v) if isinstance(v, int) else v


def _calls_source(calls: Any) -> "Union[str, Callable[[], Any]]":
    """A CSV path as text, or a function giving a fresh Arrow stream for each pass."""
    if _is_path(calls):
        path = Path(os.fspath(calls))
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

            def parquet() -> Any:
                # read again for each pass, batch by batch: memory stays flat
                f = pq.ParquetFile(path)
                pa = _pyarrow()
                return pa.RecordBatchReader.from_batches(f.schema_arrow, f.iter_batches())

            if not path.is_file():
                raise NotFoundError(f"{path}: no such file")
            return parquet
        if suffix in (".arrow", ".feather", ".ipc"):
            import pyarrow.feather as feather  # type: ignore[import-untyped, unused-ignore]

            if not path.is_file():
                raise NotFoundError(f"{path}: no such file")
            table = feather.read_table(path, memory_map=True)
            return lambda: table
        return str(path)
    table = _as_table(calls, "calls")
    return lambda: table


def screen_calls(
    calls: Any,
    *,
    registry: Any = None,
    store: Optional[PathLike] = None,
    refusals: Any = None,
    rulesets: Optional[PathLike] = None,
) -> Screening:
    """Screens call records (docs/policy.md §6).

    ``calls``: a pandas or polars DataFrame, a pyarrow Table or RecordBatchReader (read once
    into memory: a second pass may need it again), or a path to a CSV (read by the C++ reader),
    Parquet (read batch by batch) or Arrow IPC file. Columns by name: ``caller``, ``callee``
    (text; integers lose a landline's leading 0), ``start`` (a timestamp: with a time zone an
    instant, without one China Standard Time; or text ``YYYY-MM-DD HH:MM:SS``), ``duration_s``
    (whole seconds). Other columns are ignored.

    ``registry``: a JSON Lines path as ``telecomply case registry`` writes it, or a table/list
    of dicts ``{number, region, case, whitelisted: [[from, to], ...]}``; or ``store``: a case
    store path whose registry is used (never created). ``refusals``: a CSV or JSON Lines path,
    or a table with ``callee`` and ``refused_at``. ``rulesets``: the rules (default: shipped).

    Bad rows are reported in ``rows`` (``error``, ``column``); the rest is screened. Raises
    InputError when the input cannot be read at all (a missing column, an unusable type),
    NotFoundError for a missing file or store. Runs with the GIL released: threads may screen
    concurrently.
    """
    pa = _pyarrow()
    registry_text, registry_name = _registry_text(registry, store, rulesets)
    refusals_text, refusals_name = _refusals_text(refusals)
    source = _calls_source(calls)
    if isinstance(source, str) and not Path(source).exists():
        raise NotFoundError(f"{source}: no such file")
    codes, errors, report_json = _core.screen(
        source,
        registry_text,
        registry_name,
        refusals_text,
        refusals_name,
        os.fspath(rulesets) if rulesets is not None else default_rulesets(),
    )
    summary: Dict[str, Any] = json.loads(report_json)
    return Screening(_rows_table(pa, codes, errors), _number_days_table(pa, summary), summary)


def _rows_table(pa: Any, codes: bytes, errors: List[Any]) -> "pyarrow.Table":
    n = len(codes)
    masks = pa.array(memoryview(codes).cast("B"), type=pa.uint8()) if n else pa.array([], pa.uint8())
    # the 16 possible lists of codes, picked by each row's mask
    lists = pa.array([_core.finding_codes(m) for m in range(16)], type=pa.list_(pa.string()))
    codes_column = lists.take(masks) if n else pa.array([], type=pa.list_(pa.string()))
    if errors:
        error: List[Optional[str]] = [None] * n
        column: List[Optional[str]] = [None] * n
        for row, _line, col, message in errors:
            error[row - 1] = message
            column[row - 1] = col
        error_column = pa.array(error, type=pa.string())
        column_column = pa.array(column, type=pa.string())
    else:
        error_column = pa.nulls(n, type=pa.string())
        column_column = pa.nulls(n, type=pa.string())
    import numpy

    return pa.table(
        {
            "row": pa.array(numpy.arange(1, n + 1, dtype=numpy.int64)),
            "codes": codes_column,
            "error": error_column,
            "column": column_column,
        }
    )


def _number_days_table(pa: Any, summary: Mapping[str, Any]) -> "pyarrow.Table":
    import datetime

    days = summary.get("number_days", [])
    return pa.table(
        {
            "number": pa.array([d["number"] for d in days], type=pa.string()),
            "date": pa.array([datetime.date.fromisoformat(d["date"]) for d in days], type=pa.date32()),
            "region": pa.array([d["region"] for d in days], type=pa.string()),
            "count": pa.array([d["count"] for d in days], type=pa.int64()),
            "cap": pa.array([d["cap"] for d in days], type=pa.int64()),
        }
    )
