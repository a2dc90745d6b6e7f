"""Type stubs of the native module telecomply._core (use the telecomply package)."""

from __future__ import annotations

import datetime
import os
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Literal, Mapping, Optional, Sequence, Tuple, Union, overload

from .errors import Error

from ._case_types import ComplaintReport, DurationsReport, Forecast, RegistryEntry

if TYPE_CHECKING:  # pandas is optional
    import pandas
from ._types import Finding, Obligation, Unknown

__version__: str

DateLike = Union[datetime.date, str]
TimeLike = Union[datetime.datetime, datetime.date, str, None]
Application = Union[Mapping[str, Any], str, bytes, bytearray]
PathLike = Union[str, "os.PathLike[str]"]

def cel_evaluate(
    expr: str, bindings: Optional[Mapping[str, Any]] = ..., checked: bool = ..., rulesets: Optional[PathLike] = ...
) -> Any: ...
def run_cli(argv: Sequence[str]) -> int: ...
def default_rulesets_dir() -> str: ...
def known_guards() -> List[str]: ...

class Verdict:
    """The outcome of checking one application. Immutable; safe to share between threads."""

    @property
    def application(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def as_of(self) -> datetime.date: ...
    @property
    def decision(self) -> str:
        """'eligible', 'ineligible' or 'needs_evidence'."""
    @property
    def eligible(self) -> bool: ...
    @property
    def ruleset(self) -> Dict[str, Any]:
        """{id, version, chain, digest}."""
    @property
    def findings(self) -> List[Finding]: ...
    @property
    def unknowns(self) -> List[Unknown]: ...
    @property
    def obligations(self) -> List[Obligation]: ...
    @property
    def trace(self) -> Optional[List[Dict[str, Any]]]: ...
    def fixes(self) -> Dict[str, Any]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self, indent: int = ...) -> str: ...
    def to_text(self, lang: str = ...) -> str: ...

class Engine:
    """Checks applications against a folder of rulesets (default: the shipped ones).

    Immutable once loaded; safe to share between threads (checks release the GIL)."""

    def __init__(
        self,
        rulesets: Optional[Union[str, "os.PathLike[str]"]] = ...,
        *,
        rulesets_dir: Optional[Union[str, "os.PathLike[str]"]] = ...,
        overlays: Optional[Sequence[Union[str, "os.PathLike[str]"]]] = ...,
    ) -> None: ...
    @property
    def rulesets_dir(self) -> str: ...
    @property
    def overlays(self) -> List[str]: ...
    def fixes(self, app: Application, as_of: Optional[DateLike] = ...) -> Dict[str, Any]: ...
    def rulesets(self) -> List[Tuple[str, str]]: ...
    def ruleset_versions(self) -> List[Dict[str, Any]]: ...
    def check(
        self, app: Application, as_of: Optional[DateLike] = ..., trace: bool = ..., *, full: bool = ...
    ) -> Verdict: ...
    def check_version(
        self, app: Application, version: str, as_of: Optional[DateLike] = ..., trace: bool = ...
    ) -> Verdict:
        """Checks with a given version of the region's rules (a what-if)."""
    def diff(
        self, app: Application, from_version: str, to_version: str, as_of: Optional[DateLike] = ...
    ) -> Dict[str, Any]:
        """{application, region, from, to, added, removed, changed}: what a policy change does."""
    @overload
    def check_many(
        self,
        apps: Iterable[Application],
        threads: int = ...,
        as_of: Optional[DateLike] = ...,
        validate: bool = ...,
        *,
        errors: Literal["return"] = ...,
    ) -> List[Union[Verdict, Error]]: ...
    @overload
    def check_many(
        self,
        apps: Iterable[Application],
        threads: int = ...,
        as_of: Optional[DateLike] = ...,
        validate: bool = ...,
        *,
        errors: Literal["raise"],
    ) -> List[Verdict]: ...
    def lint(self, *, notes: bool = ...) -> List[Dict[str, Any]]: ...

class CountedDate:
    """A day reached by counting working days, with the provisional years the count crossed."""

    @property
    def day(self) -> datetime.date: ...
    @property
    def provisional_years(self) -> List[int]: ...
    @property
    def provisional(self) -> bool: ...

class Calendar:
    """A working-day calendar: weekends, public holidays, 调休 make-up days and a region's own
    days off, over official and provisional years. Immutable; safe to share between threads."""

    def __init__(self, region: str = ..., rulesets: Optional[PathLike] = ...) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def first_day(self) -> datetime.date: ...
    @property
    def last_day(self) -> datetime.date: ...
    def covers(self, day: DateLike) -> bool: ...
    def is_working_day(self, day: DateLike) -> bool: ...
    def add_working_days(self, start: DateLike, n: int) -> datetime.date: ...
    def working_days_between(self, start: DateLike, end: DateLike) -> int: ...
    def deadline(self, start: DateLike, n: int) -> CountedDate: ...
    @property
    def first_year(self) -> int: ...
    @property
    def last_year(self) -> int: ...
    def status(self, year: int) -> str: ...
    def source(self, year: int) -> str: ...
    @property
    def provisional_years(self) -> List[int]: ...
    @property
    def version(self) -> str: ...

def import_calendar(
    file: Union[str, "os.PathLike[str]"],
    rulesets: Optional[Union[str, "os.PathLike[str]"]] = ...,
    *,
    dry_run: bool = ...,
    replace_official: bool = ...,
) -> Dict[str, Any]: ...

class Workflow:
    """The approval workflow of a region, held as a graph. Immutable; safe to share between
    threads."""

    def __init__(self, region: str = ..., rulesets: Optional[PathLike] = ...) -> None: ...
    @property
    def id(self) -> str: ...
    @property
    def initial(self) -> str: ...
    @property
    def states(self) -> List[str]: ...
    @property
    def events(self) -> List[str]: ...
    @property
    def finals(self) -> List[str]: ...
    @property
    def transitions(self) -> List[Dict[str, Any]]: ...
    def analyse(self) -> Dict[str, List[str]]: ...
    def shortest_path(self, source: str, target: str) -> List[str]: ...
    def to_dot(self) -> str: ...
    def to_mermaid(self) -> str: ...

class CaseStore:
    """Cases in a durable, tamper-evident SQLite file.

    Thread-safe: one CaseStore may be shared by threads (a web handler's pool); its calls run
    one at a time, with the GIL released while they wait and work. Several CaseStore objects,
    threads or processes may open the same file; their writes serialise in SQLite.
    """

    def __init__(
        self,
        path: Union[str, "os.PathLike[str]"],
        rulesets: Optional[Union[str, "os.PathLike[str]"]] = ...,
        now: TimeLike = ...,
        *,
        overlays: Optional[Sequence[Union[str, "os.PathLike[str]"]]] = ...,
    ) -> None:
        """Opens (creating when new) a store file. `overlays` are folders of ruleset versions
        layered over `rulesets`. `now` fixes the store's clock for tests and
        simulations; by default it is TELECOMPLY_NOW when set, else the system clock. Events
        dated before their case's last event, or more than a day after the clock, are refused
        (TransitionRefused)."""
    @property
    def now(self) -> str:
        """The store's clock as RFC 3339 text in China Standard Time; assign a date, an aware
        datetime or text to move it, or None for the default clock."""
    @now.setter
    def now(self, value: TimeLike) -> None: ...
    @property
    def path(self) -> str: ...
    def new(self, application: Application, actor: str = ..., at: TimeLike = ..., id: str = ...) -> Dict[str, Any]: ...
    def event(
        self,
        case_id: str,
        event: str,
        actor: str = ...,
        at: TimeLike = ...,
        data: Optional[Mapping[str, Any]] = ...,
        expect_version: Optional[int] = ...,
    ) -> Dict[str, Any]:
        """Applies an event; returns the case summary. TransitionRefused when the workflow
        refuses it; with expect_version, ConflictError when the case has moved past it (nothing
        written either way); without it, a conflicting writer is waited out and the event judged
        again on the fresh case."""
    def check(
        self, application: Application, as_of: Optional[DateLike] = ..., case_id: str = ...
    ) -> Verdict:
        """Checks with what the store knows of the applicant (USCC) and its numbers: the rules
        judge the stricter history; HISTORY_MISMATCH and NUMBER_ALREADY_REGISTERED are
        reported. InputError for an application the schema refuses."""
    def facts(self, application: Application, case_id: str = ...) -> Dict[str, Any]:
        """{record: {uscc, banned_until, rejections_12m, violations_24m, evidence} or None,
        registrations: [{number, case_id, state, same_applicant}]}."""
    def show(self, case_id: str) -> Dict[str, Any]: ...
    def case(self, case_id: str) -> Dict[str, Any]: ...
    def list(
        self,
        *,
        state: Optional[str] = ...,
        region: Optional[str] = ...,
        uscc: Optional[str] = ...,
        due_before: TimeLike = ...,
        overdue: bool = ...,
    ) -> List[Dict[str, Any]]:
        """The summaries (as show()) of the cases selected, in case id order."""
    def history(self, case_id: str) -> List[Dict[str, Any]]:
        """The case's events in order, each with the state it left the case in ("state")."""
    def cases(self) -> List[str]: ...
    def verify(self, case_id: Optional[str] = ...) -> Dict[str, Any]: ...
    def tick(self, now: TimeLike = ..., actor: str = ...) -> List[Dict[str, Any]]: ...
    def recompute(self, at: TimeLike = ..., actor: str = ...) -> List[Dict[str, Any]]: ...
    def seal(self, private_key_path: PathLike, sealed_at: TimeLike = ...) -> Dict[str, Any]:
        """Seals the store: {format: 'telecomply-seal/1', sealed_at, key_id, cases: {case_id:
        {version, head}}, root, signature}, every case's head from one consistent read, signed
        with the Ed25519 private key (generate_seal_key()). sealed_at: an aware datetime or RFC
        3339 text (default: the store's clock). Keep the seal outside the store. IntegrityError
        when the store's chains do not verify (nothing sealed); SealError for a key file that is
        not an unencrypted Ed25519 private key in PEM; UsageError for a sealed_at that is a day."""
    def verify_seal(self, seal: Union[Mapping[str, Any], str, "os.PathLike[str]"], public_key_path: PathLike) -> Dict[str, Any]:
        """The store against a seal, with the signer's public key: {ok, sealed_at, key_id, cases,
        events, problems: [{case_id, seq, message}], appended: [{case_id, sealed_version,
        version}], added: [case_id]}. ok is False when the seal is malformed or its signature
        or key id does not match, when a sealed case is missing, shorter or has another event
        at its sealed version, or when a hash chain does not verify; cases with events since the
        seal (appended) or created since (added) are listed, not vouched for. SealError for a
        key file that is not an Ed25519 public key in PEM."""
    def registry(self) -> List[RegistryEntry]:
        """The registry of whitelisted numbers: for every number of every case, {number
        (canonical), region, case, whitelisted: [[from, to], ...]}, the half-open intervals (RFC
        3339 text in China Standard Time, `to` None while open) during which the case held it
        whitelisted (whitelisted, change_pending, renewal_review); [] when it never did. Sorted
        by number, then case id. One consistent read; writes nothing. IntegrityError when a
        case's history does not replay."""
    def import_complaints(
        self, records: Union[PathLike, Sequence[Mapping[str, Any]]], actor: str = ...
    ) -> ComplaintReport:
        """Complaint records ({number, received_at, source?} dicts, or the path of a CSV or JSON
        Lines file) as complaint events on the cases that whitelisted their numbers when they
        were received; importing them again adds nothing. Every record lands in one list of the
        report: applied, duplicates, unmatched, refused (with reasons) or errors (bad records,
        named by file, line and JSON path; the rest are still imported). InputError when a file
        cannot be read or a CSV has no usable header."""
    def durations_report(self, as_of: TimeLike = ..., region: Optional[str] = ...) -> DurationsReport:
        """Time in state as of a day (default: today on the store's clock; events of later days
        left out), in working days on each region's calendar: per region and state the median
        and p90 of closed visits (linear interpolation, numpy's default), the timers' outcomes,
        the open cases' waits and every visit. UsageError for an unknown region."""
    def time_in_state(self, as_of: TimeLike = ..., region: Optional[str] = ...) -> "pandas.DataFrame":
        """One row per visit: case_id, region, state, entered_on, left_on (NaT while open),
        working_days, open, entered_by, left_by, provisional. Needs pandas."""
    def durations(self, as_of: TimeLike = ..., region: Optional[str] = ...) -> "pandas.DataFrame":
        """One row per region and state: region, state, visits, open, counted, median, p90,
        max (working days of closed visits). Needs pandas."""
    def sla_breaches(self, as_of: TimeLike = ..., region: Optional[str] = ...) -> "pandas.DataFrame":
        """One row per region and timer: region, timer, kind, raises, breached, on_time,
        running (cases). Needs pandas."""
    def forecast(self, case_id: str, as_of: TimeLike = ..., min_similar: int = ...) -> Forecast:
        """The likely decision range of an open case (earliest, likely, latest), from similar
        cases' history (basis 'history') capped by its running SLA, or from the workflow's SLA
        (basis 'sla') when fewer than min_similar (default 5) similar cases were decided; the
        explanation says which. NotFoundError for an unknown case, UsageError for one that
        awaits no decision (the message gives its decision's day)."""
    def export_bundle(self, seal: Union[Mapping[str, Any], str, "os.PathLike[str]"]) -> Dict[str, Any]:
        """What a seal covers, for verify_bundle(): {format: 'telecomply-bundle/1', seal, cases:
        {case_id: {region, events}}, pinned_rulesets: [{digest, id, version, content}]}; events
        up to each case's sealed version only. The signature is not checked here. SealError for
        a malformed seal; IntegrityError when the store no longer holds what it sealed."""

def generate_seal_key(out_prefix: PathLike) -> Tuple[str, str]:
    """Writes a new Ed25519 key pair: `<out_prefix>.pem` (private, mode 0600) and
    `<out_prefix>.pub.pem` (public); returns (private path, public path). SealError naming the
    file when either exists (never overwritten) or cannot be written. Thread-safe."""

def verify_bundle(
    bundle: Union[Mapping[str, Any], str, "os.PathLike[str]"],
    public_key_path: PathLike,
    rulesets: Optional[PathLike] = ...,
) -> Dict[str, Any]:
    """A bundle checked offline, without any store: the seal's signature, every case's chain
    recomputed up to its sealed head, the cases equal to the sealed ones, each pinned ruleset
    rebuilt to its digest (with the calendars of `rulesets`). Returns the report of
    CaseStore.verify_seal() (appended and added empty). SealError for a key file that is not an
    Ed25519 public key in PEM. Thread-safe (releases the GIL)."""

import os  # noqa: E402  (for the PathLike annotation above)

def screen(
    calls: Union[str, Callable[[], Any]],
    registry_jsonl: Union[str, bytes],
    registry_name: str,
    refusals_text: Optional[Union[str, bytes]],
    refusals_name: str,
    rulesets: str,
) -> Tuple[bytes, List[Tuple[int, int, str, str]], str]:
    """Screens call records (a CSV path, or a function giving an object with
    __arrow_c_stream__ for each pass) against a registry given as JSON Lines text (or a
    file's bytes, read by the C++ reader whatever their encoding). Returns
    (one finding mask per row, [(row, line, column, message)] of bad rows, the report as JSON
    text). Use telecomply.screen_calls()."""

def finding_codes(mask: int) -> List[str]:
    """The finding codes of a mask of call findings, sorted."""
