"""The engine: cache hits do no work, misses run once, provenance is recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from shotline.engine.executors import InlineExecutor
from shotline.engine.runner import Engine, StepError, store_blob
from shotline.engine.steps import Blob, Task
from shotline.store.project import Project, now
from shotline.store.schema import Asset, Run, StepOutput, StepRun
from tests.engine.steps_for_tests import BROKEN, UPPER


def new_run(project: Project) -> int:
    with project.sessions.begin() as s:
        run = Run(started_at=now(), status="running", executor="inline", tasks_run=0,
                  tasks_cached=0, pid=0, host="test")
        s.add(run)
        s.flush()
        return run.id


@pytest.fixture
def project(make_project: Callable[..., Project], database_url: str) -> Iterator[Project]:
    yield make_project(database_url=database_url)


def engine_for(project: Project) -> Engine:
    return Engine(project, InlineExecutor(), new_run(project))


def text(project: Project, value: str) -> str:
    return store_blob(project, Blob(value.encode(), "text/plain"))


def test_first_run_executes_second_is_cached(project: Project) -> None:
    tasks = [Task(UPPER, f"item {k}", {"text": text(project, f"take {k}")}) for k in range(3)]
    first = engine_for(project)
    outputs = first.run(tasks, "upper")
    assert (first.counts.run, first.counts.cached) == (3, 0)
    assert [project.objects.get(o["upper"]) for o in outputs] == [b"TAKE 0", b"TAKE 1", b"TAKE 2"]
    second = engine_for(project)
    assert second.run(tasks, "upper") == outputs
    assert (second.counts.run, second.counts.cached) == (0, 3)


def test_a_changed_parameter_or_input_runs_again(project: Project) -> None:
    source = text(project, "a")
    engine_for(project).run([Task(UPPER, "x", {"text": source})], "upper")
    again = engine_for(project)
    again.run([Task(UPPER, "x", {"text": source}, {"times": 2}),
               Task(UPPER, "x", {"text": text(project, "b")})], "upper")
    assert again.counts.run == 2


def test_the_same_task_twice_in_a_batch_runs_once(project: Project) -> None:
    source = text(project, "dup")
    engine = engine_for(project)
    a, b = engine.run([Task(UPPER, "x", {"text": source}), Task(UPPER, "y", {"text": source})],
                      "upper")
    assert a == b
    assert (engine.counts.run, engine.counts.cached) == (1, 1)


def test_provenance_is_recorded(project: Project) -> None:
    source = text(project, "prov")
    [out] = engine_for(project).run([Task(UPPER, "scene 4", {"text": source}, {"times": 1},
                                          seed=42)], "upper")
    with project.sessions() as s:
        record = s.scalars(select(StepRun)).one()
        assert (record.step, record.version, record.scope, record.seed) == (
            "test-upper", "1", "scene 4", 42)
        assert record.inputs == {"text": source}
        assert record.params == {"times": 1}
        assert (record.provider, record.model) == ("shotline", "deterministic")
        names = {o.name: o.asset_hash for o in s.scalars(select(StepOutput))}
        assert names == out
        asset = s.get(Asset, out["upper"])
        assert asset is not None and asset.media_type == "text/plain"


def test_a_lost_object_makes_the_step_run_again(project: Project) -> None:
    source = text(project, "lost")
    [out] = engine_for(project).run([Task(UPPER, "x", {"text": source})], "upper")
    path = project.objects.path(out["upper"])
    path.chmod(0o644)
    path.unlink()
    again = engine_for(project)
    [back] = again.run([Task(UPPER, "x", {"text": source})], "upper")
    assert again.counts.run == 1
    assert project.objects.get(back["upper"]) == b"LOST"


def test_a_failing_step_names_itself_and_keeps_what_finished(project: Project) -> None:
    engine = engine_for(project)
    good = Task(UPPER, "good", {"text": text(project, "ok")})
    with pytest.raises(StepError, match="step test-broken failed for scene 9: RuntimeError: "
                                         "the model fell over"):
        engine.run([good, Task(BROKEN, "scene 9", {"text": text(project, "x")})], "mixed")
    with project.sessions() as s:
        assert [r.step for r in s.scalars(select(StepRun))] == ["test-upper"]
