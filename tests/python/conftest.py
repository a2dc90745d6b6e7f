"""Shared fixtures: the repository's example applications and a scratch folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "applications"


def load(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def engine():
    import telecomply

    return telecomply.Engine()


@pytest.fixture()
def eligible_app() -> dict:
    return load("gd-retail-eligible.json")


@pytest.fixture()
def example_apps() -> list:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.json"))]


@pytest.fixture(autouse=True)
def store_clock(monkeypatch):
    """Tests inject the clock: case stores judge event times against 2030-12-31, after every
    date the tests record (a test that needs another passes now= to CaseStore)."""
    monkeypatch.setenv("TELECOMPLY_NOW", "2030-12-31T12:00:00+08:00")
