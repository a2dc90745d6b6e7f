"""``telecomply serve``: an HTTP API over the library, for custom compliance tools.

The application is built by :func:`create_app` from a :class:`Settings`; :func:`main` runs it
on uvicorn (``python -m telecomply serve`` and the ``telecomply serve`` command call it).
FastAPI/Starlette on uvicorn: the field's well-kept Python stack, whose OpenAPI document and
docs page come with it; the engine's work runs in C++ with the GIL released, in the server's
thread pool.
"""

from __future__ import annotations

from .app import Settings, create_app
from .run import main

__all__ = ["Settings", "create_app", "main"]
