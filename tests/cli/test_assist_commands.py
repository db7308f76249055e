"""`shotline breakdown --assist` and `shotline plan --assist` with a scripted text model.

The model is a plugin installed the way any third-party one is (a module and a dist-info
folder on the path); its answers come from a JSON file and it notes every call in
another, so a real `shotline` process can use it too.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from shotline.cli.app import app
from shotline.governance.policy import PolicyRefusal
from shotline.governance.spend import Ledger
from shotline.store.project import Project

SHOTLINE = Path(sys.executable).parent / "shotline"
MODULE = "scripted_cli_provider"
PLUGIN = '''
import json
import os
from datetime import date

from shotline.governance.terms import DataUseTerms
from shotline.providers.protocols import ProviderError
from shotline.providers.types import (
    TEXT, TEXT_STRUCTURED, CostModel, ModelInfo, ProviderInfo, TextResult)


def terms(trains_on_inputs):
    return DataUseTerms(trains_on_inputs=trains_on_inputs, trains_on_outputs=False,
                        retention_days=0, zero_data_retention=True, human_review=False,
                        regions=("local",), evidence_url="https://scripted.example/terms",
                        verified_at=date.today())


class Scripted:
    def complete(self, request):
        with open(os.environ["SCRIPTED_CALLS"], "a", encoding="utf-8") as calls:
            calls.write(json.dumps([m.content for m in request.messages]) + "\\n")
        with open(os.environ["SCRIPTED_CALLS"], encoding="utf-8") as calls:
            n = len(calls.readlines()) - 1
        with open(os.environ["SCRIPTED_ANSWERS"], encoding="utf-8") as answers:
            script = json.load(answers)
        answer = script[min(n, len(script) - 1)]
        if "error" in answer:
            raise ProviderError("scripted", answer["error"])
        if "text" in answer:
            return TextResult(answer["text"])
        return TextResult(json.dumps(answer["data"]), answer["data"])


class Plugin:
    def __init__(self, name, trains_on_inputs):
        both = frozenset({TEXT, TEXT_STRUCTURED})
        self.info = ProviderInfo(name=name, title="Scripted text", where="local", models=(
            ModelInfo("writer", both, CostModel(), terms(trains_on_inputs)),
            ModelInfo("priced", both, CostModel(per_1k_output_tokens=0.01),
                      terms(trains_on_inputs)),
        ))

    def connect(self, config):
        return Scripted()


SCRIPTED = Plugin("scripted", False)
LEAKY = Plugin("leaky", True)
'''

SCRIPT = """\
Title: Low Water

INT. BOATHOUSE - NIGHT

PIP (12) bails water with a tin cup. GRAN (80) watches.

GRAN
It always floods on a Tuesday.

PIP
Then why do we live here?

EXT. SLIPWAY - DAY

Gran hauls a rowing boat up the ramp. A dog barks.

GRAN
Pull!
"""

ELEMENTS = {"suggestions": [
    {"scene": "1", "category": "wardrobe", "name": "oilskin coat", "note": "a wet night"},
    {"scene": "2", "category": "props", "name": "rope", "note": None},
    {"scene": "7", "category": "props", "name": "ghost", "note": None},
]}
SHOTS = {"suggestions": [
    {"scene": "1", "size": "INSERT", "framing": None, "angle": "high", "movement": None,
     "lens_mm": None, "subjects": ["tin cup"], "lines": [5],
     "description": "The water in the cup."},
    {"scene": "2", "size": "CU", "framing": None, "angle": None, "movement": None,
     "lens_mm": 3, "subjects": ["GRAN"], "lines": [16], "description": "x"},
]}

runner = CliRunner()


@dataclass
class Model:
    """The scripted model: what it will answer, and the calls it got."""

    folder: Path
    answers: Path
    calls: Path

    def answer(self, *answers: dict[str, Any]) -> None:
        self.answers.write_text(json.dumps(list(answers)), encoding="utf-8")

    def requests(self) -> list[list[str]]:
        if not self.calls.exists():
            return []
        return [json.loads(row) for row in self.calls.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Model]:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / f"{MODULE}.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    info = folder / "scripted_cli_provider-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: scripted-cli-provider\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[shotline.providers]\nscripted = {MODULE}:SCRIPTED\nleaky = {MODULE}:LEAKY\n",
        encoding="utf-8")
    found = Model(folder, tmp_path / "answers.json", tmp_path / "calls.jsonl")
    found.answer({"data": {"suggestions": []}})
    monkeypatch.setenv("SCRIPTED_ANSWERS", str(found.answers))
    monkeypatch.setenv("SCRIPTED_CALLS", str(found.calls))
    monkeypatch.syspath_prepend(str(folder))
    sys.modules.pop(MODULE, None)
    importlib.invalidate_caches()
    work = tmp_path / "work"  # outside any project
    work.mkdir()
    monkeypatch.chdir(work)
    yield found
    sys.modules.pop(MODULE, None)


@pytest.fixture
def script_file(tmp_path: Path) -> Path:
    path = tmp_path / "low-water.fountain"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def invoke(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def ok(*args: str | Path) -> Result:
    result = invoke(*args)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def shotline(model: Model, cwd: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """A real process, which finds the plugin on PYTHONPATH like any installed one."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "SHOTLINE_DEBUG")}
    env["PYTHONPATH"] = str(model.folder)
    return subprocess.run([str(SHOTLINE), *map(str, args)], cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=120, check=False)


def test_breakdown_json_has_the_suggestions_marked_and_the_report(
        model: Model, script_file: Path) -> None:
    model.answer({"data": ELEMENTS})
    result = ok("breakdown", script_file, "--json", "--assist", "scripted:writer")
    doc = json.loads(result.stdout)
    boathouse, slipway = doc["scenes"]
    assert boathouse["wardrobe"] == ["oilskin coat"]
    assert boathouse["suggested"] == [{"category": "wardrobe", "name": "oilskin coat",
                                       "suggested_by": "scripted:writer",
                                       "note": "a wet night"}]
    assert slipway["props"] == ["rope"] and slipway["animals"] == ["dog"]
    assert doc["assist"]["accepted"] == ["scene 1: wardrobe oilskin coat",
                                         "scene 2: props rope"]
    assert doc["assist"]["rejected"] == [{"scene": "7", "item": "props 'ghost'",
                                          "reason": "not one of the scenes sent"}]
    assert result.stderr.splitlines()[0] == (
        "assist scripted:writer: 2 suggestions added to the breakdown, 1 rejected; "
        "1 of 1 requests, $0.0000")
    assert "rejected: scene 7: props 'ghost': not one of the scenes sent" in result.stderr
    sent = model.requests()[0][1]
    assert "SCENE 1: INT. BOATHOUSE - NIGHT" in sent and "It always floods" in sent


def test_breakdown_csv_and_tables_mark_what_the_model_added(
        model: Model, script_file: Path) -> None:
    model.answer({"data": ELEMENTS})
    rows = list(csv.reader(io.StringIO(
        ok("breakdown", script_file, "--csv", "--assist", "scripted:writer").stdout)))
    header = rows[0]
    assert header[-2:] == ["ai_suggested", "suggested_by"]
    assert rows[1][-2:] == ["wardrobe: oilskin coat", "scripted:writer"]
    assert rows[1][header.index("wardrobe")] == "oilskin coat"
    table = ok("breakdown", script_file, "--sheet", "scenes", "--assist",
               "scripted:writer").stdout
    assert "oilskin coat*" in table
    assert "* suggested by scripted:writer" in table


def test_plan_adds_marked_shots_outside_the_edit(model: Model, script_file: Path) -> None:
    plain = json.loads(ok("plan", script_file, "--json").stdout)
    model.answer({"data": SHOTS})
    result = ok("plan", script_file, "--json", "--assist", "scripted:writer")
    doc = json.loads(result.stdout)
    boathouse = doc["scenes"][0]
    added = boathouse["shots"][-1]
    assert added["source"] == "assist" and added["suggested_by"] == "scripted:writer"
    assert added["size"] == "INSERT" and added["subjects"] == ["cup"]  # the sheet's name
    assert added["duration"] == 0.0
    assert added["id"] not in {c["shot"] for c in boathouse["edit"]}
    assert boathouse["edit"] == plain["scenes"][0]["edit"]
    assert boathouse["shots"][:-1] == plain["scenes"][0]["shots"]
    assert doc["scenes"][1] == plain["scenes"][1]
    assert doc["assist"]["rejected"][0]["reason"].startswith("breaks the schema: lens_mm")
    assert "1 suggestion added to the plan, 1 rejected" in result.stderr
    assert "Text (line number: text):" in model.requests()[0][1]


def test_plan_csv_and_table_mark_the_suggested_shots(model: Model, script_file: Path) -> None:
    model.answer({"data": SHOTS})
    rows = list(csv.reader(io.StringIO(
        ok("plan", script_file, "--csv", "--assist", "scripted:writer").stdout)))
    assert rows[0][-1] == "suggested_by"
    assert [r[-1] for r in rows[1:]].count("scripted:writer") == 1
    table = ok("plan", script_file, "--assist", "scripted:writer").stdout
    assert "INSERT cup" in table and "* suggested by scripted:writer" in table


@pytest.mark.parametrize("answer", [
    {"error": "503 service unavailable"},
    {"text": "I would add an umbrella."},
    {"data": {"suggestions": "umbrella"}},
])
@pytest.mark.parametrize("command", ["breakdown", "plan"])
def test_a_failing_model_gives_the_deterministic_result_and_a_warning(
        model: Model, script_file: Path, answer: dict[str, Any], command: str) -> None:
    plain = json.loads(ok(command, script_file, "--json").stdout)
    assert "assist" not in plain
    model.answer(answer)
    result = ok(command, script_file, "--json", "--assist", "scripted:writer")
    doc = json.loads(result.stdout)
    report = doc.pop("assist")
    assert doc == plain
    assert len(report["warnings"]) == 1
    assert "warning: assist: request 1 of 1" in result.stderr


def test_a_refused_provider_is_exit_2_naming_the_rule_and_is_never_called(
        model: Model, script_file: Path) -> None:
    result = shotline(model, script_file.parent, "breakdown", script_file, "--assist",
                      "leaky:writer")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("shotline: error: provider leaky:writer refused by the "
                                    "project's policy (no-training-on-inputs:")
    assert result.stdout == ""
    assert model.requests() == []
    in_process = invoke("plan", script_file, "--assist", "leaky:writer")
    assert isinstance(in_process.exception, PolicyRefusal)
    assert model.requests() == []


def test_an_unknown_provider_is_exit_2(model: Model, script_file: Path) -> None:
    result = shotline(model, script_file.parent, "plan", script_file, "--assist", "nope:x")
    assert result.returncode == 2
    assert "shotline: error: no provider 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


def test_outside_a_project_the_budget_is_zero_so_a_paid_model_is_refused(
        model: Model, script_file: Path) -> None:
    result = invoke("breakdown", script_file, "--assist", "scripted:priced")
    assert isinstance(result.exception, PolicyRefusal)
    assert "budget" in str(result.exception)
    assert model.requests() == []


def test_inside_a_project_its_policy_and_spend_ledger_apply(
        model: Model, script_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = Project.init(tmp_path / "film", script_file)
    settings = project.root / "shotline.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("budget_usd = 0.0", "budget_usd = 5.0"), encoding="utf-8")
    (project.root / "notes").mkdir()
    monkeypatch.chdir(project.root / "notes")  # a folder inside the project
    model.answer({"data": ELEMENTS})
    ok("breakdown", script_file, "--assist", "scripted:priced")
    ok("breakdown", script_file, "--assist", "scripted:priced")
    records = Ledger(project.sessions, 5.0).records()
    assert [(r.provider, r.model, r.status) for r in records] == [
        ("scripted", "priced", "charged")] * 2  # each run is its own call
    assert records[0].purpose == "breakdown assist, scenes 1-2"
    settings.write_text(text.replace('regions = ["local", "eu", "us"]', 'regions = ["eu"]'),
                        encoding="utf-8")
    refused = invoke("breakdown", script_file, "--assist", "scripted:writer")
    assert isinstance(refused.exception, PolicyRefusal)
    assert "regions: processes in local" in str(refused.exception)
    project.close()
