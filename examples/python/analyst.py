#!/usr/bin/env python3
"""An analyst's afternoon: check a corpus of applications, summarise why applications fail by
region and finding code, and plot it.

    python examples/python/analyst.py [APPLICATIONS...] [--out rejections.png]

APPLICATIONS are JSON files, JSON Lines files or folders of them (default: the shipped examples).
Prints the decisions per region and the blocking finding codes per region, and writes a bar chart
of blocking findings by code and region to --out.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import telecomply  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent / "applications"


def read_applications(paths):
    """Yields applications (dicts) from JSON files, JSON Lines files and folders."""
    for p in map(Path, paths):
        if p.is_dir():
            yield from read_applications(sorted(p.glob("*.json")))
        elif p.suffix in (".jsonl", ".ndjson"):
            with p.open(encoding="utf-8") as f:
                yield from (json.loads(line) for line in f if line.strip())
        else:
            doc = json.loads(p.read_text(encoding="utf-8"))
            yield from (doc if isinstance(doc, list) else [doc])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", default=[str(DEFAULT)])
    ap.add_argument("--out", default="rejections.png", help="where to write the chart (PNG)")
    args = ap.parse_args(argv)

    engine = telecomply.Engine()
    verdicts = engine.check_many(read_applications(args.paths))
    apps = telecomply.verdicts_to_frame(verdicts)
    findings = telecomply.findings_to_frame(verdicts)

    print(f"{len(apps)} applications\n")
    print("Decisions by region:")
    print(pd.crosstab(apps["region"], apps["decision"], margins=True).to_string(), "\n")

    blocking = findings[findings["severity"] == "blocking"]
    by_code = blocking.groupby(["code", "region"], observed=True).size().unstack(fill_value=0)
    print("Blocking findings by code and region:")
    print(by_code.to_string() if len(by_code) else "(none)", "\n")

    fig, ax = plt.subplots(figsize=(10, 5))
    if len(by_code):
        by_code.loc[by_code.sum(axis=1).sort_values().index].plot.barh(stacked=True, ax=ax)
    ax.set_title("Why applications are ineligible: blocking findings by code and region")
    ax.set_xlabel("findings")
    ax.set_ylabel("")
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print(f"chart written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
