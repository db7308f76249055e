"""`shotline providers`, `run --provider`, `takes` and `select` as a user runs them: a
real process on a real project, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def project(cli: Cli, fountain_file: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "tide"
    made = cli("run", fountain_file, "-o", folder, "--executor", "inline")
    assert made.returncode == 0, made.stderr
    return folder


def test_providers_lists_models_terms_and_the_policy_verdict(cli: Cli, project: Path) -> None:
    listed = cli("providers", "--json", "-p", project)
    assert listed.returncode == 0, listed.stderr
    rows = {f"{r['provider']}:{r.get('model')}": r for r in json.loads(listed.stdout)}
    previs = rows["previs:sketch"]
    assert previs["allowed"] and previs["where"] == "builtin" and previs["cost"] == "free"
    assert set(previs["terms"]) >= {"trains_on_inputs", "retention_days", "evidence_url",
                                    "verified_at", "regions", "zero_data_retention"}
    openai = rows["openai:gpt-image-1"]
    assert not openai["allowed"] and "zero-data-retention" in openai["rules"]
    unknown = rows["openai-compatible:*"]
    assert unknown["rules"] == ["terms-unknown"]
    table = cli("providers", "-p", project)
    assert table.returncode == 0 and "previs" in table.stdout
    assert "[providers.NAME.terms]" in table.stdout


def test_takes_select_and_the_cut(cli: Cli, project: Path) -> None:
    made = cli("run", "-p", project, "--executor", "inline", "--provider", "previs",
               "--takes", "2", "--shot", "1A", "--json")
    assert made.returncode == 0, made.stderr
    summary = json.loads(made.stdout)
    assert [t["take"] for t in summary["takes"]] == [1, 2] and summary["cost_usd"] == 0.0
    assert (project / "exports" / "takes" / "1A" / "1A-take-2.png").is_file()
    assert (project / "exports" / "dailies.pdf").is_file()
    listed = json.loads(cli("takes", "1A", "--json", "-p", project).stdout)
    assert [(t["take"], t["provider"], t["selected"]) for t in listed["takes"]] == [
        (1, "previs", False), (2, "previs", False)]
    chose = cli("select", "1A", "2", "-p", project)
    assert chose.returncode == 0 and "take 2" in chose.stderr
    listed = json.loads(cli("takes", "--json", "-p", project).stdout)
    assert [t["selected"] for t in listed["takes"]] == [False, True]
    again = json.loads(cli("run", "-p", project, "--executor", "inline", "--json").stdout)
    assert again["by_step"]["scene-cut"]["run"] >= 1


@pytest.mark.parametrize(("args", "message"), [
    (("select", "1A", "7"), "no take 7"),
    (("run", "--provider", "openai", "--executor", "inline"), "zero-data-retention"),
    (("run", "--provider", "nosuch", "--executor", "inline"), "no provider 'nosuch'"),
    (("run", "--takes", "3", "--executor", "inline"), "--takes and --shot go with"),
    (("run", "--provider", "previs", "--takes", "99", "--executor", "inline"),
     "--takes must be between"),
])
def test_refusals_are_one_line_errors(cli: Cli, project: Path, args: tuple[str, ...],
                                      message: str) -> None:
    result = cli(*args, "-p", project)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
