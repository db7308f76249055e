"""`shotline verify`: a readable verdict, JSON for programs, and exit codes that differ."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from shotline.cli import app as _registers_every_command  # noqa: F401 (as the script has them)
from shotline.cli import trust_commands
from shotline.cli.common import app
from shotline.errors import InputError
from shotline.governance.credentials import Claim, Ingredient, sign_asset
from shotline.governance.signing import SigningIdentity, ensure_identity, make_identity
from shotline.store.project import STATE_DIR
from shotline.store.settings import SETTINGS_FILE
from tests.governance import media

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trust_commands, "out", Console(width=200))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder as far as verify cares: its settings file and its CA."""
    root = tmp_path_factory.mktemp("low-tide")
    (root / SETTINGS_FILE).write_text('name = "Low Tide"\nscript = "low-tide.fountain"\n')
    ensure_identity(root / STATE_DIR, "Low Tide")
    return root


@pytest.fixture(scope="module")
def identity(project: Path) -> SigningIdentity:
    return ensure_identity(project / STATE_DIR, "Low Tide")


@pytest.fixture(scope="module")
def board(project: Path, identity: SigningIdentity) -> Path:
    claim = Claim("Board 1A", "previs", provider="local", seed=7, prompt="A boathouse at night",
                  ingredients=(Ingredient("pip.png", "image/png", media.png(24, 24, 2)),))
    path = project / "exports" / "1A.png"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(sign_asset(media.png(), "image/png", claim, identity))
    return path


def invoke(*args: str | Path) -> Any:
    result = runner.invoke(app, ["verify", *map(str, args)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_a_signed_board_in_its_project_is_valid(board: Path, project: Path) -> None:
    result = invoke(board, "-p", project)
    assert result.exit_code == 0, result.output
    assert "VALID" in result.output and "trusted signer" in result.output
    assert "algorithmicMedia (previs)" in result.output
    assert "Low Tide Shotline signer" in result.output
    assert "pip.png" in result.output and "A boathouse at night" in result.output
    assert "notAllowed: cawg.ai_generative_training" in result.output


def test_the_project_is_found_from_the_current_folder(
        board: Path, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(board.parent)
    result = invoke(board.name, "--json")
    assert result.exit_code == 0
    found = json.loads(result.output)
    assert found["ok"] and found["state"] == "trusted"
    assert found["trust_anchors"].startswith("the project's CA")
    assert found["training_mining"] == {
        entry: "notAllowed" for entry in ("cawg.ai_generative_training", "cawg.ai_training",
                                          "cawg.ai_inference", "cawg.data_mining")}


def test_a_changed_byte_exits_3(board: Path, project: Path, tmp_path: Path) -> None:
    data = bytearray(board.read_bytes())
    data[data.index(b"IDAT") + 12] ^= 0x01
    changed = tmp_path / "changed.png"
    changed.write_bytes(bytes(data))
    result = invoke(changed, "-p", project)
    assert result.exit_code == trust_commands.EXIT_NOT_VERIFIED == 3
    assert "INVALID" in result.output and "assertion.dataHash.mismatch" in result.output
    found = json.loads(invoke(changed, "-p", project, "--json").output)
    assert not found["ok"] and found["state"] == "invalid"


def test_an_unsigned_file_exits_3(tmp_path: Path) -> None:
    plain = tmp_path / "plain.mp4"
    plain.write_bytes(media.mp4())
    result = invoke(plain)
    assert result.exit_code == 3 and "NO CREDENTIALS" in result.output


def test_another_studios_signature_is_untrusted_here(project: Path, tmp_path: Path) -> None:
    other = make_identity(tmp_path / "other", "Someone Else")
    path = tmp_path / "theirs.jpg"
    path.write_bytes(sign_asset(media.jpeg(), "image/jpeg", Claim("x", "generated"), other))
    result = invoke(path, "-p", project)
    assert result.exit_code == 3 and "UNTRUSTED" in result.output
    # Outside any project nothing is trusted or distrusted: intact is enough.
    outside = invoke(path)
    assert outside.exit_code == 0 and "signer not checked" in outside.output
    # With their root as the anchor it holds.
    anchor = tmp_path / "their-ca.pem"
    anchor.write_bytes(other.trust_anchors or b"")
    assert invoke(path, "--trust", anchor).exit_code == 0


def test_bad_input_is_an_input_error(tmp_path: Path, project: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with pytest.raises(InputError, match="not a PNG, JPEG or MP4"):
        invoke(notes)
    with pytest.raises(InputError, match="cannot read"):
        invoke(tmp_path / "missing.png")
    broken = tmp_path / "broken.png"
    broken.write_bytes(media.png()[:50])
    with pytest.raises(InputError, match=r"broken\.png: corrupt image/png"):
        invoke(broken)
    with pytest.raises(InputError, match="not a Shotline project"):
        invoke(broken, "-p", tmp_path)


def test_help_documents_the_exit_codes() -> None:
    result = runner.invoke(app, ["verify", "--help"])
    assert result.exit_code == 0
    assert "3 no credentials" in " ".join(result.output.split())
