"""The exponential family of waiting times: lifetimes of parts that do not wear out, at a constant rate λ.

Density:        f(x | λ) = λ e^(−λx)  for x > 0
Log-likelihood: ℓ(λ) = n ln λ − λ T,  with T = Σ xᵢ over n observations
MLE:            λ̂ = n / T = 1 / x̄,  ℓ̂ = n ln λ̂ − n

The support is taken as x > 0 (a lifetime of exactly 0 is refused, as for the Weibull family).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ._family import Family, FitResult, Parameter, is_scalar
from ._observations import as_positive_observations, one_observation

SUPPORT = "positive numbers"

PARAMETERS = (Parameter("rate", "λ", 0.0, math.inf, 1.0, "events per unit of time, 1 / mean waiting time"),)

_SMALL_SAMPLE = 64


def support_mask(x: np.ndarray) -> np.ndarray:
    """True where an observation is > 0."""
    return x > 0.0


def validate_observations(data) -> np.ndarray:
    """Return ``data`` as a float array of positive numbers, or raise ``ValueError`` naming the others."""
    return as_positive_observations(data, "exponential", SUPPORT)


@dataclass(frozen=True)
class ExponentialStatistics:
    """Sufficient statistics of exponential observations: the count ``n`` and the ``total`` T = Σ xᵢ.

    Updates cost O(1) per point and return new objects; ``add`` rounds T once, so it may differ
    from a fresh (exactly rounded, for n ≤ 64) computation in the last bit.
    """

    n: int = 0
    total: float = 0.0

    @property
    def mean(self) -> float:
        """The sample mean x̄ = T / n (nan for no observations)."""
        return self.total / self.n if self.n else math.nan

    @classmethod
    def from_observations(cls, observations) -> ExponentialStatistics:
        """Return the statistics of ``observations`` (validated first)."""
        return cls._from_valid(validate_observations(observations))

    @classmethod
    def _from_valid(cls, x: np.ndarray) -> ExponentialStatistics:
        total = math.fsum(x.tolist()) if x.size <= _SMALL_SAMPLE else float(np.add.reduce(x))
        return cls(int(x.size), total)

    def add(self, x: float) -> ExponentialStatistics:
        """Return the statistics with one more observation ``x`` > 0."""
        value = one_observation(x, support_mask, "exponential", SUPPORT)
        return ExponentialStatistics(self.n + 1, self.total + value)

    def extend(self, observations) -> ExponentialStatistics:
        """Return the statistics with all of ``observations`` added."""
        other = ExponentialStatistics.from_observations(observations)
        return ExponentialStatistics(self.n + other.n, self.total + other.total)


def log_densities(observations: np.ndarray, rate: float) -> np.ndarray:
    """Return ln f(xᵢ | λ) = ln λ − λ xᵢ for each observation."""
    # λ xᵢ beyond the largest float is a density of 0 to every digit: ln f = −inf is right.
    with np.errstate(over="ignore"):
        return math.log(rate) - rate * observations


def log_likelihood(stats: ExponentialStatistics, rate):
    """Return ℓ(λ) = n ln λ − λ T from the statistics alone (O(1)).

    ``rate`` may be a numpy array (a grid): ℓ then has its shape. An empty sample has ℓ = 0.
    """
    if is_scalar(rate):
        rate = float(rate)
        return stats.n * math.log(rate) - rate * stats.total if stats.n else 0.0
    rate = np.asarray(rate, dtype=np.float64)
    if stats.n == 0:
        return np.zeros(rate.shape)
    with np.errstate(over="ignore"):  # λ T beyond the largest float: ℓ = −inf
        return stats.n * np.log(rate) - rate * stats.total


def fit(stats: ExponentialStatistics) -> FitResult:
    """Return λ̂ = n / T = 1 / x̄ with ℓ̂ = n ln λ̂ − n."""
    if stats.n == 0:
        raise ValueError("cannot fit the exponential family to no observations: add at least one")
    n = stats.n
    # ln λ̂ = ln n − ln T stays finite even where n / T would overflow (observations below ~1e-308).
    log_rate = math.log(n) - math.log(stats.total)
    if log_rate >= math.log(np.finfo(np.float64).max):
        return FitResult(
            MappingProxyType({"rate": math.inf}),
            math.inf,
            converged=False,
            message="the observations are so close to 0 that λ̂ = 1 / x̄ exceeds the largest float",
        )
    rate_hat = n / stats.total
    return FitResult(MappingProxyType({"rate": rate_hat}), n * log_rate - n)


def sample(rng: np.random.Generator, size: int, rate: float) -> np.ndarray:
    """Return ``size`` independent exponential waiting times with rate λ (mean 1 / λ)."""
    return rng.exponential(1.0 / rate, size)


FAMILY = Family(
    name="exponential",
    label="Exponential (waiting times)",
    parameters=PARAMETERS,
    statistics=ExponentialStatistics._from_valid,
    log_densities=log_densities,
    log_likelihood=log_likelihood,
    fit=fit,
    validate_observations=validate_observations,
    statistics_type=ExponentialStatistics,
    discrete=False,
    support=SUPPORT,
    support_mask=support_mask,
    sample=sample,
)
