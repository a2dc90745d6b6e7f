"""The shipped working-day calendars (rulesets/calendars/*.json).

The generated years must be exactly what scripts/gen_calendars.py generates, and a few facts are
pinned here by hand, read with the json module only (no telecomply import): these tests check the
data, not the loader.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
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


# ------------------------------------------------------------------------------------------
# The generator against files that `telecomply calendar import` changed. The imports are
# written here with the json module (the CLI may not be built where the tests run), in the
# content an import gives: a national year with "status": "official" and a source, a regional
# year with the keys of the import file (usually no status at all).


def copy_rulesets(tmp_path: Path) -> Path:
    rulesets = tmp_path / "rulesets"
    shutil.copytree(CALENDARS, rulesets / "calendars")
    return rulesets


def read_calendar(rulesets: Path, name: str) -> dict:
    return json.loads((rulesets / "calendars" / f"{name}.json").read_text(encoding="utf-8"))


def write_calendar(rulesets: Path, name: str, doc: dict) -> None:
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    (rulesets / "calendars" / f"{name}.json").write_text(text, encoding="utf-8")


def check_and_regenerate(rulesets: Path) -> None:
    """--check says the files are up to date, a run keeps them so, and a second --check agrees."""
    for args in (("--check",), (), ("--check",)):
        r = run_generator(*args, "--rulesets", str(rulesets))
        assert r.returncode == 0, f"{args}:\n{r.stdout}{r.stderr}"


GX_2026_NOTICE = {
    "off": ["2026-04-17", "2026-04-20"],
    "source": "广西壮族自治区人民政府办公厅关于2026年“壮族三月三”放假的通知 (test)",
    "_note": "三月三: the notice gives Friday 17 and Monday 20 April",
}


@pytest.mark.parametrize("status", [None, "official"])
def test_generator_keeps_an_imported_regional_notice(tmp_path, status):
    needs_generator_packages()
    rulesets = copy_rulesets(tmp_path)
    gx = read_calendar(rulesets, "CN-GX")
    assert gx["2026"]["status"] == "provisional"  # the rule's 19, 20 and 21 April
    notice = dict(GX_2026_NOTICE) if status is None else {"status": status, **GX_2026_NOTICE}
    gx["2026"] = notice
    write_calendar(rulesets, "CN-GX", gx)

    r = run_generator("--check", "--rulesets", str(rulesets))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2026" not in r.stdout

    r = run_generator("--rulesets", str(rulesets))
    assert r.returncode == 0, r.stdout + r.stderr
    after = read_calendar(rulesets, "CN-GX")
    assert after["2026"] == notice
    assert list(after["2026"]) == list(notice)  # not even reordered
    assert after == gx  # nothing else changed either
    check_and_regenerate(rulesets)


def test_a_provisional_overlay_year_is_still_regenerated(tmp_path):
    needs_generator_packages()
    rulesets = copy_rulesets(tmp_path)
    gx = read_calendar(rulesets, "CN-GX")
    expected = gx["2027"]
    gx["2027"] = {"status": "provisional", "off": ["2027-04-09"], "_note": "edited by hand"}
    write_calendar(rulesets, "CN-GX", gx)

    r = run_generator("--check", "--rulesets", str(rulesets))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "CN-GX.json: 2027 off: generated but not in the file: 2027-04-10, 2027-04-12" in r.stdout
    assert run_generator("--rulesets", str(rulesets)).returncode == 0
    assert read_calendar(rulesets, "CN-GX")["2027"] == expected


def test_a_recorded_year_wins_over_the_scripts_notices_table(tmp_path):
    needs_generator_packages()
    rulesets = copy_rulesets(tmp_path)
    gx = read_calendar(rulesets, "CN-GX")
    # REGIONS records the 2024 notice as 04-11 and 04-12; the file says otherwise.
    gx["2024"] = {"off": ["2024-04-11", "2024-04-12", "2024-04-15"], "source": "a later notice"}
    write_calendar(rulesets, "CN-GX", gx)

    for args in (("--check",), ()):
        r = run_generator(*args, "--rulesets", str(rulesets))
        assert r.returncode == 0, r.stdout + r.stderr
        assert "CN-GX 2024" in r.stderr and "the file's year is kept" in r.stderr, r.stderr
    assert read_calendar(rulesets, "CN-GX")["2024"] == gx["2024"]


def national_year_with(**changes) -> dict:
    """A made-up official 2027: the test fixture's days (tests/data/calendars), changed."""
    fixture = json.loads(
        (ROOT / "tests/data/calendars/CN-2027-official-fixture.json").read_text(encoding="utf-8")
    )
    year = fixture["2027"]
    assert year["status"] == "official" and year["source"]
    year["off"] = sorted(set(year["off"]) | set(changes.get("off", [])))
    year["work"] = sorted(set(year["work"]) | set(changes.get("work", [])))
    return year


def test_the_fixture_official_2027_leaves_the_regional_days_of_2027_alone(tmp_path):
    # CN-GX 2027: Fri 04-09, Sat 04-10, 补假 Mon 04-12; CN-XJ 2027: 03-09, Sun 05-16 to 05-18,
    # 补假 05-19. The fixture's official year neither takes nor gives those days, so importing it
    # changes no overlay (hence the synthetic cases of the next test).
    needs_generator_packages()
    rulesets = copy_rulesets(tmp_path)
    before = {name: read_calendar(rulesets, name) for name in ("CN-GX", "CN-XJ")}
    cn = read_calendar(rulesets, "CN")
    cn["2027"] = national_year_with()
    write_calendar(rulesets, "CN", cn)
    check_and_regenerate(rulesets)
    for name, doc in before.items():
        assert read_calendar(rulesets, name) == doc, name
    assert read_calendar(rulesets, "CN")["2027"] == cn["2027"]


@pytest.mark.parametrize(
    "changes, gx_2027",
    [
        # the day after the weekend regional day is a national day off: the 补假 moves on
        ({"off": ["2027-04-12"]}, ["2027-04-09", "2027-04-10", "2027-04-13"]),
        # Sunday 04-11 is a make-up working day (调休): it is the next working day
        ({"work": ["2027-04-11"]}, ["2027-04-09", "2027-04-10", "2027-04-11"]),
        # the regional Saturday is a make-up working day: it was not a rest day, so no 补假
        ({"work": ["2027-04-10"]}, ["2027-04-09", "2027-04-10"]),
        # the regional Friday is a national holiday too: counted once, the Saturday still gets one
        ({"off": ["2027-04-09"]}, ["2027-04-09", "2027-04-10", "2027-04-12"]),
    ],
)
def test_regional_buxiu_follows_an_official_national_year(tmp_path, changes, gx_2027):
    needs_generator_packages()
    rulesets = copy_rulesets(tmp_path)
    cn = read_calendar(rulesets, "CN")
    cn["2027"] = national_year_with(**changes)
    write_calendar(rulesets, "CN", cn)

    if gx_2027 != read_calendar(rulesets, "CN-GX")["2027"]["off"]:
        r = run_generator("--check", "--rulesets", str(rulesets))
        assert r.returncode == 1, r.stdout + r.stderr
        assert "CN-GX.json: 2027 off:" in r.stdout
        assert "CN.json: up to date" in r.stdout  # the official year is not touched
    r = run_generator("--rulesets", str(rulesets))
    assert r.returncode == 0, r.stdout + r.stderr
    gx = read_calendar(rulesets, "CN-GX")
    assert gx["2027"]["status"] == "provisional"
    assert gx["2027"]["off"] == gx_2027
    assert read_calendar(rulesets, "CN")["2027"] == cn["2027"]
    check_and_regenerate(rulesets)


@pytest.mark.parametrize("how", ["import", "through"])
def test_overlays_follow_years_added_to_the_national_calendar(tmp_path, how):
    needs_generator_packages()
    rulesets = copy_rulesets(tmp_path)
    if how == "import":  # an official 2036 imported into CN.json (days made up for the test)
        cn = read_calendar(rulesets, "CN")
        cn["2036"] = {"status": "official", "source": "test notice", "off": ["2036-01-01"],
                      "work": []}
        write_calendar(rulesets, "CN", cn)
    else:  # a run with --through 2036, then the overlays lose their 2036 (an older script)
        assert run_generator("--through", "2036", "--rulesets", str(rulesets)).returncode == 0
        assert read_calendar(rulesets, "CN")["2036"]["status"] == "provisional"
        for name in ("CN-GX", "CN-XJ"):
            doc = read_calendar(rulesets, name)
            del doc["2036"]
            write_calendar(rulesets, name, doc)

    r = run_generator("--check", "--rulesets", str(rulesets))  # the default --through (2035)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "CN-GX.json lacks 2036" in r.stdout and "CN-XJ.json lacks 2036" in r.stdout
    assert "CN.json: up to date" in r.stdout

    r = run_generator("--rulesets", str(rulesets))
    assert r.returncode == 0, r.stdout + r.stderr
    gx, xj = read_calendar(rulesets, "CN-GX"), read_calendar(rulesets, "CN-XJ")
    assert gx["2036"]["status"] == xj["2036"]["status"] == "provisional"
    # 三月三 2036: Sun 03-30 and Mon 03-31, 补假 Tue 04-01
    assert gx["2036"]["off"] == ["2036-03-30", "2036-03-31", "2036-04-01"]
    assert read_calendar(rulesets, "CN")["2036"]["status"] == ("official" if how == "import"
                                                              else "provisional")
    check_and_regenerate(rulesets)


# The layout of `telecomply calendar import` (format_calendar in lib/domain/calendar_import.cpp): one
# member per line, a year's members on lines of their own in their order, lists on one line,
# other values compact, UTF-8 as it is, metadata first and the years ascending.
IMPORT_LAYOUT_SAMPLE = """{
  "_about": "三月三 \\"quoted\\"",
  "name": "CN-GX",
  "extends": "CN",
  "source": "s",
  "_empty": {},
  "2024": {
    "off": ["2024-04-11", "2024-04-12"],
    "_note": "n"
  },
  "2025": {
    "status": "official",
    "source": "notice",
    "off": [],
    "_meta": {"a":[1,2]},
    "_lists": [[1,2], {"k":"v"}]
  }
}
"""


def test_the_generator_writes_the_layout_of_calendar_import():
    gen = generator_module()
    doc = json.loads(IMPORT_LAYOUT_SAMPLE)
    shuffled = {"2025": doc["2025"], **{k: v for k, v in doc.items() if k != "2025"}}
    assert gen.render(shuffled) == IMPORT_LAYOUT_SAMPLE
    for path in sorted(CALENDARS.glob("*.json")):  # the shipped files are in that layout
        text = path.read_text(encoding="utf-8")
        assert gen.render(json.loads(text)) == text, path.name


# ------------------------------------------------------------------------------------------
# The lock of `telecomply calendar import`, and durable writes. The import is simulated: the
# test holds the lock (an exclusive flock on <folder>/.calendar-import.lock, as
# lib/domain/calendar_import.cpp takes it) and changes a file while the generator waits.

LOCK = ".calendar-import.lock"


@contextlib.contextmanager
def holding_lock(folder: Path):
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def start_generator(*args: str) -> tuple[subprocess.Popen, list[str], threading.Event]:
    """The generator in the background; its stderr lines are collected, and the event is set
    once it says that it waits for a lock."""
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    waiting = threading.Event()

    def read() -> None:
        for line in proc.stderr:
            lines.append(line)
            if "waiting for" in line:
                waiting.set()

    threading.Thread(target=read, daemon=True).start()
    return proc, lines, waiting


def temp_files(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.iterdir() if ".gen-" in p.name]


@pytest.mark.parametrize("held", ["calendars folder", "folder of a link's target"])
def test_a_run_waits_for_the_import_lock_and_reads_after_it(tmp_path, held):
    needs_generator_packages()
    rulesets = copy_rulesets(tmp_path)
    cal_dir = rulesets / "calendars"
    # CN-GX.json is a symbolic link into another folder: an import into it also locks that one
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (cal_dir / "CN-GX.json").rename(elsewhere / "CN-GX.json")
    (cal_dir / "CN-GX.json").symlink_to(elsewhere / "CN-GX.json")
    # something to write: a provisional national year and a regional one lost a day
    cn = read_calendar(rulesets, "CN")
    cn["2028"]["off"].remove("2028-01-03")
    write_calendar(rulesets, "CN", cn)
    gx = read_calendar(rulesets, "CN-GX")
    expected_gx_2027 = json.loads(json.dumps(gx["2027"]))
    gx["2027"]["off"].remove("2027-04-12")
    write_calendar(rulesets, "CN-GX", gx)

    with holding_lock(cal_dir if held == "calendars folder" else elsewhere):
        proc, stderr, waiting = start_generator("--rulesets", str(rulesets))
        try:
            assert waiting.wait(timeout=120), "".join(stderr)
            with pytest.raises(subprocess.TimeoutExpired):
                proc.wait(timeout=2)  # it blocks while the lock is held
            # meanwhile "the import" writes an official 2027 (made up for the test)
            cn = read_calendar(rulesets, "CN")
            cn["2027"] = {"status": "official", "source": "test notice",
                          "off": ["2027-01-01", "2027-02-05", "2027-02-08"], "work": []}
            write_calendar(rulesets, "CN", cn)
        except BaseException:
            proc.kill()
            raise
    assert proc.wait(timeout=120) == 0, "".join(stderr)  # finishes once the lock is released

    after = read_calendar(rulesets, "CN")
    assert after["2027"] == cn["2027"]  # what was imported meanwhile is kept, not reverted
    assert "2028-01-03" in after["2028"]["off"]
    assert (cal_dir / "CN-GX.json").is_symlink()  # the link's target was replaced, not the link
    assert read_calendar(rulesets, "CN-GX")["2027"] == expected_gx_2027
    assert temp_files(cal_dir, elsewhere) == []
    check_and_regenerate(rulesets)


def test_the_lock_files_and_their_order(tmp_path):
    gen = generator_module()
    cal_dir = tmp_path / "calendars"
    (tmp_path / "a").mkdir()
    (tmp_path / "z").mkdir()
    cal_dir.mkdir()
    for name, target in (("CN.json", "z"), ("CN-GX.json", "a"), ("CN-XJ.json", "calendars")):
        (tmp_path / target / f"real-{name}").write_text("{}", encoding="utf-8")
        (cal_dir / name).symlink_to(tmp_path / target / f"real-{name}")
    (cal_dir / "CN-YY.json").write_text("{}", encoding="utf-8")  # a plain file: no lock of its own
    files = [cal_dir / n for n in ("CN.json", "CN-GX.json", "CN-XJ.json", "CN-YY.json")]
    real = Path(os.path.realpath(tmp_path))
    assert gen.lock_files(cal_dir, files) == [
        str(real / d / LOCK) for d in ("a", "calendars", "z")  # each once, sorted
    ]


def test_a_run_writes_durably_with_a_lock_file(tmp_path):
    needs_generator_packages()
    rulesets = copy_rulesets(tmp_path)
    cal_dir = rulesets / "calendars"
    cn = read_calendar(rulesets, "CN")
    cn["2028"]["off"].remove("2028-01-03")
    write_calendar(rulesets, "CN", cn)
    umask = os.umask(0)
    os.umask(umask)
    r = run_generator("--rulesets", str(rulesets))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "CN.json: written" in r.stdout
    assert stat.S_IMODE((cal_dir / LOCK).stat().st_mode) == 0o644 & ~umask
    assert stat.S_IMODE((cal_dir / "CN.json").stat().st_mode) == 0o644 & ~umask
    assert temp_files(cal_dir) == []

    gen = generator_module()
    gen.write_atomic(cal_dir / "CN.json", "{}\n")
    assert (cal_dir / "CN.json").read_text(encoding="utf-8") == "{}\n"
    assert temp_files(cal_dir) == []


def test_check_takes_no_lock_and_writes_nothing(tmp_path):
    needs_generator_packages()
    rulesets = copy_rulesets(tmp_path)
    cal_dir = rulesets / "calendars"
    cn = read_calendar(rulesets, "CN")
    cn["2028"]["off"].remove("2028-01-03")
    write_calendar(rulesets, "CN", cn)
    before = {p.name: p.read_bytes() for p in cal_dir.iterdir()}

    r = run_generator("--check", "--rulesets", str(rulesets))
    assert r.returncode == 1, r.stdout + r.stderr
    assert {p.name: p.read_bytes() for p in cal_dir.iterdir()} == before  # no lock file either

    with holding_lock(cal_dir):  # an import is running: --check does not wait for it
        r = run_generator("--check", "--rulesets", str(rulesets))
        assert r.returncode == 1, r.stdout + r.stderr
        assert "waiting" not in r.stderr
    (cal_dir / LOCK).unlink()

    cal_dir.chmod(0o555)  # a read-only folder (root may write anyway: the check above holds)
    try:
        r = run_generator("--check", "--rulesets", str(rulesets))
        assert r.returncode == 1, r.stdout + r.stderr
        assert "CN.json: 2028 off: generated but not in the file: 2028-01-03" in r.stdout
    finally:
        cal_dir.chmod(0o755)
    assert {p.name: p.read_bytes() for p in cal_dir.iterdir()} == before


def test_an_overlay_of_another_region_is_not_generated(tmp_path):
    needs_generator_packages()
    rulesets = copy_rulesets(tmp_path)
    other = {"name": "CN-NX", "extends": "CN", "source": "test", "2025": {"off": []}}
    write_calendar(rulesets, "CN-NX", other)
    for args in (("--check",), ()):
        r = run_generator(*args, "--rulesets", str(rulesets))
        assert r.returncode == 0, r.stdout + r.stderr
        assert "CN-NX.json: not generated or checked by this script" in r.stderr
        assert "CN-NX" not in r.stdout
    assert read_calendar(rulesets, "CN-NX") == other


# ------------------------------------------------------------------------------------------
# Days off that fall in the next January: 古尔邦节 of 2071 is 2071-12-31 to 2072-01-02 (Umm
# al-Qura), and Saturday 2072-01-02 gets its 补假 on Monday 2072-01-04.


def test_days_off_in_the_next_january_go_to_the_next_year(tmp_path):
    needs_generator_packages()
    rulesets = copy_rulesets(tmp_path)
    carried = ["2072-01-01", "2072-01-02", "2072-01-04"]

    # 2072 not covered: left out, with a note, and --check agrees with the run
    r = run_generator("--through", "2071", "--rulesets", str(rulesets))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "CN-XJ 2071: 2072-01-01, 2072-01-02, 补假 2072-01-04 (days off of 2071) fall in 2072, " \
        "which CN.json does not cover" in r.stderr
    xj = read_calendar(rulesets, "CN-XJ")
    assert "2072" not in xj and xj["2071"]["off"][-1] == "2071-12-31"
    check_and_regenerate(rulesets)

    # 2072 covered: listed under 2072, and a second run and --check agree
    r = run_generator("--through", "2072", "--rulesets", str(rulesets))
    assert r.returncode == 0, r.stdout + r.stderr
    xj = read_calendar(rulesets, "CN-XJ")
    assert xj["2071"]["off"][-1] == "2071-12-31"
    assert xj["2072"]["off"][:3] == carried and xj["2072"]["status"] == "provisional"
    assert "carried over from 2071: 2072-01-01, 2072-01-02, 补假 2072-01-04" in xj["2072"]["_note"]
    check_and_regenerate(rulesets)

    # 2072 recorded (a regional notice, made up for the test): never modified, a note instead
    xj["2072"] = {"source": "test notice", "off": ["2072-10-13", "2072-12-20"]}
    write_calendar(rulesets, "CN-XJ", xj)
    for args in (("--check",), ()):
        r = run_generator(*args, "--rulesets", str(rulesets))
        assert r.returncode == 0, r.stdout + r.stderr
        assert "fall in 2072, a recorded year, which is never rewritten" in r.stderr
    assert read_calendar(rulesets, "CN-XJ") == xj


def synthetic_region(gen, festival_days: dict[int, list[date]]):
    return gen.Region(
        code="CN-ZZ", about="test", source="test",
        festivals=lambda y: [gen.Festival(festival_days[y], f"test {y}")] if y in festival_days
        else [],
        estimate_note="test", notices={},
    )


def shipped_national_calendar(gen):
    return gen.calendar_of(load("CN"))


def test_a_regional_buxiu_in_the_next_january(capsys):
    needs_generator_packages()
    gen = generator_module()
    base = shipped_national_calendar(gen)
    # Saturday 2033-12-31: Sunday 2034-01-01 is 元旦 and Monday 01-02 its national 补假, so the
    # regional 补假 is Tuesday 2034-01-03, a day of 2034.
    assert "2034-01-02" in load("CN")["2034"]["off"]
    region = synthetic_region(gen, {2033: [date(2033, 12, 31)], 2034: [date(2034, 1, 3)]})

    years = gen.region_years(region, base, [2033, 2034])
    assert years[2033]["off"] == ["2033-12-31"]
    assert "补假 2034-01-04 fall in 2034: listed under 2034 when it is generated" in \
        years[2033]["_note"]
    # 2034's own day 01-03 is a regional day off already: the 补假 goes to Wednesday 01-04
    assert years[2034]["off"] == ["2034-01-03", "2034-01-04"]
    assert "carried over from 2033: 补假 2034-01-04" in years[2034]["_note"]
    assert capsys.readouterr().err == ""

    region = synthetic_region(gen, {2033: [date(2033, 12, 31)]})
    years = gen.region_years(region, base, [2033, 2034])
    assert years[2034]["off"] == ["2034-01-03"]
    assert years[2034]["_note"].startswith("no regional day of its own this year; carried over")

    # the next year not generated: not listed, and a note
    years = gen.region_years(region, base, [2033])
    assert list(years) == [2033] and years[2033]["off"] == ["2033-12-31"]
    assert "which CN.json does not cover" in capsys.readouterr().err
    # the next year recorded: never modified (the caller keeps it), a note; its days are skipped
    years = gen.region_years(region, base, [2033], {2034: {date(2034, 1, 3)}})
    assert list(years) == [2033]
    assert "补假 2034-01-04 for the weekend day" in years[2033]["_note"]  # 01-03 is recorded off
    assert "a recorded year, which is never rewritten" in capsys.readouterr().err


def test_a_national_buxiu_in_the_next_january(monkeypatch, capsys):
    # No day of Article 2 is late in December; a made-up one (Saturday 2033-12-31) shows that the
    # national years place such a 补假 like the regional ones.
    needs_generator_packages()
    gen = generator_module()
    statutory = gen.national_statutory
    monkeypatch.setattr(gen, "national_statutory", lambda y: statutory(y) + (
        [date(y, 12, 31)] if y == 2033 else []))
    monkeypatch.setattr(gen, "cross_check_with_holidays", lambda year, off: None)
    cn = load("CN")

    years = gen.national_years(cn, [2033, 2034])
    assert years[2033]["off"][-1] == "2033-12-31"
    # 补假 of 2033-12-31 on Monday 2034-01-02; that of 元旦 (Sunday 2034-01-01) on Tuesday 01-03
    assert years[2034]["off"][:3] == ["2034-01-01", "2034-01-02", "2034-01-03"]
    assert capsys.readouterr().err == ""

    cn["2034"] = {"status": "official", "source": "test notice", "off": ["2034-01-01"],
                  "work": []}
    years = gen.national_years(cn, [2033])
    assert list(years) == [2033] and years[2033]["off"][-1] == "2033-12-31"
    assert "CN 2033: 补假 2034-01-02 (days off of 2033) fall in 2034, a recorded year" in \
        capsys.readouterr().err
