"""Exceptions raised by telecomply, mirroring the C++ hierarchy (``telecomply::error``).

Every exception derives from :class:`Error` and has a ``code`` attribute holding the stable
code name of the C++ ``telecomply::errc`` (e.g. ``"parse_error"``).
"""

from __future__ import annotations

__all__ = [
    "Error",
    "ExpressionError",
    "ParseError",
    "CompileError",
    "EvaluationError",
    "LimitError",
    "DataError",
    "InputError",
    "RulesetError",
    "CalendarError",
    "WorkflowError",
    "TransitionRefused",
    "StoreError",
    "ConflictError",
    "IntegrityError",
    "NotFoundError",
    "UsageError",
    "SealError",
]


class Error(Exception):
    """Base class of every telecomply error."""

    code: str = "error"


class ExpressionError(Error):
    """An expression failed to parse or compile; ``line`` and ``column`` locate it."""

    line: int = 0
    column: int = 0


class ParseError(ExpressionError):
    """An expression does not parse."""

    code = "parse_error"


class CompileError(ExpressionError):
    """An expression parses but cannot be compiled (unknown name or function...)."""

    code = "compile_error"


class EvaluationError(Error):
    """An expression evaluated to an error value.

    ``reason`` is the evaluation error code (``"no_such_field"``, ``"division_by_zero"``...)
    and ``paths`` lists absent input paths, when that was the reason.
    """

    code = "evaluation_error"
    reason: str = ""
    paths: list[str] = []


class LimitError(Error):
    """A bound on expression size, depth, work or memory was reached."""

    code = "limit_exceeded"


class DataError(Error):
    """Bad data in a file: ``file``, ``line`` (0 when unknown) and ``json_path`` locate it."""

    file: str = ""
    line: int = 0
    json_path: str = ""


class InputError(DataError):
    """An input document is malformed or fails its schema."""

    code = "invalid_input"


class RulesetError(DataError):
    """A ruleset is malformed or inconsistent."""

    code = "ruleset_error"


class CalendarError(DataError):
    """A date outside the working calendar's covered years, or bad calendar data (``file``,
    ``line`` and ``json_path`` locate it where known)."""

    code = "calendar_error"


class WorkflowError(DataError):
    """A workflow definition is malformed (``file``, ``line`` and ``json_path`` locate it)."""

    code = "workflow_error"


class TransitionRefused(Error):
    """An event was refused: not allowed in the case's state, or its guard failed.

    ``case_id``, ``state`` (the case's state, e.g. ``"under_review"``), ``event`` (the event
    type, e.g. ``"approve"``) and ``reason`` (why) say what was refused; ``str(e)`` says all
    of it in one sentence.
    """

    code = "transition_refused"
    case_id: str = ""
    state: str = ""
    event: str = ""
    reason: str = ""


class StoreError(Error):
    """The case store failed."""

    code = "store_error"


class ConflictError(StoreError):
    """The case changed since it was read (optimistic concurrency)."""

    code = "conflict"


class IntegrityError(StoreError):
    """A case's event chain does not verify."""

    code = "integrity_error"


class NotFoundError(Error):
    """No such case, ruleset version, region or file."""

    code = "not_found"


class UsageError(Error):
    """A function was called with invalid arguments."""

    code = "usage_error"


class SealError(DataError):
    """A seal key, a seal or a bundle cannot be used: a key that is not an Ed25519 key in PEM, a
    key file that exists already or cannot be written, a seal too malformed to export by
    (``file`` and ``json_path`` locate it where known). A seal that does not verify is not an
    error: ``CaseStore.verify_seal()`` and ``verify_bundle()`` report it."""

    code = "seal_error"
