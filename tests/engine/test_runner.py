"""The engine: cache hits do no work, misses run once, provenance is recorded."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence

import pytest
from sqlalchemy import select

from shotline.engine.executors import InlineExecutor, Outcome, ThreadExecutor
from shotline.engine.runner import Engine, StepError, store_blob
from shotline.engine.steps import Blob, Job, Resources, Task
from shotline.store.project import Project, now
from shotline.store.schema import Asset, Run, StepOutput, StepRun
from tests.engine.steps_for_tests import BROKEN, UPPER, Recording


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


def upper_tasks(project: Project, *words: str, **params: float) -> list[Task]:
    return [Task(UPPER, word, {"text": text(project, word)}, params) for word in words]


def texts(executor: Recording) -> list[list[bytes]]:
    return [[job.inputs["text"] for job in jobs] for jobs in executor.submissions]


def read(project: Project, batches: list[list[dict[str, str]]]) -> list[list[bytes]]:
    return [[project.objects.get(o["upper"]) for o in batch] for batch in batches]


def test_batches_run_together_go_to_the_executor_as_one_submission(project: Project) -> None:
    [old] = upper_tasks(project, "old")
    engine_for(project).run([old], "earlier")
    executor = Recording()
    engine = Engine(project, executor, new_run(project))
    got = engine.run_together([(upper_tasks(project, "a", "b", "c"), "letters"),
                               ([], "nothing"), ([old, *upper_tasks(project, "d")], "mixed")])
    assert read(project, got) == [[b"A", b"B", b"C"], [], [b"OLD", b"D"]]
    assert texts(executor) == [[b"a", b"b", b"c", b"d"]]  # the cached one not at all
    assert (engine.counts.run, engine.counts.cached) == (4, 1)
    assert engine.counts.by_step["test-upper"] == (4, 1)
    assert set(engine.counts.seconds) == {"letters", "mixed"}
    bars = {bar.description: (bar.completed, bar.total) for bar in engine._progress.tasks}
    assert bars == {"letters": (3, 3), "mixed": (2, 2)}


def test_the_same_task_in_two_batches_runs_once(project: Project) -> None:
    executor = Recording()
    engine = Engine(project, executor, new_run(project))
    shared = upper_tasks(project, "shared")
    first, second = engine.run_together([(shared, "one"), ([*shared, *shared], "two")])
    assert texts(executor) == [[b"shared"]]
    assert first + first == second
    assert engine.counts.by_step["test-upper"] == (1, 2)
    bars = {bar.description: (bar.completed, bar.total) for bar in engine._progress.tasks}
    assert bars == {"one": (1, 1), "two": (2, 2)}


def test_each_batch_is_timed_to_its_own_last_task(project: Project) -> None:
    engine = Engine(project, ThreadExecutor(4), new_run(project))
    began = time.perf_counter()
    engine.run_together([(upper_tasks(project, "slow", "slower", sleep=0.3), "slow"),
                         (upper_tasks(project, "quick"), "quick")])
    took = time.perf_counter() - began
    seconds = engine.counts.seconds
    assert seconds["quick"] < 0.3 <= seconds["slow"] <= took
    assert took < 0.6  # side by side, not one batch after the other


def test_a_failure_in_one_batch_keeps_what_the_others_finished(project: Project) -> None:
    engine = Engine(project, ThreadExecutor(4), new_run(project))
    slow = upper_tasks(project, "under way", sleep=0.3)
    failing = [Task(BROKEN, "scene 9", {"text": text(project, "x")})]
    with pytest.raises(StepError, match="step test-broken failed for scene 9: RuntimeError"):
        engine.run_together([(slow, "good"), (failing, "bad")])
    with project.sessions() as s:
        assert [r.scope for r in s.scalars(select(StepRun))] == ["under way"]
    assert engine.counts.by_step == {"test-upper": (1, 0)}
    assert set(engine.counts.seconds) == {"good", "bad"}  # timed even when it stopped


def test_an_interrupted_run_keeps_the_jobs_under_way(project: Project) -> None:
    class Interrupted(ThreadExecutor):
        """Ctrl-C arrives as soon as the first job is back."""

        def run(self, jobs: Sequence[tuple[Job, Resources]]
                ) -> Iterator[tuple[int, Outcome]]:
            outcomes = super().run(jobs)
            yield next(outcomes)
            raise KeyboardInterrupt

    engine = Engine(project, Interrupted(4), new_run(project))
    with pytest.raises(KeyboardInterrupt):
        engine.run_together([(upper_tasks(project, "quick"), "quick"),
                             (upper_tasks(project, "slow", sleep=0.3), "slow")])
    with project.sessions() as s:
        assert sorted(r.scope for r in s.scalars(select(StepRun))) == ["quick", "slow"]
