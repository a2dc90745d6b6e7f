"""A bounded load test on loopback (bench/load_serve.py): 50 concurrent clients for 30 s mixing
checks and case events against `telecomply serve`. No error, no event lost or duplicated, the
store's chains verify, every decision logged. Latencies are reported by the benchmark, not
asserted here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the server extra: pip install 'telecomply[server]'")
pytest.importorskip("httpx")

BENCH = Path(__file__).resolve().parents[2] / "bench" / "load_serve.py"


def test_fifty_clients_for_thirty_seconds():
    spec = importlib.util.spec_from_file_location("load_serve", BENCH)
    load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load)
    report = load.run(clients=50, seconds=30.0)
    print(report)
    assert report["errors"] == 0, report["first_errors"]
    assert report["events"] > 0 and report["checks"] > 0
    assert report["lost_events"] == 0 and report["duplicated_events"] == 0
    assert report["verify_ok"]
    # every check and every accepted event has its line (seeding adds 4 a case)
    assert report["decision_log_lines"] >= report["checks"] + report["events"]
