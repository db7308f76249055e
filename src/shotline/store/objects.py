"""The content-addressed object store: each object is named by the sha256 of its bytes."""

from __future__ import annotations

import errno
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from io import BufferedReader
from pathlib import Path
from typing import BinaryIO

from shotline.errors import InputError
from shotline.files import mode_for

_CHUNK = 1 << 20  # bytes per read when an object is copied through this process


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class CorruptObjectError(InputError):
    """An object whose bytes no longer hash to its name."""


class ObjectStore:
    """Objects under ``root/ab/cdef…``; written whole (temporary file, fsync, rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._prefix = str(root) + os.sep  # string paths: a run checks thousands of them
        self._wrote: set[str] = set()

    def path(self, digest: str) -> Path:
        return Path(self._name(digest))

    def _name(self, digest: str) -> str:
        return f"{self._prefix}{digest[:2]}{os.sep}{digest[2:]}"

    def has(self, digest: str) -> bool:
        return os.path.isfile(self._name(digest))

    def wrote(self, digest: str) -> bool:
        """Whether this store object wrote the object itself: its name was hashed from
        the very bytes written, synced and renamed into place read-only, so hashing them
        again while this process lives proves nothing new. An object found already there
        (an earlier run's) does not count."""
        return digest in self._wrote

    def put(self, data: bytes) -> str:
        digest = sha256(data)
        target = self.path(digest)
        if target.is_file():
            return digest  # same name, same bytes: nothing to do
        target.parent.mkdir(parents=True, exist_ok=True)
        with _replacing(target, 0o444, prefix=".incoming-") as f:  # objects never change
            f.write(data)
        self._wrote.add(digest)
        return digest

    def get(self, digest: str, verify: bool = True) -> bytes:
        with self._open(digest) as f:
            data = f.read()
        if verify and sha256(data) != digest:
            raise self._corrupt(digest)
        return data

    def copy_to(self, digest: str, target: Path, verify: bool = True) -> None:
        """Write the object to target as `shotline.files.write_atomic` does (readers see
        the old file or the new one; an existing file keeps its mode, a new one gets what
        the umask allows), without holding the object in memory. Verified, its bytes are
        hashed on their way through, in one pass; else the kernel copies them, which is a
        reflink where the filesystem shares extents."""
        if target.is_dir():
            raise InputError("is a folder; expected a file name", source=str(target))
        mode = mode_for(target)
        try:
            with self._open(digest) as source:
                target.parent.mkdir(parents=True, exist_ok=True)
                with _replacing(target, mode, prefix=f".{target.name}.", suffix=".tmp") as out:
                    if not verify:
                        _copy_in_kernel(source, out)
                    elif _copy_hashing(source, out) != digest:
                        raise self._corrupt(digest)
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror or exc}", source=str(target)) \
                from None

    def _open(self, digest: str) -> BufferedReader:
        try:
            return open(self._name(digest), "rb")
        except FileNotFoundError:
            raise InputError(f"object {digest[:12]} is missing from the store",
                             source=str(self.root)) from None

    def _corrupt(self, digest: str) -> CorruptObjectError:
        return CorruptObjectError(f"object {digest[:12]} is corrupt (its bytes changed)",
                                  source=str(self.path(digest)))

    def sweep_incoming(self) -> int:
        """Remove temporary files a killed run left behind; returns how many."""
        removed = 0
        if not self.root.is_dir():
            return 0
        for temp in self.root.glob("*/.incoming-*"):
            temp.unlink(missing_ok=True)
            removed += 1
        return removed


@contextmanager
def _replacing(target: Path, mode: int, prefix: str, suffix: str = "") -> Iterator[BinaryIO]:
    """A temporary file beside target, synced and renamed onto it once written; removed
    if anything goes wrong, so target is whole or as it was."""
    fd, temp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _copy_hashing(source: BufferedReader, out: BinaryIO) -> str:
    """Copy in chunks; the sha256 of what was copied."""
    digest = hashlib.sha256()
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    while n := source.readinto(view):
        digest.update(view[:n])
        out.write(view[:n])
    return digest.hexdigest()


def _copy_in_kernel(source: BufferedReader, out: BinaryIO) -> None:
    """Copy without the bytes passing through this process where the system can; what
    it does not copy (all of it on an old kernel or a filesystem that refuses) goes
    through a buffer."""
    if sys.platform == "linux":
        size = os.fstat(source.fileno()).st_size
        copied = 0
        try:
            while copied < size and (n := os.copy_file_range(source.fileno(), out.fileno(),
                                                              size - copied)):
                copied += n
        except OSError as exc:
            if copied or exc.errno == errno.ENOSPC:
                raise  # refused part-way: a real error, not a missing feature
    while chunk := source.read(_CHUNK):  # on from where the kernel stopped
        out.write(chunk)
