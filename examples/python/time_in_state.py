#!/usr/bin/env python3
"""Time to a decision: how long cases stay in each workflow state, per region, and when an open
case is likely to be decided.

    python examples/python/time_in_state.py OUT.png [--store cases.db] [--as-of YYYY-MM-DD]

Without --store, builds a small demonstration store in a temporary folder: Guangdong and
Shandong cases whose reviews took known numbers of working days, and one open case in each
region. Prints the median and p90 of working days per region and state, the SLA outcomes and a
forecast for each open case, and writes a bar chart of the median time in state per region (with
the p90 as a marker) to OUT.png.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402

import telecomply  # noqa: E402

HERE = Path(__file__).resolve().parent
APPLICATIONS = HERE.parent / "applications"

# region: (application, created on, accepted on, working days each decided case spent under
# review, the day the open case was accepted)
DEMO = {
    "CN-GD": ("gd-retail-eligible.json", "2026-03-16", "2026-04-01", [2, 3, 5, 8, 12, 15], "2026-05-06"),
    "CN-SD": ("sd-travel-eligible.json", "2026-02-09", "2026-03-02", [6, 9, 11, 15, 20, 24], "2026-05-06"),
}


def build_demo(path: Path) -> telecomply.CaseStore:
    """A store whose under_review visits last the given numbers of working days."""
    import json

    store = telecomply.CaseStore(path)
    for region, (app_file, created, accepted, days, open_accepted) in DEMO.items():
        app = json.loads((APPLICATIONS / app_file).read_text(encoding="utf-8"))
        cal = telecomply.Calendar(region)
        for i, n in enumerate(days):
            case_id = f"{region[3:]}-{i + 1}"
            store.new(app, at=created, id=case_id)
            store.event(case_id, "submit", at=created)
            store.event(case_id, "accept", at=accepted)
            store.event(case_id, "approve", at=cal.add_working_days(accepted, n))
        open_id = f"{region[3:]}-open"
        store.new(app, at=created, id=open_id)
        store.event(open_id, "submit", at=created)
        store.event(open_id, "accept", at=open_accepted)
    return store


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="where to write the chart (PNG)")
    ap.add_argument("--store", help="a case store (default: build a demonstration store)")
    ap.add_argument("--as-of", help="the day to report on, YYYY-MM-DD (default: 2026-05-08 for "
                    "the demonstration, else today on the store's clock)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        if args.store:
            store = telecomply.CaseStore(args.store)
            as_of = args.as_of
        else:
            store = build_demo(Path(tmp) / "cases.db")
            as_of = args.as_of or "2026-05-08"

        durations = store.durations(as_of=as_of)
        print("Time in state (working days; median and p90 of closed visits):")
        print(durations.to_string(index=False))
        print("\nSLA outcomes (cases):")
        print(store.sla_breaches(as_of=as_of).to_string(index=False))

        report = store.durations_report(as_of=as_of)
        print("\nForecasts:")
        for w in report["waiting"]:
            f = store.forecast(w["case_id"], as_of=as_of)
            print(f"  {f['case_id']} ({f['region']}, {f['state']}): likely {f['likely']}, "
                  f"between {f['earliest']} and {f['latest']} [basis {f['basis']}]")
            print(f"    {f['explanation']}")

        closed = durations.dropna(subset=["median"])
        table = closed.pivot(index="state", columns="region", values="median")
        p90 = closed.pivot(index="state", columns="region", values="p90")
        fig, ax = plt.subplots(figsize=(9, 5))
        table.plot.bar(ax=ax)
        width = 0.5 / max(len(table.columns), 1)
        for i, region in enumerate(table.columns):
            xs = [x - 0.25 + width * (i + 0.5) for x in range(len(table.index))]
            ax.scatter(xs, p90[region], marker="_", s=200, color="black",
                       label="p90" if i == 0 else None)
        ax.set_ylabel("working days")
        ax.set_title(f"Median time in state by region (as of {report['as_of']})")
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.out, dpi=120)
        print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
