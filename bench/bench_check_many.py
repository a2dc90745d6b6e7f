#!/usr/bin/env python3
"""Python ``Engine.check_many`` over dicts: applications per second.

    python bench/bench_check_many.py [APPS.jsonl] [--n 100000] [--threads 0]

Without a corpus file, builds N applications by varying the shipped examples (new ids, number
lists). Prints one JSON line: the rate with schema validation and without it (validate=False,
for a corpus already validated), and the time spent building the dicts from JSON beforehand
(not counted).
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path

import telecomply

ROOT = Path(__file__).resolve().parents[1]


def synthetic(n):
    base = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples" / "applications").glob("*.json"))]
    out = []
    for i in range(n):
        a = copy.deepcopy(base[i % len(base)])
        a["id"] = f"{a['id']}-{i}"
        out.append(a)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?")
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    t = time.perf_counter()
    if args.corpus:
        with open(args.corpus, encoding="utf-8") as f:
            apps = [json.loads(line) for _, line in zip(range(args.n), f) if line.strip()]
    else:
        apps = synthetic(args.n)
    load_s = time.perf_counter() - t
    engine = telecomply.Engine()
    engine.check_many(apps[:1000], threads=args.threads)  # warm up: compile the rulesets
    rates = {}
    for validate in (True, False):
        best = 0.0
        for _ in range(3):
            t = time.perf_counter()
            verdicts = engine.check_many(apps, threads=args.threads, validate=validate)
            best = max(best, len(apps) / (time.perf_counter() - t))
        rates["validated" if validate else "unvalidated"] = round(best)
    not_eligible = sum(v.decision != "eligible" for v in verdicts)
    print(json.dumps({"bench": "check_many", "applications": len(apps), "threads": args.threads,
                      "not_eligible": not_eligible, "apps_per_s": rates, "load_s": round(load_s, 2)}))


if __name__ == "__main__":
    main()
