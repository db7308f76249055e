"""The content-addressed object store: each object is named by the sha256 of its bytes."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from shotline.errors import InputError


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class CorruptObjectError(InputError):
    """An object whose bytes no longer hash to its name."""


class ObjectStore:
    """Objects under ``root/ab/cdef…``; written whole (temporary file, fsync, rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._prefix = str(root) + os.sep  # string paths: a run checks thousands of them

    def path(self, digest: str) -> Path:
        return Path(self._name(digest))

    def _name(self, digest: str) -> str:
        return f"{self._prefix}{digest[:2]}{os.sep}{digest[2:]}"

    def has(self, digest: str) -> bool:
        return os.path.isfile(self._name(digest))

    def put(self, data: bytes) -> str:
        digest = sha256(data)
        target = self.path(digest)
        if target.is_file():
            return digest  # same name, same bytes: nothing to do
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(temp, 0o444)  # objects never change
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, digest: str, verify: bool = True) -> bytes:
        try:
            with open(self._name(digest), "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise InputError(f"object {digest[:12]} is missing from the store",
                             source=str(self.root)) from None
        if verify and sha256(data) != digest:
            raise CorruptObjectError(f"object {digest[:12]} is corrupt (its bytes changed)",
                                source=str(self.path(digest)))
        return data

    def sweep_incoming(self) -> int:
        """Remove temporary files a killed run left behind; returns how many."""
        removed = 0
        if not self.root.is_dir():
            return 0
        for temp in self.root.glob("*/.incoming-*"):
            temp.unlink(missing_ok=True)
            removed += 1
        return removed
