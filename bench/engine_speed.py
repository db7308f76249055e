"""The engine on the synthetic 120-page feature: first run, nothing changed, one scene edited.

    python bench/engine_speed.py [--pages N] [--repeats N] [--executor process|inline|ray]

Targets: a second run with nothing changed under 3% of the first run's time; a run
after a one-scene edit under 5%. Each repeat makes a fresh project in a temporary
folder, so every first run is really cold. Results go to
``bench/results/engine_speed.json``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import harness

sys.path.insert(0, str(harness.REPO_ROOT / "src"))
sys.path.insert(0, str(harness.REPO_ROOT))

from shotline.engine.executors import make_executor
from shotline.engine.pipeline import run_project
from shotline.store.project import Project
from synthetic import feature

NAME = "engine_speed"
NOTHING_TARGET = 0.03
EDIT_TARGET = 0.05


def one_round(pages: int, executor_name: str
              ) -> tuple[float, float, float, int, dict[str, float], dict[str, float]]:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "feature.fountain"
        text = feature(pages)
        source.write_text(text, encoding="utf-8")
        project = Project.init(Path(folder) / "project", source)
        executor = make_executor(executor_name)
        try:
            timings = []
            stages: list[dict[str, float]] = []
            for change in (None, None, "edit"):
                if change:
                    # Change one line of dialogue in one scene, near the middle.
                    body = project.script_path.read_text(encoding="utf-8")
                    middle = body.index("\nINT.", len(body) // 2)
                    cue = body.index("\n\n", middle + 1)
                    line_end = body.index("\n", cue + 2)
                    body = body[:line_end] + " (an edit)" + body[line_end:]
                    project.script_path.write_text(body, encoding="utf-8")
                start = time.perf_counter()
                summary = run_project(project, executor)
                timings.append(time.perf_counter() - start)
                stages.append(dict(summary.counts.seconds))
            planned = summary.counts.by_step.get("plan", (0, 0))[0]
        finally:
            executor.close()
            project.close()
    return timings[0], timings[1], timings[2], planned, stages[0], stages[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=120)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--executor", default="process")
    args = parser.parse_args(argv)
    rounds = [one_round(args.pages, args.executor) for _ in range(args.repeats)]
    first = statistics.median(r[0] for r in rounds)
    nothing = statistics.median(r[1] for r in rounds)
    edited = statistics.median(r[2] for r in rounds)
    replanned = rounds[0][3]
    rows = [
        ["first run", harness.ms(first), "-", "-"],
        ["nothing changed", harness.ms(nothing), f"{nothing / first:.2%}",
         f"< {NOTHING_TARGET:.0%}"],
        [f"one scene edited ({replanned} re-planned)", harness.ms(edited),
         f"{edited / first:.2%}", f"< {EDIT_TARGET:.0%}"],
    ]
    by_stage = [[label, f"{first_s:.2f}", f"{rounds[0][5].get(label, 0.0):.2f}"]
                for label, first_s in rounds[0][4].items()]
    harness.print_table("Where the time goes (first run and the one-scene edit, seconds)",
                        ["stage", "first run", "after the edit"], by_stage)
    harness.print_table(f"Engine, synthetic {args.pages}-page feature, {args.executor} executor, "
                        f"median of {args.repeats}", ["run", "median ms", "of first",
                                                      "target"], rows)
    met = nothing / first < NOTHING_TARGET and edited / first < EDIT_TARGET
    print(f"targets: {'met' if met else 'NOT met'}")
    harness.write_results(NAME, {
        "pages": args.pages, "executor": args.executor, "repeats": args.repeats,
        "first_s": [r[0] for r in rounds], "nothing_changed_s": [r[1] for r in rounds],
        "one_scene_edit_s": [r[2] for r in rounds], "replanned_scenes": replanned,
        "nothing_ratio": nothing / first, "edit_ratio": edited / first, "met": met,
        "first_run_stages_s": rounds[0][4], "edit_run_stages_s": rounds[0][5],
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
