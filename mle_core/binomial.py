"""The binomial family: the number of successes in m independent trials, each with probability p.

The number of trials per observation, m = ``n_trials``, is a known constant (defects among the m
items inspected in a batch), not a parameter to estimate.

Mass:           f(x | p) = C(m, x) pˣ (1 − p)ᵐ⁻ˣ  for x ∈ {0, 1, …, m}
Log-likelihood: ℓ(p) = Σ ln C(m, xᵢ) + K ln p + (n m − K) ln(1 − p),  with K = Σ xᵢ over n observations
MLE:            p̂ = K / (n m),  ℓ̂ = Σ ln C(m, xᵢ) + K ln p̂ + (n m − K) ln(1 − p̂)   (0 · ln 0 = 0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from ._family import Family, FitResult, Parameter, counts_times_log, is_scalar, xlog1my, xlogy
from ._observations import as_observations, is_whole, one_observation, require_support
from .bernoulli import boundary_message, log_likelihood_at_proportion

SUPPORT = "integers 0 … m"

PARAMETERS = (
    Parameter("p", "p", 0.0, 1.0, 0.5, "probability of success in each trial", lower_closed=True, upper_closed=True),
)
N_TRIALS = Parameter("n_trials", "m", 1, math.inf, 10, "trials per observation", lower_closed=True, integer=True)
CONSTANTS = (N_TRIALS,)

#: Up to this many trials ln C(m, x) is the logarithm of the exact integer C(m, x); beyond, it is
#: ln Γ(m + 1) − ln Γ(x + 1) − ln Γ(m − x + 1), which loses a few digits to cancellation.
_EXACT_TRIALS = 2000
_SMALL_SAMPLE = 64


@lru_cache(maxsize=4096)
def log_binomial_coefficient(m: int, x: int) -> float:
    """Return ln C(m, x), the log of the number of ways to choose x of m trials."""
    if m <= _EXACT_TRIALS:
        return math.log(math.comb(m, x))
    return math.lgamma(m + 1) - math.lgamma(x + 1) - math.lgamma(m - x + 1)


def _log_coefficients(x: np.ndarray, m: int) -> np.ndarray:
    """ln C(m, xᵢ) point by point (numpy has no log-gamma: one math call per distinct value)."""
    values, inverse = np.unique(x, return_inverse=True)
    table = np.array([log_binomial_coefficient(m, int(v)) for v in values.tolist()])
    return table[inverse].reshape(x.shape)


def _sum_log_coefficients(x: np.ndarray, m: int) -> float:
    """Σ ln C(m, xᵢ), summed exactly (fsum) for small samples and per distinct value for large ones."""
    if x.size <= _SMALL_SAMPLE:
        return math.fsum(log_binomial_coefficient(m, int(v)) for v in x.tolist())
    values, counts = np.unique(x, return_counts=True)
    return math.fsum(
        c * log_binomial_coefficient(m, int(v)) for v, c in zip(values.tolist(), counts.tolist(), strict=True)
    )


def _check_trials(n_trials) -> int:
    return N_TRIALS.check(n_trials)


def support_mask(x: np.ndarray, n_trials: int = N_TRIALS.default) -> np.ndarray:
    """True where an observation is a whole number from 0 to ``n_trials``."""
    return (x >= 0.0) & (x <= n_trials) & is_whole(x)


def _support_text(n_trials: int) -> str:
    return f"integers 0 … {n_trials} (m = {n_trials})"


def validate_observations(data, n_trials: int = N_TRIALS.default) -> np.ndarray:
    """Return ``data`` as a float array of counts 0 … n_trials, or raise ``ValueError`` naming the others."""
    m = _check_trials(n_trials)
    x = as_observations(data)
    return require_support(x, support_mask(x, m), "binomial", _support_text(m))


@dataclass(frozen=True)
class BinomialStatistics:
    """Sufficient statistics of binomial observations, with the known number of trials they came from.

    ``n`` observations, ``successes`` K = Σ xᵢ (an integer), ``n_trials`` m, and
    ``log_coefficients`` Σ ln C(m, xᵢ), the part of ℓ that does not depend on p (kept so that ℓ is
    the full log-likelihood, comparable with scipy's and with other families'). Updates cost O(1)
    per point and return new objects; ``add`` adds one rounded term to ``log_coefficients``, so it
    may differ from a fresh computation in the last bits.
    """

    n: int = 0
    successes: int = 0
    n_trials: int = N_TRIALS.default
    log_coefficients: float = 0.0

    @property
    def failures(self) -> int:
        """The number of failed trials, n m − K."""
        return self.n * self.n_trials - self.successes

    @classmethod
    def from_observations(cls, observations, n_trials: int = N_TRIALS.default) -> BinomialStatistics:
        """Return the statistics of ``observations`` out of ``n_trials`` each (validated first)."""
        m = _check_trials(n_trials)
        return cls._from_valid(validate_observations(observations, m), m)

    @classmethod
    def _from_valid(cls, x: np.ndarray, n_trials: int = N_TRIALS.default) -> BinomialStatistics:
        m = _check_trials(n_trials)
        # K = Σ xᵢ in integers, so that it stays exact beyond 2⁵³ where a float sum would round.
        exact_in_int64 = x.size * m < 2**62
        successes = int(x.astype(np.int64).sum()) if exact_in_int64 else sum(int(v) for v in x.tolist())
        return cls(int(x.size), successes, m, _sum_log_coefficients(x, m))

    def add(self, x: float) -> BinomialStatistics:
        """Return the statistics with one more observation ``x`` (a count from 0 to n_trials)."""
        m = self.n_trials
        value = int(one_observation(x, lambda v: support_mask(v, m), "binomial", _support_text(m)))
        return BinomialStatistics(
            self.n + 1, self.successes + value, m, self.log_coefficients + log_binomial_coefficient(m, value)
        )

    def extend(self, observations) -> BinomialStatistics:
        """Return the statistics with all of ``observations`` (out of the same n_trials) added."""
        other = BinomialStatistics.from_observations(observations, self.n_trials)
        return BinomialStatistics(
            self.n + other.n,
            self.successes + other.successes,
            self.n_trials,
            self.log_coefficients + other.log_coefficients,
        )


def log_densities(observations: np.ndarray, p: float, n_trials: int = N_TRIALS.default) -> np.ndarray:
    """Return ln f(xᵢ | p) = ln C(m, xᵢ) + xᵢ ln p + (m − xᵢ) ln(1 − p) for each observation."""
    m = _check_trials(n_trials)
    return (
        _log_coefficients(observations, m)
        + counts_times_log(observations, xlogy(1, p))
        + counts_times_log(m - observations, xlog1my(1, p))
    )


def log_likelihood(stats: BinomialStatistics, p):
    """Return ℓ(p) = Σ ln C(m, xᵢ) + K ln p + (n m − K) ln(1 − p) from the statistics alone (O(1)).

    ``p`` may be a numpy array (a grid): ℓ then has its shape. At p = 0 or 1 a contradicting
    observation gives −inf (never nan); an empty sample has ℓ = 0.
    """
    p = float(p) if is_scalar(p) else np.asarray(p, dtype=np.float64)
    return stats.log_coefficients + xlogy(float(stats.successes), p) + xlog1my(float(stats.failures), p)


def fit(stats: BinomialStatistics) -> FitResult:
    """Return p̂ = K / (n m) with ℓ̂ = Σ ln C(m, xᵢ) + K ln p̂ + (n m − K) ln(1 − p̂)."""
    if stats.n == 0:
        raise ValueError("cannot fit the binomial family to no observations: add at least one")
    p_hat = stats.successes / (stats.n * stats.n_trials)
    message = boundary_message(p_hat, "every trial succeeded", "no trial succeeded")
    log_lik = stats.log_coefficients + log_likelihood_at_proportion(float(stats.successes), float(stats.failures))
    return FitResult(MappingProxyType({"p": p_hat}), log_lik, converged=True, message=message)


def sample(rng: np.random.Generator, size: int, p: float, n_trials: int = N_TRIALS.default) -> np.ndarray:
    """Return ``size`` independent counts of successes in ``n_trials`` trials each, as floats."""
    return rng.binomial(_check_trials(n_trials), p, size).astype(np.float64)


FAMILY = Family(
    name="binomial",
    label="Binomial (successes in m trials)",
    parameters=PARAMETERS,
    statistics=BinomialStatistics._from_valid,
    log_densities=log_densities,
    log_likelihood=log_likelihood,
    fit=fit,
    validate_observations=validate_observations,
    statistics_type=BinomialStatistics,
    discrete=True,
    support=SUPPORT,
    support_mask=support_mask,
    sample=sample,
    constants=CONSTANTS,
)
