"""The shapes of what CaseStore gives for numbers: the registry of whitelisted numbers and the
report of a complaints import. TypedDicts: plain dicts at run time, checked by type checkers."""

from __future__ import annotations

from typing import List, Optional, TypedDict

__all__ = ["RegistryEntry", "ComplaintOutcome", "ComplaintError", "ComplaintReport"]


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
