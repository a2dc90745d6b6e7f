"""The shipped working-day calendars (rulesets/calendars/*.json).

The generated years must be exactly what scripts/gen_calendars.py generates, and a few facts are
pinned here by hand, read with the json module only (no telecomply import): these tests check the
data, not the loader.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULESETS = ROOT / "rulesets"
CALENDARS = RULESETS / "calendars"
SCRIPT = ROOT / "scripts" / "gen_calendars.py"
GENERATOR_PACKAGES = ("holidays", "lunar_python", "hijridate")
YEARS = range(2024, 2036)


def load(name: str) -> dict:
    return json.loads((CALENDARS / f"{name}.json").read_text(encoding="utf-8"))


def span(first: str, last: str) -> list[str]:
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    return [(a + timedelta(days=i)).isoformat() for i in range((b - a).days + 1)]


def needs_generator_packages() -> None:
    missing = [m for m in GENERATOR_PACKAGES if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(
            "scripts/gen_calendars.py needs the pinned packages of requirements-dev.txt; "
            f"missing: {', '.join(missing)}"
        )


def run_generator(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def generator_module():
    spec = importlib.util.spec_from_file_location("gen_calendars", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def working_days_after(calendars: list[dict], start: str, n: int) -> str:
    """The n-th working day after `start` on the base calendar with overlays applied: weekends
    are off unless listed under work; a listed off day is off."""
    off, work = set(), set()
    for cal in calendars:
        for key, year in cal.items():
            if len(key) == 4 and key.isdigit():
                off |= set(year.get("off", []))
                work |= set(year.get("work", []))
    d = date.fromisoformat(start)
    while n > 0:
        d += timedelta(days=1)
        s = d.isoformat()
        if s in work or (d.weekday() < 5 and s not in off):
            n -= 1
    return d.isoformat()


# ------------------------------------------------------------------------------------------


def test_shipped_files_match_the_generator():
    needs_generator_packages()
    r = run_generator("--check", "--rulesets", str(RULESETS))
    assert r.returncode == 0, f"gen_calendars.py --check:\n{r.stdout}{r.stderr}"


def test_generator_keeps_official_years_and_check_reports_differences(tmp_path):
    needs_generator_packages()
    rulesets = tmp_path / "rulesets"
    shutil.copytree(CALENDARS, rulesets / "calendars")
    cn_path = rulesets / "calendars" / "CN.json"
    cn = json.loads(cn_path.read_text(encoding="utf-8"))

    # An imported official 2027 (made up for the test) must survive a regeneration.
    official_2027 = {
        "status": "official",
        "source": "test notice",
        "off": ["2027-01-01", "2027-02-05", "2027-02-08"],
        "work": ["2027-02-20"],
    }
    cn["2027"] = official_2027
    # A provisional year that lost a day: --check reports it, a regeneration restores it.
    cn["2028"]["off"].remove("2028-01-03")
    cn_path.write_text(json.dumps(cn, ensure_ascii=False, indent=2), encoding="utf-8")

    r = run_generator("--check", "--rulesets", str(rulesets))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "2028 off: generated but not in the file: 2028-01-03" in r.stdout
    assert "2027" not in r.stdout  # official: not the generator's business

    r = run_generator("--rulesets", str(rulesets))
    assert r.returncode == 0, r.stdout + r.stderr
    after = json.loads(cn_path.read_text(encoding="utf-8"))
    assert after["2027"] == official_2027
    assert "2028-01-03" in after["2028"]["off"]
    assert run_generator("--check", "--rulesets", str(rulesets)).returncode == 0


def test_generator_refuses_to_overwrite_an_official_year():
    gen = generator_module()  # the libraries are imported only when dates are computed
    doc = {"2026": {"status": "official", "source": "notice", "off": [], "work": []},
           "2025": {"off": [], "work": []}}  # no status: read as official
    for year in (2026, 2025):
        with pytest.raises(gen.GenError, match="refusing to overwrite"):
            gen.put_year(doc, year, {"status": "provisional", "off": [], "work": []})
    gen.put_year(doc, 2027, {"status": "provisional", "off": [], "work": []})


def test_every_year_has_a_status_and_official_years_a_source():
    cn = load("CN")
    for year in YEARS:
        entry = cn[str(year)]
        assert entry["status"] in ("official", "provisional"), year
        assert list(entry)[:4] == ["status", "source", "off", "work"], year
        if entry["status"] == "official":
            assert isinstance(entry["source"], str) and entry["source"].strip(), year
        else:
            assert entry["work"] == [], f"{year}: a provisional year has no make-up days"
        assert entry["off"] == sorted(set(entry["off"])), f"{year}: ascending, no duplicates"
        assert all(d.startswith(f"{year}-") for d in entry["off"] + entry["work"]), year
    assert [cn[str(y)]["status"] for y in (2024, 2025, 2026)] == ["official"] * 3


def test_pinned_national_facts():
    cn = load("CN")
    y2027 = cn["2027"]
    assert y2027["status"] == "provisional"
    # 春节 2027: 除夕 Fri 02-05, 初一 to 初三 02-06..02-08, 补假 for Sat 02-06 and Sun 02-07
    assert set(span("2027-02-05", "2027-02-10")) <= set(y2027["off"])
    # 国庆 2027: 10-01..10-03 with 补假 for Sat 10-02 and Sun 10-03
    assert set(span("2027-10-01", "2027-10-05")) <= set(y2027["off"])
    # 2028: 中秋 is 10-03, also a National Day: one day off, listed once
    assert cn["2028"]["off"].count("2028-10-03") == 1
    assert "2028-10-05" not in cn["2028"]["off"]


def test_pinned_guangxi_facts():
    cn, gx = load("CN"), load("CN-GX")
    assert gx["name"] == "CN-GX" and gx["extends"] == "CN" and gx["source"].strip()
    assert {"2025-03-31", "2025-04-01"} <= set(gx["2025"]["off"])
    # 三月三 2025 is Mon 03-31 and Tue 04-01: one working day after Fri 03-28 is Wed 04-02
    assert working_days_after([cn, gx], "2025-03-28", 1) == "2025-04-02"
    assert working_days_after([cn], "2025-03-28", 1) == "2025-03-31"


def test_overlays_cover_only_base_years():
    cn = load("CN")
    for path in sorted(CALENDARS.glob("CN-*.json")):
        overlay = json.loads(path.read_text(encoding="utf-8"))
        assert overlay["name"] == path.stem and overlay.get("extends", "CN") == "CN", path.name
        years = sorted(int(k) for k in overlay if len(k) == 4 and k.isdigit())
        if path.stem in ("CN-GX", "CN-XJ"):  # generated for every year of CN.json
            assert years == list(YEARS), path.name
        for y in years:
            assert str(y) in cn, f"{path.name}: {y} is not a year of CN.json"
            entry = overlay[str(y)]
            assert entry.get("status", "provisional") == "provisional", f"{path.name}: {y}"
            assert entry["off"] == sorted(set(entry["off"])), f"{path.name}: {y}"
            assert all(d.startswith(f"{y}-") for d in entry["off"]), f"{path.name}: {y}"
