"""The content-addressed object store."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shotline.errors import InputError
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


def test_wrote_knows_only_what_this_store_wrote(tmp_path: Path) -> None:
    digest = ObjectStore(tmp_path).put(b"from an earlier run")
    later = ObjectStore(tmp_path)
    assert later.put(b"from an earlier run") == digest
    assert not later.wrote(digest)  # found there, not written: its bytes are unproven
    assert later.wrote(later.put(b"new"))


@pytest.mark.parametrize("verify", [True, False])
def test_copy_to_writes_the_object_as_a_new_file(tmp_path: Path, verify: bool) -> None:
    store = ObjectStore(tmp_path / "objects")
    data = bytes(range(256)) * 9000  # a few chunks, and a part chunk
    digest = store.put(data)
    target = tmp_path / "exports" / "deep" / "animatic.mp4"
    store.copy_to(digest, target, verify=verify)
    assert target.read_bytes() == data
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not the store's read-only mode
    assert [p.name for p in target.parent.iterdir()] == ["animatic.mp4"]  # no temporary


def test_copy_to_replaces_a_file_and_keeps_its_mode(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    target = tmp_path / "plan.json"
    target.write_bytes(b"old")
    target.chmod(0o600)
    store.copy_to(store.put(b"new"), target, verify=False)
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o600


def test_copy_to_refuses_a_corrupt_object_and_leaves_the_file(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    digest = store.put(b"original" * 200_000)
    path = store.path(digest)
    path.chmod(0o644)
    path.write_bytes(b"0riginal" * 200_000)
    target = tmp_path / "out.bin"
    target.write_bytes(b"as it was")
    with pytest.raises(CorruptObjectError, match="corrupt"):
        store.copy_to(digest, target)
    assert target.read_bytes() == b"as it was"
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["out.bin"]


def test_copy_to_says_what_is_wrong(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects")
    with pytest.raises(InputError, match="missing"):
        store.copy_to("ab" * 32, tmp_path / "out.bin")
    digest = store.put(b"x")
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        store.copy_to(digest, tmp_path / "folder")
    (tmp_path / "a-file").write_bytes(b"")
    with pytest.raises(InputError, match="cannot write") as caught:
        store.copy_to(digest, tmp_path / "a-file" / "out.bin")
    assert caught.value.source == str(tmp_path / "a-file" / "out.bin")


@pytest.mark.parametrize("kernel", ["refuses", "stops short"])
def test_copy_to_goes_through_a_buffer_where_the_kernel_does_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel: str) -> None:
    real = getattr(os, "copy_file_range", None)
    calls: list[int] = []

    def limited(source: int, out: int, count: int) -> int:
        if kernel == "refuses" or real is None:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        calls.append(count)
        return real(source, out, min(count, 1000)) if len(calls) == 1 else 0

    monkeypatch.setattr(os, "copy_file_range", limited, raising=False)
    store = ObjectStore(tmp_path / "objects")
    data = b"across filesystems" * 100_000
    store.copy_to(store.put(data), tmp_path / "out.bin", verify=False)
    assert (tmp_path / "out.bin").read_bytes() == data
