"""The shapes of what CaseStore gives for numbers and for time: the registry of whitelisted
numbers, the report of a complaints import, time in state and a decision forecast. TypedDicts:
plain dicts at run time, checked by type checkers."""

from __future__ import annotations

from typing import List, Optional, TypedDict

__all__ = ["RegistryEntry", "ComplaintOutcome", "ComplaintError", "ComplaintReport", "StateVisit",
           "StateDuration", "TimerOutcome", "WaitingCase", "DurationsReport", "ForecastDeadline",
           "RemainingWorkingDays", "Forecast"]


class RegistryEntry(TypedDict):
    """One number on one case (CaseStore.registry(), a line of `telecomply case registry`):
    its canonical number, the case's region and id, and the half-open intervals during which
    the case held it whitelisted, as RFC 3339 text in China Standard Time (`to` None while
    still open; [] when the case never did)."""

    number: str
    region: str
    case: str
    whitelisted: List[List[Optional[str]]]


class _Where(TypedDict):
    number: str
    received_at: str
    file: str
    line: int
    json_path: str


class ComplaintOutcome(_Where, total=False):
    """What became of one complaint record: where it was (file, line, json_path), and per kind
    the case, the event's seq and the state it left (applied; for a duplicate, the complaint
    already recorded), or why not (unmatched, refused)."""

    source: str
    case: str
    seq: int
    state: str
    reason: str


class ComplaintError(TypedDict):
    """A bad record, not imported: its file, line (0 when none) and JSON path, and why."""

    file: str
    line: int
    json_path: str
    message: str


class ComplaintReport(TypedDict):
    """CaseStore.import_complaints(): every record in one of the lists, each in input order."""

    applied: List[ComplaintOutcome]
    duplicates: List[ComplaintOutcome]
    unmatched: List[ComplaintOutcome]
    refused: List[ComplaintOutcome]
    errors: List[ComplaintError]


class StateVisit(TypedDict):
    """A case's visit to a state (CaseStore.durations_report()["visits"]): days YYYY-MM-DD;
    left_on, left_seq, left_by None while open; working_days on the region's calendar (None
    when it does not cover the days)."""

    case_id: str
    region: str
    state: str
    entered_on: str
    entered_seq: int
    entered_by: str
    left_on: Optional[str]
    left_seq: Optional[int]
    left_by: Optional[str]
    working_days: Optional[int]
    open: bool
    provisional_years: List[int]


class StateDuration(TypedDict):
    """The visits to one state in one region: median, p90 and max of the closed ones (working
    days; percentiles by linear interpolation, numpy's default), None when none closed."""

    region: str
    state: str
    visits: int
    open: int
    counted: int
    median: Optional[float]
    p90: Optional[float]
    max: Optional[int]


class TimerOutcome(TypedDict):
    """How one timer's runs ended in one region, in cases."""

    region: str
    timer: str
    kind: str
    raises: str
    breached: int
    on_time: int
    running: int


class WaitingCase(TypedDict):
    """An open case waiting in its state since a day, and the working days waited so far."""

    case_id: str
    region: str
    state: str
    since: str
    working_days: Optional[int]


class DurationsReport(TypedDict):
    """CaseStore.durations_report(): what `telecomply case durations --format json` prints."""

    as_of: str
    region: Optional[str]
    states: List[StateDuration]
    timers: List[TimerOutcome]
    waiting: List[WaitingCase]
    provisional_years: List[int]
    visits: List[StateVisit]


class ForecastDeadline(TypedDict):
    """A running timer of the forecast case; bounds: an SLA a decision stops, not yet past."""

    timer: str
    kind: str
    due: str
    provisional: bool
    bounds: bool


class RemainingWorkingDays(TypedDict):
    """Percentiles (linear interpolation) of similar cases' remaining working days."""

    p10: float
    median: float
    p90: float


class Forecast(TypedDict):
    """CaseStore.forecast(): the likely decision range of an open case (days YYYY-MM-DD), its
    basis ('history' or 'sla'), the similar cases behind it and a sentence saying so."""

    case_id: str
    region: str
    state: str
    as_of: str
    in_state_since: str
    waited_working_days: int
    basis: str
    scope: str
    similar_cases: int
    similar_in_region: int
    min_similar: int
    remaining_working_days: Optional[RemainingWorkingDays]
    earliest: str
    likely: str
    latest: str
    bounded_by: Optional[str]
    history_latest: Optional[str]
    deadlines: List[ForecastDeadline]
    provisional_years: List[int]
    explanation: str
