"""Timings of the likelihood landscape (``mle_core.inference``) at a small and a very large sample.

Run ``python benchmarks/bench_landscape.py``; it prints a Markdown table (well under a minute).
``benchmark_rows()`` returns the same measurements as a list of dicts for other scripts.

What is timed, for Gaussian data at each n (the statistics computed once beforehand, as the app
keeps them): the 200 × 200 surface ℓ(μ, σ) that the landscape view redraws, a 200-point slice along
each axis, the 95 % profile interval for μ and a Newton climb from (0, 1). All of them work from the
sufficient statistics, so their cost should not depend on n: the summary checks that the surface
at the largest n takes less than twice as long as at the smallest. Timing as in ``bench_core.py``:
medians over interleaved rounds, ratios as medians of the per-round ratios.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_core
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # mle_core, when run as a script

from bench_core import interleaved_times

import mle_core
from mle_core import inference

SIZES = (10, 1_000_000)
SEED = 20240521
TRUE_MU, TRUE_SIGMA = 2.0, 0.5
GRID = 200
MU_AXIS = np.linspace(1.0, 3.0, GRID)
SIGMA_AXIS = np.linspace(0.2, 1.2, GRID)
START = {"mu": 0.0, "sigma": 1.0}
REPEATS = 9
TARGET_SECONDS = 0.02
MAX_SURFACE_RATIO = 2.0  # the goal: the surface at the largest n within 2× of the smallest n

TASKS = ("surface", "slice_mu", "slice_sigma", "profile_mu", "newton")


def _tasks(sufficient) -> dict[str, Callable[[], Any]]:
    axes = {"mu": MU_AXIS, "sigma": SIGMA_AXIS}
    return {
        "surface": lambda: inference.log_likelihood_surface("gaussian", sufficient, axes),
        "slice_mu": lambda: inference.log_likelihood_slice("gaussian", sufficient, "mu", MU_AXIS, sigma=TRUE_SIGMA),
        "slice_sigma": lambda: inference.log_likelihood_slice("gaussian", sufficient, "sigma", SIGMA_AXIS, mu=TRUE_MU),
        "profile_mu": lambda: inference.profile_interval("gaussian", sufficient, "mu"),
        "newton": lambda: inference.climb("gaussian", sufficient, START, "newton"),
    }


def benchmark_rows(
    sizes=SIZES, seed: int = SEED, repeats: int = REPEATS, target_seconds: float = TARGET_SECONDS
) -> list[dict[str, Any]]:
    """Measure every size; one dict per size, times in seconds, plus each task's time against the smallest n."""
    rng = np.random.default_rng(seed)
    tasks: dict[tuple[int, str], Callable[[], Any]] = {}
    rows: dict[int, dict[str, Any]] = {}
    for n in sizes:
        sufficient = mle_core.sufficient_statistics("gaussian", rng.normal(TRUE_MU, TRUE_SIGMA, size=n))
        climb = inference.climb("gaussian", sufficient, START, "newton")
        rows[n] = {"n": n, "newton_steps": len(climb.steps), "newton_converged": climb.converged}
        for name, task in _tasks(sufficient).items():
            tasks[n, name] = task
    for task in tasks.values():  # warm up every path once
        task()
    times = interleaved_times(tasks, repeats, target_seconds)
    smallest = min(sizes)
    for n, row in rows.items():
        for name in TASKS:
            row[name] = statistics.median(times[n, name])
            row[f"{name}_vs_smallest"] = statistics.median(
                a / b for a, b in zip(times[n, name], times[smallest, name], strict=True)
            )
    return [rows[n] for n in sizes]


def _duration(seconds: float) -> str:
    for unit, factor in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= factor:
            return f"{seconds / factor:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def markdown_table(rows: list[dict[str, Any]]) -> str:
    header = (
        f"| n | surface {GRID}×{GRID} | slice μ ({GRID}) | slice σ ({GRID}) | profile interval μ | "
        "Newton climb from (0, 1) | surface / smallest n | slices / smallest n |"
    )
    lines = [header, "|" + "---:|" * header.count(" | ") + "---:|"]
    for row in rows:
        slices = max(row["slice_mu_vs_smallest"], row["slice_sigma_vs_smallest"])
        cells = [
            f"{row['n']:,}",
            _duration(row["surface"]),
            _duration(row["slice_mu"]),
            _duration(row["slice_sigma"]),
            _duration(row["profile_mu"]),
            f"{_duration(row['newton'])} ({row['newton_steps']} steps)",
            f"{row['surface_vs_smallest']:.2f}",
            f"{slices:.2f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary(rows: list[dict[str, Any]]) -> list[str]:
    low, high = rows[0], rows[-1]
    ratio = high["surface_vs_smallest"]
    verdict = "met" if ratio < MAX_SURFACE_RATIO else "NOT met"
    notes = [
        f"- surface at n={high['n']:,} / at n={low['n']:,}: {ratio:.2f} (goal < {MAX_SURFACE_RATIO:g}: {verdict}; "
        f"{_duration(high['surface'])} vs {_duration(low['surface'])}, "
        f"{_duration(high['surface'] / GRID**2)} per cell)",
    ]
    for name, label in (("slice_mu", "slice μ"), ("slice_sigma", "slice σ"), ("profile_mu", "profile interval μ")):
        notes.append(f"- {label} at n={high['n']:,} / at n={low['n']:,}: {high[f'{name}_vs_smallest']:.2f}")
    if not all(row["newton_converged"] for row in rows):
        notes.append("- a Newton climb did NOT converge")
    return notes


def main() -> None:
    print(f"$ python {' '.join(sys.argv)}")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()} ({platform.system()}, {os.cpu_count()} CPUs, load average {load})"
    )
    print(
        f"Data N({TRUE_MU}, {TRUE_SIGMA}²), seed {SEED}; grid μ ∈ [{MU_AXIS[0]:g}, {MU_AXIS[-1]:g}] × "
        f"σ ∈ [{SIGMA_AXIS[0]:g}, {SIGMA_AXIS[-1]:g}]; statistics computed beforehand. Times: median of "
        f"{REPEATS} interleaved rounds; ratios: median of the per-round ratios."
    )
    print()
    rows = benchmark_rows()
    print(markdown_table(rows))
    print()
    print("\n".join(summary(rows)))


if __name__ == "__main__":
    main()
