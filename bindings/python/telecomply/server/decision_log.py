"""The decision log: one JSON line per check and per case event decided, personal data masked.

Each line is written and flushed to the operating system before the response leaves, so a
server stopped with SIGTERM (or killed) loses none; close() also fsyncs. Thread-safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterable, Optional

from .masking import mask


def input_digest(data: Any) -> str:
    """sha256 of the input as canonical JSON (sorted keys, no spaces): the same digest
    whatever the client's key order and spacing (numbers as Python reads them: 100 and 100.0
    differ)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class DecisionLog:
    """Appends decisions to a JSON Lines file (None: nowhere)."""

    def __init__(self, path: Optional["str | Path"]) -> None:
        self._lock = threading.Lock()
        self._file = None
        if path is not None:
            self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (kept open)

    def write(self, entry: Dict[str, Any]) -> None:
        """Writes one decision (masked) with the time, as one line."""
        if self._file is None:
            return
        line = {"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds")}
        line.update(mask(entry))
        text = json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            self._file.write(text)
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.flush()
                os.fsync(self._file.fileno())
                self._file.close()
                self._file = None


def verdict_entry(verdict: Dict[str, Any]) -> Dict[str, Any]:
    """What the log keeps of a verdict: decision, ruleset, finding codes and subjects."""
    findings: Iterable[Dict[str, Any]] = verdict.get("findings", [])
    return {
        "application": verdict.get("application"),
        "decision": verdict.get("decision"),
        "ruleset": verdict.get("ruleset"),
        "findings": [f.get("code") for f in findings],
        "subjects": [f.get("subject") for f in verdict.get("findings", []) if f.get("subject")],
    }
