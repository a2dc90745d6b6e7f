#!/usr/bin/env python3
"""Synthetic call records for screening tests and benchmarks (docs/screening.md, docs/policy.md §6).

    python bench/gen_calls.py --calls 1000000 --seed 7 --out DIR [--days 7] [--start 2026-03-16]
                              [--unsorted] [--bad-share 0.001] [--parquet] [--expected]

Writes into DIR:

- ``calls.csv``: ``caller, callee, start, duration_s`` as an operator's export: one row per call,
  in start order (``--unsorted``: shuffled), ``start`` a local China Standard Time
  ``YYYY-MM-DD HH:MM:SS``; numbers written in varied forms (``13800138000``,
  ``+86 138 0013 8000``, ``138-0013-8000``, ``0086 13800138000``, ``0757-12345678``,
  ``+86 757 1234 5678``, ...). ``--expected`` adds a column ``expected`` (the generator's own
  answer, below), which screening ignores; ``--parquet`` writes ``calls.parquet`` as well;
- ``registry.jsonl``: the registry of whitelisted numbers (``number, region, case,
  whitelisted``), as ``telecomply case registry`` exports it;
- ``refusals.csv``: ``callee, refused_at``;
- ``manifest.json``: the parameters, the population, what was planted, and the findings the
  data should give (``expected``: totals per code and every number-day over its cap).

What is in it (shares of calls, each controllable):

- callers: mobile numbers of the three carriers (138, 139, 186, 189, ...) and landlines of their
  region's area codes (010, 020, 0755, 0757, 021, ...), in CN-GD, CN-BJ, CN-SH, CN-ZJ, CN-JS,
  CN-SC, CN-SD, CN-HB, CN-FJ; 20 to 130 calls per active caller-day (weekends quieter), at
  business hours (peaks at 10-12 and 14-17), 35% unanswered (0 s), the rest log-normal around
  45 s;
- ``unlisted_share`` of the calls (2%) by callers the registry does not know at all;
- ``change_share`` of the listed callers (6%) whose whitelisting changes within the period: it
  ends (suspension, revocation), ends and resumes, or starts (approved mid-period); and 1%
  listed on a case that was never whitelisted;
- ``window_share`` of the calls (1.5%) outside the calling window: before it opens, after it
  closes, or starting inside and running past its end (a call inside the window ends by its
  end: the generator shortens it);
- number-days over the daily cap (``over_cap_days``; by default about 1% of the calls, at least
  two number-days from 1,000 calls on, one of them in CN-GD with its cap of 150), and a quarter
  as many exactly at the cap (the cap-th call is not over it);
- ``refused_share`` of the calls (1%) to callees on the refusal list, most refused before the
  period and some during it (a call before the refusal is not flagged);
- ``bad_share`` of the rows (0 by default) with one unusable value: a caller or callee that is
  not a number, a start that is not a date-time, a negative or year-long duration.

The generator knows the answer: ``Generated.expected`` holds every row's finding codes as the
policy gives them (bits: 1 CALLER_NOT_WHITELISTED, 2 OUTSIDE_CALLING_WINDOW, 4
DAILY_CALL_CAP_EXCEEDED, 8 CALLEE_REFUSED) and ``Generated.expected_error`` the bad column of a
bad row. The calling window and the caps are those of the shipped rulesets (CN 2025.1: 08:00-21:00
and 300 until 2025-12-31; CN 2026.1: 09:00-20:00 and 200; CN-GD: 150): data generated for them
must be screened with them.

Deterministic: the same arguments (seed included) give the same bytes. Vectorized (numpy and
pyarrow): 10 million rows take about 30 s and 3.4 GB of memory.

As a module: ``generate(calls, seed)`` returns a ``Generated`` (a pyarrow Table of calls, the
registry as a list of dicts, a Table of refusals, the expected answer); ``write(generated, dir)``
writes the files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# the finding bits (the kernel's own order: include/telecomply/screening/call_findings.hpp)
NOT_WHITELISTED, OUTSIDE_WINDOW, OVER_CAP, REFUSED = 1, 2, 4, 8
CODE_NAMES = {
    REFUSED: "CALLEE_REFUSED",
    NOT_WHITELISTED: "CALLER_NOT_WHITELISTED",
    OVER_CAP: "DAILY_CALL_CAP_EXCEEDED",
    OUTSIDE_WINDOW: "OUTSIDE_CALLING_WINDOW",
}

DAY_S = 86_400
CST = dt.timezone(dt.timedelta(hours=8))

# region -> (weight among listed callers, landline area codes with their trunk 0)
REGIONS: dict[str, tuple[float, tuple[str, ...]]] = {
    "CN-GD": (0.25, ("020", "0755", "0757")),
    "CN-BJ": (0.15, ("010",)),
    "CN-SH": (0.15, ("021",)),
    "CN-ZJ": (0.10, ("0571",)),
    "CN-JS": (0.10, ("025",)),
    "CN-SC": (0.08, ("028",)),
    "CN-SD": (0.07, ("0531",)),
    "CN-HB": (0.05, ("027",)),
    "CN-FJ": (0.05, ("0591",)),
}
REGION_NAMES = list(REGIONS)
GD = REGION_NAMES.index("CN-GD")

# mobile prefixes of the three carriers (lib/domain/identifiers.cpp has the full table)
MOBILE_PREFIXES = (
    "134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182",
    "183", "187", "188", "198",  # China Mobile (1340-1348 are its; 1349 is not: avoided below)
    "130", "131", "132", "155", "156", "166", "175", "176", "185", "186",  # China Unicom
    "133", "153", "173", "177", "180", "181", "189", "191", "199",  # China Telecom
)


def rules_for(day: dt.date, region: str) -> tuple[int, int, int]:
    """(window start, window end, daily cap) of the shipped rulesets: seconds after local midnight."""
    if day.year >= 2026:
        return 9 * 3600, 20 * 3600, 150 if region == "CN-GD" else 200
    return 8 * 3600, 21 * 3600, 150 if region == "CN-GD" else 300


@dataclass
class Generated:
    """What ``generate`` made. ``calls``: caller, callee, start (string, local time), duration_s
    (int64), in output order. ``expected``: uint8 finding bits per row (0 for a bad row);
    ``expected_error``: the bad column of each row, "" when the row is good."""

    calls: pa.Table
    registry: list[dict[str, Any]]
    refusals: pa.Table
    expected: np.ndarray
    expected_error: np.ndarray
    manifest: dict[str, Any] = field(default_factory=dict)

    def expected_codes(self) -> list[list[str]]:
        """Every row's expected finding codes, sorted (as screening reports them)."""
        names = {bits: sorted(CODE_NAMES[b] for b in CODE_NAMES if bits & b) for bits in range(16)}
        return [names[int(b)] for b in self.expected]


# ---- numbers ----


def _mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    prefix = np.array([int(p) for p in MOBILE_PREFIXES], dtype=np.int64)[rng.integers(0, len(MOBILE_PREFIXES), n)]
    sub = rng.integers(0, 100_000_000, n, dtype=np.int64)
    # 1349xxxx is China Telecom's satellite block, 1340-1348 China Mobile's: keep 134 off 1349
    nine = (prefix == 134) & (sub // 10_000_000 == 9)
    sub[nine] -= 10_000_000
    return prefix * 100_000_000 + sub


def _canonical(kind_landline: np.ndarray, area: np.ndarray, digits: np.ndarray) -> list[str]:
    """Canonical text: 11-digit mobiles, and landlines as area code (with its 0) + 8 digits."""
    return [f"{a}{d:08d}" if ll else f"{d:011d}" for ll, a, d in zip(kind_landline.tolist(), area.tolist(), digits.tolist())]


def _other_form(canonical: str, landline: bool, pick: int) -> str:
    """The same number written another way (one of six), as exports and people write them."""
    if landline:
        area, sub = (canonical[:3], canonical[3:]) if canonical[1] in "12" else (canonical[:4], canonical[4:])
        return (
            f"{area}-{sub}",
            f"{area} {sub[:4]} {sub[4:]}",
            f"+86 {area[1:]} {sub[:4]} {sub[4:]}",
            f"+86-{area[1:]}-{sub}",
            f"0086 {area[1:]} {sub}",
            f"{area}-{sub[:4]}-{sub[4:]}",
        )[pick % 6]
    c = canonical
    return (
        f"+86 {c[:3]} {c[3:7]} {c[7:]}",
        f"+86-{c[:3]}-{c[3:7]}-{c[7:]}",
        f"{c[:3]}-{c[3:7]}-{c[7:]}",
        f"{c[:3]} {c[3:7]} {c[7:]}",
        f"0086 {c}",
        f"86{c}",
    )[pick % 6]


def _numbers(rng: np.random.Generator, n: int, landline_share: float, region: np.ndarray | None,
             taken: set[int] | None = None) -> tuple[list[str], np.ndarray]:
    """n distinct canonical numbers (mobile, or a landline of the region's area codes) and which
    are landlines. `taken` (keys of numbers used already) is kept disjoint and updated."""
    taken = set() if taken is None else taken
    out: list[str] = []
    landline_out: list[bool] = []
    while len(out) < n:
        m = int((n - len(out)) * 1.05) + 16
        landline = rng.random(m) < landline_share
        if region is None:
            reg = rng.integers(0, len(REGIONS), m)
        else:
            reg = region[len(out):len(out) + m]
            reg = np.concatenate([reg, rng.integers(0, len(REGIONS), m - len(reg))])
        area = np.array([REGIONS[REGION_NAMES[r]][1][rng.integers(0, len(REGIONS[REGION_NAMES[r]][1]))]
                         if ll else "" for r, ll in zip(reg.tolist(), landline.tolist())], dtype=object) \
            if landline.any() else np.full(m, "", dtype=object)
        sub = np.where(landline, rng.integers(20_000_000, 90_000_000, m, dtype=np.int64), _mobiles(rng, m))
        # the key: the number's digits as an integer and its length (a landline keeps its 0)
        keys = np.where(landline, np.array([int(a) if a else 0 for a in area.tolist()], dtype=np.int64) * 100_000_000 + sub, sub) * 16 \
            + np.where(landline, np.array([len(a) + 8 for a in area.tolist()]), 11)
        canon = _canonical(landline, area, sub)
        for k, c, ll in zip(keys.tolist(), canon, landline.tolist()):
            if k in taken:
                continue
            taken.add(k)
            out.append(c)
            landline_out.append(ll)
            if len(out) == n:
                break
    return out, np.array(landline_out, dtype=bool)


def _written(rng: np.random.Generator, canonical: list[str], landline: np.ndarray) -> list[str]:
    """One other writing of each number."""
    picks = rng.integers(0, 6, len(canonical)).tolist()
    return [_other_form(c, ll, p) for c, ll, p in zip(canonical, landline.tolist(), picks)]


def _rfc3339(unix_s: int) -> str:
    return dt.datetime.fromtimestamp(unix_s, CST).isoformat()


def _local(unix_s: int) -> str:
    return dt.datetime.fromtimestamp(unix_s, CST).strftime("%Y-%m-%d %H:%M:%S")


# ---- the calls ----


def _spread(rng: np.random.Generator, n: int, total: int, low: int, high: int) -> np.ndarray:
    """n counts in [low, high] summing to total (total must fit)."""
    counts = rng.integers(low, high + 1, n).astype(np.int64)
    diff = total - int(counts.sum())
    while diff != 0:
        room = counts < high if diff > 0 else counts > low
        idx = np.flatnonzero(room)
        take = rng.choice(idx, size=min(abs(diff), len(idx)), replace=False)
        counts[take] += 1 if diff > 0 else -1
        diff = total - int(counts.sum())
    return counts


def _time_of_day(rng: np.random.Generator, n: int, win_start: np.ndarray, win_end: np.ndarray) -> np.ndarray:
    """Seconds after midnight inside the window, busiest at 10-12 and 14-17."""
    weights = np.array([8, 13, 13, 6, 7, 12, 13, 12, 8, 5, 3], dtype=float)  # 09:00 .. 19:00 hours
    hour = rng.choice(len(weights), size=n, p=weights / weights.sum())
    span = (win_end - win_start).astype(np.int64)
    # the hours above spread over the window, whatever its length
    t = win_start + ((hour + rng.random(n)) / len(weights) * span).astype(np.int64)
    return np.minimum(t, win_end - 1)


def generate(
    calls: int,
    seed: int = 0,
    *,
    start: str | dt.date = "2026-03-16",
    days: int = 7,
    unsorted: bool = False,
    unlisted_share: float = 0.02,
    change_share: float = 0.06,
    window_share: float = 0.015,
    refused_share: float = 0.01,
    bad_share: float = 0.0,
    over_cap_days: int | None = None,
) -> Generated:
    """`calls` call records over `days` days from `start` (a date), deterministic for `seed`.
    See the module's docstring for what the data holds."""
    if calls < 1:
        raise ValueError("calls must be at least 1")
    if days < 1:
        raise ValueError("days must be at least 1")
    for name, share in (("unlisted_share", unlisted_share), ("change_share", change_share),
                        ("window_share", window_share), ("refused_share", refused_share),
                        ("bad_share", bad_share)):
        if not 0.0 <= share <= 0.5:
            raise ValueError(f"{name} must be between 0 and 0.5, not {share}")
    first = start if isinstance(start, dt.date) else dt.date.fromisoformat(start)
    rng = np.random.default_rng(seed)
    dates = [first + dt.timedelta(days=d) for d in range(days)]
    day0_unix = int(dt.datetime(first.year, first.month, first.day, tzinfo=CST).timestamp())
    period_end = day0_unix + days * DAY_S

    # -- number-days over the cap (planted) and at it
    if over_cap_days is None:
        over_cap_days = 0 if calls < 1000 else max(2, round(calls * 0.01 / 175))
    at_cap_days = (over_cap_days + 3) // 4 if over_cap_days else 0
    # -- callers: listed (in the registry) and unlisted
    mean_per_day = 75
    weekday_active = np.array([0.95 if d.weekday() < 5 else 0.35 for d in dates])
    n_unlisted_calls = int(round(calls * unlisted_share))
    n_listed_target = max(1, calls - n_unlisted_calls)
    n_listed = max(over_cap_days + at_cap_days + 8, min(40, calls // 25),
                   int(np.ceil(n_listed_target / (mean_per_day * weekday_active.sum()))))
    n_unlisted = max(1, int(np.ceil(n_unlisted_calls / (mean_per_day * weekday_active.sum())))) if n_unlisted_calls else 0
    p = np.array([w for w, _ in REGIONS.values()])
    region = rng.choice(len(REGIONS), size=n_listed, p=p / p.sum())
    taken: set[int] = set()
    listed_numbers, listed_landline = _numbers(rng, n_listed, 0.15, region, taken)
    unlisted_numbers, unlisted_landline = _numbers(rng, n_unlisted, 0.15, None, taken)
    callers = listed_numbers + unlisted_numbers
    caller_landline = np.concatenate([listed_landline, unlisted_landline])
    n_callers = len(callers)
    caller_region = np.concatenate([region, np.full(n_unlisted, -1)])  # -1: not in the registry

    # -- whitelisting of each listed caller: kind 0 whole period, 1 ends, 2 ends and resumes,
    #    3 starts mid-period, 4 on a case never whitelisted
    kind = np.zeros(n_listed, dtype=np.int8)
    r = rng.random(n_listed)
    kind[r < change_share * 0.4] = 1
    kind[(r >= change_share * 0.4) & (r < change_share * 0.7)] = 2
    kind[(r >= change_share * 0.7) & (r < change_share)] = 3
    kind[(r >= change_share) & (r < change_share + 0.01)] = 4
    if change_share > 0:  # every kind at least once, however few the callers
        for k, c in zip((1, 2, 3, 4), rng.choice(n_listed, size=4, replace=False).tolist()):
            if not (kind == k).any():
                kind[c] = k
    # callers chosen for planted caps must be whitelisted throughout: the first ones, with GD first
    special = over_cap_days + at_cap_days
    if special:
        order = np.argsort(region != GD, kind="stable")  # GD callers first
        gd_first = order[: max(1, special // 2)] if (region == GD).any() else order[:0]
        others = np.flatnonzero(region != GD)[: special - len(gd_first)]
        planted_callers = np.concatenate([gd_first, others])
        if len(planted_callers) < special:  # too few of one kind: take any
            rest = np.setdiff1d(np.arange(n_listed), planted_callers)[: special - len(planted_callers)]
            planted_callers = np.concatenate([planted_callers, rest])
        kind[planted_callers] = 0
        for k in (1, 2, 3, 4):  # a change displaced by a planted cap goes to another caller
            free = np.setdiff1d(np.flatnonzero(kind == 0), planted_callers)
            if change_share > 0 and not (kind == k).any() and len(free):
                kind[free[0]] = k
    else:
        planted_callers = np.zeros(0, dtype=np.int64)
    base_from = day0_unix - rng.integers(30, 400, n_listed) * DAY_S + rng.integers(9 * 3600, 18 * 3600, n_listed)
    mid_a = day0_unix + rng.integers(0, days, n_listed) * DAY_S + rng.integers(10 * 3600, 18 * 3600, n_listed)
    gap = rng.integers(1, max(2, days), n_listed) * DAY_S // 2 + rng.integers(0, 4 * 3600, n_listed)
    wl = np.full((n_callers, 2, 2), -1, dtype=np.int64)  # [caller, interval, from/to]; to -1: open
    # from = -2: no interval
    wl[:, :, 0] = -2
    wl[:n_listed, 0, 0] = np.where(kind == 3, mid_a, base_from)
    wl[:n_listed, 0, 1] = np.where((kind == 1) | (kind == 2), mid_a, -1)
    wl[:n_listed, 1, 0] = np.where(kind == 2, mid_a + gap, -2)
    wl[:n_listed, 0, 0] = np.where(kind == 4, -2, wl[:n_listed, 0, 0])
    wl[:n_listed, 0, 1] = np.where(kind == 4, -1, wl[:n_listed, 0, 1])

    # -- caller-days and their counts
    active = rng.random((n_callers, days)) < weekday_active[None, :]
    planted_day = rng.integers(0, days, special) if special else np.zeros(0, dtype=np.int64)
    active[planted_callers, planted_day] = True
    planted_counts = np.zeros(special, dtype=np.int64)
    for i, (c, d) in enumerate(zip(planted_callers.tolist(), planted_day.tolist())):
        cap = rules_for(dates[d], REGION_NAMES[region[c]])[2]
        planted_counts[i] = cap + int(rng.integers(1, 41)) if i < over_cap_days else cap
    planted_total = int(planted_counts.sum())
    if planted_total > calls:
        raise ValueError(f"{calls} calls cannot hold {over_cap_days} number-days over the cap "
                         f"({planted_total} calls): give more calls or fewer over_cap_days")
    is_planted = np.zeros((n_callers, days), dtype=bool)
    is_planted[planted_callers, planted_day] = True
    counts = np.zeros((n_callers, days), dtype=np.int64)
    counts[planted_callers, planted_day] = planted_counts
    for group, total in ((np.arange(n_listed), calls - planted_total - n_unlisted_calls),
                         (np.arange(n_listed, n_callers), n_unlisted_calls)):
        if total <= 0 or len(group) == 0:
            continue
        free = ~is_planted[group]
        ci, di = np.nonzero(active[group] & free)
        low, high = 1, 130
        if total > len(ci) * high:  # more calls than the active caller-days hold: wake every day
            ci, di = np.nonzero(free)
            high = max(high, int(np.ceil(total / len(ci))))
        low = min(20, max(1, total // len(ci)))
        counts[group[ci], di] += _spread(rng, len(ci), total, low, high)
    # a planted number-day is the caller's only calls that day: no other count was added to it

    # -- rows
    flat = counts.reshape(-1)
    cell = np.repeat(np.arange(n_callers * days), flat)
    caller_idx = cell // days
    day_idx = cell % days
    n = len(caller_idx)
    assert n == calls, (n, calls)
    win = np.array([rules_for(d, "CN")[:2] for d in dates], dtype=np.int64)
    win_start, win_end = win[day_idx, 0], win[day_idx, 1]
    sod = _time_of_day(rng, n, win_start, win_end)
    duration = np.where(rng.random(n) < 0.35, 0, np.clip(np.round(rng.lognormal(np.log(45), 1.0, n)), 1, 3600)).astype(np.int64)
    duration = np.minimum(duration, win_end - sod)  # a call inside the window ends by its end
    # outside the window: early, late, or running past the end
    outside = np.flatnonzero(rng.random(n) < window_share)
    how = rng.integers(0, 5, len(outside))
    early, late, past = outside[how < 2], outside[(how >= 2) & (how < 4)], outside[how == 4]
    sod[early] = win_start[early] - rng.integers(1, 5400, len(early))
    sod[late] = win_end[late] + rng.integers(0, 7200, len(late))
    sod[past] = win_end[past] - rng.integers(1, 600, len(past))
    duration[past] = (win_end[past] - sod[past]) + rng.integers(1, 900, len(past))
    start_unix = day0_unix + day_idx * DAY_S + sod

    # -- callees and refusals
    pool_size = max(1000, calls // 3)
    callee_numbers, callee_landline = _numbers(rng, pool_size, 0.08, None, taken)
    callee_idx = rng.integers(0, pool_size, n)
    n_refused = max(5, pool_size // 200)
    refused_pool = rng.choice(pool_size, size=n_refused, replace=False)
    before = rng.random(n_refused) < 0.8
    refused_at = np.where(before, day0_unix - rng.integers(1, 60, n_refused) * DAY_S,
                          day0_unix + rng.integers(0, days, n_refused) * DAY_S) + rng.integers(8 * 3600, 22 * 3600, n_refused)
    to_refused = np.flatnonzero(rng.random(n) < refused_share)
    callee_idx[to_refused] = refused_pool[rng.integers(0, n_refused, len(to_refused))]
    refused_at_of = np.full(pool_size, np.iinfo(np.int64).max)
    refused_at_of[refused_pool] = refused_at

    # -- order: start order (an export), or shuffled
    if unsorted:
        order = rng.permutation(n)
    else:
        order = np.lexsort((rng.random(n), start_unix))  # same-second calls in any order
    caller_idx, callee_idx = caller_idx[order], callee_idx[order]
    start_unix, duration, day_idx, sod = start_unix[order], duration[order], day_idx[order], sod[order]
    win_start, win_end = win_start[order], win_end[order]

    # -- bad rows
    bad_column = np.full(n, "", dtype=object)
    bad = np.flatnonzero(rng.random(n) < bad_share)
    columns = np.array(["caller", "callee", "start", "duration_s"], dtype=object)
    bad_column[bad] = columns[rng.integers(0, 4, len(bad))]

    # -- the expected answer
    expected = np.zeros(n, dtype=np.uint8)
    good = bad_column == ""
    listed = caller_idx < n_listed
    w = wl[caller_idx]
    in_first = (w[:, 0, 0] != -2) & (w[:, 0, 0] <= start_unix) & ((w[:, 0, 1] == -1) | (start_unix < w[:, 0, 1]))
    in_second = (w[:, 1, 0] != -2) & (w[:, 1, 0] <= start_unix) & ((w[:, 1, 1] == -1) | (start_unix < w[:, 1, 1]))
    expected |= np.where(in_first | in_second, 0, NOT_WHITELISTED).astype(np.uint8)
    out_of_window = (sod < win_start) | (sod + duration > win_end)
    expected |= np.where(listed & out_of_window, OUTSIDE_WINDOW, 0).astype(np.uint8)
    expected |= np.where(refused_at_of[callee_idx] <= start_unix, REFUSED, 0).astype(np.uint8)
    # the cap: a listed caller's good calls of a local day in start order, ties by row
    counted = np.flatnonzero(listed & good)
    rows = np.arange(n)
    o = counted[np.lexsort((rows[counted], start_unix[counted], day_idx[counted], caller_idx[counted]))]
    key = caller_idx[o] * days + day_idx[o]
    group_start = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]])) if len(o) else np.zeros(0, dtype=np.int64)
    rank = np.arange(len(o)) - np.repeat(group_start, np.diff(np.concatenate([group_start, [len(o)]])))
    caps = np.array([[rules_for(d, REGION_NAMES[rg])[2] for d in dates] for rg in range(len(REGIONS))], dtype=np.int64)
    cap_of = caps[caller_region[caller_idx[o]], day_idx[o]]
    expected[o[rank >= cap_of]] |= OVER_CAP
    sizes = np.diff(np.concatenate([group_start, [len(o)]]))
    over_groups = group_start[sizes > cap_of[group_start]]
    number_days = sorted(
        ({"number": callers[int(caller_idx[o[i]])], "date": dates[int(day_idx[o[i]])].isoformat(),
          "region": REGION_NAMES[int(caller_region[caller_idx[o[i]]])], "count": int(sizes[j]), "cap": int(cap_of[i])}
         for j, i in zip(np.flatnonzero(sizes > cap_of[group_start]).tolist(), over_groups.tolist())),
        key=lambda d: (d["number"], d["date"]))
    expected[~good] = 0

    # -- text: numbers as written, times, bad values
    caller_text = np.array(callers, dtype=object)
    caller_alt = np.array(_written(rng, callers, caller_landline), dtype=object)
    callee_text = pa.array(callee_numbers, pa.string())
    callee_alt = pa.array(_written(rng, callee_numbers, callee_landline), pa.string())
    alt_caller_rows = rng.random(n) < 0.2
    alt_callee_rows = rng.random(n) < 0.2
    caller_col = pc.if_else(pa.array(alt_caller_rows), pa.array(caller_alt, pa.string()).take(pa.array(caller_idx)),
                            pa.array(caller_text, pa.string()).take(pa.array(caller_idx)))
    callee_col = pc.if_else(pa.array(alt_callee_rows), callee_alt.take(pa.array(callee_idx)), callee_text.take(pa.array(callee_idx)))
    local_wall = pa.array(start_unix + 8 * 3600, pa.timestamp("s"))  # the wall clock in CST
    start_col = pc.strftime(local_wall, format="%Y-%m-%d %H:%M:%S")
    if len(bad):
        caller_l, callee_l, start_l = caller_col.to_pylist(), callee_col.to_pylist(), start_col.to_pylist()
        dur = duration.copy()
        junk_numbers = ["unknown", "N/A", "anonymous", "138-0013-8000x", "++8613800138000", ""]
        junk_times = ["2026-03-18 24:00:00", "18/03/2026 10:00", "2026-02-30 10:00:00", "", "yesterday"]
        for i, col in zip(bad.tolist(), bad_column[bad].tolist()):
            if col == "caller":
                caller_l[i] = junk_numbers[i % len(junk_numbers)]
            elif col == "callee":
                callee_l[i] = junk_numbers[(i + 1) % len(junk_numbers)]
            elif col == "start":
                start_l[i] = junk_times[i % len(junk_times)]
            else:
                dur[i] = -1 if i % 2 else 400 * DAY_S
        caller_col, callee_col, start_col = pa.array(caller_l, pa.string()), pa.array(callee_l, pa.string()), pa.array(start_l, pa.string())
        duration = dur
    table = pa.table({"caller": caller_col, "callee": callee_col, "start": start_col,
                      "duration_s": pa.array(duration, pa.int64())})

    # -- the registry: the listed callers on cases (1-5 numbers of one region each), and numbers
    #    that never call
    registry: list[dict[str, Any]] = []
    quiet_numbers, _ = _numbers(rng, max(1, n_listed // 5), 0.1, region, taken)
    entries = [(c, int(region[c])) for c in range(n_listed)] + [(-1 - q, int(region[q % n_listed])) for q in range(len(quiet_numbers))]
    order_e = rng.permutation(len(entries))
    seq = {r: 0 for r in range(len(REGIONS))}
    case_of: dict[int, str] = {}
    open_case: dict[int, tuple[str, int]] = {}
    year = first.year
    for e in order_e.tolist():
        who, rg = entries[e]
        current = open_case.get(rg)
        if current is None or current[1] == 0:
            seq[rg] += 1
            current = (f"{REGION_NAMES[rg][3:]}-{year}-{seq[rg]:04d}", int(rng.integers(1, 6)))
        open_case[rg] = (current[0], current[1] - 1)
        case_of[e] = current[0]
    for e in range(len(entries)):
        who, rg = entries[e]
        if who >= 0:
            number = callers[who] if rng.random() < 0.85 else _other_form(callers[who], bool(caller_landline[who]), int(rng.integers(0, 6)))
            intervals = []
            for k in range(2):
                f, t = int(wl[who, k, 0]), int(wl[who, k, 1])
                if f == -2:
                    continue
                intervals.append([_rfc3339(f), None if t == -1 else _rfc3339(t)])
        else:
            number = quiet_numbers[-1 - who]
            intervals = [[_rfc3339(day0_unix - int(rng.integers(30, 400)) * DAY_S), None]]
        registry.append({"number": number, "region": REGION_NAMES[rg], "case": case_of[e], "whitelisted": intervals})

    refusals = pa.table({
        "callee": pa.array([callee_numbers[i] if j % 4 else _other_form(callee_numbers[i], bool(callee_landline[i]), j)
                            for j, i in enumerate(refused_pool.tolist())], pa.string()),
        "refused_at": pa.array([_local(int(t)) for t in refused_at.tolist()], pa.string()),
    })

    by_code = {name: int(((expected & bit) != 0).sum()) for bit, name in CODE_NAMES.items()}
    manifest = {
        "generator": "bench/gen_calls.py",
        "seed": seed, "calls": calls, "start": first.isoformat(), "days": days, "unsorted": unsorted,
        "shares": {"unlisted": unlisted_share, "change": change_share, "window": window_share,
                   "refused": refused_share, "bad": bad_share},
        "callers": {"listed": n_listed, "unlisted": n_unlisted,
                    "whitelisting_changes": {"ends": int((kind == 1).sum()), "ends_and_resumes": int((kind == 2).sum()),
                                             "starts": int((kind == 3).sum()), "never_whitelisted": int((kind == 4).sum())}},
        "registry_entries": len(registry), "refusals": n_refused, "callees": pool_size,
        "planted_over_cap_number_days": [
            {"number": callers[c], "region": REGION_NAMES[region[c]], "date": dates[d].isoformat(), "count": int(k),
             "cap": rules_for(dates[d], REGION_NAMES[region[c]])[2]}
            for c, d, k in zip(planted_callers[:over_cap_days].tolist(), planted_day[:over_cap_days].tolist(),
                               planted_counts[:over_cap_days].tolist())],
        "at_cap_number_days": at_cap_days,
        "expected": {"rows": n, "bad_rows": int((~good).sum()), "flagged_rows": int((expected != 0).sum()), "by_code": by_code,
                     "number_days": number_days},
    }
    return Generated(table, registry, refusals, expected, bad_column.astype(str), manifest)


def _write_csv(table: pa.Table, path: Path) -> None:
    """CSV as exports write it: a plain header, no quotes (no value holds a comma or a quote)."""
    with path.open("wb") as f:
        f.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(table, f, write_options=pacsv.WriteOptions(include_header=False, quoting_style="none"))


def write(g: Generated, out: str | Path, *, parquet: bool = False, expected_column: bool = False) -> dict[str, Path]:
    """Writes calls.csv, registry.jsonl, refusals.csv and manifest.json into `out` (created);
    returns their paths by name ("calls", "registry", "refusals", "manifest"; "parquet")."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"calls": out / "calls.csv", "registry": out / "registry.jsonl",
             "refusals": out / "refusals.csv", "manifest": out / "manifest.json"}
    table = g.calls
    if expected_column:
        names = {bits: ";".join(sorted(CODE_NAMES[b] for b in CODE_NAMES if bits & b)) for bits in range(16)}
        table = table.append_column("expected", pa.array([names[int(b)] if not e else f"error:{e}"
                                                          for b, e in zip(g.expected, g.expected_error)], pa.string()))
    _write_csv(table, paths["calls"])
    if parquet:
        import pyarrow.parquet as pq

        paths["parquet"] = out / "calls.parquet"
        pq.write_table(table, paths["parquet"])
    with paths["registry"].open("w", encoding="utf-8", newline="\n") as f:
        for entry in g.registry:
            f.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")
    _write_csv(g.refusals, paths["refusals"])
    paths["manifest"].write_text(json.dumps(g.manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return paths


def main(argv: list[str] | None = None) -> int:
    doc = __doc__ or ""
    ap = argparse.ArgumentParser(description=doc.strip().splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=100_000, help="rows to write (default 100000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True, help="the folder to write into (created)")
    ap.add_argument("--start", default="2026-03-16", help="the first day (default 2026-03-16)")
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--unsorted", action="store_true", help="rows shuffled, not in start order")
    ap.add_argument("--unlisted-share", type=float, default=0.02)
    ap.add_argument("--change-share", type=float, default=0.06)
    ap.add_argument("--window-share", type=float, default=0.015)
    ap.add_argument("--refused-share", type=float, default=0.01)
    ap.add_argument("--bad-share", type=float, default=0.0)
    ap.add_argument("--over-cap-days", type=int, default=None)
    ap.add_argument("--parquet", action="store_true", help="calls.parquet as well")
    ap.add_argument("--expected", action="store_true", help="a column 'expected': the generator's answer")
    args = ap.parse_args(argv)
    try:
        g = generate(args.calls, args.seed, start=args.start, days=args.days, unsorted=args.unsorted,
                     unlisted_share=args.unlisted_share, change_share=args.change_share,
                     window_share=args.window_share, refused_share=args.refused_share,
                     bad_share=args.bad_share, over_cap_days=args.over_cap_days)
    except ValueError as e:
        print(f"gen_calls.py: {e}", file=sys.stderr)
        return 2
    paths = write(g, args.out, parquet=args.parquet, expected_column=args.expected)
    e = g.manifest["expected"]
    print(f"{e['rows']} calls ({e['flagged_rows']} with findings, {e['bad_rows']} bad) -> {paths['calls']}")
    print("expected: " + ", ".join(f"{k} {v}" for k, v in e["by_code"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
