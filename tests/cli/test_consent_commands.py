"""`shotline performer` and `shotline consent`: the cast and consent ledger from the
command line."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from shotline.cli import consent_commands
from shotline.cli.app import main
from shotline.cli.common import app
from shotline.errors import InputError
from shotline.store.project import Project, now

DESCRIPTION = ("The face of Ana Lima as the character Mara in scenes 1 to 3 of the feature "
               "film Two Rooms")


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(consent_commands, "out", Console(width=200))


@pytest.fixture
def folder(make_project: Callable[..., Project]) -> Path:
    project = make_project()
    project.close()
    return project.root


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "signed.pdf"
    path.write_bytes(b"%PDF-1.7 signed by Ana Lima")
    return path


def shotline(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def refused(result: Result) -> str:
    """The message of an input error: `main` prints it and exits 2."""
    assert isinstance(result.exception, InputError), result.output
    return str(result.exception)


def add_consent(folder: Path, document: Path, *extra: str | date) -> Result:
    return shotline("consent", "add", "-p", folder, "--performer", "Ana Lima", "--use", "face",
                    "--replica", "employment-based", "--description", DESCRIPTION,
                    "--from", "2026-01-01", "--granted-by", "performer",
                    "--grantor", "Ana Lima", "--document", document,
                    "--compensation", "SAG-2026-0042", *map(str, extra))


def test_performer_add_and_list(folder: Path) -> None:
    done = shotline("performer", "add", "Ana Lima", "--alias", "Ana", "--alias", "A. Lima",
                    "-p", folder)
    assert done.exit_code == 0, done.output
    assert "added performer Ana Lima, also known as Ana, A. Lima" in done.output
    done = shotline("performer", "add", "Ana Lima", "--deceased", "-p", folder)
    assert "updated performer Ana Lima (deceased)" in done.output  # aliases kept
    done = shotline("performer", "add", "Ana Lima", "--alias", "Ana", "-p", folder)
    assert "(deceased), also known as Ana" in done.output  # an alias keeps the flags
    shotline("performer", "add", "Kid", "--minor", "-p", folder)
    listed = shotline("performer", "list", "--json", "-p", folder)
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["aliases"], r["deceased"], r["minor"]) for r in rows] == [
        ("Ana Lima", ["Ana"], True, False), ("Kid", [], False, True)]
    table = shotline("performer", "list", "-p", folder)
    assert "Ana Lima" in table.stdout and "deceased" in table.stdout


def test_performer_names_are_unique(folder: Path) -> None:
    shotline("performer", "add", "Ana Lima", "--alias", "Ana", "-p", folder)
    clash = shotline("performer", "add", "Ana Souza", "--alias", "ana", "-p", folder)
    assert "already names performer Ana Lima" in refused(clash)


def test_consent_add_list_and_revoke(folder: Path, document: Path) -> None:
    shotline("performer", "add", "Ana Lima", "-p", folder)
    done = add_consent(folder, document, "--use", "voice", "--represented")
    assert done.exit_code == 0, done.output
    assert "consent 1 for Ana Lima: face, voice from 2026-01-01 (valid)" in done.output
    rows = json.loads(shotline("consent", "list", "--json", "-p", folder).stdout)
    [row] = rows
    assert row["status"] == "valid" and row["represented"] is True
    assert row["document_hash"] == hashlib.sha256(document.read_bytes()).hexdigest()
    assert (row["uses"], row["valid_until"], row["project"]) == (["face", "voice"], None,
                                                                 "Two Rooms")
    revoked = shotline("consent", "revoke", "1", "--reason", "withdrew consent", "-p", folder)
    assert revoked.exit_code == 0, revoked.output
    assert "revoked consent 1 for Ana Lima: withdrew consent" in revoked.output
    [row] = json.loads(shotline("consent", "list", "--json", "-p", folder).stdout)
    assert (row["status"], row["revoke_reason"]) == ("revoked", "withdrew consent")
    table = shotline("consent", "list", "-p", folder).stdout
    assert f"revoked {now().date()}: withdrew consent" in table
    again = shotline("consent", "revoke", "1", "--reason", "again", "-p", folder)
    assert "consent 1 was already revoked" in refused(again)


def test_consent_list_says_where_each_record_stands_today(folder: Path,
                                                          document: Path) -> None:
    today = now().date()  # the ledger's today: UTC
    shotline("performer", "add", "Ana Lima", "-p", folder)
    past = (today - timedelta(days=400), today - timedelta(days=30))
    future = today + timedelta(days=30)
    assert add_consent(folder, document, "--from", past[0], "--until", past[1]).exit_code == 0
    assert add_consent(folder, document, "--from", future).exit_code == 0
    rows = json.loads(shotline("consent", "list", "--json", "-p", folder).stdout)
    assert [r["status"] for r in rows] == ["expired", "not yet valid"]


@pytest.mark.parametrize(("args", "message"), [
    (("--from", "01/02/2026"), "--from must be a date as YYYY-MM-DD, got '01/02/2026'"),
    (("--until", "soon"), "--until must be a date"),
    (("--until", "2025-06-01"), "(invalid-period)"),
    (("--description", "any use whatsoever"), "(vague-scope): blanket phrase"),
    (("--description", "Mara's face, scene 3"), "(vague-scope): too short"),
    (("--performer", "Nobody"), "no performer 'Nobody'"),
    (("--document", "missing.pdf"), "no such file"),
    (("--granted-by", "estate"), "(grantor-mismatch)"),
    (("--replica", "clone"), "(unknown-replica)"),
    (("--use", "smell"), "(unknown-use)"),
])
def test_consent_add_refusals(folder: Path, document: Path, args: tuple[str, ...],
                              message: str) -> None:
    shotline("performer", "add", "Ana Lima", "-p", folder)
    assert message in refused(add_consent(folder, document, *args))
    assert json.loads(shotline("consent", "list", "--json", "-p", folder).stdout) == []


def test_consent_add_needs_every_term(folder: Path, document: Path) -> None:
    shotline("performer", "add", "Ana Lima", "-p", folder)
    done = shotline("consent", "add", "-p", folder, "--performer", "Ana Lima",
                    "--replica", "synthetic", "--description", DESCRIPTION,
                    "--from", "2026-01-01", "--granted-by", "performer",
                    "--grantor", "Ana Lima", "--document", document, "--compensation", "X-1")
    assert done.exit_code == 2  # a usage error, as main() reports input errors
    assert "Missing option '--use'" in done.output
    assert shotline("consent", "add", "-p", folder).exit_code == 2


def test_empty_ledgers_say_how_to_start(folder: Path) -> None:
    assert "shotline performer add" in shotline("performer", "list", "-p", folder).output
    assert "shotline consent add" in shotline("consent", "list", "-p", folder).output
    assert json.loads(shotline("consent", "list", "--json", "-p", folder).stdout) == []


def test_the_command_exits_2_naming_the_rule(folder: Path, document: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    shotline("performer", "add", "Ana Lima", "-p", folder)
    monkeypatch.setattr(sys, "argv", [
        "shotline", "consent", "add", "-p", str(folder), "--performer", "Ana Lima",
        "--use", "face", "--replica", "synthetic", "--description", "All uses, forever.",
        "--from", "2026-01-01", "--granted-by", "performer", "--grantor", "Ana Lima",
        "--document", str(document), "--compensation", "X-1"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("shotline: error: consent refused at entry (vague-scope)")
