#!/usr/bin/env python3
"""Generate the provisional years of the working-day calendars in rulesets/calendars/.

What it writes
  The years handled are the years CN.json covers (official or provisional), extended to --through
  (default 2035) with provisional national years.
  * rulesets/calendars/CN.json: every year of that range that is not official is replaced by a
    *provisional* year computed from the statutory rules below. Official years (status
    "official", or no status at all, which the loader also reads as official) copy a State
    Council notice and are never rewritten: the script refuses to.
  * rulesets/calendars/CN-GX.json and CN-XJ.json: regional overlays (days off that a region adds
    to the national calendar), for every year of CN.json. Only the regions of REGIONS below are
    generated: an overlay of any other region (imported with `telecomply calendar import`) is
    neither written nor checked, and a note says so. A year that the overlay file does not
    mark "status": "provisional" is a recorded regional notice (imported with `telecomply
    calendar import`, or written from REGIONS below) and is kept exactly as it is, like an
    official national year; if the notice of that year in REGIONS disagrees with it, the file
    wins and a note is printed. Every other year copies the notice recorded in REGIONS, if any,
    or else is computed from the region's rule against the national calendar as it is in
    CN.json (its official years included, with their make-up working days) and marked
    provisional.
  The files are written in the layout of `telecomply calendar import`
  (lib/domain/calendar_import.cpp, format_calendar), so that neither tool reformats what the other
  wrote.

Writing, and the import lock
  A run (not --check) takes the lock of `telecomply calendar import` before it reads anything and
  holds it until every file is replaced, so that it never writes back what it computed from a
  file an import changed in the meantime: an exclusive flock on <calendars>/.calendar-import.lock
  (created if missing, mode 0644), and on the same lock file in the real folder of every
  calendar file it writes that is a symbolic link into another folder; the locks are taken in
  the sorted order of the lock files' paths (their folders resolved with os.path.realpath), to
  avoid deadlocks. A file is replaced durably: written to .<name>.gen-<pid>-<n> in the folder of
  its real path, flushed and fsynced, renamed onto the real path (a symbolic link's target is
  replaced, never the link) and the folder fsynced. --check takes no lock and writes nothing (it
  works on a read-only folder).

The rules
  National (全国年节及纪念日放假办法, as revised by 国务院令第795号 in 2024, in force since
  2025-01-01). Article 2 gives every citizen these days off: 元旦 1 January; 春节 4 days, the last
  day of the lunar year (除夕) and lunar 1-1 to 1-3; 清明节 the day of the 清明 solar term; 劳动节
  1 and 2 May; 端午节 lunar 5-5; 中秋节 lunar 8-15; 国庆节 1 to 3 October. Article 6: a day of
  Article 2 that falls on a Saturday or Sunday is made up (补假) on the next working day; a day
  that is two holidays at once (e.g. 中秋 on 1 October) is one day off, not two. A provisional year
  has no make-up working days (调休): only the State Council's yearly notice creates those.
  Regional overlays use the same 补假 rule, where "the next working day" is one of the region's
  calendar (not a national day off, not a regional day off), and a regional day that falls on a
  national holiday is counted once. The regions' own rules are described in REGIONS.
  A holiday late in December can end in January of the next year (古尔邦节 of 2071: 2071-12-31
  to 2072-01-02), and the 补假 of a weekend day late in December can fall there: such a day is
  listed under that year when that year is generated too; a recorded next year (an official
  national year, a recorded regional notice) is never modified, and a next year that CN.json
  does not cover gets nothing; in both cases a note names the days. (No day of Article 2 is
  late enough in December for this to happen to the national calendar.)

How the dates are computed
  Lunar dates and the 清明 solar term come from lunar-python (public API: Lunar.fromYmd,
  Lunar.getJieQiTable); Islamic dates from hijridate (the Umm al-Qura calendar, an estimate of
  the dates that China's Islamic Association announces). As a cross-check, every generated
  national year must equal what holidays.China (the `holidays` package, public API) gives for
  that year, day for day; the script stops with an error if they disagree. (The one tolerated
  difference: holidays.China gives two 补假 for a weekend day that is two holidays at once, which
  Article 6 counts once; the first such day is 2039-10-02, and a note is printed.)

Run it (from the repository root, with the pinned packages of requirements-dev.txt installed)
    .venv/bin/python scripts/gen_calendars.py            # rewrite the generated years
    .venv/bin/python scripts/gen_calendars.py --check    # write nothing; exit 1 on a difference
  options: --through YEAR (default 2035; it only adds years, never drops one), --rulesets DIR
  (default: this repository's rulesets/)
  Exit status: 0 done (or, with --check, the files agree); 1 with --check, a file differs (the
  differing years and dates are printed, e.g. "CN-GX.json lacks 2036"); 2 an error (missing
  package, refused overwrite, disagreement with holidays.China, unreadable file, a file that
  cannot be locked or written).

The product never calls these libraries: it reads the JSON files. They are needed only to
generate or check the files, and are pinned so that the output is reproducible.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import itertools
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

PINNED = {"holidays": "0.108", "lunar_python": "1.4.8", "hijridate": "2.6.0"}

DEFAULT_THROUGH = 2035
REPO_ROOT = Path(__file__).resolve().parents[1]
ONE_DAY = dt.timedelta(days=1)

NATIONAL_SOURCE = (
    "全国年节及纪念日放假办法 (2024 revision), Articles 2 and 6; generated by scripts/gen_calendars.py"
)


class GenError(Exception):
    """An error that stops the script with exit status 2."""


def _require_packages() -> None:
    from importlib import metadata

    problems = []
    for name, want in PINNED.items():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            problems.append(f"{name} is not installed")
            continue
        if have != want:
            problems.append(f"{name} {have} is installed, {want} is pinned")
    if problems:
        raise GenError(
            "; ".join(problems)
            + ". Install the pins of requirements-dev.txt (pip install -r requirements-dev.txt)."
        )


# --------------------------------------------------------------------------------------------
# Dates from the libraries


def lunar_to_solar(year: int, month: int, day: int) -> dt.date:
    """The Gregorian date of lunar `month`-`day` (a regular, not a leap, month) of lunar year
    `year` (the one whose 正月初一 falls in Gregorian `year`)."""
    from lunar_python import Lunar

    s = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(s.getYear(), s.getMonth(), s.getDay())


def qingming(year: int) -> dt.date:
    """The day of the 清明 solar term in `year` (China Standard Time)."""
    from lunar_python import Solar

    s = Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()["清明"]
    d = dt.date(s.getYear(), s.getMonth(), s.getDay())
    if d.year != year or d.month != 4:
        raise GenError(f"清明 of {year} computed as {d}")
    return d


def hijri_dates_in(year: int, month: int, day: int) -> list[tuple[int, dt.date]]:
    """(Hijri year, Gregorian date) of every Hijri `month`-`day` that falls in Gregorian `year`,
    by the Umm al-Qura calendar (an estimate of the dates observed in China)."""
    from hijridate import Gregorian, Hijri

    first = Gregorian(year, 1, 1).to_hijri().year
    last = Gregorian(year, 12, 31).to_hijri().year
    out = []
    for hy in range(first, last + 1):
        g = Hijri(hy, month, day).to_gregorian()
        d = dt.date(g.year, g.month, g.day)
        if d.year == year:
            out.append((hy, d))
    return out


# --------------------------------------------------------------------------------------------
# Calendars


@dataclass
class Calendar:
    """Days off and make-up working days; weekends are off unless listed under work."""

    off: set[dt.date] = field(default_factory=set)
    work: set[dt.date] = field(default_factory=set)

    def is_working_day(self, d: dt.date) -> bool:
        if d in self.work:
            return True
        return d.weekday() < 5 and d not in self.off

    def off_only_as_weekend(self, d: dt.date) -> bool:
        """True when `d` is a Saturday or Sunday that is off only because it is a weekend day
        (neither a listed day off nor a make-up working day)."""
        return d.weekday() >= 5 and d not in self.off and d not in self.work


def with_buxiu(
    statutory: list[dt.date],
    base: Calendar,
    also_off: frozenset[dt.date] | set[dt.date] = frozenset(),
) -> tuple[list[dt.date], list[dt.date]]:
    """Article 6: the statutory days plus one 补假 day for each statutory day that falls on a
    weekend, on the next working day of `base` that is not itself one of these days off nor one
    of `also_off` (the same calendar's days off of other years). A statutory day that `base`
    already lists as off counts once and gets no 补假. A 补假 may fall in the next year.
    Returns (all days off, the 补假 days), each ascending."""
    days = sorted(set(statutory))
    off = set(days)
    added = []
    for d in days:
        if not base.off_only_as_weekend(d):
            continue
        n = d + ONE_DAY
        while not base.is_working_day(n) or n in off or n in also_off:
            n += ONE_DAY
        off.add(n)
        added.append(n)
    return sorted(off), sorted(added)


@dataclass
class PlacedYear:
    """One generated year's days off, each listed under the year it falls in."""

    off: set[dt.date] = field(default_factory=set)  # in the year: its own, and carried-in days
    buxiu: list[dt.date] = field(default_factory=list)  # its own 补假 (some may be in the next year)
    # its own days off (holidays, 补假) that fall in a later year, by that year
    outside: dict[int, list[dt.date]] = field(default_factory=dict)
    # days off of earlier years that fall in this year, by that year
    carried_in: dict[int, list[dt.date]] = field(default_factory=dict)


def describe_days(days: list[dt.date], buxiu: list[dt.date]) -> str:
    return ", ".join(("补假 " if d in buxiu else "") + d.isoformat() for d in sorted(days))


def place_days_off(
    name: str,
    statutory: dict[int, list[dt.date]],
    base: Calendar,
    recorded: dict[int, set[dt.date]],
) -> dict[int, PlacedYear]:
    """The days off of the years to generate (`statutory`: year -> its statutory days) with their
    补假 (with_buxiu against `base`), each day listed under the year it falls in.

    A holiday late in December can end in the next January (古尔邦节 of 2071: 2071-12-31 to
    2072-01-02), and the 补假 of a weekend day late in December can fall there. Such a day goes
    into the days off of that year when that year is generated too (the years are computed in
    ascending order, so that year's own 补假 skip it); when that year is recorded (`recorded`:
    year -> its days off, kept as they are by the caller: an official national year, a recorded
    regional notice) it is not added, and when that year is not covered it is left out; both
    print a note. A 补假 never lands on a day off of another generated or recorded year."""
    all_off = {d for days in statutory.values() for d in days}
    for days in recorded.values():
        all_off |= days
    placed = {year: PlacedYear() for year in sorted(statutory)}
    for year in sorted(statutory):
        for d in statutory[year]:
            if d.year < year:
                raise GenError(f"{name}: a statutory day of {year} computed as {d}")
        off, added = with_buxiu(statutory[year], base, all_off)
        all_off.update(added)
        p = placed[year]
        p.buxiu = added
        p.off.update(d for d in off if d.year == year)
        later: dict[int, list[dt.date]] = {}
        for d in off:
            if d.year != year:
                later.setdefault(d.year, []).append(d)
        for target, days in sorted(later.items()):
            what = describe_days(days, added)
            p.outside[target] = days
            if target in recorded:
                note(
                    f"{name} {year}: {what} (days off of {year}) fall in {target}, a recorded "
                    f"year, which is never rewritten: they are not added to it (check that the "
                    f"notice of {target} has them)"
                )
            elif target in placed:
                placed[target].off.update(days)
                placed[target].carried_in[year] = days
            else:
                note(
                    f"{name} {year}: {what} (days off of {year}) fall in {target}, which CN.json "
                    f"does not cover: they are left out (a run that covers {target}, e.g. with "
                    f"--through {target}, lists them there)"
                )
    return placed


def national_statutory(year: int) -> list[dt.date]:
    """The days of Article 2 of the 2024 revision in `year` (a day that is two holidays at once
    appears once)."""
    spring = lunar_to_solar(year, 1, 1)
    days = {
        dt.date(year, 1, 1),  # 元旦
        spring - ONE_DAY,  # 春节: 农历除夕
        spring,  # 正月初一
        spring + ONE_DAY,  # 初二
        spring + 2 * ONE_DAY,  # 初三
        qingming(year),  # 清明节
        dt.date(year, 5, 1),  # 劳动节
        dt.date(year, 5, 2),
        lunar_to_solar(year, 5, 5),  # 端午节
        lunar_to_solar(year, 8, 15),  # 中秋节
        dt.date(year, 10, 1),  # 国庆节
        dt.date(year, 10, 2),
        dt.date(year, 10, 3),
    }
    for d in days:
        if d.year != year:
            raise GenError(f"statutory day {d} computed for {year}")
    return sorted(days)


def national_years(cn: dict, years: list[int]) -> dict[int, dict]:
    """The provisional national years `years` (none of them official in `cn`), each checked
    against holidays.China; a 补假 that falls in the next year is placed by place_days_off (an
    official year of `cn` is recorded: never modified)."""
    official = {k: v for k, v in cn.items() if is_year_key(k) and is_official(v)}
    statutory = {year: national_statutory(year) for year in years}
    recorded = {}
    for key, entry in official.items():
        recorded[int(key)] = calendar_of({key: entry}).off
    placed = place_days_off("CN", statutory, calendar_of(official), recorded)
    out = {}
    for year in years:
        own = {d for d in (*statutory[year], *placed[year].buxiu) if d.year == year}
        cross_check_with_holidays(year, iso(own))
        out[year] = {
            "status": "provisional",
            "source": NATIONAL_SOURCE,
            "off": iso(placed[year].off),
            "work": [],
        }
    return out


def cross_check_with_holidays(year: int, off: list[str]) -> None:
    """The generated national year must equal holidays.China's, day for day.

    One known difference is allowed: where one weekend day is two holidays at once (e.g. 中秋
    on Sunday 1 October), holidays.China gives a 补假 for each of them, while Article 6 counts
    the day once. This does not happen in 2025-2035; the first case is 2039-10-02.
    """
    import holidays

    statutory = sorted(d.isoformat() for d in holidays.China(years=year, observed=False))
    ours_statutory = iso(national_statutory(year))
    if statutory != ours_statutory:
        raise GenError(
            f"{year}: the statutory days differ from holidays.China's: generated {ours_statutory}, "
            f"holidays.China {statutory}"
        )
    h = holidays.China(years=year)
    theirs = sorted(d.isoformat() for d in h)
    if theirs == off:
        return
    only_ours = sorted(set(off) - set(theirs))
    only_theirs = sorted(set(theirs) - set(off))
    doubled = [d for d in h if d.weekday() >= 5 and len(h.get_list(d)) > 1]
    if doubled and not only_ours and len(only_theirs) <= len(doubled):
        print(
            f"note: {year}: holidays.China adds {', '.join(only_theirs)} for "
            f"{', '.join(iso(doubled))} (a weekend day that is two holidays at once); Article 6 "
            "counts such a day once, so it is not generated",
            file=sys.stderr,
        )
        return
    raise GenError(
        f"{year}: the rules and holidays.China disagree: only generated {only_ours}, "
        f"only in holidays.China {only_theirs}"
    )


# --------------------------------------------------------------------------------------------
# Regions


@dataclass(frozen=True)
class Notice:
    """A region's published arrangement for one year."""

    off: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Festival:
    """One regional holiday in one year: its statutory days and how to describe them."""

    days: list[dt.date]
    describe: str


@dataclass(frozen=True)
class Region:
    code: str
    about: str
    source: str
    festivals: Callable[[int], list[Festival]]
    estimate_note: str
    notices: dict[int, Notice]


def _wd(d: dt.date) -> str:
    return d.strftime("%a")


def gx_festivals(year: int) -> list[Festival]:
    d = lunar_to_solar(year, 3, 3)
    return [
        Festival(
            [d, d + ONE_DAY],
            f"三月三: 农历三月初三 = {d} ({_wd(d)}) and 三月初四 = {d + ONE_DAY} ({_wd(d + ONE_DAY)})",
        )
    ]


def xj_festivals(year: int) -> list[Festival]:
    out = []
    for hy, d in hijri_dates_in(year, 10, 1):
        out.append(Festival([d], f"肉孜节 (1 Shawwal {hy} ≈ {d}, {_wd(d)}) 1 day"))
    for hy, d in hijri_dates_in(year, 12, 10):
        days = [d, d + ONE_DAY, d + 2 * ONE_DAY]
        out.append(
            Festival(days, f"古尔邦节 (10 Dhu al-Hijja {hy} ≈ {d}, {_wd(d)}) 3 days, {d} to {days[-1]}")
        )
    return sorted(out, key=lambda f: f.days[0])


REGIONS = [
    Region(
        code="CN-GX",
        about=(
            "Guangxi's days off on top of the national calendar CN: 壮族三月三, two days for "
            "everyone in the region. Years with a recorded regional notice copy it; the other "
            "years are computed by scripts/gen_calendars.py (农历三月初三 and the day after, with "
            "补假 on the next working day for a day that falls on a weekend) and are provisional "
            "until the region's notice for that year is recorded. Generated file: edit the "
            "script, not this file. See docs/calendars.md."
        ),
        source=(
            "广西壮族自治区少数民族习惯节日放假办法 (广西壮族自治区人民政府令第98号, 2014): "
            "“壮族三月三” is a holiday of 2 days for all citizens in the region; each year's days "
            "are fixed by a notice of the 自治区人民政府办公厅"
        ),
        festivals=gx_festivals,
        estimate_note="computed by the rule, no regional notice recorded",
        notices={
            2024: Notice(
                ("2024-04-11", "2024-04-12"),
                "三月三 (农历三月初三 = 2024-04-11) and the day after, as fixed by 广西壮族自治区"
                "人民政府办公厅关于2024年“壮族三月三”放假的通知 (2024-03)",
            ),
            2025: Notice(
                ("2025-03-31", "2025-04-01"),
                "三月三 (农历三月初三 = 2025-03-31) and the day after, as fixed by 广西壮族自治区"
                "人民政府办公厅关于2025年“壮族三月三”放假的通知",
            ),
        },
    ),
    Region(
        code="CN-XJ",
        about=(
            "Xinjiang's days off on top of the national calendar CN: 肉孜节 (1 day) and 古尔邦节 "
            "(3 days) for all residents of the region. Years with a recorded regional notice copy "
            "it; the other years are computed by scripts/gen_calendars.py from Umm al-Qura Hijri "
            "dates, which may differ by a day from the dates that China's Islamic Association "
            "announces, with 补假 on the next working day for a day that falls on a weekend; they are "
            "provisional until the region's notice for that year is recorded. Generated file: edit "
            "the script, not this file. See docs/calendars.md."
        ),
        source=(
            "新疆维吾尔自治区少数民族习惯节日放假办法, as amended by 新疆维吾尔自治区人民政府关于"
            "修改《新疆维吾尔自治区少数民族习惯节日放假办法》的决定 (自治区人民政府令第174号, "
            "adopted 2011-12-09): 肉孜节 and 古尔邦节 are days off for all residents of the region; "
            "each year's days are fixed by a notice of the 自治区人民政府办公厅"
        ),
        festivals=xj_festivals,
        estimate_note="Hijri dates estimated (Umm al-Qura), no regional notice recorded",
        notices={
            2025: Notice(
                (
                    "2025-03-31",
                    "2025-06-06",
                    "2025-06-07",
                    "2025-06-08",
                    "2025-06-09",
                    "2025-06-10",
                ),
                "肉孜节 2025-03-31 (1 day); 古尔邦节 2025-06-06 to 2025-06-08 (3 days), 补假 "
                "2025-06-09 and 2025-06-10; as fixed by the 新疆维吾尔自治区人民政府办公厅 notice on the 2025 "
                "holidays (节假日放假调休日期和冬夏季作息时间)",
            ),
        },
    ),
]


def region_years(
    region: Region,
    base: Calendar,
    years: list[int],
    recorded: dict[int, set[dt.date]] | None = None,
) -> dict[int, dict]:
    """The overlay entries of `region` for `years` against the national calendar `base`.
    `recorded`: the overlay's recorded years that are kept as they are (year -> their days off),
    which the 补假 of the generated years skip and never add to; the years of `years` with a
    notice in REGIONS are recorded too (they are written without a status)."""
    recorded = dict(recorded or {})
    by_year: dict[int, dict] = {}
    festivals: dict[int, list[Festival]] = {}
    for year in years:
        notice = region.notices.get(year)
        if notice is not None:
            for s in notice.off:
                if dt.date.fromisoformat(s).year != year:
                    raise GenError(f"{region.code} notice of {year} lists {s}")
            by_year[year] = {"off": sorted(notice.off), "_note": notice.note}
            recorded[year] = {dt.date.fromisoformat(s) for s in notice.off}
            continue
        festivals[year] = region.festivals(year)
    statutory = {y: sorted({d for f in fs for d in f.days}) for y, fs in festivals.items()}
    placed = place_days_off(region.code, statutory, base, recorded)
    for year, fs in festivals.items():
        p = placed[year]
        parts = [f.describe for f in fs]
        if not parts:
            parts = ["no regional day of its own this year" if p.carried_in
                     else "no regional day this year"]
        if p.buxiu:
            plural = "s" if len(p.buxiu) > 1 else ""
            parts.append(f"补假 {', '.join(iso(p.buxiu))} for the weekend day{plural}")
        for target, days in p.outside.items():  # the same text whatever became of them, so
            # that recording or adding that year does not make this one differ
            parts.append(f"{describe_days(days, p.buxiu)} fall in {target}: listed under "
                         f"{target} when it is generated")
        for src, days in p.carried_in.items():
            src_buxiu = placed[src].buxiu
            parts.append(f"carried over from {src}: {describe_days(days, src_buxiu)}")
        parts.append(region.estimate_note)
        by_year[year] = {"status": "provisional", "off": iso(p.off), "_note": "; ".join(parts)}
    return dict(sorted(by_year.items()))


# --------------------------------------------------------------------------------------------
# Files


def iso(days) -> list[str]:
    return [d.isoformat() for d in sorted(days)]


def is_year_key(key: str) -> bool:
    return len(key) == 4 and key.isdigit()


def is_official(entry) -> bool:
    """The loader reads a year without a status as official; so does this script."""
    return not isinstance(entry, dict) or entry.get("status", "official") != "provisional"


def put_year(doc: dict, year: int, entry: dict) -> None:
    key = str(year)
    if key in doc and is_official(doc[key]):
        raise GenError(
            f"refusing to overwrite {year}: it is an official year (status "
            f"{doc[key].get('status', 'absent') if isinstance(doc[key], dict) else '?'}); "
            "official years are imported from the State Council's notice, never generated"
        )
    doc[key] = entry


def dump(v) -> str:
    """One JSON value on one line, without spaces (nlohmann's dump(-1) with ensure_ascii off: the
    same escapes, UTF-8 written as it is)."""
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def dump_inline(v) -> str:
    """A list on one line with ", " between its items; any other value as dump() writes it."""
    if isinstance(v, list):
        return "[" + ", ".join(dump(x) for x in v) + "]"
    return dump(v)


def ordered_document(doc: dict) -> dict:
    """Metadata first (in the order written), then the years ascending."""
    out = {k: v for k, v in doc.items() if not is_year_key(k)}
    for k in sorted(k for k in doc if is_year_key(k)):
        out[k] = doc[k]
    return out


def render(doc: dict) -> str:
    """The house style of rulesets/calendars/, exactly as `telecomply calendar import` writes it
    (format_calendar and ordered_document in lib/domain/calendar_import.cpp), so that an import followed
    by a run of this script (or the reverse) does not reformat a file: one member per line (2
    spaces), metadata first, then the years ascending; a year's members on lines of their own (4
    spaces) in the order they have, each list on one line. A year's members are never reordered:
    the entries this script generates are built in the order status, source, off, work, _note."""
    doc = ordered_document(doc)
    lines = []
    for key, value in doc.items():
        if isinstance(value, dict) and value:
            members = ",\n".join(f"    {dump(k)}: {dump_inline(v)}" for k, v in value.items())
            lines.append(f"  {dump(key)}: {{\n{members}\n  }}")
        else:
            lines.append(f"  {dump(key)}: {dump_inline(value)}")
    body = ",\n".join(lines)
    return "{\n" + body + ("\n" if lines else "") + "}\n"


def read_json(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise GenError(f"{path}: {e}") from e
    if not isinstance(doc, dict):
        raise GenError(f"{path}: expected a JSON object")
    return doc


_temp_counter = itertools.count()


def write_atomic(path: Path, text: str) -> None:
    """Replaces `path` durably, as replace_file in lib/base/file_io.cpp does: the text goes to
    .<name>.gen-<pid>-<n> in the folder of the real path, is flushed and fsynced, is renamed onto
    the real path (a symbolic link's target is replaced, not the link), then the folder is
    fsynced, so that a crash leaves the old file or the new one, never a mix."""
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    data = text.encode("utf-8")
    while True:
        tmp = real.parent / f".{real.name}.gen-{os.getpid()}-{next(_temp_counter)}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
            break
        except FileExistsError:
            continue  # left by an earlier process with the same pid: take the next name
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    try:
        dir_fd = os.open(real.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(dir_fd)  # the rename is durable once the folder is synced
    except OSError:
        pass
    finally:
        os.close(dir_fd)


LOCK_NAME = ".calendar-import.lock"


def lock_files(cal_dir: Path, files: list[Path]) -> list[str]:
    """The lock files that `telecomply calendar import` takes for writing `files` into
    `cal_dir`: the calendars folder's, and that of the real folder of every file that is a
    symbolic link into another folder; each once, in sorted order (the order in which they are
    taken, to avoid deadlocks), their folders resolved with os.path.realpath."""
    folders = {os.path.realpath(cal_dir)}
    for f in files:
        if os.path.islink(f):
            folders.add(os.path.dirname(os.path.realpath(f)))
    return sorted(os.path.join(d, LOCK_NAME) for d in folders)


@contextlib.contextmanager
def import_lock(cal_dir: Path, files: list[Path]):
    """Holds the import lock of `cal_dir` (see lock_files) while the body runs: an exclusive
    flock on each lock file (created if missing, mode 0644), taken in sorted order. If a link
    changed while the locks were awaited, they are released and taken again."""
    while True:
        paths = lock_files(cal_dir, files)
        with contextlib.ExitStack() as stack:
            for path in paths:
                try:
                    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
                except OSError as e:
                    raise GenError(f"cannot lock {path}: {e.strerror}") from e
                stack.callback(os.close, fd)  # closing releases the lock
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    note(f"waiting for {path} (a `telecomply calendar import` is writing)")
                    sys.stderr.flush()
                    fcntl.flock(fd, fcntl.LOCK_EX)
            if lock_files(cal_dir, files) != paths:
                continue
            yield
            return


def calendar_of(doc: dict) -> Calendar:
    """The national calendar as the file has it: every year's days off and make-up working days
    (official years included)."""
    cal = Calendar()
    for key, entry in doc.items():
        if is_year_key(key) and isinstance(entry, dict):
            try:
                cal.off.update(dt.date.fromisoformat(s) for s in entry.get("off", []))
                cal.work.update(dt.date.fromisoformat(s) for s in entry.get("work", []))
            except (TypeError, ValueError) as e:
                raise GenError(f"CN.json: {key}: not a list of dates (YYYY-MM-DD): {e}") from e
    return cal


def describe_differences(name: str, old: dict | None, new: dict) -> list[str]:
    if old is None:
        return [f"{name}: missing (would be created)"]
    lines = []
    keys = sorted(
        set(old) | set(new), key=lambda k: (is_year_key(k), int(k) if is_year_key(k) else 0, k)
    )
    for key in keys:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if not is_year_key(key):
            lines.append(f"{name}: {key} differs")
            continue
        if a is None:
            lines.append(f"{name} lacks {key}")
            continue
        if b is None:
            lines.append(f"{name}: {key} would be removed (not a year of CN.json)")
            continue
        a = a if isinstance(a, dict) else {}
        year_lines = []
        for list_key in ("off", "work"):
            sa, sb = set(a.get(list_key, [])), set(b.get(list_key, []))
            if sa != sb:
                detail = []
                if sb - sa:
                    detail.append(f"generated but not in the file: {', '.join(sorted(sb - sa))}")
                if sa - sb:
                    detail.append(f"in the file but not generated: {', '.join(sorted(sa - sb))}")
                year_lines.append(f"{name}: {key} {list_key}: " + "; ".join(detail))
        for k in sorted((set(a) | set(b)) - {"off", "work"}):
            if a.get(k) != b.get(k):
                year_lines.append(
                    f"{name}: {key} {k}: file {dump(a.get(k))}, generated {dump(b.get(k))}"
                )
        lines += year_lines or [f"{name}: {key} differs (order or duplicates)"]
    return lines


# --------------------------------------------------------------------------------------------


def note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


def is_recorded(entry) -> bool:
    """An overlay year that is not marked provisional copies a regional notice (imported with
    `telecomply calendar import`, or written from REGIONS' notices): like an official national
    year, it is never rewritten."""
    return is_official(entry)


def overlay_years(region: Region, old: dict | None, base: Calendar, covered: list[int]) -> dict:
    """The years of `region`'s overlay: for each year of CN.json, the file's year if it is a
    recorded notice (kept as it is), else the notice of REGIONS, else the year computed by the
    region's rule (provisional). A recorded year that CN.json does not cover is kept too (lint
    reports it); a provisional one is dropped."""
    old_years = {k: v for k, v in (old or {}).items() if is_year_key(k)}
    kept = {k: v for k, v in old_years.items() if is_recorded(v)}
    for key, entry in kept.items():
        notice = region.notices.get(int(key))
        file_off = entry.get("off") if isinstance(entry, dict) else None
        if notice is not None and (
            not isinstance(file_off, list) or sorted(map(str, file_off)) != sorted(notice.off)
        ):
            note(
                f"{region.code} {key}: the file's recorded notice (off {dump(file_off)}) differs "
                f"from the notice in REGIONS of scripts/gen_calendars.py (off "
                f"{dump(list(notice.off))}); the file's year is kept. Correct whichever is wrong "
                "(a recorded year is replaced only by an import, or by marking it provisional)"
            )
        if int(key) not in covered:
            note(
                f"{region.code}.json: {key} is a recorded year but CN.json does not cover it; "
                "it is kept (telecomply lint reports it): add the year to CN.json"
            )
    recorded = {}
    for key, entry in kept.items():
        days = set()
        for s in entry.get("off", []) if isinstance(entry, dict) else []:
            try:
                days.add(dt.date.fromisoformat(s))
            except (TypeError, ValueError):
                pass  # not a date: telecomply lint reports it; the year is kept as it is
        recorded[int(key)] = days
    generated = region_years(region, base, [y for y in covered if str(y) not in kept], recorded)
    years = {str(y): entry for y, entry in generated.items()}
    years.update(kept)
    return years


def calendar_files(rulesets: Path) -> list[Path]:
    """The files the script writes: CN.json and the overlays of REGIONS."""
    cal_dir = rulesets / "calendars"
    return [cal_dir / "CN.json"] + [cal_dir / f"{r.code}.json" for r in REGIONS]


def generate(rulesets: Path, through: int) -> list[tuple[Path, dict | None, dict, str]]:
    """Every calendar file: (path, its current content, its new content, its new text).

    The years handled are those CN.json covers, extended to `through`: every year of that range
    that is not official in CN.json is (re)generated as a provisional year, and each overlay gets
    every year of CN.json. Official national years and recorded regional years are kept as they
    are."""
    cal_dir = rulesets / "calendars"
    cn_path = cal_dir / "CN.json"
    cn_old = read_json(cn_path)
    if cn_old is None:
        raise GenError(f"{cn_path}: not found")
    cn = dict(cn_old)
    years = sorted(int(k) for k in cn if is_year_key(k))
    if not years:
        raise GenError(f"{cn_path}: no years")
    first, last = years[0], max(years[-1], through)
    if through < first:
        raise GenError(f"--through {through} is before the first year of {cn_path.name} ({first})")
    if last > 2076:
        raise GenError(
            f"cannot generate {last} (--through or the last year of {cn_path.name}): the Umm "
            "al-Qura table of hijridate ends in 2077"
        )

    # official years are copied from the State Council's notice, never generated
    todo = [y for y in range(first, last + 1) if not (str(y) in cn and is_official(cn[str(y)]))]
    for year, entry in national_years(cn, todo).items():
        put_year(cn, year, entry)

    out = [(cn_path, cn_old, cn, render(cn))]

    base = calendar_of(cn)
    covered = sorted(int(k) for k in cn if is_year_key(k))
    ours = {p.name for p in calendar_files(rulesets)}
    for other in sorted(cal_dir.glob("*.json")):
        if other.name not in ours:
            note(
                f"{other.name}: not generated or checked by this script, which generates only "
                f"the regions of its REGIONS table ({', '.join(r.code for r in REGIONS)}); record "
                "that file's years with `telecomply calendar import`"
            )
    for region in REGIONS:
        path = cal_dir / f"{region.code}.json"
        old = read_json(path)
        doc: dict = {
            "_about": region.about,
            "name": region.code,
            "extends": "CN",
            "source": region.source,
        }
        doc.update(overlay_years(region, old, base, covered))
        out.append((path, old, doc, render(doc)))
    return out


def report(files: list[tuple[Path, dict | None, dict, str]], check: bool) -> int:
    """With `check`, lists the differences (exit status 1 if any); else writes what differs."""
    differing = 0
    for path, old, new, text in files:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            print(f"{path.name}: up to date")
            continue
        if old == new:  # same data, another layout (e.g. written by hand or another tool)
            if check:
                print(f"{path.name}: up to date (the layout differs; a run would reformat it)")
            else:
                write_atomic(path, text)
                print(f"{path.name}: reformatted")
            continue
        if check:
            differing += 1
            for line in describe_differences(path.name, old, new):
                print(line)
        else:
            write_atomic(path, text)
            print(f"{path.name}: written")
    if check and differing:
        print(f"{differing} calendar file(s) differ from what scripts/gen_calendars.py generates; "
              "run it without --check to update them", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Generate the provisional calendar years and regional overlays in "
        "rulesets/calendars/ (see the docstring at the top of this file).",
    )
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 and list the differences if the files differ")
    ap.add_argument("--through", type=int, default=DEFAULT_THROUGH, metavar="YEAR",
                    help=f"last year to generate (default {DEFAULT_THROUGH})")
    ap.add_argument("--rulesets", type=Path, default=REPO_ROOT / "rulesets", metavar="DIR",
                    help="the rulesets folder (default: this repository's rulesets/)")
    args = ap.parse_args(argv)

    try:
        _require_packages()
        if args.check:  # read only: no lock, nothing written (works on a read-only folder)
            return report(generate(args.rulesets, args.through), check=True)
        # The lock of `telecomply calendar import`, from before reading the files until the last
        # one is replaced: an import never runs between the reading and the writing.
        files = calendar_files(args.rulesets)
        if not files[0].exists():  # before the lock, which would create a lock file there
            raise GenError(f"{files[0]}: not found")
        with import_lock(args.rulesets / "calendars", files):
            return report(generate(args.rulesets, args.through), check=False)
    except (GenError, OSError) as e:  # OSError: a file that cannot be locked or written
        print(f"gen_calendars: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
