"""The engine on the synthetic 120-page feature: first run, nothing changed, one scene edited.

    python bench/engine_speed.py [--pages N] [--repeats N] [--executor process|inline|ray]

Four runs on one project: the first (cold), one with nothing changed, one after an
edit to a line of action in one scene that leaves every cut's length as it was, and
one after an edit that makes a line of dialogue in another scene longer, so that its
cut grows and the animatic's join and the timelines are made again. Targets: a run
with nothing changed under 3% of the first run's time; a run after either edit under
5%. Each repeat makes a fresh project in a temporary folder, so every first run is
really cold. Results go to ``bench/results/engine_speed.json``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
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
SPOKEN = " Listen, nobody waits for weather like this, not tomorrow and not again."
RUNS = ("first", "nothing", "action", "dialogue")


def action_edit(body: str) -> str:
    """A few words added to the paragraph after the first heading past the middle: that
    scene is re-planned, but its cuts keep their lengths (they are timed by lines)."""
    middle = body.index("\nINT.", len(body) // 2)
    cue = body.index("\n\n", middle + 1)
    line_end = body.index("\n", cue + 2)
    return body[:line_end] + " (an edit)" + body[line_end:]


def dialogue_edit(body: str) -> str:
    """A speech made longer, in the first scene with dialogue after the three-quarter
    mark: speech is timed by its words, so that scene's cut grows."""
    at = body.index("\nEXT.", len(body) * 3 // 4)
    lines = body[at:].split("\n")
    for k in range(1, len(lines) - 1):
        cue = lines[k]
        if lines[k - 1] == "" and cue.isupper() and cue.isalpha() and lines[k + 1]:
            spoken = k + 2 if lines[k + 1].startswith("(") else k + 1
            end = at + sum(len(line) + 1 for line in lines[:spoken]) + len(lines[spoken])
            return body[:end] + SPOKEN + body[end:]
    raise ValueError("no dialogue after the three-quarter mark")


@dataclass
class Round:
    seconds: dict[str, float]  # run -> wall seconds
    stages: dict[str, dict[str, float]]  # run -> batch label -> wall seconds
    replanned: dict[str, int]  # run -> scenes planned again


def one_round(pages: int, executor_name: str) -> Round:
    edits = {"action": action_edit, "dialogue": dialogue_edit}
    result = Round({}, {}, {})
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "feature.fountain"
        source.write_text(feature(pages), encoding="utf-8")
        project = Project.init(Path(folder) / "project", source)
        executor = make_executor(executor_name)
        try:
            for run in RUNS:
                if run in edits:
                    body = project.script_path.read_text(encoding="utf-8")
                    project.script_path.write_text(edits[run](body), encoding="utf-8")
                start = time.perf_counter()
                summary = run_project(project, executor)
                result.seconds[run] = time.perf_counter() - start
                result.stages[run] = dict(summary.counts.seconds)
                result.replanned[run] = summary.counts.by_step.get("plan", (0, 0))[0]
        finally:
            executor.close()
            project.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=120)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--executor", default="process")
    args = parser.parse_args(argv)
    rounds = [one_round(args.pages, args.executor) for _ in range(args.repeats)]
    median = {run: statistics.median(r.seconds[run] for r in rounds) for run in RUNS}
    # Per stage, the median over repeats of each run's wall seconds.
    stages = {run: {label: statistics.median(r.stages[run].get(label, 0.0) for r in rounds)
                    for label in rounds[0].stages["first"]} for run in RUNS}
    first = median["first"]
    ratio = {run: median[run] / first for run in RUNS[1:]}
    target = {"nothing": NOTHING_TARGET, "action": EDIT_TARGET, "dialogue": EDIT_TARGET}
    replanned = rounds[0].replanned
    titles = {"nothing": "nothing changed",
              "action": f"action edit, cuts keep their length ({replanned['action']} "
                        "re-planned)",
              "dialogue": f"dialogue edit, a cut grows ({replanned['dialogue']} re-planned)"}
    rows = [["first run", harness.ms(first), "-", "-"]]
    rows += [[titles[run], harness.ms(median[run]), f"{ratio[run]:.2%}",
              f"< {target[run]:.0%}"] for run in RUNS[1:]]
    by_stage = [[label, *(f"{stages[run][label]:.2f}" for run in RUNS)]
                for label in stages["first"]]
    harness.print_table(f"Where the time goes (seconds, median of {args.repeats})",
                        ["stage", "first run", "nothing changed", "action edit",
                         "dialogue edit"], by_stage)
    harness.print_table(f"Engine, synthetic {args.pages}-page feature, {args.executor} executor, "
                        f"median of {args.repeats}", ["run", "median ms", "of first",
                                                      "target"], rows)
    met = all(ratio[run] < target[run] for run in RUNS[1:])
    print(f"targets: {'met' if met else 'NOT met'}")
    harness.write_results(NAME, {
        "pages": args.pages, "executor": args.executor, "repeats": args.repeats,
        "first_s": [r.seconds["first"] for r in rounds],
        "nothing_changed_s": [r.seconds["nothing"] for r in rounds],
        "one_scene_edit_s": [r.seconds["action"] for r in rounds],
        "dialogue_edit_s": [r.seconds["dialogue"] for r in rounds],
        "replanned_scenes": replanned["action"],
        "dialogue_replanned_scenes": replanned["dialogue"],
        "nothing_ratio": ratio["nothing"], "edit_ratio": ratio["action"],
        "dialogue_edit_ratio": ratio["dialogue"], "met": met,
        "first_run_stages_s": stages["first"], "nothing_run_stages_s": stages["nothing"],
        "edit_run_stages_s": stages["action"], "dialogue_edit_run_stages_s": stages["dialogue"],
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
