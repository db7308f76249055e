"""Steps the engine tests run: small, pure, and observable."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

from shotline.engine.steps import Blob, Resources, Step, register


def upper(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    """Upper-cases its input; sleeps if asked, and says which process ran it."""
    time.sleep(float(params.get("sleep", 0)))
    text = inputs["text"].decode() * int(params.get("times", 1))
    return {"upper": Blob(text.upper().encode(), "text/plain"),
            "pid": Blob(str(os.getpid()).encode(), "text/plain")}


def broken(inputs: Mapping[str, bytes], params: Mapping[str, Any]) -> dict[str, Blob]:
    raise RuntimeError("the model fell over")


UPPER = register(Step("test-upper", "1", upper, Resources(cpu=0.5, memory_mb=64)))
BROKEN = register(Step("test-broken", "1", broken))
