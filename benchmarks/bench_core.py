"""Timings of mle_core's Gaussian family against scipy and the seed's reference procedure.

Run ``python benchmarks/bench_core.py``; it prints a Markdown table (well under a minute).
``benchmark_rows()`` returns the same measurements as a list of dicts for other scripts.

Each timing is the median, over several rounds, of the mean time per call in a batch of calls; the
batch size is chosen (as ``timeit.Timer.autorange`` does, with a shorter target) so that one batch
takes at least ``target_seconds``. The rounds visit every (n, function) pair in turn, so that load
from other processes hits all of them alike; ratios are taken within each round.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import timeit
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy
from scipy import optimize, stats

import mle_core

SIZES = (10, 1_000, 1_000_000)
SEED = 20240521
TRUE_MU, TRUE_SIGMA = 2.0, 0.5  # the data
MU, SIGMA = 2.1, 0.6  # where the log-likelihood is evaluated, as if set by the sliders
REFERENCE_START = (0.0, 1.0)  # the seed document's starting point
REFERENCE_BUDGET_SECONDS = 10.0  # skip the reference procedure when its timing would take longer
REPEATS = 9
TARGET_SECONDS = 0.02
FIT_TARGET_RATIO = 500.0  # the goal: fit ≥ 500× faster than the reference procedure for n ≤ 1000


def _calls_per_batch(timer: timeit.Timer, target_seconds: float) -> int:
    """Like ``timeit.Timer.autorange``: the first of 1, 2, 5, 10, 20, 50, … calls taking the target."""
    scale = 1
    while True:
        for number in (scale, 2 * scale, 5 * scale):
            if timer.timeit(number) >= target_seconds:
                return number
        scale *= 10


def interleaved_times(
    tasks: dict[Any, Callable[[], Any]], repeats: int = REPEATS, target_seconds: float = TARGET_SECONDS
) -> dict[Any, list[float]]:
    """Seconds per call of every task, one batch of each per round, ``repeats`` rounds.

    Round-robin rather than task after task: on a shared machine a burst of load then slows every
    task of a round alike instead of one task entirely, and ratios taken within a round survive it.
    """
    timers = {key: timeit.Timer(function) for key, function in tasks.items()}
    numbers = {key: _calls_per_batch(timer, target_seconds) for key, timer in timers.items()}
    times: dict[Any, list[float]] = {key: [] for key in tasks}
    for _ in range(repeats):
        for key, timer in timers.items():
            times[key].append(timer.timeit(numbers[key]) / numbers[key])
    return times


def negative_log_likelihood(parameters, data: np.ndarray) -> float:
    """The seed document's objective, −ℓ(μ, σ), with +inf for σ ≤ 0."""
    mu, sigma = parameters
    if sigma <= 0:
        return np.inf
    n = data.size
    return -(-0.5 * n * np.log(2 * np.pi) - n * np.log(sigma) - np.sum((data - mu) ** 2) / (2 * sigma**2))


def reference_fit(data: np.ndarray) -> np.ndarray:
    """The seed document's procedure: BFGS with numerical gradients from (0, 1)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # The line search probes σ ≤ 0 (objective +inf) and scipy then warns about inf − inf.
        warnings.simplefilter("ignore", RuntimeWarning)
        return optimize.minimize(negative_log_likelihood, REFERENCE_START, args=(data,)).x


def benchmark_rows(
    sizes=SIZES, seed: int = SEED, repeats: int = REPEATS, target_seconds: float = TARGET_SECONDS
) -> list[dict[str, Any]]:
    """Measure every size; one dict per size, times in seconds (``None`` where skipped).

    Times are medians over the rounds; ratios are medians of the per-round ratios.
    """
    _warm_up()
    rng = np.random.default_rng(seed)
    rows: dict[int, dict[str, Any]] = {}
    tasks: dict[tuple[int, str], Callable[[], Any]] = {}
    for n in sizes:
        data = rng.normal(TRUE_MU, TRUE_SIGMA, size=n)
        sufficient = mle_core.sufficient_statistics("gaussian", data)
        tasks[n, "ll_raw"] = lambda data=data: mle_core.log_likelihood("gaussian", data, mu=MU, sigma=SIGMA)
        tasks[n, "ll_stats"] = lambda s=sufficient: mle_core.log_likelihood("gaussian", s, mu=MU, sigma=SIGMA)
        tasks[n, "ll_scipy"] = lambda data=data: stats.norm.logpdf(data, MU, SIGMA).sum()
        tasks[n, "fit"] = lambda data=data: mle_core.fit("gaussian", data)
        tasks[n, "fit_scipy"] = lambda data=data: stats.norm.fit(data)

        # The reference procedure: time one call first, and skip it if all rounds would be too slow.
        started = timeit.default_timer()
        estimate = reference_fit(data)
        single = timeit.default_timer() - started
        ours = mle_core.fit("gaussian", data)
        rows[n] = {
            "n": n,
            "reference_error": max(abs(estimate[0] - ours["mu"]), abs(estimate[1] - ours["sigma"])),
            "reference_note": "",
        }
        if single * (repeats + 1) <= REFERENCE_BUDGET_SECONDS:
            tasks[n, "fit_reference"] = lambda data=data: reference_fit(data)
        else:
            rows[n]["reference_note"] = f"skipped: one call took {single:.1f} s"

    times = interleaved_times(tasks, repeats, target_seconds)

    def paired_ratio(n, numerator, denominator):
        if (n, numerator) not in times:
            return None
        return statistics.median(a / b for a, b in zip(times[n, numerator], times[n, denominator], strict=True))

    for n, row in rows.items():
        for name in ("ll_raw", "ll_stats", "ll_scipy", "fit", "fit_scipy", "fit_reference"):
            row[name] = statistics.median(times[n, name]) if (n, name) in times else None
        row["ratio_reference_fit"] = paired_ratio(n, "fit_reference", "fit")
        row["ratio_scipy_fit"] = paired_ratio(n, "fit_scipy", "fit")
        row["ratio_scipy_ll"] = paired_ratio(n, "ll_scipy", "ll_raw")
    smallest = min(rows)
    for row in rows.values():  # the slider path at each n against the smallest n, round by round
        row["ll_stats_vs_smallest"] = statistics.median(
            a / b for a, b in zip(times[row["n"], "ll_stats"], times[smallest, "ll_stats"], strict=True)
        )
    return [rows[n] for n in sizes]


def _warm_up(seconds: float = 0.3) -> None:
    """Run the code paths for a moment first, so the first row is not timed on a cold start."""
    data = np.random.default_rng(0).normal(TRUE_MU, TRUE_SIGMA, size=10)
    deadline = timeit.default_timer() + seconds
    while timeit.default_timer() < deadline:
        mle_core.fit("gaussian", data)
        mle_core.log_likelihood("gaussian", data, mu=MU, sigma=SIGMA)
        stats.norm.logpdf(data, MU, SIGMA).sum()
        stats.norm.fit(data)


def _duration(seconds) -> str:
    if seconds is None:
        return "skipped"
    for unit, factor in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= factor:
            return f"{seconds / factor:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _times(ratio) -> str:
    return "—" if ratio is None else f"{ratio:,.0f}×" if ratio >= 100 else f"{ratio:.3g}×"


def markdown_table(rows: list[dict[str, Any]]) -> str:
    header = (
        "| n | ℓ raw data | ℓ from statistics | scipy logpdf().sum() | fit | scipy norm.fit | "
        "reference minimize | reference / fit | scipy / fit | scipy / ℓ raw |"
    )
    lines = [header, "|" + "---:|" * header.count(" | ") + "---:|"]
    for row in rows:
        cells = [
            f"{row['n']:,}",
            _duration(row["ll_raw"]),
            _duration(row["ll_stats"]),
            _duration(row["ll_scipy"]),
            _duration(row["fit"]),
            _duration(row["fit_scipy"]),
            _duration(row["fit_reference"]),
            _times(row["ratio_reference_fit"]),
            _times(row["ratio_scipy_fit"]),
            _times(row["ratio_scipy_ll"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary(rows: list[dict[str, Any]]) -> list[str]:
    by_n = {row["n"]: row for row in rows}
    notes = []
    small = [row for row in rows if row["n"] <= 1000 and row["ratio_reference_fit"] is not None]
    if small:
        met = all(row["ratio_reference_fit"] >= FIT_TARGET_RATIO for row in small)
        ratios = ", ".join(f"n={row['n']:,}: {row['ratio_reference_fit']:,.0f}×" for row in small)
        verdict = "met" if met else "NOT met"
        notes.append(f"- fit ≥ {FIT_TARGET_RATIO:.0f}× faster than the reference for n ≤ 1000: {verdict} ({ratios})")
    if min(by_n) != max(by_n):
        low, high = by_n[min(by_n)], by_n[max(by_n)]
        ratio = high["ll_stats_vs_smallest"]
        verdict = "independent of n" if 0.5 <= ratio <= 2.0 else "DEPENDS on n"
        notes.append(
            f"- ℓ from statistics, time at n={high['n']:,} / at n={low['n']:,}: {ratio:.2f} ({verdict}; "
            f"{_duration(high['ll_stats'])} vs {_duration(low['ll_stats'])})"
        )
    for row in rows:
        if row["reference_note"]:
            notes.append(f"- reference procedure at n={row['n']:,}: {row['reference_note']}")
    worst = max(row["reference_error"] for row in rows)
    notes.append(f"- largest |reference estimate − fit| over (μ, σ): {worst:.1e}")
    return notes


def main() -> None:
    print(f"$ python {' '.join(sys.argv)}")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"{platform.machine()} ({platform.system()}, {os.cpu_count()} CPUs, load average {load})"
    )
    print(
        f"Data N({TRUE_MU}, {TRUE_SIGMA}²), seed {SEED}; ℓ evaluated at (μ, σ) = ({MU}, {SIGMA}); reference "
        f"= scipy.optimize.minimize of −ℓ from {REFERENCE_START}. Times: median of {REPEATS} interleaved "
        "rounds; ratios: median of the per-round ratios."
    )
    print()
    rows = benchmark_rows()
    print(markdown_table(rows))
    print()
    print("\n".join(summary(rows)))


if __name__ == "__main__":
    main()
