"""Everything a run exports for people to look at carries signed content credentials:
the boards as previs, a model's takes as generated with their ingredients, and the
animatic as a composite; the originals inside the project stay unsigned."""

from __future__ import annotations

from collections.abc import Callable

from shotline.engine.executors import InlineExecutor
from shotline.engine.generation import GenerationRequest
from shotline.engine.pipeline import run_project
from shotline.governance.credentials import verify_asset
from shotline.governance.signing import identity_folder, load_trust_anchors
from shotline.review.takes import select_take
from shotline.store.project import Project

SOURCE = "http://cv.iptc.org/newscodes/digitalsourcetype/"


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
