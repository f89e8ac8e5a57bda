"""The geometric family, built as mle_core's six families are but kept outside mle_core: a family to register.

The number of failures before the first success in independent trials, each a success with probability p.

Mass:           f(x | p) = p (1 − p)ˣ  for x ∈ {0, 1, 2, …}
Log-likelihood: ℓ(p) = n ln p + T ln(1 − p),  with T = Σ xᵢ the failures over n observations
MLE:            p̂ = n / (n + T) (one over one plus the mean),  ℓ̂ = n ln p̂ + T ln(1 − p̂)   (0 · ln 0 = 0)
Score:          ∂ℓ/∂p = n/p − T/(1 − p);  −∂²ℓ/∂p² = n/p² + T/(1 − p)²;  Fisher information n/(p²(1 − p))

p = 1 is a valid value (success at once, every time): it is the MLE when every count is 0 (ℓ̂ = 0),
and ℓ = −inf there otherwise; p = 0 is not (the first success would never come).

``FAMILY`` declares no closed forms, so ``mle_core.inference`` serves it through its generic
numerical paths; ``FAMILY_WITH_CLOSED_FORMS`` is the same family declaring its score and
information (``derivatives``, ``expected_information``). Either is added with one line:

>>> import mle_core
>>> with mle_core.registered_family(FAMILY):
...     mle_core.fit("geometric", [0, 3, 1, 0, 1])
{'p': 0.5}
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from mle_core import Family, FitResult, Parameter
from mle_core._family import counts_times_log, is_scalar, xlog1my, xlogy
from mle_core._observations import as_observations, is_whole, one_observation, require_support
from mle_core.bernoulli import log_likelihood_at_proportion

#: Larger counts are refused, as for the Poisson: no story needs them, and T stays an exact float.
MAX_COUNT = 1e9
SUPPORT = "non-negative integers up to 1e9"

PARAMETERS = (Parameter("p", "p", 0.0, 1.0, 0.5, "probability that a trial is a success", upper_closed=True),)


def support_mask(x: np.ndarray) -> np.ndarray:
    """True where an observation is a whole number from 0 to ``MAX_COUNT``."""
    return (x >= 0.0) & (x <= MAX_COUNT) & is_whole(x)


def validate_observations(data) -> np.ndarray:
    """Return ``data`` as a float array of counts, or raise ``ValueError`` naming the other values."""
    x = as_observations(data)
    return require_support(x, support_mask(x), "geometric", SUPPORT)


@dataclass(frozen=True)
class GeometricStatistics:
    """Sufficient statistics of geometric counts: ``n`` and ``total`` T = Σ xᵢ (exact below 2⁵³).

    Updates cost O(1) per point and return new objects.
    """

    n: int = 0
    total: float = 0.0

    @classmethod
    def from_observations(cls, observations) -> GeometricStatistics:
        """Return the statistics of ``observations`` (validated first)."""
        return cls._from_valid(validate_observations(observations))

    @classmethod
    def _from_valid(cls, x: np.ndarray) -> GeometricStatistics:
        return cls(int(x.size), math.fsum(x.tolist()))

    def add(self, x: float) -> GeometricStatistics:
        """Return the statistics with one more count ``x``."""
        value = one_observation(x, support_mask, "geometric", SUPPORT)
        return GeometricStatistics(self.n + 1, self.total + value)

    def extend(self, observations) -> GeometricStatistics:
        """Return the statistics with all of ``observations`` added."""
        other = GeometricStatistics.from_observations(observations)
        return GeometricStatistics(self.n + other.n, self.total + other.total)


def log_densities(observations: np.ndarray, p: float) -> np.ndarray:
    """Return ln f(xᵢ | p) = ln p + xᵢ ln(1 − p) for each count (0 · ln 0 = 0 at p = 1)."""
    return xlogy(1, p) + counts_times_log(observations, xlog1my(1, p))


def log_likelihood(stats: GeometricStatistics, p):
    """Return ℓ(p) = n ln p + T ln(1 − p) from the statistics alone (O(1)).

    ``p`` may be a numpy array (a grid): ℓ then has its shape. p = 1 gives −inf when some count is
    positive (never nan); an empty sample has ℓ = 0.
    """
    p = float(p) if is_scalar(p) else np.asarray(p, dtype=np.float64)
    return xlogy(stats.n, p) + xlog1my(stats.total, p)


def fit(stats: GeometricStatistics) -> FitResult:
    """Return p̂ = n / (n + T) with ℓ̂ = n ln p̂ + T ln(1 − p̂)."""
    if stats.n == 0:
        raise ValueError("cannot fit the geometric family to no observations: add at least one")
    p_hat = stats.n / (stats.n + stats.total)
    message = ""
    if p_hat == 1.0:
        message = "p̂ = 1 lies on the boundary of (0, 1] (every count is 0): a true maximum, with finite ℓ̂"
    log_lik = log_likelihood_at_proportion(float(stats.n), stats.total)
    return FitResult(MappingProxyType({"p": p_hat}), log_lik, converged=True, message=message)


def sample(rng: np.random.Generator, size, p: float) -> np.ndarray:
    """Return ``size`` independent counts of failures before the first success, as floats.

    numpy's geometric counts the trials up to and including the success (1, 2, …): one less is the failures.
    """
    return rng.geometric(p, size).astype(np.float64) - 1.0


def derivatives(stats: GeometricStatistics, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Return ∂ℓ/∂p = n/p − T/(1 − p) and ∂²ℓ/∂p² = −n/p² − T/(1 − p)², for p inside (0, 1)."""
    q = 1.0 - p
    gradient = np.array([stats.n / p - stats.total / q])
    hessian = np.array([[-stats.n / p / p - stats.total / q / q]])
    return gradient, hessian


def expected_information(stats: GeometricStatistics, p: float) -> np.ndarray:
    """Return the Fisher information n/(p²(1 − p)): E[T] = n(1 − p)/p in n/p² + T/(1 − p)²."""
    return np.array([[stats.n / p / p / (1.0 - p)]])


FAMILY = Family(
    name="geometric",
    label="Geometric (failures before a success)",
    parameters=PARAMETERS,
    statistics=GeometricStatistics._from_valid,
    log_densities=log_densities,
    log_likelihood=log_likelihood,
    fit=fit,
    validate_observations=validate_observations,
    statistics_type=GeometricStatistics,
    discrete=True,
    support=SUPPORT,
    support_mask=support_mask,
    sample=sample,
)

#: The same family with its closed-form score and information declared for ``mle_core.inference``.
FAMILY_WITH_CLOSED_FORMS = dataclasses.replace(
    FAMILY, derivatives=derivatives, expected_information=expected_information
)
