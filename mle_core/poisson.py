"""The Poisson family: counts of events in a fixed interval that happen independently at a steady rate λ.

Mass:           f(x | λ) = λˣ e^(−λ) / x!  for x ∈ {0, 1, 2, …}
Log-likelihood: ℓ(λ) = K ln λ − n λ − Σ ln xᵢ!,  with K = Σ xᵢ over n observations
MLE:            λ̂ = K / n = x̄,  ℓ̂ = K ln λ̂ − K − Σ ln xᵢ!   (0 · ln 0 = 0)

λ = 0 is a valid value: it is the MLE when every count is 0 (ℓ̂ = 0), and ℓ = −inf there otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ._family import Family, FitResult, Parameter, counts_times_log, is_scalar, xlogy
from ._observations import as_observations, is_whole, one_observation, require_support

#: Larger counts are refused: ℓ = K ln λ − nλ − Σ ln xᵢ! subtracts terms of size ~x ln x, and from counts of
#: ~1e12 on, what is left of the digits no longer shows the third decimal (a count of 1e15 gave ℓ = 0.0).
MAX_COUNT = 1e9
SUPPORT = "non-negative integers up to 10⁹"

PARAMETERS = (Parameter("rate", "λ", 0.0, math.inf, 1.0, "mean number of events per interval", lower_closed=True),)

_SMALL_SAMPLE = 64


def support_mask(x: np.ndarray) -> np.ndarray:
    """True where an observation is a whole number from 0 to ``MAX_COUNT``."""
    return (x >= 0.0) & (x <= MAX_COUNT) & is_whole(x)


def validate_observations(data) -> np.ndarray:
    """Return ``data`` as a float array of counts, or raise ``ValueError`` naming the other values."""
    x = as_observations(data)
    return require_support(x, support_mask(x), "poisson", SUPPORT)


def log_factorial(k: float) -> float:
    """Return ln k! = ln Γ(k + 1)."""
    return math.lgamma(k + 1.0)


def _log_factorials(x: np.ndarray) -> np.ndarray:
    """ln xᵢ! point by point (numpy has no log-gamma: one math call per distinct value)."""
    values, inverse = np.unique(x, return_inverse=True)
    table = np.array([log_factorial(v) for v in values.tolist()])
    return table[inverse].reshape(x.shape)


@dataclass(frozen=True)
class PoissonStatistics:
    """Sufficient statistics of Poisson counts: ``n``, ``total`` K = Σ xᵢ and ``log_factorials`` Σ ln xᵢ!.

    ``log_factorials`` does not depend on λ; it is kept so that ℓ is the full log-likelihood,
    comparable with scipy's and with other families'. Updates cost O(1) per point and return new
    objects; ``total`` is exact while it stays below 2⁵³, ``add`` rounds ``log_factorials`` once.
    """

    n: int = 0
    total: float = 0.0
    log_factorials: float = 0.0

    @classmethod
    def from_observations(cls, observations) -> PoissonStatistics:
        """Return the statistics of ``observations`` (validated first)."""
        return cls._from_valid(validate_observations(observations))

    @classmethod
    def _from_valid(cls, x: np.ndarray) -> PoissonStatistics:
        if x.size <= _SMALL_SAMPLE:
            values = x.tolist()
            return cls(len(values), math.fsum(values), math.fsum(log_factorial(v) for v in values))
        values, counts = np.unique(x, return_counts=True)
        log_factorials = math.fsum(c * log_factorial(v) for v, c in zip(values.tolist(), counts.tolist(), strict=True))
        return cls(int(x.size), float(np.add.reduce(x)), log_factorials)

    def add(self, x: float) -> PoissonStatistics:
        """Return the statistics with one more count ``x``."""
        value = one_observation(x, support_mask, "poisson", SUPPORT)
        return PoissonStatistics(self.n + 1, self.total + value, self.log_factorials + log_factorial(value))

    def extend(self, observations) -> PoissonStatistics:
        """Return the statistics with all of ``observations`` added."""
        other = PoissonStatistics.from_observations(observations)
        return PoissonStatistics(self.n + other.n, self.total + other.total, self.log_factorials + other.log_factorials)


def log_densities(observations: np.ndarray, rate: float) -> np.ndarray:
    """Return ln f(xᵢ | λ) = xᵢ ln λ − λ − ln xᵢ! for each count."""
    return counts_times_log(observations, xlogy(1, rate)) - rate - _log_factorials(observations)


def log_likelihood(stats: PoissonStatistics, rate):
    """Return ℓ(λ) = K ln λ − n λ − Σ ln xᵢ! from the statistics alone (O(1)).

    ``rate`` may be a numpy array (a grid): ℓ then has its shape. λ = 0 gives −inf when some
    count is positive (never nan); an empty sample has ℓ = 0.
    """
    if is_scalar(rate):
        return xlogy(stats.total, float(rate)) - stats.n * float(rate) - stats.log_factorials
    rate = np.asarray(rate, dtype=np.float64)
    with np.errstate(over="ignore"):  # n λ beyond the largest float: ℓ = −inf
        return xlogy(stats.total, rate) - stats.n * rate - stats.log_factorials


def fit(stats: PoissonStatistics) -> FitResult:
    """Return λ̂ = K / n (the mean count) with ℓ̂ = K ln λ̂ − K − Σ ln xᵢ!."""
    if stats.n == 0:
        raise ValueError("cannot fit the poisson family to no observations: add at least one")
    rate_hat = stats.total / stats.n
    message = ""
    if rate_hat == 0.0:
        message = (
            "λ̂ = 0 lies on the boundary of [0, inf) (every count is 0): a true maximum with finite ℓ̂, "
            "which says an event never happens"
        )
    log_lik = xlogy(stats.total, rate_hat) - stats.total - stats.log_factorials
    return FitResult(MappingProxyType({"rate": rate_hat}), log_lik, converged=True, message=message)


def sample(rng: np.random.Generator, size: int, rate: float) -> np.ndarray:
    """Return ``size`` independent Poisson(λ) counts, as floats."""
    return rng.poisson(rate, size).astype(np.float64)


FAMILY = Family(
    name="poisson",
    label="Poisson (counts)",
    parameters=PARAMETERS,
    statistics=PoissonStatistics._from_valid,
    log_densities=log_densities,
    log_likelihood=log_likelihood,
    fit=fit,
    validate_observations=validate_observations,
    statistics_type=PoissonStatistics,
    discrete=True,
    support=SUPPORT,
    support_mask=support_mask,
    sample=sample,
)
