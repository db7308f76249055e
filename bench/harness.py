"""A small benchmark harness: time a callable, summarise, print a table, save JSON.

Used by the scripts in this folder, which import it as ``harness`` (running
``python bench/<script>.py`` puts this folder first on ``sys.path``).
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

from rich.console import Console
from rich.table import Table

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"

DEFAULT_REPEATS = 30
DEFAULT_WARMUP = 3


@dataclass(frozen=True, slots=True)
class Stats:
    """Wall times (seconds) of the timed runs of one callable, and their summary."""

    times: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def minimum(self) -> float:
        return min(self.times)

    @property
    def p90(self) -> float:
        if len(self.times) < 2:
            return self.times[0]
        return statistics.quantiles(self.times, n=10, method="inclusive")[-1]

    @property
    def mad(self) -> float:
        """Median absolute deviation from the median."""
        mid = self.median
        return statistics.median(abs(t - mid) for t in self.times)

    def to_dict(self) -> dict[str, Any]:
        return {
            "repeats": len(self.times),
            "median_s": self.median,
            "min_s": self.minimum,
            "p90_s": self.p90,
            "mad_s": self.mad,
            "times_s": list(self.times),
        }


def time_callable(
    fn: Callable[[], object], *, repeats: int = DEFAULT_REPEATS, warmup: int = DEFAULT_WARMUP
) -> Stats:
    """Call ``fn`` ``warmup`` times untimed, then ``repeats`` times timed.

    Each timed call starts after a full collection and runs with the garbage
    collector disabled; its result is released only after the clock has stopped.
    """
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    for _ in range(warmup):
        fn()
    gc_was_enabled = gc.isenabled()
    times: list[float] = []
    try:
        for _ in range(repeats):
            gc.collect()
            gc.disable()
            start = perf_counter()
            result = fn()
            elapsed = perf_counter() - start
            if gc_was_enabled:
                gc.enable()
            del result
            times.append(elapsed)
    finally:
        if gc_was_enabled:
            gc.enable()
    return Stats(tuple(times))


def machine_info() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
    }


def write_results(name: str, data: dict[str, Any], results_dir: Path = RESULTS_DIR) -> Path:
    """Write ``data`` plus machine and date to ``<results_dir>/<name>.json`` atomically."""
    payload = {
        "name": name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        **data,
    }
    results_dir.mkdir(parents=True, exist_ok=True)
    target = results_dir / f"{name}.json"
    fd, tmp = tempfile.mkstemp(dir=results_dir, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, indent=2)
            fh.write("\n")
        os.chmod(tmp, 0o644)  # mkstemp creates the file owner-only
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def print_table(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    console: Console | None = None,
) -> None:
    """Print a table; every column after the first is right-aligned."""
    table = Table(title=title)
    for i, header in enumerate(headers):
        table.add_column(header, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*row)
    (console or Console()).print(table)
