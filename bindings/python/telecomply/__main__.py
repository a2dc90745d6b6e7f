"""``python -m telecomply ...``: the telecomply command line."""

from __future__ import annotations

import os
import sys
from typing import Optional, Sequence

from . import _core
from ._paths import default_rulesets


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the CLI with ``argv`` (default: ``sys.argv``) and returns its exit status."""
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] == "serve":
        # the HTTP server is Python (FastAPI on uvicorn): see telecomply.server
        from .server import main as serve

        return serve(args[2:])
    args[0] = "telecomply"
    # the CLI finds the rulesets shipped inside the package through this variable
    os.environ.setdefault("TELECOMPLY_RULESETS", default_rulesets())
    sys.stdout.flush()
    return _core.run_cli(args)


if __name__ == "__main__":
    sys.exit(main())
