"""Everything a run exports for people to look at carries signed content credentials:
the boards as previs, a model's takes as generated with their ingredients, and the
animatic as a composite; the originals inside the project stay unsigned."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from shotline.engine.credential_steps import SIGN, register_identity
from shotline.engine.executors import InlineExecutor, ProcessExecutor
from shotline.engine.generation import GenerationRequest
from shotline.engine.pipeline import run_project
from shotline.engine.steps import Job, execute
from shotline.governance.credentials import verify_asset
from shotline.governance.signing import (
    SigningIdentityError,
    ensure_identity,
    identity_folder,
    load_trust_anchors,
)
from shotline.review.takes import select_take
from shotline.store.project import Project
from shotline.store.schema import StepRun

SOURCE = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def render_board(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 60, 80)).save(out, format="PNG")
    return out.getvalue()


def check(project: Project, relative: str, media_type: str) -> dict[str, object]:
    anchors = load_trust_anchors(identity_folder(project.state))
    found = verify_asset((project.exports / relative).read_bytes(), media_type, anchors)
    assert found.valid and found.trusted, found.problems
    assert {use for _, use in found.training_mining} == {"notAllowed"}
    return found.to_dict()


def test_exports_are_signed_with_the_project_key(make_project: Callable[..., Project],
                                                 pix_plugin: Callable[..., None]) -> None:
    pix_plugin(price=0.0)
    project = make_project()
    summary = run_project(project, InlineExecutor(),
                          generation=GenerationRequest(("pix",), 1, ("1A",)))
    assert summary.generated is not None
    board = check(project, "boards/1A.png", "image/png")
    assert board["digital_source_type"] == SOURCE + "algorithmicMedia"
    take = check(project, "takes/1A/1A-take-1.png", "image/png")
    assert take["digital_source_type"] == SOURCE + "trainedAlgorithmicMedia"
    assert any("previs frame 1A" in str(i) for i in take["ingredients"])  # type: ignore[attr-defined]
    assert take["prompts"] and "lens" in str(take["prompts"])
    select_take(project, "1A", 1)
    run_project(project, InlineExecutor())
    movie = check(project, "animatic.mp4", "video/mp4")
    assert movie["digital_source_type"] == SOURCE + "composite"
    assert any("take 1" in str(i) for i in movie["ingredients"])  # type: ignore[attr-defined]
    # One changed byte and the credentials no longer hold.
    data = bytearray((project.exports / "takes/1A/1A-take-1.png").read_bytes())
    data[len(data) // 2] ^= 0xFF
    tampered = verify_asset(bytes(data), "image/png",
                            load_trust_anchors(identity_folder(project.state)))
    assert not tampered.valid


@pytest.mark.parametrize("how", ["move", "copy"])
def test_a_moved_or_copied_project_is_not_signed_again(make_project: Callable[..., Project],
                                                       tmp_path: Path, how: str) -> None:
    project = make_project()
    first = run_project(project, InlineExecutor())
    signed, _ = first.counts.by_step["sign"]
    assert signed >= 7  # every board, and the animatic
    with project.sessions() as s:
        params = [r.params for r in s.scalars(select(StepRun).where(StepRun.step == "sign"))]
    assert params and not any(str(project.root) in str(p) for p in params)
    project.close()
    elsewhere = tmp_path / "elsewhere"
    if how == "move":
        shutil.move(project.root, elsewhere)
    else:
        shutil.copytree(project.root, elsewhere)
    there = Project.open(elsewhere)
    try:
        again = run_project(there, InlineExecutor())
        assert again.counts.by_step["sign"] == (0, signed)
        check(there, "boards/1A.png", "image/png")
        check(there, "animatic.mp4", "video/mp4")
    finally:
        there.close()


def test_signing_refuses_where_the_key_was_not_registered(
        make_project: Callable[..., Project]) -> None:
    project = make_project()
    identity = ensure_identity(project.state, project.settings.name)
    signer = register_identity(identity)  # here, not in workers
    board = render_board(320, 180)
    job = Job(SIGN.name, SIGN.function.__module__, {"asset": board}, {
        "signer": signer, "kind": "previs", "title": "board", "media_type": "image/png"})
    assert verify_asset(execute(job)["signed"].data, "image/png",
                        load_trust_anchors(identity.folder)).valid
    executor = ProcessExecutor(workers=1)
    try:
        outcomes = dict(executor.run([(job, SIGN.resources)] * 2))  # two: the pool, not here
    finally:
        executor.close()
    assert all(isinstance(o, SigningIdentityError) and "no signing identity" in str(o)
               for o in outcomes.values())
