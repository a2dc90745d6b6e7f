#!/usr/bin/env python3
"""Screen a week of call records and chart the findings per day and region.

    python examples/python/screen_calls.py [--calls 20000] [--seed 7] [--out findings.png]
    python examples/python/screen_calls.py CALLS.csv --registry REGISTRY.jsonl [--refusals R.csv]

Without CALLS, generates a week of an operator's export with bench/gen_calls.py (realistic
numbers, times and a share of every kind of violation) and screens it; with CALLS, screens that
file (CSV or Parquet). Prints the totals per finding code and region, the number-days over
their cap, the numbers with the most flagged calls and one example of each code, checks a
generated week against the answer the generator knows, and writes a chart of the findings per
day and region (telecomply.plot_findings) to --out.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed

import telecomply  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def generated_week(calls: int, seed: int, folder: Path) -> tuple[dict[str, Path], object]:
    """A generated week of calls in `folder`: the files' paths, and what the generator knows."""
    sys.path.insert(0, str(ROOT / "bench"))
    import gen_calls  # bench/gen_calls.py

    week = gen_calls.generate(calls, seed, bad_share=0.001)
    return gen_calls.write(week, folder), week


def print_summary(result: telecomply.Screening) -> None:
    s = result.summary
    print(f"{s['rows']} calls, {s['flagged_rows']} with findings, {s['bad_rows']} bad rows\n")
    print("Calls per finding code and region:")
    per_code: dict[str, list[tuple[str, int]]] = {}
    for item in s["by_code_region"]:
        per_code.setdefault(item["code"], []).append((item["region"] or "(not listed)", item["calls"]))
    for code in sorted(per_code):
        print(f"  {code:<26}{s['by_code'][code]:>8}")
        for region, calls in sorted(per_code[code], key=lambda rc: -rc[1]):
            print(f"      {region:<22}{calls:>8}")
    days = result.number_days.to_pylist()
    print(f"\nNumber-days over their cap: {len(days)}")
    for d in sorted(days, key=lambda d: -d["count"])[:5]:
        print(f"  {d['number']} on {d['date']} ({d['region']}): {d['count']} calls, cap {d['cap']}")
    print("\nNumbers with the most flagged calls:")
    for w in s["worst_numbers"][:5]:
        print(f"  {w['number']:<14}{w['calls']:>6}")
    print("\nAn example of each finding:")
    for code, examples in sorted(s["examples"].items()):
        e = examples[0]
        print(f"  {code}: row {e['row']}: {e['caller']} -> {e['callee']} at {e['start']} for {e['duration_s']} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").strip().splitlines()[0])
    ap.add_argument("calls_file", nargs="?", help="call records (CSV or Parquet); default: a generated week")
    ap.add_argument("--registry", help="the registry (JSON Lines), with CALLS")
    ap.add_argument("--refusals", help="the refusals (CSV or JSON Lines), with CALLS")
    ap.add_argument("--calls", type=int, default=20_000, help="calls to generate (default 20000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default="findings.png", help="where to write the chart (PNG)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch:
        week = None
        if args.calls_file:
            if not args.registry:
                ap.error("CALLS needs --registry")
            calls, registry, refusals = args.calls_file, args.registry, args.refusals
        else:
            paths, week = generated_week(args.calls, args.seed, Path(scratch))
            calls, registry, refusals = str(paths["calls"]), str(paths["registry"]), str(paths["refusals"])
        result = telecomply.screen_calls(calls, registry=registry, refusals=refusals)

        print_summary(result)
        if week is not None:
            got = result.rows.column("codes").to_pylist()
            agree = got == week.expected_codes()
            print(f"\nEvery row as the generator planted it: {'yes' if agree else 'NO'}")
            if not agree:
                return 1

    fig = telecomply.plot_findings(result)
    fig.savefig(args.out, dpi=100)
    print(f"chart written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
