"""Takes through an image provider within a run: prompts and control images go out,
takes come back with their cost and provenance, a second run pays nothing, the
budget and the policy hold, and the cut follows the selected take."""

from __future__ import annotations

import json
from collections.abc import Callable

import opentimelineio as otio
import pytest
from sqlalchemy import select

from shotline.engine.executors import InlineExecutor
from shotline.engine.generation import GenerationRequest
from shotline.engine.pipeline import RunSummary, run_project
from shotline.engine.runner import StepError
from shotline.errors import InputError
from shotline.governance.policy import PolicyRefusal
from shotline.governance.spend import Ledger
from shotline.review.takes import select_take, takes_of
from shotline.store.project import Project
from shotline.store.schema import StepRun
from tests.engine import image_plugin


@pytest.fixture
def pix(pix_plugin: Callable[..., None]) -> Callable[..., None]:
    return pix_plugin


def with_budget(project: Project, budget: float) -> Project:
    path = project.root / "shotline.toml"
    path.write_text(path.read_text(encoding="utf-8")
                    .replace("budget_usd = 0.0", f"budget_usd = {budget}"), encoding="utf-8")
    project.close()
    return Project.open(project.root)


def run(project: Project, takes: int = 2, shots: tuple[str, ...] = ("1",),
        providers: tuple[str, ...] = ("pix",)) -> RunSummary:
    return run_project(project, InlineExecutor(),
                       generation=GenerationRequest(providers, takes, shots))


def calls() -> list[image_plugin.Call]:
    return [c for service in image_plugin.CONNECTED for c in service.calls]


def test_takes_come_back_with_cost_and_provenance(make_project: Callable[..., Project],
                                                  pix: Callable[..., None]) -> None:
    project = with_budget(make_project(), 1.0)
    summary = run(project)
    assert summary.generated is not None
    made = summary.generated.takes
    shots = sorted({t["shot"] for t in made})
    assert shots and all(s.startswith("1") for s in shots)
    assert [t["take"] for t in made if t["shot"] == shots[0]] == [1, 2]
    assert summary.generated.cost_usd == pytest.approx(0.04 * len(made))
    # What went out: the prompt, the clean previs frame at the project's size, depth.
    sent = calls()
    assert len(sent) == len(made)
    assert all(c.init_size == (320, 180) and c.control == ["depth"] for c in sent)
    assert any("MARA" in c.prompt.upper() for c in sent)
    assert len({c.seed for c in sent}) == len(sent)  # every take its own seed
    # Provenance: each take's step names its provider, model and seed.
    with project.sessions() as s:
        steps = list(s.scalars(select(StepRun).where(StepRun.step == "generate")))
    assert {(r.provider, r.model) for r in steps} == {("pix", "pix-1")}
    assert all(r.seed is not None for r in steps)
    ledger = Ledger(project.sessions, 1.0)
    assert [r.status for r in ledger.records()] == ["charged"] * len(made)
    assert ledger.spent() == pytest.approx(summary.generated.cost_usd)
    record = json.loads(project.objects.get(
        next(iter(_outputs(project, steps[0].cache_key, "take.json")))))
    assert record["model_version"] == "pix-1.3" and record["sent"]["previs_frame"]
    assert record["original_size"] == [1024, 768] and record["size"] == [320, 180]
    # The takes are exported, with the dailies sheet.
    first = project.exports / "takes" / shots[0]
    assert sorted(p.name for p in first.iterdir()) == [f"{shots[0]}-take-{n}.png"
                                                       for n in (1, 2)]
    assert (project.exports / "dailies.pdf").read_bytes().startswith(b"%PDF")


def _outputs(project: Project, key: str, name: str) -> list[str]:
    from shotline.store.schema import StepOutput

    with project.sessions() as s:
        return list(s.scalars(select(StepOutput.asset_hash)
                              .join(StepRun, StepOutput.step_run_id == StepRun.id)
                              .where(StepRun.cache_key == key, StepOutput.name == name)))


def test_asking_again_pays_nothing_and_more_takes_adds_only_new(
        make_project: Callable[..., Project], pix: Callable[..., None]) -> None:
    project = with_budget(make_project(), 1.0)
    first = run(project)
    assert first.generated is not None
    count = len(calls())
    again = run(project)
    assert again.generated is not None
    assert len(calls()) == count and again.generated.cost_usd == 0.0
    assert not any(t["new"] for t in again.generated.takes)
    more = run(project, takes=3)
    assert more.generated is not None
    shots = {t["shot"] for t in first.generated.takes}
    assert len(calls()) == count + len(shots)
    assert sorted(t["take"] for t in more.generated.takes if t["new"]) == [3] * len(shots)


def test_the_budget_stops_paid_calls(make_project: Callable[..., Project],
                                     pix: Callable[..., None]) -> None:
    project = with_budget(make_project(), 0.10)  # two takes' worth
    with pytest.raises(StepError, match="budget"):
        run(project, takes=2)
    ledger = Ledger(project.sessions, 0.10)
    assert ledger.spent() <= 0.10 + 1e-9
    assert len(calls()) <= 2
    # What was paid for before the refusal is kept as takes.
    charged = [r for r in ledger.records() if r.status == "charged"]
    assert charged and len(takes_of(project)) == len(charged)


def test_default_budget_refuses_a_paid_provider(make_project: Callable[..., Project],
                                                pix: Callable[..., None]) -> None:
    project = make_project()  # budget 0
    with pytest.raises(StepError, match="budget"):
        run(project, takes=1)
    assert calls() == []


def test_a_provider_that_trains_gets_nothing(make_project: Callable[..., Project],
                                             pix: Callable[..., None],
                                             no_network: list[object]) -> None:
    pix(trains_on_inputs=True)
    project = with_budget(make_project(), 1.0)
    with pytest.raises(PolicyRefusal, match="no-training-on-inputs"):
        run(project)
    assert image_plugin.CONNECTED == [] and no_network == []
    assert takes_of(project) == []


def test_the_cut_follows_the_selected_take(make_project: Callable[..., Project],
                                           pix: Callable[..., None]) -> None:
    project = with_budget(make_project(), 1.0)
    made = run(project, takes=2)
    assert made.generated is not None
    shot = made.generated.takes[0]["shot"]
    select_take(project, shot, 2, "director")
    summary = run_project(project, InlineExecutor())
    assert summary.counts.by_step["scene-cut"][0] >= 1  # the scene is cut again
    timeline = otio.adapters.read_from_file(
        str(project.exports / "editorial" / "timeline.otio"))
    clip = next(c for c in timeline.video_tracks()[0].find_clips() if c.name == shot)
    meta = clip.metadata["shotline"]
    assert meta["take"] == 2 and meta["ai_generated"] is True and meta["provider"] == "pix"
    assert clip.media_reference.target_url.endswith(f"takes/{shot}/{shot}-take-2.png")
    # Back to the board: the cut is as it was.
    select_take(project, shot, 0, "director")
    run_project(project, InlineExecutor())
    timeline = otio.adapters.read_from_file(
        str(project.exports / "editorial" / "timeline.otio"))
    clip = next(c for c in timeline.video_tracks()[0].find_clips() if c.name == shot)
    assert clip.metadata["shotline"]["ai_generated"] is False


def test_selecting_a_take_that_does_not_exist(make_project: Callable[..., Project]) -> None:
    project = make_project()
    with pytest.raises(InputError, match="no take 3"):
        select_take(project, "1A", 3)


def test_builtin_previs_provider_end_to_end(make_project: Callable[..., Project]) -> None:
    project = make_project()
    summary = run(project, takes=1, shots=("1A",), providers=("previs",))
    assert summary.generated is not None and summary.generated.cost_usd == 0.0
    assert len(summary.generated.takes) == 1
    board = (project.exports / "boards" / "1A.png").read_bytes()
    picture = (project.exports / "takes" / "1A" / "1A-take-1.png").read_bytes()
    assert picture != board and picture.startswith(b"\x89PNG")


def test_no_matching_shot_is_an_error(make_project: Callable[..., Project]) -> None:
    project = make_project()
    with pytest.raises(InputError, match="no shot matches"):
        run(project, takes=1, shots=("99Z",), providers=("previs",))


def test_takes_and_selects_on_either_database(make_project: Callable[..., Project],
                                              pix: Callable[..., None],
                                              database_url: str) -> None:
    project = with_budget(make_project(database_url=database_url), 1.0)
    summary = run(project, takes=2, shots=("1A",))
    assert summary.generated is not None
    assert [t["take"] for t in summary.generated.takes] == [1, 2]
    assert summary.generated.cost_usd == pytest.approx(0.08)
    select_take(project, "1A", 2, "director")
    again = run(project, takes=3, shots=("1A",))
    assert again.generated is not None
    assert [t["take"] for t in again.generated.takes] == [1, 2, 3]
    assert again.generated.cost_usd == pytest.approx(0.04)
    assert Ledger(project.sessions, 1.0).spent() == pytest.approx(0.12)
