"""The Bernoulli family: one yes/no trial with success probability p (a coin flip, a conversion).

Mass:           f(x | p) = pˣ (1 − p)¹⁻ˣ  for x ∈ {0, 1}
Log-likelihood: ℓ(p) = k ln p + (n − k) ln(1 − p),  with k = Σ xᵢ the number of 1s among n observations
MLE:            p̂ = k / n,  ℓ̂ = k ln(k/n) + (n − k) ln((n − k)/n)   (0 · ln 0 = 0)

p = 0 and p = 1 are valid values: ℓ is −inf there when an observation contradicts them, and
p̂ = 0 (no 1s) or p̂ = 1 (no 0s) is a true, finite maximum on the boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ._family import Family, FitResult, Parameter, is_scalar, xlog1my, xlogy
from ._observations import as_observations, one_observation, require_support

SUPPORT = "0 or 1"

PARAMETERS = (
    Parameter("p", "p", 0.0, 1.0, 0.5, "probability that an observation is 1", lower_closed=True, upper_closed=True),
)


def support_mask(x: np.ndarray) -> np.ndarray:
    """True where an observation is 0 or 1."""
    return (x == 0.0) | (x == 1.0)


def validate_observations(data) -> np.ndarray:
    """Return ``data`` as a float array of 0s and 1s, or raise ``ValueError`` naming the other values."""
    x = as_observations(data)
    return require_support(x, support_mask(x), "bernoulli", SUPPORT)


@dataclass(frozen=True)
class BernoulliStatistics:
    """Sufficient statistics of Bernoulli observations: the count ``n`` and the number of 1s, ``successes``.

    Both are integers, so updates (O(1) per point, returning new objects) are exact.
    """

    n: int = 0
    successes: int = 0

    @property
    def failures(self) -> int:
        """The number of 0s, n − k."""
        return self.n - self.successes

    @classmethod
    def from_observations(cls, observations) -> BernoulliStatistics:
        """Return the statistics of ``observations`` (validated first)."""
        return cls._from_valid(validate_observations(observations))

    @classmethod
    def _from_valid(cls, x: np.ndarray) -> BernoulliStatistics:
        return cls(int(x.size), int(np.count_nonzero(x)))

    def add(self, x: float) -> BernoulliStatistics:
        """Return the statistics with one more observation ``x`` (0 or 1)."""
        value = one_observation(x, support_mask, "bernoulli", SUPPORT)
        return BernoulliStatistics(self.n + 1, self.successes + int(value))

    def extend(self, observations) -> BernoulliStatistics:
        """Return the statistics with all of ``observations`` added."""
        other = BernoulliStatistics.from_observations(observations)
        return BernoulliStatistics(self.n + other.n, self.successes + other.successes)


def log_densities(observations: np.ndarray, p: float) -> np.ndarray:
    """Return ln f(xᵢ | p): ln p where xᵢ = 1 and ln(1 − p) where xᵢ = 0."""
    return np.where(observations == 1.0, xlogy(1, p), xlog1my(1, p))


def log_likelihood(stats: BernoulliStatistics, p):
    """Return ℓ(p) = k ln p + (n − k) ln(1 − p) from the statistics alone (O(1)).

    ``p`` may be a numpy array (a grid): ℓ then has its shape. At p = 0 or 1 a contradicting
    observation gives −inf (never nan); an empty sample has ℓ = 0.
    """
    p = float(p) if is_scalar(p) else np.asarray(p, dtype=np.float64)
    return xlogy(stats.successes, p) + xlog1my(stats.failures, p)


def log_likelihood_at_proportion(successes: float, failures: float) -> float:
    """Return k ln(k/N) + f ln(f/N), N = k + f: the binomial kernel's maximum, at p̂ = k/N.

    Each fraction is formed before its logarithm, so ln(f/N) keeps its digits where 1 − p̂ would not.
    """
    total = successes + failures
    return xlogy(successes, successes / total) + xlogy(failures, failures / total)


def boundary_message(p_hat: float, one: str, zero: str) -> str:
    """Explain an estimate p̂ = 0 (``zero`` says why) or p̂ = 1 (``one``); empty for an interior p̂."""
    if p_hat not in (0.0, 1.0):
        return ""
    why = zero if p_hat == 0.0 else one
    return f"p̂ = {p_hat:g} lies on the boundary of [0, 1] ({why}): it is a true maximum, with finite ℓ̂"


def fit(stats: BernoulliStatistics) -> FitResult:
    """Return p̂ = k / n with ℓ̂ = k ln(k/n) + (n − k) ln((n − k)/n).

    Seven 1s in ten observations give p̂ = 7/10, which is the float 0.7 exactly.
    """
    if stats.n == 0:
        raise ValueError("cannot fit the bernoulli family to no observations: add at least one")
    p_hat = stats.successes / stats.n
    message = boundary_message(p_hat, "every observation is 1", "no observation is 1")
    return FitResult(
        MappingProxyType({"p": p_hat}),
        log_likelihood_at_proportion(stats.successes, stats.failures),
        converged=True,
        message=message,
    )


def sample(rng: np.random.Generator, size: int, p: float) -> np.ndarray:
    """Return ``size`` independent draws (floats 0.0 and 1.0), each 1 with probability p."""
    return (rng.random(size) < p).astype(np.float64)


FAMILY = Family(
    name="bernoulli",
    label="Bernoulli (yes/no)",
    parameters=PARAMETERS,
    statistics=BernoulliStatistics._from_valid,
    log_densities=log_densities,
    log_likelihood=log_likelihood,
    fit=fit,
    validate_observations=validate_observations,
    statistics_type=BernoulliStatistics,
    discrete=True,
    support=SUPPORT,
    support_mask=support_mask,
    sample=sample,
)
