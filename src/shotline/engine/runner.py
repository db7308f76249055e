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
    seconds: dict[str, float] = field(default_factory=dict)  # batch label -> wall seconds

    def add(self, step: str, ran: bool) -> None:
        r, c = self.by_step.get(step, (0, 0))
        self.by_step[step] = (r + ran, c + (not ran))
        if ran:
            self.run += 1
        else:
            self.cached += 1


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
        keys = list({t.key for t in tasks})
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
        if not tasks:
            return []
        began = time.perf_counter()
        try:
            return self._run(tasks, label, executor or self.executor)
        finally:
            self.counts.seconds[label] = (self.counts.seconds.get(label, 0.0)
                                          + time.perf_counter() - began)

    def _run(self, tasks: Sequence[Task], label: str, executor: Executor) -> list[Outputs]:
        known = self.cached(tasks)
        results: list[Outputs | None] = [known.get(t.key) for t in tasks]
        bar = self._progress.add_task(label, total=len(tasks))
        todo: list[int] = []
        seen: dict[str, int] = {}
        for i, task in enumerate(tasks):
            if results[i] is not None:
                self.counts.add(task.step.name, ran=False)
                self._progress.advance(bar)
            elif task.key in seen:
                continue  # the same work twice in one batch: do it once
            else:
                seen[task.key] = i
                todo.append(i)
        if todo:
            jobs = [(self._job(tasks[i]), tasks[i].step.resources) for i in todo]
            started = now()
            failure: StepError | None = None
            outcomes = executor.run(jobs)
            try:
                for k, outcome in outcomes:
                    task = tasks[todo[k]]
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
                    results[todo[k]] = self._record(task, outcome, started)
                    self.counts.add(task.step.name, ran=True)
                    self._progress.advance(bar)
                    started = now()
            except BaseException:
                # Interrupted (Ctrl-C): keep what the jobs under way bring back, then go.
                drain = getattr(executor, "drain", None)
                if callable(drain):
                    for k, outcome in drain():
                        if not isinstance(outcome, BaseException):
                            results[todo[k]] = self._record(tasks[todo[k]], outcome, started)
                raise
            finally:
                close = getattr(outcomes, "close", None)
                if callable(close):
                    close()
            if failure is not None:
                raise failure
        for i, task in enumerate(tasks):  # duplicates share the first one's outputs
            if results[i] is None:
                results[i] = results[seen[task.key]]
                self.counts.add(task.step.name, ran=False)
                self._progress.advance(bar)
        return [r for r in results if r is not None]

    def _job(self, task: Task) -> Job:
        get = self.project.objects.get
        params = dict(task.params)
        if task.seed is not None:
            params["seed"] = task.seed
        return Job(task.step.name, task.step.function.__module__,
                   {name: get(d) for name, d in task.inputs.items()}, params)

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
