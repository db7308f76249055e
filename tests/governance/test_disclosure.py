"""The AI-disclosure report on a run whose cut mixes previs boards, a built-in sketch
take and a generated take that carries a performer's likeness under consent."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from shotline.cli.app import app
from shotline.engine.executors import InlineExecutor
from shotline.engine.generation import GenerationRequest
from shotline.engine.pipeline import run_project
from shotline.governance.consent import add_consent, add_performer
from shotline.governance.disclosure import build
from shotline.review.takes import select_take, takes_of
from shotline.store import characters as bible
from shotline.store.project import Project, now


def test_disclosure_of_a_mixed_cut(make_project: Callable[..., Project], tmp_path: Path,
                                   pix_plugin: Callable[..., None]) -> None:
    pix_plugin(price=0.0)
    project = make_project()
    portrait = tmp_path / "ana.png"
    Image.new("RGB", (32, 32), (200, 150, 120)).save(portrait)
    add_performer(project, "Ana Lima")
    bible.set_entry(project, "MARA", performer="Ana Lima")
    bible.add_reference(project, "MARA", portrait)
    document = tmp_path / "consent.pdf"
    document.write_bytes(b"%PDF-1.4 signed")
    record = add_consent(project, "Ana Lima", ["face"], "employment-based",
                         "Face of Ana Lima as Mara in generated previs takes of scene 1 of "
                         "Two Rooms for the pitch", now() - timedelta(days=1), None,
                         "performer", "Ana Lima", document, compensation_ref="C-1")
    run_project(project, InlineExecutor(), generation=GenerationRequest(("pix",), 1, ("1",)))
    run_project(project, InlineExecutor(),
                generation=GenerationRequest(("previs",), 1, ("2",)))
    in_cut = {s["shot"] for s in build(project).data["shots"]}
    made = {t.shot_id: t for t in takes_of(project) if t.shot_id in in_cut}
    pix_shot = next(s for s, t in made.items() if t.provider == "pix" and t.likeness)
    sketch_shot = next(s for s, t in made.items() if t.provider == "previs")
    select_take(project, pix_shot, made[pix_shot].number)
    select_take(project, sketch_shot, made[sketch_shot].number)
    run_project(project, InlineExecutor())

    data = build(project).data
    generated = [s for s in data["shots"] if s["ai_generated"]]
    assert [s["shot"] for s in generated] == [pix_shot]
    assert data["cut"]["ai_generated_shots"] == 1
    assert data["cut"]["ai_generated_seconds"] == pytest.approx(generated[0]["seconds"])
    assert 0 < data["cut"]["ai_share"] < 1
    assert data["by_model"] == {"pix:pix-1": {"shots": 1, "seconds": generated[0]["seconds"]}}
    [likeness] = generated[0]["likeness"]
    assert likeness["performer"] == "Ana Lima" and likeness["consent"] == record.id
    assert likeness["consent_status"] == "valid"
    sketch = next(s for s in data["shots"] if s["shot"] == sketch_shot)
    assert sketch["provider"] == "previs" and not sketch["ai_generated"]
    assert data["ai_suggested_text"] == []

    result = CliRunner().invoke(app, ["report", "disclosure", "-p", str(project.root),
                                      "--json"])
    assert result.exit_code == 0, result.output
    written = json.loads((project.exports / "ai-disclosure.json").read_text())
    assert written["cut"] == data["cut"]
    text = (project.exports / "ai-disclosure.md").read_text()
    assert f"| {pix_shot} |" in text and "Ana Lima" in text and "pix:pix-1" in text


def test_no_run_no_report(make_project: Callable[..., Project]) -> None:
    from shotline.errors import InputError

    with pytest.raises(InputError, match="no finished run"):
        build(make_project())
