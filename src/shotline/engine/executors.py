"""Where jobs run: in this process, in a local process pool, or on a Ray cluster."""

from __future__ import annotations

import importlib
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from contextlib import suppress
from typing import Any, Protocol

from shotline.engine.steps import Blob, Job, Resources, execute
from shotline.errors import InputError

Outcome = dict[str, Blob] | BaseException
EXECUTORS = ("process", "inline", "ray")


class Executor(Protocol):
    name: str

    def run(self, jobs: Sequence[tuple[Job, Resources]]) -> Iterator[tuple[int, Outcome]]:
        """Yield (index, outputs or the exception) as each job finishes."""
        ...

    def close(self) -> None: ...


class InlineExecutor:
    """One job after another in this process: simplest, and best for tiny runs."""

    name = "inline"

    def run(self, jobs: Sequence[tuple[Job, Resources]]) -> Iterator[tuple[int, Outcome]]:
        for index, (job, _) in enumerate(jobs):
            try:
                yield index, execute(job)
            except Exception as exc:  # reported per task by the engine
                yield index, exc

    def close(self) -> None:
        pass


# A job whose inputs are bigger than this runs in this process while the workers take
# the rest: its bytes would cost more to send to a worker (and its result to send
# back) than the work itself, and this process only waits otherwise. The animatic's
# join is such a job: some hundred MB of segments in, as much out.
LOCAL_INPUT_BYTES = 32 * 1024 * 1024


def _input_bytes(job: Job) -> int:
    return sum(len(data) for data in job.inputs.values())


# What the pipeline's steps import on first use, some of it slow (fpdf and USD take
# some 0.45 s each): a pool's workers import it as they start, once, rather than in
# the middle of a later run, on whichever worker a task happens to land.
PIPELINE_MODULES = (
    "shotline.engine.builtin", "shotline.engine.previs_steps",
    "shotline.engine.editorial_steps", "shotline.engine.credential_steps",
    "shotline.blocking", "shotline.render", "shotline.boards", "shotline.animatic",
    "shotline.editorial.formats", "shotline.editorial.timeline",
    "shotline.editorial.usd_stage",
)


def _warm(modules: Sequence[str]) -> None:
    for name in modules:
        with suppress(ImportError):  # a module an optional extra lacks: its step says so
            importlib.import_module(name)


class ProcessExecutor:
    """A local pool of worker processes, one per core by default; the one job with the
    biggest inputs, if they are big, runs in this process meanwhile."""

    name = "process"

    def __init__(self, workers: int | None = None, warm: Sequence[str] = ()) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.warm = tuple(warm)  # modules each worker imports as it starts
        self._pool: ProcessPoolExecutor | None = None

    def run(self, jobs: Sequence[tuple[Job, Resources]]) -> Iterator[tuple[int, Outcome]]:
        if len(jobs) <= 1:
            # Starting workers costs more than one job; run it here.
            yield from InlineExecutor().run(jobs)
            return
        if self._pool is None:
            # forkserver: workers never inherit the parent's threads or database handles.
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                             initializer=_warm, initargs=(self.warm,))
        sizes = [_input_bytes(job) for job, _ in jobs]
        local = max(range(len(jobs)), key=sizes.__getitem__)
        if sizes[local] <= LOCAL_INPUT_BYTES:
            local = -1
        futures: dict[Future[dict[str, Blob]], int] = {
            self._pool.submit(execute, job): index for index, (job, _) in enumerate(jobs)
            if index != local
        }
        if local >= 0:
            for _, outcome in InlineExecutor().run([jobs[local]]):
                yield local, outcome
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                exc = future.exception()
                yield futures[future], (exc if exc is not None else future.result())

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


class ThreadExecutor:
    """Jobs on threads of this process: for steps that wait on a provider's answer
    rather than compute, and that need this process's connections and budget."""

    name = "threads"

    def __init__(self, workers: int = 4) -> None:
        self.workers = max(1, workers)
        self._futures: dict[Future[dict[str, Blob]], int] = {}
        self._reported: set[Future[dict[str, Blob]]] = set()

    def cancel_pending(self) -> None:
        """Drop the jobs not yet started; those under way still report."""
        for future in self._futures:
            future.cancel()

    def drain(self) -> Iterator[tuple[int, Outcome]]:
        """After an interruption: drop what has not started, wait for the jobs under way
        (paid calls, perhaps) and give what they brought back, so it can be kept."""
        self.cancel_pending()
        for future, index in list(self._futures.items()):
            if future in self._reported or future.cancelled():
                continue
            exc = future.exception()
            self._reported.add(future)
            yield index, (exc if exc is not None else future.result())

    def run(self, jobs: Sequence[tuple[Job, Resources]]) -> Iterator[tuple[int, Outcome]]:
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            futures = {pool.submit(execute, job): index
                       for index, (job, _) in enumerate(jobs)}
            self._futures, self._reported = futures, set()
            pending = set(futures)
            try:
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        if future.cancelled() or future in self._reported:
                            continue
                        exc = future.exception()
                        self._reported.add(future)
                        yield futures[future], (exc if exc is not None else future.result())
            finally:
                self.cancel_pending()

    def close(self) -> None:
        pass


class RayExecutor:
    """Jobs as Ray tasks, scheduled on the resources each step declares."""

    name = "ray"

    def __init__(self, address: str | None = None) -> None:
        try:
            import ray
        except ImportError:
            raise InputError("the Ray executor needs Ray: pip install 'shotline[ray]'") from None
        self._ray: Any = ray
        if not ray.is_initialized():
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                       "configure_logging": False}
            if address:
                options["address"] = address
            else:
                options["num_cpus"] = os.cpu_count() or 1
            try:
                ray.init(**options)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise InputError(f"cannot reach the Ray cluster at {address}: {exc}") from None
            self._started = True
        else:
            self._started = False
        self._remote = ray.remote(execute)

    def run(self, jobs: Sequence[tuple[Job, Resources]]) -> Iterator[tuple[int, Outcome]]:
        ray = self._ray
        refs: dict[Any, int] = {}
        for index, (job, resources) in enumerate(jobs):
            ref = self._remote.options(
                num_cpus=resources.cpu, num_gpus=resources.gpu,
                memory=resources.memory_mb * 1024 * 1024,
            ).remote(job)
            refs[ref] = index
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                try:
                    yield refs[ref], ray.get(ref)
                except Exception as exc:
                    cause = getattr(exc, "cause", None)
                    yield refs[ref], cause if isinstance(cause, BaseException) else exc

    def close(self) -> None:
        if self._started:
            self._ray.shutdown()


def make_executor(name: str, address: str | None = None) -> Executor:
    if name == "inline":
        return InlineExecutor()
    if name == "process":
        return ProcessExecutor(warm=PIPELINE_MODULES)
    if name == "ray":
        return RayExecutor(address)
    raise InputError(f"unknown executor {name!r}; expected one of {', '.join(EXECUTORS)}")
