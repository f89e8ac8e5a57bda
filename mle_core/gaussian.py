"""The Gaussian (normal) family N(μ, σ²).

Density:        f(x | μ, σ) = exp(−(x − μ)² / (2σ²)) / (σ √(2π))
Log-likelihood: ℓ(μ, σ) = −(n/2) ln(2π) − n ln σ − [S + n (x̄ − μ)²] / (2σ²),
                where n, x̄ and S = Σ (xᵢ − x̄)² are the sufficient statistics.
MLE:            μ̂ = x̄,  σ̂ = √(S / n)   (divide by n, not n − 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._family import Family, FitResult, Parameter
from ._observations import as_observations

LOG_2PI = math.log(2.0 * math.pi)

PARAMETERS = (
    Parameter("mu", "μ", -math.inf, math.inf, 0.0, "mean: where the bell curve is centred"),
    Parameter("sigma", "σ", 0.0, math.inf, 1.0, "standard deviation: how wide the bell curve is"),
)


@dataclass(frozen=True)
class GaussianStatistics:
    """Sufficient statistics of Gaussian observations: count ``n``, ``mean`` x̄ and
    ``sum_sq_dev`` S = Σ (xᵢ − x̄)².

    Updates return new objects and use Welford's recurrences, which stay accurate for data far
    from 0 (e.g. 1e8 + small noise) where the textbook Σxᵢ² − n x̄² loses every digit.
    """

    n: int = 0
    mean: float = 0.0
    sum_sq_dev: float = 0.0

    @classmethod
    def from_observations(cls, observations) -> GaussianStatistics:
        """Return the statistics of ``observations`` (two passes: the mean, then deviations from it)."""
        x = as_observations(observations)
        n = x.size
        if n == 0:
            return cls()
        mean = float(x.mean())
        deviations = x - mean
        # The second pass folds the first pass's rounding error back into the mean.
        mean += float(deviations.mean())
        deviations = x - mean
        return cls(n, mean, float(np.dot(deviations, deviations)))

    def add(self, x: float) -> GaussianStatistics:
        """Return the statistics with one more observation ``x``."""
        x = float(x)
        n = self.n + 1
        delta = x - self.mean
        mean = self.mean + delta / n
        return GaussianStatistics(n, mean, self.sum_sq_dev + delta * (x - mean))

    def remove(self, x: float) -> GaussianStatistics:
        """Return the statistics without one observation ``x`` (which must be among them)."""
        x = float(x)
        if self.n <= 1:
            return GaussianStatistics()
        n = self.n - 1
        mean = self.mean - (x - self.mean) / n
        sum_sq_dev = self.sum_sq_dev - (x - self.mean) * (x - mean)
        return GaussianStatistics(n, mean, max(sum_sq_dev, 0.0))

    def replace(self, old: float, new: float) -> GaussianStatistics:
        """Return the statistics after the observation ``old`` moved to ``new``."""
        old, new = float(old), float(new)
        if self.n == 0:
            raise ValueError("cannot move an observation: there are none")
        mean = self.mean + (new - old) / self.n
        sum_sq_dev = self.sum_sq_dev + (new - old) * (new - mean + old - self.mean)
        return GaussianStatistics(self.n, mean, max(sum_sq_dev, 0.0))

    def merge(self, other: GaussianStatistics) -> GaussianStatistics:
        """Return the statistics of both samples together (Chan et al.'s pairwise update)."""
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        n = self.n + other.n
        delta = other.mean - self.mean
        mean = self.mean + delta * other.n / n
        sum_sq_dev = self.sum_sq_dev + other.sum_sq_dev + delta * delta * self.n * other.n / n
        return GaussianStatistics(n, mean, sum_sq_dev)

    def extend(self, observations) -> GaussianStatistics:
        """Return the statistics with all of ``observations`` added."""
        return self.merge(GaussianStatistics.from_observations(observations))


def log_densities(observations: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    """Return ln f(xᵢ | μ, σ) = −½ ln(2π) − ln σ − (xᵢ − μ)² / (2σ²) for each observation."""
    z = (observations - mu) / sigma
    with np.errstate(over="ignore"):  # |z| > 1e154: the density is 0, so ln f = −inf is exact enough
        return -0.5 * LOG_2PI - math.log(sigma) - 0.5 * z * z


def log_likelihood(stats: GaussianStatistics, mu: float, sigma: float) -> float:
    """Return ℓ(μ, σ) = −(n/2) ln(2π) − n ln σ − [S + n (x̄ − μ)²] / (2σ²) from the statistics alone."""
    n = stats.n
    if n == 0:
        return 0.0
    offset = (stats.mean - mu) / sigma
    spread = stats.sum_sq_dev / (sigma * sigma)
    return -0.5 * n * LOG_2PI - n * math.log(sigma) - 0.5 * (spread + n * offset * offset)


def fit(stats: GaussianStatistics) -> FitResult:
    """Return μ̂ = x̄ and σ̂ = √(S / n), with ℓ(μ̂, σ̂) = −(n/2)(ln(2π) + 1) − n ln σ̂.

    When every observation is equal (n = 1 included) σ̂ = 0: the likelihood grows without bound as
    σ → 0, so ``log_likelihood`` is ``inf`` and ``converged`` is False.
    """
    if stats.n == 0:
        raise ValueError("cannot fit the gaussian family to no observations: add at least one")
    sigma_hat = math.sqrt(stats.sum_sq_dev / stats.n)
    # Rounding can leave a tiny positive S for equal observations; compare with the data's scale.
    if sigma_hat <= 1e-12 * max(abs(stats.mean), 1e-300):
        return FitResult(
            {"mu": stats.mean, "sigma": 0.0},
            math.inf,
            converged=False,
            message=(
                "all observations are equal, so σ̂ = 0: the likelihood grows without bound as σ → 0 "
                "and has no finite maximum"
            ),
        )
    return FitResult({"mu": stats.mean, "sigma": sigma_hat}, log_likelihood(stats, stats.mean, sigma_hat))


FAMILY = Family(
    name="gaussian",
    label="Gaussian (normal)",
    parameters=PARAMETERS,
    statistics=GaussianStatistics.from_observations,
    log_densities=log_densities,
    log_likelihood=log_likelihood,
    fit=fit,
    validate_observations=as_observations,
    statistics_type=GaussianStatistics,
)
