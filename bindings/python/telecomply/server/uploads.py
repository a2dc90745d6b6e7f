"""Uploaded call records for screening, saved to a folder with a size bound (the API's
/v1/screen form and the /screen page share it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Tuple


class UploadTooLarge(Exception):
    """An upload over its limit (the caller answers 413)."""


async def save_upload(upload: Any, path: Path, limit: int) -> None:
    """Copies an uploaded file to `path` a megabyte at a time, at most `limit` bytes."""
    size = 0
    with open(path, "wb") as out:
        while chunk := await upload.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise UploadTooLarge(f"the upload is over {limit} bytes")
            out.write(chunk)


def is_file(field: Any) -> bool:
    """Whether a form field is an uploaded file with a name (not text, not left empty)."""
    return field is not None and not isinstance(field, str) and bool(field.filename)


async def save_screening_form(form: Any, folder: Path,
                              limit: int) -> Tuple[Optional[Path], Optional[Path]]:
    """The `calls` and optional `refusals` files of a form, saved in `folder`: (calls path or
    None when the form has no calls file, refusals path or None). A refusals file keeps its
    kind by name: JSON Lines when it ends in .jsonl, else CSV."""
    calls, refusals = form.get("calls"), form.get("refusals")
    if calls is None or isinstance(calls, str):
        return None, None
    calls_path = folder / "calls.csv"
    await save_upload(calls, calls_path, limit)
    refusals_path = None
    if is_file(refusals):
        name = refusals.filename
        refusals_path = folder / ("refusals.jsonl" if name.endswith(".jsonl") else "refusals.csv")
        await save_upload(refusals, refusals_path, limit)
    return calls_path, refusals_path
