"""Repeated sampling: the sampling distribution of θ̂, and σ̂ against s for the Gaussian σ.

Draw many samples at θ, fit each, and look at the spread of the estimates; for a Gaussian σ the
MLE σ̂ (divide by n) is biased low, s (divide by n − 1) less so, and s/c4 not at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from .. import get_family
from ._space import _resolve, _vector


def sampling_distribution(family, theta: Mapping[str, float], size: int, repeats: int, rng=None, **constants):
    """Return a (``repeats`` × k) array: the MLE θ̂ of each of ``repeats`` samples of ``size`` drawn at θ.

    Columns follow ``family.parameters``. A family that declares ``Family.fit_many`` (the Gaussian)
    draws one (repeats, size) matrix and fits every row at once; other families call
    ``family.sample(rng, size, **theta, **constants)`` and ``family.fit`` per sample (constants not
    given take their defaults). A sample whose MLE is on a bound (p̂ = 0) or has no
    finite maximum (σ̂ = 0) contributes that estimate as the family's fit reports it.
    ``rng`` is a ``numpy.random.Generator`` or a seed.
    """
    fam = get_family(family)
    x = _vector(fam, theta)
    size, repeats = int(size), int(repeats)
    if size < 1 or repeats < 1:
        raise ValueError("size and repeats must be at least 1")
    rng = np.random.default_rng(rng)
    checked = fam.check_constants(constants)
    named = dict(zip(fam.parameter_names, x.tolist(), strict=True))
    if fam.fit_many is not None:
        draws = np.asarray(fam.sample(rng, (repeats, size), **named, **checked), dtype=float)
        return np.asarray(fam.fit_many(draws, **checked), dtype=float)
    estimates = np.empty((repeats, x.size))
    for r in range(repeats):
        observations = np.asarray(fam.sample(rng, size, **named, **checked), dtype=float)
        fit = fam.fit(fam.statistics(observations, **checked))
        estimates[r] = [fit.params[name] for name in fam.parameter_names]
    return estimates


def _c4(n: int) -> float:
    """E[s]/σ for n Gaussian observations: √(2/(n − 1))·Γ(n/2)/Γ((n − 1)/2)."""
    return math.sqrt(2.0 / (n - 1)) * math.exp(math.lgamma(n / 2.0) - math.lgamma((n - 1) / 2.0))


class SigmaEstimates(NamedTuple):
    """Three estimates of a Gaussian σ from n observations with S = Σ(xᵢ − x̄)².

    ``mle`` σ̂ = √(S/n) (biased low: E[σ̂] = σ·c4·√((n − 1)/n));
    ``sample_sd`` s = √(S/(n − 1)) (s² is unbiased for σ², but s is still low: E[s] = c4·σ);
    ``unbiased`` s/c4, whose expectation is σ; ``c4`` = √(2/(n − 1))·Γ(n/2)/Γ((n − 1)/2).
    """

    n: int
    mle: float
    sample_sd: float
    unbiased: float
    c4: float


def sigma_estimates(data) -> SigmaEstimates:
    """Return σ̂ (divide by n), s (divide by n − 1) and the unbiased s/c4 of Gaussian observations or statistics."""
    _, stats = _resolve("gaussian", data)
    n = stats.n
    if n < 2:
        raise ValueError(f"estimating σ needs at least two observations, got {n}")
    sum_sq = max(stats.sum_sq_dev - stats.residual * stats.residual / n, 0.0)
    c4 = _c4(n)
    s = math.sqrt(sum_sq / (n - 1))
    return SigmaEstimates(n, math.sqrt(sum_sq / n), s, s / c4, c4)


def unbiased_sigma(data) -> float:
    """Return s/c4(n), the estimate of a Gaussian σ whose expectation is σ (see ``sigma_estimates``)."""
    return sigma_estimates(data).unbiased


def expected_sigma_hat(sigma: float, n: int) -> float:
    """Return E[σ̂] = σ·c4(n)·√((n − 1)/n) for samples of n Gaussian observations (σ̂ divides by n)."""
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    return float(sigma) * _c4(n) * math.sqrt((n - 1) / n)
