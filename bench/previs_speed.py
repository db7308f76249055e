"""Previs speed on the synthetic 120-page feature: plan, boards, animatic.

    python bench/previs_speed.py [--pages N] [--repeats N] [--boards N]

Measures, medians over repeats:
- breakdown and plan of the feature (target: under 1 s);
- boards for all its shots with both cores (target: under 20 s, 75 frames a second),
  frames a second on one core, and the cost of only encoding the same PNGs (the floor);
- the full animatic without temp dialogue (target: under 90 s, and at most 1.3x the
  time PyAV takes to encode the same frames with no other work), and re-cutting one
  scene after a change (target: under 5 s).
Results go to ``bench/results/previs_speed.json``.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import harness

sys.path.insert(0, str(harness.REPO_ROOT / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from synthetic import feature

NAME = "previs_speed"


def _plan(pages: int):  # type: ignore[no-untyped-def]
    from shotline.breakdown import build_breakdown
    from shotline.planning import plan_script
    from shotline.script import parse_fountain

    script = parse_fountain(feature(pages))
    breakdown = build_breakdown(script)
    return script, breakdown, plan_script(script, breakdown)


def _stages(pages: int) -> list[dict[str, object]]:
    from shotline.blocking import stage_scene

    _, breakdown, plan = _plan(pages)
    out: list[dict[str, object]] = []
    for sheet, scene in zip(breakdown.scenes, plan.scenes, strict=True):
        out += [s.to_dict() for s in stage_scene(scene, sheet)]
    return out


def _render(stage: dict[str, object]) -> int:
    from shotline.model.stage import Stage
    from shotline.render import render_stage

    frame = render_stage(Stage.from_dict(stage), {}, 960, 540)  # type: ignore[arg-type]
    return len(frame.image) + len(frame.depth) + len(frame.pose)


def _png_floor(images: list[bytes], count: int) -> float:
    """Seconds to PNG-encode `count` frames' three images with the renderer's own
    encoder, starting from pixels: what no renderer can go below."""
    import numpy as np
    from PIL import Image

    from shotline.render.png import encode_grey, encode_rgb

    pixels: list[tuple[bool, np.ndarray]] = []
    for data in images:
        with Image.open(io.BytesIO(data)) as image:
            if image.mode == "L":
                pixels.append((True, np.ascontiguousarray(np.asarray(image))))
            else:
                rgb = np.asarray(image.convert("RGB"))
                bgra = np.empty((*rgb.shape[:2], 4), np.uint8)
                bgra[..., 0], bgra[..., 1], bgra[..., 2] = rgb[..., 2], rgb[..., 1], rgb[..., 0]
                bgra[..., 3] = 255
                pixels.append((False, bgra))
    start = time.perf_counter()
    for _ in range(count):
        for grey, array in pixels:
            (encode_grey if grey else encode_rgb)(array)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=120)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one-core-sample", type=int, default=200)
    args = parser.parse_args(argv)
    results: dict[str, object] = {"pages": args.pages}

    plan_times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        _, _, plan = _plan(args.pages)
        plan_times.append(time.perf_counter() - start)
    shots = len(plan.shots)
    stages = _stages(args.pages)
    results |= {"shots": shots, "plan_s": plan_times}

    from shotline.model.stage import Stage
    from shotline.render import render_stage

    sample = stages[: args.one_core_sample]
    one_core = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        for stage in sample:
            _render(stage)
        one_core.append(time.perf_counter() - start)
    typical = render_stage(Stage.from_dict(stages[len(stages) // 2]), {}, 960, 540)
    floor = _png_floor([typical.image, typical.depth, typical.pose], len(sample))
    both = []
    workers = os.cpu_count() or 1
    for _ in range(args.repeats):
        start = time.perf_counter()
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_render, stages, chunksize=16))
        both.append(time.perf_counter() - start)
    results |= {"one_core_s": one_core, "one_core_frames": len(sample), "png_floor_s": floor,
                "all_boards_s": both, "workers": workers}
    plan_m, both_m, one_m = (statistics.median(plan_times), statistics.median(both),
                             statistics.median(one_core))
    rows = [
        ["breakdown + plan", f"{plan_m:.3f} s", f"{shots} shots", "< 1 s"],
        [f"boards, {workers} cores", f"{both_m:.1f} s", f"{len(stages) / both_m:.0f} frames/s",
         "< 20 s, >= 75 fps"],
        ["boards, one core", f"{one_m:.2f} s / {len(sample)}",
         f"{len(sample) / one_m:.0f} frames/s", "-"],
        ["PNG encoding only, one core", f"{floor:.2f} s / {len(sample)}",
         f"{len(sample) / floor:.0f} frames/s", "the floor"],
    ]
    harness.print_table(f"Previs, synthetic {args.pages}-page feature, median of "
                        f"{args.repeats}", ["what", "median", "rate", "target"], rows)
    harness.write_results(NAME, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
