"""Steps the engine tests run: small, pure, and observable; and an executor that
remembers what it was given."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from shotline.engine.executors import InlineExecutor, Outcome
from shotline.engine.steps import Blob, Job, Resources, Step, register


def upper(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    """Upper-cases its input; sleeps if asked, and says which process ran it."""
    time.sleep(float(params.get("sleep", 0)))
    text = inputs["text"].decode() * int(params.get("times", 1))
    return {"upper": Blob(text.upper().encode(), "text/plain"),
            "pid": Blob(str(os.getpid()).encode(), "text/plain")}


def broken(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    raise RuntimeError("the model fell over")


def imported(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    """Whether the module named in params was imported before this step ran."""
    found = str(params["module"]) in sys.modules
    return {"imported": Blob(b"yes" if found else b"no", "text/plain")}


UPPER = register(Step("test-upper", "1", upper, Resources(cpu=0.5, memory_mb=64)))
IMPORTED = register(Step("test-imported", "1", imported))
BROKEN = register(Step("test-broken", "1", broken))


class Recording(InlineExecutor):
    """Inline, remembering the jobs of each submission."""

    def __init__(self) -> None:
        self.submissions: list[list[Job]] = []

    def run(self, jobs: Sequence[tuple[Job, Resources]]) -> Iterator[tuple[int, Outcome]]:
        self.submissions.append([job for job, _ in jobs])
        return super().run(jobs)
