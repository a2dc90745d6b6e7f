"""Plain value types of verdicts (immutable, comparable, printable)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

__all__ = ["Finding", "Unknown", "Obligation"]


@dataclass(frozen=True)
class Finding:
    """A rule that failed.

    ``message`` and ``remedy`` are ``{"zh": ..., "en": ...}``; ``subject`` is None for codes
    that have none.
    """

    code: str
    subject: Optional[str]
    severity: str
    message: Dict[str, str] = field(compare=False)
    remedy: Dict[str, str] = field(compare=False)
    reference: str = field(compare=False, default="")
    rule: str = ""


@dataclass(frozen=True)
class Unknown:
    """A rule whose outcome could not be decided: ``missing`` lists the absent input paths,
    ``reason`` says what else went wrong."""

    rule: str
    code: str
    subject: Optional[str]
    missing: List[str]
    reason: Optional[str] = None


@dataclass(frozen=True)
class Obligation:
    """A step the workflow must take, e.g. ``SITE_INSPECTION_REQUIRED``, and the rule that asked."""

    code: str
    rule: str
