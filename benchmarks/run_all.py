"""Every benchmark in one run: the numeric core, then the served app in Chromium.

Run ``python benchmarks/run_all.py`` (about five minutes); ``--update-docs`` also writes the tables
into docs/performance.md between its ``<!-- benchmark-table -->`` markers.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_browser
import bench_core
import bench_families
import bench_landscape

PERFORMANCE_DOC = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
MARKERS = re.compile(r"(<!-- benchmark-table -->\n).*?(<!-- /benchmark-table -->)", re.DOTALL)


def browser_ratios(rows, baseline_n: int | None = None) -> list[str]:
    """Each scenario's median at every n against its median at ``baseline_n`` (the smallest n by default),
    measured in the same run."""
    notes = []
    for scenario in dict.fromkeys(row["scenario"] for row in rows):
        mine = {row["n"]: row for row in rows if row["scenario"] == scenario}
        base = mine.get(baseline_n) or mine[min(mine)]
        for n, row in sorted(mine.items()):
            if n > base["n"]:
                notes.append(
                    f"- {scenario}: median at n = {n:,} / at n = {base['n']:,} = "
                    f"{row['median_ms'] / base['median_ms']:.2f}"
                )
    return notes


def report() -> str:
    core_rows = bench_core.benchmark_rows()
    family_rows = bench_families.benchmark_rows()
    landscape_rows = bench_landscape.benchmark_rows()
    browser_rows = bench_browser.benchmark_rows()
    return "\n".join(
        [
            "Command: `python benchmarks/run_all.py` (core: `benchmarks/bench_core.py`, families: "
            "`benchmarks/bench_families.py`, landscape: `benchmarks/bench_landscape.py`, browser: "
            "`benchmarks/bench_browser.py`).",
            "",
            f"**Core** ({bench_core.REPEATS} interleaved rounds, medians; the reference is the source "
            "document's `scipy.optimize.minimize` of −ℓ from (0, 1)):",
            "",
            bench_core.markdown_table(core_rows),
            "",
            *bench_core.summary(core_rows),
            "",
            f"**Every family's fit against scipy's own `fit`** (`benchmarks/bench_families.py`, medians of "
            f"{bench_families.REPEATS} rounds; ℓ̂ difference > 0 means ours found the higher maximum):",
            "",
            bench_families.markdown_table(family_rows),
            "",
            *bench_families.summary(family_rows),
            "",
            f"**The likelihood landscape from sufficient statistics** (`benchmarks/bench_landscape.py`, "
            f"medians of {bench_landscape.REPEATS} rounds):",
            "",
            bench_landscape.markdown_table(landscape_rows),
            "",
            *bench_landscape.summary(landscape_rows),
            "",
            f"**In the browser** ({bench_browser.versions()}; time from the input event to the readout "
            f"showing the new ℓ, measured in the page, {bench_browser.REPEATS} events per row):",
            "",
            bench_browser.markdown_table(browser_rows),
            "",
            *browser_ratios(browser_rows),
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update-docs", action="store_true", help="write the tables into docs/performance.md")
    args = parser.parse_args(argv)
    text = report()
    print(text)
    if args.update_docs:
        page = PERFORMANCE_DOC.read_text()
        if not MARKERS.search(page):
            raise SystemExit(f"{PERFORMANCE_DOC} has no <!-- benchmark-table --> … <!-- /benchmark-table --> markers")
        PERFORMANCE_DOC.write_text(MARKERS.sub(lambda match: f"{match[1]}{text}\n{match[2]}", page))
        print(f"\nwrote the tables into {PERFORMANCE_DOC}")


if __name__ == "__main__":
    main()
