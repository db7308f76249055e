"""The engine: look each task up by its cache key, run only the misses, record provenance."""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy import select

from shotline import __version__
from shotline.engine.executors import Executor
from shotline.engine.steps import Blob, Job, Task
from shotline.errors import InputError
from shotline.store.project import Project, now
from shotline.store.schema import Asset, StepOutput, StepRun

Outputs = dict[str, str]  # output name -> object hash
_CHUNK = 500  # keys per lookup query (SQLite allows 999 parameters)


class StepError(InputError):
    """A step raised: the run stops, and what finished before is kept."""


def store_blob(project: Project, blob: Blob) -> str:
    """Put bytes in the object store and make sure the database knows the asset."""
    digest = project.objects.put(blob.data)
    with project.sessions.begin() as s:
        if s.get(Asset, digest) is None:
            s.add(Asset(hash=digest, size=len(blob.data), media_type=blob.media_type,
                        created_at=now()))
    return digest


@dataclass
class Counts:
    run: int = 0
    cached: int = 0
    by_step: dict[str, tuple[int, int]] = field(default_factory=dict)  # step -> (run, cached)
    # batch label -> wall seconds; batches run together overlap (see Engine.run_together)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, step: str, ran: bool) -> None:
        r, c = self.by_step.get(step, (0, 0))
        self.by_step[step] = (r + ran, c + (not ran))
        if ran:
            self.run += 1
        else:
            self.cached += 1


Batch = tuple[Sequence[Task], str]  # tasks, and the label of their progress bar


class _BatchState:
    """A batch within one submission: its outputs so far, and how many are still due."""

    def __init__(self, tasks: Sequence[Task], label: str, began: float,
                 progress: Progress) -> None:
        self.tasks, self.label, self.began = tasks, label, began
        self.bar = progress.add_task(label, total=len(tasks))
        self.keys = [task.key for task in tasks]  # each a hash of the task: computed once
        self.results: list[Outputs | None] = [None] * len(tasks)
        self.left = len(tasks)

    def outputs(self) -> list[Outputs]:
        return [r for r in self.results if r is not None]


class Engine:
    def __init__(self, project: Project, executor: Executor, run_id: int,
                 console: Console | None = None) -> None:
        self.project = project
        self.executor = executor
        self.run_id = run_id
        self.counts = Counts()
        self._progress = Progress(
            TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
            console=console, disable=console is None or not console.is_terminal,
            transient=False)

    @contextmanager
    def showing_progress(self) -> Iterator[None]:
        with self._progress:
            yield

    def cached(self, tasks: Sequence[Task]) -> dict[str, Outputs]:
        """Cache key -> outputs, for the tasks whose outputs are all in the store."""
        return self._lookup({t.key for t in tasks})

    def _lookup(self, wanted: set[str]) -> dict[str, Outputs]:
        keys = list(wanted)
        found: dict[str, Outputs] = {}
        with self.project.sessions() as s:
            for start in range(0, len(keys), _CHUNK):
                rows = s.execute(
                    select(StepRun.cache_key, StepOutput.name, StepOutput.asset_hash)
                    .join(StepOutput, StepOutput.step_run_id == StepRun.id)
                    .where(StepRun.cache_key.in_(keys[start:start + _CHUNK])))
                for key, name, digest in rows:
                    found.setdefault(key, {})[name] = digest
        objects = self.project.objects
        # An output whose object went missing makes the entry useless: run it again.
        return {k: v for k, v in found.items() if all(objects.has(d) for d in v.values())}

    def run(self, tasks: Sequence[Task], label: str,
            executor: Executor | None = None) -> list[Outputs]:
        """Outputs of every task, in order: cached ones looked up, the rest executed
        (by `executor` when given: provider calls go out from threads here)."""
        return self.run_together([(tasks, label)], executor)[0]

    def run_together(self, batches: Sequence[Batch],
                     executor: Executor | None = None) -> list[list[Outputs]]:
        """Each batch's outputs, as `run` gives them, for batches that do not depend on
        one another: their misses go to the executor as one submission, so that no worker
        waits for another batch's last task. Each batch keeps its own progress bar and
        counts; its `counts.seconds` runs from the start of this call until its own last
        task is done, so the seconds of batches that ran side by side overlap."""
        began = time.perf_counter()
        live = {k: _BatchState(tasks, label, began, self._progress)
                for k, (tasks, label) in enumerate(batches) if tasks}
        try:
            self._run(list(live.values()), executor or self.executor)
        finally:
            for batch in live.values():
                if batch.left:  # stopped short: timed to now
                    self._clock(batch)
        return [live[k].outputs() if k in live else [] for k in range(len(batches))]

    def _run(self, batches: list[_BatchState], executor: Executor) -> None:
        known = self._lookup({key for batch in batches for key in batch.keys})
        # Cache key -> where its outputs go: the first place runs it, the rest (the same
        # work again, in this batch or another) share what it makes.
        waiting: dict[str, list[tuple[_BatchState, int]]] = {}
        for batch in batches:
            for i, key in enumerate(batch.keys):
                if key in known:
                    self._settle(batch, i, known[key], ran=False)
                else:
                    waiting.setdefault(key, []).append((batch, i))
        if not waiting:
            return
        places = list(waiting.values())
        tasks = [batch.tasks[i] for batch, i in (where[0] for where in places)]
        jobs = [(self._job(task), task.step.resources) for task in tasks]
        started = now()
        failure: StepError | None = None
        outcomes = executor.run(jobs)
        try:
            for k, outcome in outcomes:
                task = tasks[k]
                if isinstance(outcome, BaseException):
                    if failure is None:
                        detail = "".join(traceback.format_exception_only(outcome)).strip()
                        failure = StepError(f"step {task.step.name} failed for "
                                            f"{task.scope}: {detail}")
                    stop = getattr(executor, "cancel_pending", None)
                    if not callable(stop):
                        raise failure
                    # Jobs under way may be paid calls: keep what they bring back.
                    stop()
                    continue
                outputs = self._record(task, outcome, started)
                for n, (batch, i) in enumerate(places[k]):
                    self._settle(batch, i, outputs, ran=n == 0)
                started = now()
        except BaseException:
            # Interrupted (Ctrl-C): keep what the jobs under way bring back, then go.
            drain = getattr(executor, "drain", None)
            if callable(drain):
                for k, outcome in drain():
                    if not isinstance(outcome, BaseException):
                        self._record(tasks[k], outcome, started)
            raise
        finally:
            close = getattr(outcomes, "close", None)
            if callable(close):
                close()
        if failure is not None:
            raise failure

    def _settle(self, batch: _BatchState, index: int, outputs: Outputs, ran: bool) -> None:
        batch.results[index] = outputs
        batch.left -= 1
        self.counts.add(batch.tasks[index].step.name, ran=ran)
        self._progress.advance(batch.bar)
        if not batch.left:
            self._clock(batch)

    def _clock(self, batch: _BatchState) -> None:
        self.counts.seconds[batch.label] = (self.counts.seconds.get(batch.label, 0.0)
                                            + time.perf_counter() - batch.began)

    def _job(self, task: Task) -> Job:
        objects = self.project.objects
        params = dict(task.params)
        if task.seed is not None:
            params["seed"] = task.seed
        # An earlier run's object is hashed before use, so a corrupt one never becomes
        # part of a cached output; one this run wrote was hashed as it was written.
        inputs = {name: objects.get(d, verify=not objects.wrote(d))
                  for name, d in task.inputs.items()}
        return Job(task.step.name, task.step.function.__module__, inputs, params)

    def _record(self, task: Task, outputs: dict[str, Blob], started: datetime) -> Outputs:
        """Objects first, then one transaction for the provenance: a kill between the
        two leaves only unreferenced objects, and the task simply runs again."""
        digests = {name: self.project.objects.put(blob.data) for name, blob in outputs.items()}
        finished = now()
        with self.project.sessions.begin() as s:
            if s.scalar(select(StepRun.id).where(StepRun.cache_key == task.key)) is not None:
                return digests  # recorded meanwhile by an earlier duplicate
            known = set(s.scalars(select(Asset.hash).where(Asset.hash.in_(set(digests.values())))))
            for name, blob in outputs.items():
                digest = digests[name]
                if digest not in known:
                    known.add(digest)
                    s.add(Asset(hash=digest, size=len(blob.data), media_type=blob.media_type,
                                created_at=finished))
            s.flush()
            record = StepRun(
                cache_key=task.key, step=task.step.name, version=task.step.version,
                scope=task.scope, inputs=dict(task.inputs), params=dict(task.params),
                provider=task.provider or task.step.provider,
                model=task.model or task.step.model, seed=task.seed,
                tool_version=__version__, run_id=self.run_id,
                started_at=started, finished_at=finished)
            s.add(record)
            s.flush()
            s.add_all(StepOutput(step_run_id=record.id, name=name, asset_hash=digest)
                      for name, digest in digests.items())
        return digests
