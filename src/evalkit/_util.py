"""Small helpers every layer uses: file-name slugs and atomic writes (one implementation of each)."""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["slugify", "atomic_write"]


def slugify(text: str) -> str:
    """A file-name-safe, lower-case version of ``text`` (``"Event study: SKP"`` -> ``"event_study_skp"``)."""
    slug = re.sub(r"[^0-9a-zA-Z]+", "_", str(text).strip().lower()).strip("_")
    if not slug:
        raise ValueError(f"cannot make a file name from {text!r}")
    return slug


def atomic_write(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` through a hidden temporary file in the same folder and
    an atomic rename, so a reader never sees a half-written file; creates the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
