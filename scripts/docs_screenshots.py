#!/usr/bin/env python3
"""Regenerates docs/images/case-queue.png: `telecomply serve` on loopback with a few example
cases in different states (one deadline overdue), the queue shot by Playwright driving
Debian's chromium.

    PYTHONPATH=build/python .venv/bin/python scripts/docs_screenshots.py [OUT.png]
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import os
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from telecomply.server.run import background

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "applications"


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "images" / "case-queue.png"
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, TELECOMPLY_NOW="2026-06-30T09:00:00+08:00")
        with background(["--store", f"{tmp}/cases.db"], env=env) as base:
            def post(path: str, body: dict) -> dict:
                req = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                             headers={"Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(req) as r:
                        return json.loads(r.read())
                except urllib.error.HTTPError as e:
                    raise SystemExit(f"{path}: {e.code} {e.read().decode()}") from None

            # events by days after the application's submission
            story = {
                "gd-retail-eligible.json": [("submit", 0), ("accept", 1)],
                "sd-travel-eligible.json": [("submit", 0), ("accept", 2)],
                "zj-ecommerce-eligible.json": [("submit", 0), ("request_supplement", 3)],
                "sc-finance-site-inspection-eligible.json": [("submit", 0)],
                "bj-insurance-site-inspection-eligible.json": [],
            }
            for name, events in story.items():
                app = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
                day = dt.date.fromisoformat(app["submitted_on"])
                case = post("/v1/cases", {"application": app, "at": day.isoformat()})
                for event, after in events:
                    at = (day + dt.timedelta(days=after)).isoformat()
                    body = {"event": event, "at": at}
                    if event == "request_supplement":
                        body["data"] = {"items": ["materials.power_of_attorney"]}
                    post(f"/v1/cases/{case['id']}/events", body)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium"), headless=True,
                                            args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1100, "height": 420})
                page.goto(base + "/cases?lang=zh")
                page.screenshot(path=str(out))
                browser.close()
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
