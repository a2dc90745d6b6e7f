"""telecomply: rules engine for telemarketing-number whitelist compliance (电销卡白名单)."""

from __future__ import annotations

from . import _core, cel, errors, spark
from ._core import (
    Calendar,
    CaseStore,
    CountedDate,
    Engine,
    Verdict,
    Workflow,
    generate_seal_key,
    import_calendar,
    verify_bundle,
)
from ._case_types import ComplaintError, ComplaintOutcome, ComplaintReport, RegistryEntry
from ._types import Finding, Obligation, Unknown
from .plots import plot_findings
from .frames import findings_to_frame, verdicts_to_frame
from .screening import CALL_FINDING_CODES, Screening, screen_calls
from .errors import (
    CalendarError,
    CompileError,
    ConflictError,
    DataError,
    Error,
    EvaluationError,
    ExpressionError,
    InputError,
    IntegrityError,
    LimitError,
    NotFoundError,
    ParseError,
    RulesetError,
    SealError,
    StoreError,
    TransitionRefused,
    UsageError,
    WorkflowError,
)

__version__: str = _core.__version__

__all__ = [
    "Engine",
    "Verdict",
    "Workflow",
    "CaseStore",
    "CountedDate",
    "import_calendar",
    "generate_seal_key",
    "verify_bundle",
    "plot_findings",
    "Calendar",
    "Finding",
    "Unknown",
    "Obligation",
    "RegistryEntry",
    "ComplaintOutcome",
    "ComplaintError",
    "ComplaintReport",
    "verdicts_to_frame",
    "findings_to_frame",
    "screen_calls",
    "Screening",
    "CALL_FINDING_CODES",
    "cel",
    "errors",
    "spark",
    # the exceptions (telecomply.errors), listed by name so that type checkers see them
    # re-exported (mypy --strict: no implicit re-export)
    "CalendarError",
    "CompileError",
    "ConflictError",
    "DataError",
    "Error",
    "EvaluationError",
    "ExpressionError",
    "InputError",
    "IntegrityError",
    "LimitError",
    "NotFoundError",
    "ParseError",
    "RulesetError",
    "SealError",
    "StoreError",
    "TransitionRefused",
    "UsageError",
    "WorkflowError",
]
