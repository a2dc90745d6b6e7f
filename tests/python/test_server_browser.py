"""The web pages in a real headless browser: Playwright driving Debian's chromium (never a
downloaded browser) against `telecomply serve` on loopback. Open the queue, open a case,
append an event through the page, see the new state. A failing step leaves a screenshot in
$TELECOMPLY_ARTIFACTS (default: the test's temporary folder), named in the failure."""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from pathlib import Path

import pytest

from conftest import load
from telecomply.server.run import background

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")

OFFICER = "officer-token-0123456789"


@pytest.fixture()
def server(tmp_path):
    (tmp_path / "auth.json").write_text(json.dumps(
        {"tokens": {OFFICER: {"name": "olga", "role": "officer"}}}))
    env = dict(os.environ, TELECOMPLY_NOW="2026-03-02T09:00:00+08:00")
    with background(["--store", str(tmp_path / "cases.db"), "--auth", str(tmp_path / "auth.json"),
                     "--decision-log", str(tmp_path / "decisions.jsonl")], env=env) as base:
        yield base, tmp_path


def api(base: str, method: str, path: str, body=None) -> dict:
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {OFFICER}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def test_an_officer_appends_an_event_through_the_pages(server):
    base, tmp_path = server
    case = api(base, "POST", "/v1/cases", {"application": load("gd-retail-eligible.json")})
    artefacts = Path(os.environ.get("TELECOMPLY_ARTIFACTS", tmp_path))
    artefacts.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox"])
        page = browser.new_page(locale="en-US")
        step = "start"
        try:
            step = "sign in"
            page.goto(base + "/cases?lang=en")
            page.fill("#token", OFFICER)
            page.click("#sign-in")
            step = "queue"
            page.wait_for_selector(f'tr[data-case="{case["id"]}"]')
            assert "draft" in page.inner_text(f'tr[data-case="{case["id"]}"]')
            if os.environ.get("TELECOMPLY_SCREENSHOT"):
                page.screenshot(path=os.environ["TELECOMPLY_SCREENSHOT"], full_page=True)
            step = "open the case"
            page.click(f'a[href^="/cases/{case["id"]}"]')
            page.wait_for_selector("#state")
            assert page.inner_text("#state") == "draft"
            step = "append submit"
            page.select_option("#event", "submit")
            page.click("#append")
            page.wait_for_selector("#state")
            assert page.inner_text("#state") == "submitted"
            assert "submit" in page.inner_text("#timeline")
            step = "the queue shows it"
            page.goto(base + "/cases?lang=zh")
            assert "submitted" in page.inner_text(f'tr[data-case="{case["id"]}"]')
            assert "案件队列" in page.content()
        except Exception:
            shot = artefacts / f"browser-failure-{step.replace(' ', '-')}.png"
            page.screenshot(path=str(shot), full_page=True)
            raise AssertionError(f"step '{step}' failed; screenshot: {shot}") from None
        finally:
            browser.close()
    # the store agrees, and the decision log has the page's event with the token's name
    assert api(base, "GET", f"/v1/cases/{case['id']}")["state"] == "submitted"
    lines = [json.loads(x) for x in (tmp_path / "decisions.jsonl").read_text().splitlines()]
    assert any(x["kind"] == "event" and x["actor"] == "olga" for x in lines)
