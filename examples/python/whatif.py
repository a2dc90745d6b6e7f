#!/usr/bin/env python3
"""What if this application were filed in another province? Checks one application against the
rules of every region, as a table.

    python examples/python/whatif.py [APPLICATION.json] [--as-of YYYY-MM-DD]

Prints one row per region: the decision, the blocking findings and the obligations.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

import telecomply

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent / "applications" / "gd-retail-eligible.json"


def what_if(engine: telecomply.Engine, app: dict, as_of=None) -> pd.DataFrame:
    """The verdict on `app` as if filed in each region with rules, as a DataFrame."""
    regions = sorted({rid for rid, _ in engine.rulesets() if rid != "CN"})
    variants = [dict(app, region=r) for r in regions]
    verdicts = engine.check_many(variants, as_of=as_of)
    rows = []
    for v in verdicts:
        rows.append(
            {
                "region": v.region,
                "decision": v.decision,
                "blocking": ", ".join(
                    f.code + (f"[{f.subject}]" if f.subject else "") for f in v.findings if f.severity == "blocking"
                ),
                "obligations": ", ".join(o.code for o in v.obligations),
                "rules": f"{v.ruleset['id']}@{v.ruleset['version']}",
            }
        )
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("application", nargs="?", default=str(DEFAULT))
    ap.add_argument("--as-of", default=None, help="the rules in force on this date (default: submitted_on)")
    args = ap.parse_args(argv)
    app = json.loads(Path(args.application).read_text(encoding="utf-8"))
    table = what_if(telecomply.Engine(), app, as_of=args.as_of)
    with pd.option_context("display.max_rows", None, "display.max_colwidth", 60, "display.width", 200):
        print(f"{app['id']} (filed in {app['region']}) under every region's rules:\n")
        print(table.to_string(index=False))
        print("\n" + table["decision"].value_counts().to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
