"""Who may do what: bearer tokens with a role each, from a JSON file.

``{"tokens": {"<token>": {"name": "alice", "role": "viewer" | "officer" | "admin"}}}``.
Viewers read; officers also append events and create cases; admins also import calendars and
seal. Tokens are compared in constant time (hmac.compare_digest).
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping, Optional

from ..errors import InputError

ROLES = ("viewer", "officer", "admin")


@dataclass(frozen=True)
class Principal:
    """The caller a request acts for: its name (the actor of its events) and role."""

    name: str
    role: str

    def may(self, role: str) -> bool:
        """Whether this principal holds `role` or a stronger one."""
        return ROLES.index(self.role) >= ROLES.index(role)


# Without --auth the server listens on loopback only, and every request acts as this one.
LOCAL_ADMIN = Principal("local", "admin")


class Tokens:
    """The tokens of an auth file; immutable, shared by the server's threads."""

    def __init__(self, tokens: Mapping[str, Principal]) -> None:
        self._tokens: Dict[str, Principal] = dict(tokens)

    @classmethod
    def load(cls, path: "str | Path") -> "Tokens":
        """Reads an auth file; InputError naming the file and JSON path for anything else."""
        path = Path(path)
        where = str(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise InputError(f"{where}: cannot read the auth file: {e.strerror}") from None
        except (ValueError, RecursionError) as e:
            raise InputError(f"{where}: invalid JSON: {e}") from None
        if not isinstance(data, dict) or not isinstance(data.get("tokens"), dict):
            raise InputError(f'{where}: $: an auth file is {{"tokens": {{"<token>": {{...}}}}}}')
        tokens: Dict[str, Principal] = {}
        for token, who in data["tokens"].items():
            at = f"$.tokens[{json.dumps(token)}]"
            if len(token) < 16:
                raise InputError(f"{where}: {at}: a token has at least 16 characters")
            if not isinstance(who, dict):
                raise InputError(f"{where}: {at}: expected {{\"name\": ..., \"role\": ...}}")
            name, role = who.get("name"), who.get("role")
            if not isinstance(name, str) or not name.strip():
                raise InputError(f"{where}: {at}.name: a non-empty string is required")
            if role not in ROLES:
                raise InputError(f"{where}: {at}.role: one of {', '.join(ROLES)}, not {role!r}")
            tokens[token] = Principal(name, role)
        return cls(tokens)

    def find(self, token: str) -> Optional[Principal]:
        """The principal of a token, or None; the comparison takes the same time for any
        token of a given length, found or not."""
        found: Optional[Principal] = None
        for known, who in self._tokens.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                found = who
        return found
