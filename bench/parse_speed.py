"""Parse speed: Shotline against screenplain and jouvence on the Big Fish screenplay.

    python bench/parse_speed.py [--corpus DIR] [--repeats N] [--warmup N]

Each parser gets the same in-memory ``str`` (the file is read and decoded before
any timing) and is timed the same way by ``harness.time_callable``. Shotline's
Final Draft parser, when present, is timed on ``big-fish.fdx`` (bytes) on its own.
Results go to ``bench/results/parse_speed.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from rich.console import Console

import harness

# Benchmark the checkout, whether or not the package is installed.
sys.path.insert(0, str(harness.REPO_ROOT / "src"))

NAME = "parse_speed"
DEFAULT_CORPUS = harness.REPO_ROOT.parent / "shared" / "corpus"
FOUNTAIN = "big-fish.fountain"
FDX = "big-fish.fdx"
REFERENCE = "shotline"
COMPETITORS = ("screenplain", "jouvence")
TARGET_SPEEDUP = 5.0


class SetupError(Exception):
    """Something to fix before the benchmark can run (exit code 2)."""


@dataclass(frozen=True, slots=True)
class Contender:
    parser: str
    input_name: str
    parse: Callable[[], Any]
    count_scene_headings: Callable[[Any], int]

    @property
    def label(self) -> str:
        return self.parser if self.input_name == FOUNTAIN else f"{self.parser} (fdx)"


def shotline_contenders(text: str, fdx: bytes | None) -> list[Contender]:
    try:
        from shotline import script
    except ImportError as exc:
        raise SetupError(f"cannot import shotline.script: {exc}") from exc
    parse_fountain = getattr(script, "parse_fountain", None)
    if parse_fountain is None:
        raise SetupError("shotline.script has no parse_fountain")

    def count(parsed: Any) -> int:
        return sum(e.type == "scene_heading" for e in parsed.elements)

    found = [Contender(REFERENCE, FOUNTAIN, lambda: parse_fountain(text), count)]
    parse_fdx = getattr(script, "parse_fdx", None)
    if parse_fdx is not None and fdx is not None:
        found.append(Contender(REFERENCE, FDX, lambda: parse_fdx(fdx), count))
    return found


def screenplain_contender(text: str) -> Contender:
    from screenplain.parsers import fountain  # type: ignore[import-untyped]
    from screenplain.types import Slug  # type: ignore[import-untyped]

    # fountain.parse(stream) is the whole parse the screenplain CLI runs:
    # boneyard removal, line splitting, title page and body.
    return Contender(
        "screenplain",
        FOUNTAIN,
        lambda: fountain.parse(io.StringIO(text)),
        lambda parsed: sum(isinstance(p, Slug) for p in parsed.paragraphs),
    )


def jouvence_contender(text: str) -> Contender:
    from jouvence.parser import JouvenceParser  # type: ignore[import-untyped]

    parser = JouvenceParser()
    return Contender(
        "jouvence",
        FOUNTAIN,
        lambda: parser.parseString(text),
        # The first scene has no header when the script opens without one.
        lambda parsed: sum(1 for scene in parsed.scenes if scene.header),
    )


def load_contenders(text: str, fdx: bytes | None) -> list[Contender]:
    found = shotline_contenders(text, fdx)
    try:
        found += [screenplain_contender(text), jouvence_contender(text)]
    except ImportError as exc:
        raise SetupError(
            f"cannot import {exc.name}; install the bench extra: pip install -e '.[bench]'"
        ) from exc
    return found


def dist_version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"


def describe(path: Path, data: bytes) -> dict[str, Any]:
    return {"file": path.name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return number


def non_negative_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return number


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="Parse speed: Shotline against screenplain and jouvence on Big Fish."
    )
    ap.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="folder holding big-fish.fountain (default: ../shared/corpus from the repo root)",
    )
    ap.add_argument("--repeats", type=positive_int, default=harness.DEFAULT_REPEATS)
    ap.add_argument("--warmup", type=non_negative_int, default=harness.DEFAULT_WARMUP)
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    corpus: Path = args.corpus
    fountain_path = corpus / FOUNTAIN
    if not corpus.is_dir():
        print(f"parse_speed: corpus folder not found: {corpus} (use --corpus DIR)", file=sys.stderr)
        return 2
    if not fountain_path.is_file():
        print(f"parse_speed: {FOUNTAIN} not found in {corpus}", file=sys.stderr)
        return 2

    # Read and decode outside any timed region.
    fountain_bytes = fountain_path.read_bytes()
    text = fountain_bytes.decode("utf-8-sig")
    fdx_path = corpus / FDX
    fdx = fdx_path.read_bytes() if fdx_path.is_file() else None
    inputs = [describe(fountain_path, fountain_bytes)]
    if fdx is not None:
        inputs.append(describe(fdx_path, fdx))

    try:
        contenders = load_contenders(text, fdx)
    except SetupError as exc:
        print(f"parse_speed: {exc}", file=sys.stderr)
        return 2

    # Sanity check: a parser that found no scenes did not really parse.
    counts = [c.count_scene_headings(c.parse()) for c in contenders]
    empty = [c.label for c, n in zip(contenders, counts, strict=True) if n == 0]
    if empty:
        print(f"parse_speed: no scene headings from {', '.join(empty)}", file=sys.stderr)
        return 1

    console = Console()
    timings: list[harness.Stats] = []
    for c in contenders:
        console.print(f"timing {c.label} ...")
        timings.append(harness.time_callable(c.parse, repeats=args.repeats, warmup=args.warmup))

    medians = {c.label: t.median for c, t in zip(contenders, timings, strict=True)}
    reference = medians[REFERENCE]
    rows: list[list[str]] = []
    results: list[dict[str, Any]] = []
    for c, n, stats in zip(contenders, counts, timings, strict=True):
        ratio = stats.median / reference if c.input_name == FOUNTAIN else None
        rows.append(
            [
                c.label,
                str(n),
                *map(harness.ms, (stats.median, stats.minimum, stats.p90, stats.mad)),
                "-" if ratio is None else f"{ratio:.2f}x",
            ]
        )
        results.append(
            {
                "parser": c.parser,
                "input": c.input_name,
                "scene_headings": n,
                **stats.to_dict(),
                "time_vs_shotline": ratio,
            }
        )

    fastest = min(COMPETITORS, key=medians.__getitem__)
    speedup = medians[fastest] / reference
    met = speedup >= TARGET_SPEEDUP

    harness.print_table(
        f"Parsing Big Fish: {args.repeats} runs each, times in ms",
        ["parser", "scenes", "median", "min", "p90", "MAD", "vs shotline"],
        rows,
        console,
    )
    if len({n for c, n in zip(contenders, counts, strict=True) if c.input_name == FOUNTAIN}) > 1:
        console.print("[yellow]note: the parsers disagree on the number of scene headings[/]")
    console.print(
        f"shotline is {speedup:.1f}x faster than the faster of screenplain/jouvence ({fastest})"
    )
    console.print(f"target {TARGET_SPEEDUP:g}x: {'met' if met else 'NOT met'}")

    path = harness.write_results(
        NAME,
        {
            "config": {"repeats": args.repeats, "warmup": args.warmup},
            "inputs": inputs,
            "versions": {
                "shotline": dist_version("shotline"),
                **{p: dist_version(p) for p in COMPETITORS},
            },
            "results": results,
            "summary": {
                "fastest_competitor": fastest,
                "speedup_vs_fastest_competitor": speedup,
                "target_speedup": TARGET_SPEEDUP,
                "target_met": met,
            },
        },
    )
    console.print(f"results written to {path.relative_to(harness.REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
