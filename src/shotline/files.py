"""Writing results: whole files or nothing (temporary file, then rename)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

from shotline.errors import InputError


def mode_for(path: Path) -> int:
    """An existing file keeps its mode; a new one gets what the umask allows."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write data to path so that readers see the old file or the new one, never half."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_dir():
        raise InputError("is a folder; expected a file name", source=str(path))
    folder = path.parent
    mode = mode_for(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", source=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise InputError(f"cannot write: {exc.strerror or exc}", source=str(path)) from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def to_json(value: Any) -> str:
    """Indented JSON for people and programs (orjson: the stdlib's indenting encoder is
    pure Python and a tenth of the speed on a feature's shot plan)."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode()
