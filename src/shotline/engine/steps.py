"""What a step is: a pure function from input objects and parameters to output objects."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from shotline.engine.keys import cache_key


class Blob(NamedTuple):
    data: bytes
    media_type: str


StepFunction = Callable[[Mapping[str, bytes], Mapping[str, Any]], Mapping[str, Blob]]


@dataclass(frozen=True)
class Resources:
    """What one execution needs; the Ray executor schedules on these."""

    cpu: float = 1.0
    gpu: float = 0.0
    memory_mb: int = 256


@dataclass(frozen=True)
class Step:
    name: str
    version: str
    function: StepFunction
    resources: Resources = field(default_factory=Resources)
    provider: str = "shotline"
    model: str = "deterministic"


_REGISTRY: dict[str, Step] = {}


def register(step: Step) -> Step:
    known = _REGISTRY.get(step.name)
    if known is not None and known.function is not step.function:
        raise ValueError(f"a different step is already registered as {step.name!r}")
    _REGISTRY[step.name] = step
    return step


def get_step(name: str, module: str = "shotline.engine.builtin") -> Step:
    """The step registered under name, importing the module that registers it (a fresh
    worker process has imported nothing yet)."""
    if name not in _REGISTRY:
        importlib.import_module(module)
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no step {name!r} (module {module} registers none)") from None


@dataclass(frozen=True)
class Task:
    """A step applied to particular inputs (object hashes) with particular parameters."""

    step: Step
    scope: str  # what it is for, as people say it: "script", "scene 12"
    inputs: Mapping[str, str]
    params: Mapping[str, Any] = field(default_factory=dict)
    seed: int | None = None
    # Steps that call a provider say per task which one (else the step's own names).
    provider: str | None = None
    model: str | None = None

    @property
    def key(self) -> str:
        params = dict(self.params)
        if self.seed is not None:
            params["seed"] = self.seed
        return cache_key(self.step.name, self.step.version, self.inputs, params)


@dataclass(frozen=True)
class Job:
    """What crosses to a worker: everything needed to run a task, nothing to look up."""

    step: str
    module: str  # where the step is registered, for workers that start empty
    inputs: dict[str, bytes]
    params: dict[str, Any]


def execute(job: Job) -> dict[str, Blob]:
    """Run one job; this is what every executor calls, in whatever process."""
    step = get_step(job.step, job.module)
    return dict(step.function(job.inputs, job.params))
