"""`shotline audit verify` and `shotline audit list`: exit codes, text and JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import text
from typer.testing import CliRunner, Result

from shotline.cli import audit_commands
from shotline.cli.common import app
from shotline.errors import InputError
from shotline.governance.audit import ANCHOR_FILE, KINDS, record
from shotline.store.project import Project


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_commands, "out", Console(width=200))


@pytest.fixture
def folder(make_project: Callable[..., Project]) -> Path:
    project = make_project()
    for k, kind in enumerate(("run", "generation", "provider-call", "approval", "export")):
        record(project, kind, "ana", f"shot {k + 1}A", {"k": k})
    project.close()
    return project.root


def shotline(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def tamper(folder: Path, statement: str) -> None:
    project = Project.open(folder)
    try:
        with project.sessions.begin() as session:
            session.execute(text(statement))
    finally:
        project.close()


def test_verify_an_intact_log(folder: Path) -> None:
    done = shotline("audit", "verify", "-p", folder)
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("INTACT 5 entries, head 5 ")
    report = json.loads(shotline("audit", "verify", "--json", "-p", folder).stdout)
    assert report["ok"] is True and report["entries"] == 5
    assert report["head"] == report["anchor"] and report["head"]["seq"] == 5
    assert report["problems"] == [] and report["warnings"] == []


def test_verify_a_tampered_log_exits_3_with_each_problem(folder: Path) -> None:
    tamper(folder, "DELETE FROM audit_log WHERE seq = 2")
    tamper(folder, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 4")
    done = shotline("audit", "verify", "-p", folder)
    assert done.exit_code == audit_commands.EXIT_TAMPERED == 3, done.output
    lines = done.stdout.splitlines()
    assert lines[0].startswith("TAMPERED 3 problems in 4 entries")
    assert lines[1] == "  entry 3 gap: entry 2 is missing"
    assert lines[2].startswith("  entry 3 broken link: it links to ")
    assert lines[3].startswith("  entry 4 edited: its hash does not match its content")
    as_json = shotline("audit", "verify", "--json", "-p", folder)
    assert as_json.exit_code == 3
    report = json.loads(as_json.stdout)
    assert report["ok"] is False
    assert [(p["seq"], p["kind"]) for p in report["problems"]] == [
        (3, "gap"), (3, "broken link"), (4, "edited")]


def test_verify_truncation_and_a_lost_anchor(folder: Path) -> None:
    tamper(folder, "DELETE FROM audit_log WHERE seq = 5")
    done = shotline("audit", "verify", "-p", folder)
    assert done.exit_code == 3
    assert "entry 5 truncated: the anchor names entry 5 but the log ends at entry 4" \
        in done.stdout
    (folder / ".shotline" / ANCHOR_FILE).unlink()
    done = shotline("audit", "verify", "-p", folder)
    assert done.exit_code == 0, done.output
    assert "warning no anchor file" in done.stdout


def test_verify_outside_a_project_is_an_input_error(tmp_path: Path) -> None:
    done = shotline("audit", "verify", "-p", tmp_path)
    assert isinstance(done.exception, InputError)
    assert "not a Shotline project" in str(done.exception)


def test_list_entries(folder: Path) -> None:
    done = shotline("audit", "list", "-p", folder)
    assert done.exit_code == 0, done.output
    assert "provider-call" in done.stdout and "shot 5A" in done.stdout
    rows = json.loads(shotline("audit", "list", "--json", "-p", folder).stdout)
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]
    assert set(rows[0]) == {"seq", "at", "kind", "actor", "subject", "data", "prev_hash",
                            "hash"}
    assert rows[0]["prev_hash"] == "0" * 64 and rows[1]["prev_hash"] == rows[0]["hash"]
    last = json.loads(shotline("audit", "list", "--limit", "2", "--json", "-p", folder).stdout)
    assert [r["seq"] for r in last] == [4, 5]
    exports = json.loads(shotline("audit", "list", "--kind", "export", "--json", "-p",
                                  folder).stdout)
    assert [(r["seq"], r["subject"], r["data"]) for r in exports] == [(5, "shot 5A", {"k": 4})]
    none = shotline("audit", "list", "--kind", "consent", "-p", folder)
    assert none.exit_code == 0 and "no audit entries of kind consent" in none.output


@pytest.mark.parametrize(("args", "message"), [
    (("--kind", "gossip"), "--kind must be one of " + ", ".join(KINDS)),
    (("--limit", "0"), "--limit must be 1 or more"),
])
def test_list_refuses_bad_options(folder: Path, args: tuple[str, ...], message: str) -> None:
    done = shotline("audit", "list", *args, "-p", folder)
    assert isinstance(done.exception, InputError)
    assert message in str(done.exception)
