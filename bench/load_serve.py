#!/usr/bin/env python3
"""A bounded load test of `telecomply serve` on loopback: CLIENTS concurrent clients for
SECONDS, mixing checks and case events; then every accepted event must be in its case's
history exactly once, and the store's hash chains must verify.

    PYTHONPATH=build/python .venv/bin/python bench/load_serve.py [--clients 50] [--seconds 30]

Each client owns one whitelisted case and cycles it through report_change / change_accepted
(so its events are never refused), and between events checks a random example application.
Prints one JSON line: requests, throughput, p50/p99 latencies by kind, errors, events lost or
duplicated, verify.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import httpx

import telecomply
from telecomply.server.run import background

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "applications"
TOKEN = "load-test-officer-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


def percentile(xs: List[float], q: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


async def seed(client: httpx.AsyncClient, apps: List[Dict[str, Any]], n: int) -> List[str]:
    """n whitelisted cases (ids differ: each copy of an example gets its own id)."""
    ids = []
    for i in range(n):
        app = json.loads(json.dumps(apps[i % len(apps)]))
        app["id"] = f"LOAD-{i:04d}"
        # numbers of their own: a number in another live case would be refused at submit
        for k, n in enumerate(app.get("numbers", [])):
            n["number"] = n["number"][:-6] + f"{i:04d}{k:02d}"
        r = await client.post("/v1/cases", json={"application": app, "at": app["submitted_on"]},
                              headers=HEADERS)
        r.raise_for_status()
        case = r.json()["id"]
        for event in ("submit", "accept", "approve"):
            r = await client.post(f"/v1/cases/{case}/events", json={"event": event},
                                  headers=HEADERS)
            if r.status_code != 200:
                raise SystemExit(f"seeding {case} {event}: {r.status_code} {r.text}")
        ids.append(case)
    return ids


async def worker(base: str, case: str, apps: List[Dict[str, Any]], until: float,
                 seed_n: int, out: Dict[str, Any]) -> None:
    rnd = random.Random(seed_n)
    cycle = [("report_change", {"changed_on": "2026-06-29"}), ("change_accepted", None)]
    step = 0
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        while time.perf_counter() < until:
            if rnd.random() < 0.5:
                t0 = time.perf_counter()
                r = await client.post("/v1/check", json=rnd.choice(apps), headers=HEADERS)
                out["check"].append(time.perf_counter() - t0)
                if r.status_code != 200:
                    out["errors"].append(f"check {r.status_code} {r.text[:200]}")
            else:
                event, data = cycle[step % 2]
                body: Dict[str, Any] = {"event": event}
                if data:
                    body["data"] = data
                t0 = time.perf_counter()
                r = await client.post(f"/v1/cases/{case}/events", json=body, headers=HEADERS)
                out["event"].append(time.perf_counter() - t0)
                if r.status_code == 200:
                    out["accepted"][case] = out["accepted"].get(case, 0) + 1
                    step += 1
                else:
                    out["errors"].append(f"event {case} {event} {r.status_code} {r.text[:200]}")


def run(clients: int = 50, seconds: float = 30.0) -> Dict[str, Any]:
    apps = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.json"))]
    # cases from the examples that pass intake and need no site inspection
    eligible = [json.loads((EXAMPLES / n).read_text(encoding="utf-8"))
                for n in ("gd-retail-eligible.json", "sd-travel-eligible.json",
                          "zj-ecommerce-eligible.json")]
    with tempfile.TemporaryDirectory(prefix="telecomply-load-") as tmp:
        (Path(tmp) / "auth.json").write_text(json.dumps(
            {"tokens": {TOKEN: {"name": "load", "role": "officer"}}}))
        env = dict(os.environ, TELECOMPLY_NOW="2026-06-30T09:00:00+08:00")
        store = Path(tmp) / "cases.db"
        with background(["--store", str(store), "--auth", f"{tmp}/auth.json",
                         "--decision-log", f"{tmp}/d.jsonl"], env=env) as base:

            async def main() -> Dict[str, Any]:
                async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                    cases = await seed(client, eligible, clients)
                out: Dict[str, Any] = {"check": [], "event": [], "errors": [], "accepted": {}}
                until = time.perf_counter() + seconds
                start = time.perf_counter()
                await asyncio.gather(*(worker(base, c, apps, until, i, out)
                                       for i, c in enumerate(cases)))
                out["elapsed"] = time.perf_counter() - start
                # every accepted event once in its case's history (3 seed events + creation)
                lost = duplicated = 0
                async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                    for c in cases:
                        r = await client.get(f"/v1/cases/{c}/history", headers=HEADERS)
                        kinds = [e["type"] for e in r.json()["events"]]
                        found = sum(k in ("report_change", "change_accepted") for k in kinds)
                        want = out["accepted"].get(c, 0)
                        lost += max(0, want - found)
                        duplicated += max(0, found - want)
                out["lost"], out["duplicated"] = lost, duplicated
                return out

            out = asyncio.run(main())
        verify = telecomply.CaseStore(str(store)).verify()
        decisions = sum(1 for _ in open(f"{tmp}/d.jsonl", encoding="utf-8"))
    n = len(out["check"]) + len(out["event"])
    ms = lambda xs, q: round(1000 * percentile(xs, q), 1)  # noqa: E731
    return {
        "bench": "load_serve", "clients": clients, "seconds": seconds, "requests": n,
        "requests_per_s": round(n / out["elapsed"], 1),
        "checks": len(out["check"]), "events": len(out["event"]),
        "check_ms": {"p50": ms(out["check"], 0.5), "p99": ms(out["check"], 0.99)},
        "event_ms": {"p50": ms(out["event"], 0.5), "p99": ms(out["event"], 0.99)},
        "errors": len(out["errors"]), "first_errors": out["errors"][:3],
        "lost_events": out["lost"], "duplicated_events": out["duplicated"],
        "verify_ok": bool(verify.get("ok")), "decision_log_lines": decisions,
        "mean_check_ms": round(1000 * statistics.mean(out["check"]), 1) if out["check"] else 0,
    }


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--seconds", type=float, default=30.0)
    a = p.parse_args()
    report = run(a.clients, a.seconds)
    print(json.dumps(report, ensure_ascii=False))
    sys.exit(0 if report["errors"] == 0 and report["lost_events"] == 0
             and report["duplicated_events"] == 0 and report["verify_ok"] else 1)
