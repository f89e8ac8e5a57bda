"""How far each slider reaches and how finely it steps: the policy that keeps the MLE within reach.

Steps follow the data's scale, so the sliders resolve the likelihood's peak whatever the units:

* a parameter on the whole line (μ) covers the data's mean ± 5 spreads;
* a positive one (σ, a rate, a shape, a scale) runs from one step (0 if 0 is allowed) up to three times its
  estimate;
* one between two finite bounds (a probability) covers them, in thousandths of their width.

So the MLE is always reachable, for data near 0, far from it (1e8) or spread very wide.
"""

from __future__ import annotations

import math

import numpy as np

import mle_core
from mle_core import GaussianStatistics

#: The largest float: a slider's end is never beyond it (1 / 1e-308 is a rate of 1e308).
_LARGEST = float(np.finfo(np.float64).max)


def nice_step(width: float) -> float:
    """Return the 1-2-5 × 10ᵏ number closest above ``width`` (a readable slider step)."""
    if not (width > 0 and math.isfinite(width)):
        return 1.0
    exponent = math.floor(math.log10(width))
    for mantissa in (1, 2, 5, 10):
        step = float(f"{mantissa}e{exponent}")  # parsed, so 1e-05 rather than 9.999999999999999e-06
        if step >= width * (1 - 1e-12):
            return step
    return float(f"1e{exponent + 1}")


def data_spread(stats: GaussianStatistics) -> float:
    """Return the data's scale for sizing sliders: σ̂, or for equal observations a unit (or 1e-3 of |x̄|)."""
    sigma_hat = math.sqrt(stats.sum_sq_dev / stats.n)
    spread = sigma_hat if sigma_hat > 0 else max(1.0, abs(stats.mean) * 1e-3)
    return max(spread, abs(stats.mean) * 1e-12)


def parameter_ranges(
    family: mle_core.Family, summary: GaussianStatistics, theta: dict[str, float], estimate: dict | None = None
) -> dict[str, tuple[float, float, float]]:
    """Return slider ranges ``{name: (start, end, step)}`` for every parameter of ``family``.

    ``summary`` holds the observations' count, mean and spread; ``theta`` the values the ranges must
    contain; ``estimate`` the MLE, if any (see the module's docstring for the policy).
    """
    estimate = estimate or {}
    ranges = {}
    for p in family.parameters:
        value = theta.get(p.name, p.default)
        guess = estimate.get(p.name)
        if math.isfinite(p.lower) and math.isfinite(p.upper):
            step = nice_step((p.upper - p.lower) / 1000)
            start = p.lower if p.lower_closed else p.lower + step
            end = p.upper if p.upper_closed else p.upper - step
        elif math.isfinite(p.lower):
            if guess is not None and math.isfinite(guess) and guess > p.lower:
                reference = guess - p.lower
            else:
                reference = data_spread(summary) if summary.n else max(abs(p.default - p.lower), 1.0)
            # reference / 100, not 3 · reference / 300, which overflows for a rate of 1e308; for a scale
            # of 5e-324 it underflows to 0, and the step is then the smallest float, not 1.0.
            step = nice_step(reference / 100) if reference / 100 > 0 else math.ulp(0.0)
            start = p.lower if p.lower_closed else p.lower + step
            if p.lower < value < start:
                start = value  # a value below one step (σ = 0.4 for data spread by millions) stays reachable
            end = _round_to(p.lower + max(min(3 * reference, _LARGEST), value - p.lower), 10 * step, math.ceil)
        else:
            centre, spread = (summary.mean, data_spread(summary)) if summary.n else (value, 1.0)
            step = nice_step(10 * spread / 500)
            start = _round_to(min(centre - 5 * spread, value), 10 * step, math.floor)
            end = _round_to(max(centre + 5 * spread, value), 10 * step, math.ceil)
        ranges[p.name] = (start, end, step)
    return ranges


def nearby_values(
    family: mle_core.Family, summary: GaussianStatistics, values: dict[str, float], estimate: dict | None
) -> dict[str, float]:
    """Return ``values`` where they are within reach of the data, else the estimate's (a new data set's ranges).

    A parameter more than 20 spreads (or 20 estimates above its lower bound) away from the data is moved to its
    estimate, so that the reset ranges, which must contain it, stay on the data's scale.
    """
    values = dict(values)
    if not estimate or summary.n == 0:
        return values
    spread = data_spread(summary)
    for p in family.parameters:
        value, guess = values[p.name], estimate[p.name]
        if not allowed_value(p, guess):
            continue
        if math.isfinite(p.lower) and math.isfinite(p.upper):
            continue
        if math.isfinite(p.lower):
            reference = guess - p.lower if guess > p.lower else spread
            if value - p.lower > 20 * reference:
                values[p.name] = guess if guess > p.lower else p.lower + reference
        elif abs(value - summary.mean) > 20 * spread:
            values[p.name] = guess
    return values


def allowed_value(parameter: mle_core.Parameter, value: float) -> bool:
    """Whether ``value`` is an allowed value of ``parameter`` (closed ends included)."""
    if not math.isfinite(value):
        return False
    above = value > parameter.lower or (parameter.lower_closed and value == parameter.lower)
    below = value < parameter.upper or (parameter.upper_closed and value == parameter.upper)
    return above and below


def _round_to(value: float, unit: float, direction) -> float:
    """Round ``value`` to a multiple of ``unit`` (``math.floor`` or ``math.ceil``), without 0.30000000000000004.

    A value too close to the largest float to be rounded (a parameter of 1e308) is returned as it is.
    """
    digits = max(0, 1 - math.floor(math.log10(unit)))
    scaled = value / unit
    if not math.isfinite(scaled):
        return value
    rounded = round(direction(scaled) * unit, digits)
    if not math.isfinite(rounded):
        return value
    # The product can miss ``value`` by a rounding error (1e149 / 1e148 · 1e148 < 1e149): never round inwards.
    return max(rounded, value) if direction is math.ceil else min(rounded, value)
