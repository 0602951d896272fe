"""Small helpers every layer uses: file-name slugs and atomic writes (one implementation of each)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

__all__ = ["slugify", "atomic_write"]

#: The process umask (read once: os.umask can only be read by setting it).
UMASK = os.umask(0)
os.umask(UMASK)


def slugify(text: str) -> str:
    """A file-name-safe, lower-case version of ``text`` (``"Event study: SKP"`` -> ``"event_study_skp"``)."""
    slug = re.sub(r"[^0-9a-zA-Z]+", "_", str(text).strip().lower()).strip("_")
    if not slug:
        raise ValueError(f"cannot make a file name from {text!r}")
    return slug


def atomic_write(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` so that a reader never sees a half-written file: a
    unique hidden temporary file in the same folder (two writers never share one), flushed to disk, then an
    atomic rename; the file gets the usual permissions (0666 less the umask); creates the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~UMASK)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
