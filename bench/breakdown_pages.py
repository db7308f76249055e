"""Page counts and breakdown speed on the shared corpus.

    python bench/breakdown_pages.py [--corpus DIR] [--repeats N]

Big Fish is known to run about 120 pages; the breakdown's pagination should land
within 5% of that. Every corpus screenplay (Fountain and Final Draft) is broken
down, its page count and scene count printed, and the breakdown timed.
Results go to ``bench/results/breakdown_pages.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import harness

sys.path.insert(0, str(harness.REPO_ROOT / "src"))

from shotline.breakdown import build_breakdown
from shotline.script import load

NAME = "breakdown_pages"
DEFAULT_CORPUS = harness.REPO_ROOT.parent / "shared" / "corpus"
KNOWN_PAGES = {"big-fish": 120}
TOLERANCE = 0.05


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args(argv)
    files = sorted(p for p in args.corpus.glob("*") if p.suffix in (".fountain", ".fdx"))
    if not files:
        print(f"no screenplays in {args.corpus}", file=sys.stderr)
        return 2
    rows: list[list[str]] = []
    results: list[dict[str, object]] = []
    ok = True
    for path in files:
        script = load(path)
        result = build_breakdown(script)
        stats = harness.time_callable(lambda s=script: build_breakdown(s), repeats=args.repeats)
        known = KNOWN_PAGES.get(path.stem)
        off = (result.pages - known) / known if known else None
        within = off is None or abs(off) <= TOLERANCE
        ok = ok and within
        rows.append([path.name, str(result.pages), str(known or "-"),
                     f"{off:+.1%}" if off is not None else "-", str(len(result.scenes)),
                     str(len(result.cast)), harness.ms(stats.median)])
        results.append({"file": path.name, "pages": result.pages, "known_pages": known,
                        "scenes": len(result.scenes), "cast": len(result.cast),
                        "breakdown": stats.to_dict()})
    harness.print_table("Breakdown of the corpus", ["file", "pages", "known", "off", "scenes",
                        "cast", "median ms"], rows)
    print(f"within {TOLERANCE:.0%} of the known length: {'yes' if ok else 'NO'}")
    harness.write_results(NAME, {"files": results, "tolerance": TOLERANCE, "within": ok})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
