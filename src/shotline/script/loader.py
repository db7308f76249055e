"""Reading a screenplay file from disk: limits, encoding and format detection."""

from __future__ import annotations

from pathlib import Path

from shotline.model.script import Script
from shotline.script.errors import ScriptError
from shotline.script.fdx_reader import parse_fdx
from shotline.script.fountain_reader import parse_fountain

# A feature screenplay is well under 1 MiB; anything near this is not a screenplay,
# and refusing it before reading keeps a stray video or disk image out of memory.
MAX_SCRIPT_BYTES = 16 * 1024 * 1024

FOUNTAIN_SUFFIXES = (".fountain", ".spmd", ".txt")
FDX_SUFFIXES = (".fdx",)


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes, refusing what is missing, not a file, empty or too big."""
    source = str(path)
    limit = MAX_SCRIPT_BYTES if limit is None else limit
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ScriptError("no such file", source=source) from None
    except OSError as exc:
        raise ScriptError(f"cannot read: {exc.strerror}", source=source) from None
    if not path.is_file():
        raise ScriptError("not a regular file", source=source)
    if size > limit:
        raise ScriptError(
            f"file is {size:,} bytes; the limit for a screenplay is {limit:,} bytes",
            source=source)
    try:
        with path.open("rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise ScriptError(f"cannot read: {exc.strerror}", source=source) from None
    if len(data) > limit:  # it grew after the size check
        raise ScriptError(f"file is over the limit of {limit:,} bytes", source=source)
    if not data.strip():
        raise ScriptError("file is empty", source=source)
    return data


def decode_text(data: bytes, source: str | None = None) -> str:
    """UTF-8 (with or without a byte-order mark) to text; says where it is not."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ScriptError(
            f"binary data, not a text screenplay (NUL byte at offset {nul})",
            source=source, line=data.count(b"\n", 0, nul) + 1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ScriptError(
            f"not UTF-8: byte 0x{data[exc.start]:02X} at column {column} "
            f"(offset {exc.start}); save the file as UTF-8",
            source=source, line=line) from None


def looks_like_fdx(path: Path, data: bytes) -> bool:
    if path.suffix.lower() in FDX_SUFFIXES:
        return True
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<?xml") or head.startswith(b"<FinalDraft")


def load(path: str | Path) -> Script:
    """Read a Fountain or Final Draft file into a Script (the reader is picked by content)."""
    p = Path(path)
    data = read_bytes(p)
    if looks_like_fdx(p, data):
        return parse_fdx(data, source=str(p))
    return parse_fountain(decode_text(data, source=str(p)), source=str(p))
