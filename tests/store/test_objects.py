"""The content-addressed object store."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shotline.store.objects import CorruptObjectError, ObjectStore


def test_put_names_by_sha256_and_get_returns_the_bytes(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path)
    digest = store.put(b"scene one")
    assert digest == hashlib.sha256(b"scene one").hexdigest()
    assert store.path(digest) == tmp_path / digest[:2] / digest[2:]
    assert store.get(digest) == b"scene one"
    assert store.put(b"scene one") == digest  # idempotent


@given(st.binary(max_size=2000))
def test_any_bytes_round_trip(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        store = ObjectStore(Path(folder))
        assert store.get(store.put(data)) == data


def test_a_changed_byte_is_detected(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path)
    digest = store.put(b"original")
    path = store.path(digest)
    path.chmod(0o644)
    path.write_bytes(b"0riginal")
    with pytest.raises(CorruptObjectError, match="corrupt"):
        store.get(digest)


def test_missing_object_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="missing"):
        ObjectStore(tmp_path).get("ab" * 32)


def test_objects_are_read_only_and_no_temporary_is_left(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path)
    digest = store.put(b"x")
    assert store.path(digest).stat().st_mode & 0o222 == 0
    assert list(tmp_path.glob("*/.incoming-*")) == []


def test_sweep_removes_what_a_killed_write_left(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path)
    (tmp_path / "ab").mkdir()
    (tmp_path / "ab" / ".incoming-123").write_bytes(b"half")
    assert store.sweep_incoming() == 1
    assert not (tmp_path / "ab" / ".incoming-123").exists()
