"""Where the shipped rulesets are."""

from __future__ import annotations

import os
from pathlib import Path

from . import _core


def default_rulesets() -> str:
    """The rulesets folder: $TELECOMPLY_RULESETS, else the copy inside the installed package,
    else what the native library finds (docs/rulesets.md, "Where telecomply finds its rulesets")."""
    env = os.environ.get("TELECOMPLY_RULESETS")
    if env:
        return env
    packaged = Path(__file__).resolve().parent / "rulesets"
    if packaged.is_dir():
        return str(packaged)
    return _core.default_rulesets_dir()
