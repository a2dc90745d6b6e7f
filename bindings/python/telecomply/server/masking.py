"""Personal data kept out of the decision log: resident ID numbers, names and phone numbers
keep only a prefix (PIPL 《个人信息保护法》 art. 51: minimise what is kept)."""

from __future__ import annotations

import re
from typing import Any

_ID = re.compile(r"^\d{17}[\dXx]$")
_PHONE = re.compile(r"^\+?\d[\d\- ]{6,}$")
_NAME_KEYS = {"name", "legal_representative_name", "contact_name"}
# what a finding is about (a number, mostly, in any spelling the engine accepts)
_SUBJECT_KEYS = {"subjects", "subject", "number", "numbers"}
# identifiers of the log's own, never personal data: they tie a line to a case or a response
_KEPT_KEYS = {"application", "case_id", "request_id", "input_digest", "ruleset", "cases",
              "kind", "event", "decision", "findings", "root", "actor", "time"}


def mask_text(text: str, keep: int) -> str:
    """The first `keep` characters, the rest as '*'."""
    return text[:keep] + "*" * max(0, len(text) - keep)


def mask(value: Any, key: str = "") -> Any:
    """A copy of JSON data with resident ID numbers (first 6 kept: the region), phone numbers
    and the subjects of findings, whatever their spelling (first 3: the carrier's block), and
    names (first character) masked. The log's own identifiers (case and application ids,
    request ids, digests, codes) are kept as they are."""
    if key in _KEPT_KEYS:
        return value
    if isinstance(value, dict):
        return {k: mask(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v, key) for v in value]
    if isinstance(value, str) and key in _SUBJECT_KEYS:
        return mask_text(value, 3)
    if isinstance(value, str):
        if _ID.match(value):
            return mask_text(value, 6)
        if key in _NAME_KEYS:
            return mask_text(value, 1)
        if _PHONE.match(value):
            return mask_text(value, 3)
    return value
