"""The consent gate within a run: a performer's likeness (their character's reference
images, or their name in the prompt) goes to a provider only under a valid consent for
this project and use; revoking it quarantines the takes made under it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from shotline.engine.executors import InlineExecutor
from shotline.engine.generation import GenerationRequest
from shotline.engine.pipeline import RunSummary, run_project
from shotline.governance.consent import ConsentRefusal, add_consent, add_performer, revoke
from shotline.review.takes import select_take, takes_of
from shotline.store import characters as bible
from shotline.store.project import Project, now
from tests.engine import image_plugin

DESCRIPTION = ("Face of Ana Lima as Mara in storyboard and previs takes of scene 1 of "
               "Two Rooms, for internal review and the pitch deck only")


@pytest.fixture
def project(tmp_path: Path, make_project: Callable[..., Project],
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    image_plugin.CONNECTED.clear()
    image_plugin.install(folder)
    made = make_project()
    path = made.root / "shotline.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("budget_usd = 0.0",
                                                             "budget_usd = 5.0"))
    made.close()
    opened = Project.open(made.root)
    portrait = tmp_path / "ana.png"
    Image.new("RGB", (64, 64), (180, 120, 90)).save(portrait)
    add_performer(opened, "Ana Lima")
    bible.set_entry(opened, "MARA", performer="Ana Lima", description="A harbour pilot.")
    bible.add_reference(opened, "MARA", portrait, "headshot")
    yield opened
    opened.close()
    image_plugin.CONNECTED.clear()


def consent(project: Project, tmp_path: Path) -> int:
    document = tmp_path / "consent.pdf"
    document.write_bytes(b"%PDF-1.4 signed consent")
    entry = add_consent(project, "Ana Lima", ["face"], "employment-based", DESCRIPTION,
                        now() - timedelta(days=1), now() + timedelta(days=90), "performer",
                        "Ana Lima", document, represented=True, compensation_ref="SAG-123")
    return entry.id


def run(project: Project) -> RunSummary:
    return run_project(project, InlineExecutor(),
                       generation=GenerationRequest(("pix",), 1, ("1",)))


def sent() -> int:
    return sum(len(s.calls) for s in image_plugin.CONNECTED)


def test_no_consent_no_generation(project: Project) -> None:
    with pytest.raises(ConsentRefusal, match="no-consent"):
        run(project)
    assert sent() == 0 and takes_of(project) == []


def test_consent_lets_it_through_and_revoking_quarantines(project: Project,
                                                          tmp_path: Path) -> None:
    consent_id = consent(project, tmp_path)
    summary = run(project)
    assert summary.generated is not None and sent() > 0
    takes = takes_of(project)
    with_mara = [t for t in takes if t.likeness]
    assert with_mara and all(t.likeness == [["Ana Lima", "face", consent_id]]
                             for t in with_mara)
    shot = with_mara[0].shot_id
    select_take(project, shot, with_mara[0].number, "director")
    run_project(project, InlineExecutor())
    assert (project.exports / "takes" / shot / f"{shot}-take-{with_mara[0].number}.png").is_file()

    revoke(project, consent_id, "the performer withdrew", now())
    after = run_project(project, InlineExecutor())
    assert any("quarantined" in w for w in after.warnings)
    quarantined = {t.id for t in takes_of(project) if t.quarantined}
    assert quarantined == {t.id for t in with_mara}
    # Kept, but no longer exported, and the cut shows the board again.
    assert not (project.exports / "takes" / shot).exists()
    assert any(f"shot {shot}" in w and "board" in w for w in after.warnings)
    with pytest.raises(ConsentRefusal, match="revoked"):
        run(project)


def test_a_performer_named_in_a_prompt_needs_consent_even_uncast(
        project: Project, tmp_path: Path) -> None:
    # A performer who plays no character, named in MARA's description (a look-alike).
    add_performer(project, "Zed Harlow", aliases=["Halloran"])
    bible.set_entry(project, "MARA", performer="",
                    description="Looks like Halloran in a red coat.")
    with pytest.raises(ConsentRefusal, match="Zed Harlow"):
        run(project)
    assert sent() == 0


def test_linking_a_performer_after_the_take_ties_it_to_the_consent(
        project: Project, tmp_path: Path) -> None:
    bible.set_entry(project, "MARA", performer="")  # made while no one plays MARA
    run(project)
    assert all(not t.likeness for t in takes_of(project))
    bible.set_entry(project, "MARA", performer="Ana Lima")
    consent_id = consent(project, tmp_path)
    run(project)  # the same takes, from the cache: now known to carry Ana's face
    tied = [t for t in takes_of(project) if t.likeness]
    assert tied and all(t.likeness == [["Ana Lima", "face", consent_id]] for t in tied)
    revoke(project, consent_id, "withdrawn", now())
    run_project(project, InlineExecutor())
    assert {t.id for t in takes_of(project) if t.quarantined} == {t.id for t in tied}
