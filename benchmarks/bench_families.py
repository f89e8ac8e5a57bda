"""Timings of every family's ``mle_core.fit`` against scipy's fit of the same data, in the same run.

Run ``python benchmarks/bench_families.py``; it prints a Markdown table (well under a minute).
``benchmark_rows()`` returns the same measurements as a list of dicts for other scripts.

scipy's fit is ``scipy.stats.<dist>.fit`` for the continuous families (with ``floc=0`` where the
family has no location parameter: exponential and Weibull) and ``scipy.stats.fit(dist, data,
bounds)`` for the discrete ones (which have no ``.fit`` method). Both sides start from the raw
observations; ours includes validating them. Timing as in ``bench_core.py``: medians over
interleaved rounds, ratios as medians of the per-round ratios. ℓ̂ is compared too: each fit's
estimate is scored with scipy's own logpdf/logpmf, so a larger value is a better maximum.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_core
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # mle_core, when run as a script

from bench_core import interleaved_times

import mle_core

SIZES = (100, 10_000)
SEED = 20240521
REPEATS = 7
TARGET_SECONDS = 0.02

#: Family → (parameters the data are drawn from, constants, scipy distribution).
CASES: dict[str, tuple[dict[str, float], dict[str, int], Any]] = {
    "gaussian": ({"mu": 2.0, "sigma": 0.5}, {}, stats.norm),
    "bernoulli": ({"p": 0.3}, {}, stats.bernoulli),
    "binomial": ({"p": 0.1}, {"n_trials": 20}, stats.binom),
    "poisson": ({"rate": 3.2}, {}, stats.poisson),
    "exponential": ({"rate": 1 / 1200}, {}, stats.expon),
    "weibull": ({"shape": 2.5, "scale": 1400.0}, {}, stats.weibull_min),
}


def scipy_fit(family: str, data: np.ndarray, constants: dict[str, int]) -> tuple[float, ...]:
    """scipy's estimate, as the arguments its logpdf/logpmf takes (shape(s), then loc, scale where it has them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # stats.fit warns that its default bounds are guesses
        if family == "gaussian":
            return stats.norm.fit(data)
        if family == "exponential":
            return stats.expon.fit(data, floc=0)
        if family == "weibull":
            return stats.weibull_min.fit(data, floc=0)
        if family == "bernoulli":
            return tuple(stats.fit(stats.bernoulli, data, {"p": (0, 1)}).params)
        if family == "binomial":
            m = constants["n_trials"]
            return tuple(stats.fit(stats.binom, data, {"n": (m, m), "p": (0, 1)}).params)
        if family == "poisson":
            return tuple(stats.fit(stats.poisson, data, {"mu": (0, float(data.max()))}).params)
    raise ValueError(family)


def ours_as_scipy_arguments(family: str, params: dict[str, float], constants: dict[str, int]) -> tuple[float, ...]:
    """Our estimate in scipy's parametrisation, to score both with the same logpdf/logpmf."""
    if family == "gaussian":
        return (params["mu"], params["sigma"])
    if family == "exponential":
        return (0.0, 1.0 / params["rate"])
    if family == "weibull":
        return (params["shape"], 0.0, params["scale"])
    if family == "bernoulli":
        return (params["p"], 0.0)
    if family == "binomial":
        return (constants["n_trials"], params["p"], 0.0)
    if family == "poisson":
        return (params["rate"], 0.0)
    raise ValueError(family)


def scipy_log_likelihood(dist, data: np.ndarray, arguments: tuple[float, ...]) -> float:
    """ℓ = Σ ln f(xᵢ) by scipy (logpmf for discrete distributions, logpdf otherwise)."""
    log_f = dist.logpmf if isinstance(dist, stats.rv_discrete) else dist.logpdf
    return float(np.sum(log_f(data, *arguments)))


def benchmark_rows(
    sizes=SIZES, seed: int = SEED, repeats: int = REPEATS, target_seconds: float = TARGET_SECONDS
) -> list[dict[str, Any]]:
    """Measure every family at every size; one dict per (family, n), times in seconds."""
    rng = np.random.default_rng(seed)
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    tasks: dict[tuple[str, int, str], Callable[[], Any]] = {}
    for family, (truth, constants, dist) in CASES.items():
        for n in sizes:
            data = mle_core.sample(family, n, rng=rng, **truth, **constants)
            ours = mle_core.fit_result(family, data, **constants)
            reference = scipy_fit(family, data, constants)
            ours_ll = scipy_log_likelihood(dist, data, ours_as_scipy_arguments(family, dict(ours.params), constants))
            rows[family, n] = {
                "family": family,
                "n": n,
                "estimate": dict(ours.params),
                "scipy_estimate": reference,
                "log_likelihood": ours.log_likelihood,
                "log_likelihood_scored_by_scipy": ours_ll,
                "scipy_log_likelihood": scipy_log_likelihood(dist, data, reference),
                "converged": ours.converged,
            }
            tasks[family, n, "ours"] = lambda f=family, d=data, c=constants: mle_core.fit(f, d, **c)
            tasks[family, n, "scipy"] = lambda f=family, d=data, c=constants: scipy_fit(f, d, c)
    times = interleaved_times(tasks, repeats, target_seconds)
    for (family, n), row in rows.items():
        row["fit"] = statistics.median(times[family, n, "ours"])
        row["fit_scipy"] = statistics.median(times[family, n, "scipy"])
        row["ratio_scipy_fit"] = statistics.median(
            s / o for s, o in zip(times[family, n, "scipy"], times[family, n, "ours"], strict=True)
        )
        row["log_likelihood_gain"] = row["log_likelihood_scored_by_scipy"] - row["scipy_log_likelihood"]
    return list(rows.values())


def _duration(seconds: float) -> str:
    for unit, factor in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= factor:
            return f"{seconds / factor:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _times(ratio: float) -> str:
    return f"{ratio:,.0f}×" if ratio >= 100 else f"{ratio:.3g}×"


def markdown_table(rows: list[dict[str, Any]]) -> str:
    header = "| family | n | mle_core fit | scipy fit | scipy / ours | ℓ̂ ours | ℓ̂ scipy | ours − scipy |"
    lines = [header, "|---|" + "---:|" * (header.count(" | ") - 1) + "---:|"]
    for row in rows:
        cells = [
            row["family"],
            f"{row['n']:,}",
            _duration(row["fit"]),
            _duration(row["fit_scipy"]),
            _times(row["ratio_scipy_fit"]),
            f"{row['log_likelihood_scored_by_scipy']:.10g}",
            f"{row['scipy_log_likelihood']:.10g}",
            f"{row['log_likelihood_gain']:+.2e}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary(rows: list[dict[str, Any]]) -> list[str]:
    slowest = min(rows, key=lambda row: row["ratio_scipy_fit"])
    verdict = "met" if slowest["ratio_scipy_fit"] >= 1.0 else "NOT met"
    notes = [
        f"- mle_core's fit no slower than scipy's for every family and n: {verdict} (smallest ratio "
        f"{_times(slowest['ratio_scipy_fit'])}, {slowest['family']} at n = {slowest['n']:,})"
    ]
    worst = min(rows, key=lambda row: row["log_likelihood_gain"] / max(1.0, abs(row["scipy_log_likelihood"])))
    relative = worst["log_likelihood_gain"] / abs(worst["scipy_log_likelihood"])
    notes.append(
        f"- ℓ̂ ours − ℓ̂ scipy, relative to |ℓ̂|: smallest {relative:+.1e} ({worst['family']} at "
        f"n = {worst['n']:,}; negative would mean scipy found the higher maximum)"
    )
    for row in rows:
        if row["family"] == "weibull":
            shape, _, scale = row["scipy_estimate"]
            ours = row["estimate"]
            notes.append(
                f"- weibull n = {row['n']:,}: ours k̂ = {ours['shape']:.8g}, λ̂ = {ours['scale']:.8g}; "
                f"scipy k̂ = {shape:.8g}, λ̂ = {scale:.8g}"
            )
    return notes


def main() -> None:
    print(f"$ python {' '.join(sys.argv)}")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"{platform.machine()} ({platform.system()}, {os.cpu_count()} CPUs, load average {load})"
    )
    print(
        f"Data drawn with mle_core.sample, seed {SEED}. Times: median of {REPEATS} interleaved rounds; "
        "ratios: median of the per-round ratios. Both ℓ̂ columns are scipy's Σ ln f at each estimate."
    )
    print()
    rows = benchmark_rows()
    print(markdown_table(rows))
    print()
    print("\n".join(summary(rows)))


if __name__ == "__main__":
    main()
