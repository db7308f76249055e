"""Result files are written whole or not at all, and JSON keeps the script's own letters."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from shotline.errors import InputError
from shotline.files import to_json, write_atomic


def names(folder: Path) -> list[str]:
    """Every entry, hidden temporary files included."""
    return sorted(p.name for p in folder.iterdir())


def test_writes_a_new_file(tmp_path: Path) -> None:
    target = tmp_path / "script.json"
    write_atomic(target, "{}\n")
    assert target.read_text(encoding="utf-8") == "{}\n"
    assert names(tmp_path) == ["script.json"]


def test_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("old draft\n", encoding="utf-8")
    write_atomic(target, "new draft\n")
    assert target.read_text(encoding="utf-8") == "new draft\n"
    assert names(tmp_path) == ["notes.txt"]


def test_text_is_utf8_and_bytes_are_kept_as_they_are(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a.txt", "Café — 東京\n")
    assert (tmp_path / "a.txt").read_bytes() == "Café — 東京\n".encode()
    write_atomic(tmp_path / "b.bin", b"\x00\xff\r\n")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff\r\n"


def test_creates_missing_folders(tmp_path: Path) -> None:
    target = tmp_path / "out" / "deeper" / "breakdown.json"
    write_atomic(target, "[]\n")
    assert target.read_text(encoding="utf-8") == "[]\n"


def test_unwritable_folder_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_text("not a folder", encoding="utf-8")
    target = tmp_path / "plain-file" / "script.json"
    with pytest.raises(InputError, match="cannot write") as caught:
        write_atomic(target, "{}")
    assert caught.value.source == str(target)
    assert str(caught.value).startswith(f"{target}: cannot write")


def test_failed_rename_keeps_the_old_file_and_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "script.fountain"
    target.write_text("INT. OLD - DAY\n", encoding="utf-8")

    def no_space(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    # A disk that fails is reported like bad input: one line naming the file.
    with pytest.raises(InputError, match="No space"):
        write_atomic(target, "INT. NEW - NIGHT\n" * 1000)
    assert target.read_text(encoding="utf-8") == "INT. OLD - DAY\n"
    assert names(tmp_path) == ["script.fountain"]


def test_failed_write_keeps_the_old_file_and_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "breakdown.json"
    target.write_text('{"old": true}\n', encoding="utf-8")

    def disk_gone(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", disk_gone)
    with pytest.raises(InputError, match="Input/output"):
        write_atomic(target, '{"new": true}\n')
    assert target.read_text(encoding="utf-8") == '{"old": true}\n'
    assert names(tmp_path) == ["breakdown.json"]


def test_interrupt_mid_write_leaves_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "script.json", "{}\n")
    assert names(tmp_path) == []


def test_written_file_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "script.json", "{}\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "script.json").stat().st_mode) == 0o644


def test_to_json_is_valid_and_keeps_non_ascii() -> None:
    value = {"title": "Café Nocturne", "cast": ["ZOË", "李"], "pages": 3, "note": None}
    text = to_json(value)
    assert json.loads(text) == value
    assert "Café Nocturne" in text
    assert "\\u" not in text  # letters as they are, not escapes
    assert text.endswith("}\n")
    assert text.count("\n") > 1  # indented for people who open the file
