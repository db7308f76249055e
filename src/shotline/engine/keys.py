"""Canonical hashing: a step's cache key is the hash of what determines its outputs."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson


def canonical_json(value: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8 (NaN is refused)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def cache_key(step: str, version: str, inputs: Mapping[str, str],
              params: Mapping[str, Any]) -> str:
    """sha256 of the step's name and version, its input hashes and its parameters."""
    return hashlib.sha256(canonical_json({
        "step": step, "version": version, "inputs": dict(inputs), "params": dict(params),
    })).hexdigest()
